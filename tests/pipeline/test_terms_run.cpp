// A simulated run (odh run --simulate on four portals of four kinds: odweb, oportal, an embedded column,
// a portal without an engine) fills `terms` from the portals' terms pages and the four-rights
// indicators get values equal to what the simulator wrote into those pages; click depth comes from the
// link graph.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "parsers/terms.h"
#include "registry/registry.h"
#include "sim/sim.h"

using namespace odh;

namespace {
std::map<std::string, std::string> query_map(sqlite3* db, const std::string& sql) {
  std::map<std::string, std::string> m;
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    auto t = [&](int c) {
      auto p = sqlite3_column_text(st, c);
      return p ? std::string(reinterpret_cast<const char*>(p)) : std::string("NULL");
    };
    m[t(0)] = t(1);
  }
  sqlite3_finalize(st);
  return m;
}
}  // namespace

TEST_CASE("a simulated run fills terms and the four-rights indicators") {
  namespace fs = std::filesystem;
  const fs::path out = fs::temp_directory_path() / ("odh-terms-run-" + std::to_string(::getpid()));
  fs::remove_all(out);
  const std::vector<std::string> ids = {"data-yq", "data-shenyang", "bjhd", "bjdch"};
  std::string cmd = std::string(ODH_BINARY) + " run --simulate --quiet --delay 0.01 --out " + out.string() +
                    " --sites " + ODH_SOURCE_DIR + "/sites.yaml";
  for (auto& id : ids) cmd += " --only " + id;
  cmd += " > " + (out.string() + ".log") + " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);

  // What the simulator put in each portal's pages (same registry, seed and scale as odh run's defaults).
  auto reg = load_registry(std::string(ODH_SOURCE_DIR) + "/sites.yaml");
  sim::Options o;
  o.scale = 0.01;
  sim::World world(reg.sites, o);

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((out / "odh.sqlite").string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  auto pages = query_map(db, "SELECT portal_id, count(DISTINCT url) FROM terms GROUP BY portal_id");
  auto evidence = query_map(db,
                            "SELECT portal_id, count(*) FROM terms WHERE evidence IS NOT NULL AND fetch_id "
                            "IS NOT NULL GROUP BY portal_id");
  int with_terms = 0;
  const terms::Aspect aspects[] = {terms::Aspect::kFreeAccess, terms::Aspect::kNonDiscrimination,
                                   terms::Aspect::kFreeUse, terms::Aspect::kFreeSharing};
  for (auto& id : ids) {
    const sim::Portal* p = world.by_id(id);
    REQUIRE(p);
    if (p->terms.empty() || p->reach != sim::Reach::kOk) continue;
    ++with_terms;
    CHECK(pages[id] == std::to_string(p->terms.size()));
    CHECK(evidence.count(id));
    for (const auto& page : p->terms)
      for (const auto& right_stance : page.stance) {
        const auto& right = right_stance.first;  // not a structured binding: doctest captures it
        const auto& stance = right_stance.second;
        auto a = aspects[static_cast<int>(right)];
        terms::Stance want = stance == sim::Stance::kGrant   ? terms::Stance::kGranted
                             : stance == sim::Stance::kLimit ? terms::Stance::kLimited
                             : stance == sim::Stance::kDeny  ? terms::Stance::kDenied
                                                             : terms::Stance::kNotStated;
        auto got =
            query_map(db, std::string("SELECT scope_key, value_text FROM indicator WHERE scope='portal' AND "
                                      "indicator='data.") +
                              terms::aspect_id(a) + "' AND scope_key='" + id + "'");
        INFO(id << " " << terms::aspect_id(a));
        CHECK(got[id] == terms::verdict_label(a, want));
      }
  }
  CHECK(with_terms >= 3);
  auto national = query_map(
      db,
      "SELECT indicator, n FROM indicator WHERE scope='national' AND indicator IN "
      "('data.licence','data.free_access','data.non_discrimination','data.free_use','data.free_sharing')");
  CHECK(national.size() == 5);
  for (auto& [k, n] : national) CHECK(n == std::to_string(with_terms));
  // Click depth comes from BFS over the parsers' link table (rooted at the home fetches): never deeper
  // than the crawler's own depth of the dataset page, and known for every portal with datasets.
  auto links = query_map(db, "SELECT 'n', count(*) FROM link");
  CHECK(links["n"] != "0");
  auto bfs = query_map(db,
                       "SELECT scope_key, value FROM indicator WHERE scope='portal' AND "
                       "indicator='findability.click_depth_mean' AND value IS NOT NULL");
  auto crawl =
      query_map(db,
                "SELECT d.portal_id, avg(coalesce(d.depth, f.depth)) FROM dataset d LEFT JOIN fetch f ON "
                "f.fetch_id=d.fetch_id GROUP BY d.portal_id");
  CHECK(!crawl.empty());
  for (auto& pid_v : crawl) {
    auto& pid = pid_v.first;  // not a structured binding: doctest captures it
    auto& v = pid_v.second;
    INFO(pid);
    REQUIRE(bfs.count(pid));
    CHECK(std::stod(bfs[pid]) <= std::stod(v) + 1e-9);
  }
  sqlite3_close(db);
  fs::remove_all(out);
  fs::remove(out.string() + ".log");
}
