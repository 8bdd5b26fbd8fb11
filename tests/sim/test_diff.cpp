// odh diff against a changed world: two simulated harvests into one store — the second with other
// catalogue sizes (datasets added at one portal, removed at another), the world a month later (a tenth
// of the datasets revised: new modification date and description), and a fault (one detail page gone).
// The `odh diff --json` of the built binary must name exactly the added, removed and changed datasets
// the two worlds say, and the fields that changed. The province's `odh bulletin` then must rank its
// departments exactly as SQL over the store does.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "harvest/harvest.h"
#include "registry/registry.h"
#include "sim/sim.h"
#include "sim/sim_run.h"
#include "store/store.h"

using namespace odh;
using test::SimRun;

namespace {

std::vector<Site> pick(const std::vector<std::string>& ids) {
  static Registry reg = load_registry(std::string(ODH_SOURCE_DIR) + "/sites.yaml");
  std::vector<Site> out;
  for (auto& id : ids) {
    const Site* s = reg.find(id);
    REQUIRE_MESSAGE(s, id);
    out.push_back(*s);
  }
  return out;
}

std::int64_t harvest_into(const std::string& db, const SimRun& s, const std::vector<Site>& sites) {
  auto store = Store::open(db);
  HarvestOptions o;
  o.crawl = s.crawl_options();
  o.crawl.max_retries = 1;
  o.crawl.max_crawl_delay_s = 0;
  return harvest_live(sites, o, *store).run_id;
}

std::string run(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

}  // namespace

TEST_CASE("odh diff names exactly the datasets a changed world added, removed and changed; odh bulletin's TOP10") {
  const std::vector<Site> sites = pick({"data-sd", "data-jinan"});
  auto dir = test::temp_dir("diff");
  std::filesystem::create_directories(dir);
  const std::string db = dir + "/odh.sqlite";

  SimRun a(sites, "hosts: {}\n", 1.0, "id,datasets,apis,apps\ndata-sd,30,0,0\ndata-jinan,25,0,0\n");
  std::int64_t r1 = harvest_into(db, a, sites);
  // A month later: Shandong lists 36 (6 added), Jinan 20 (5 removed), and Jinan's dataset 3 detail
  // page is gone (404, so that dataset is missing from the second run too).
  const sim::Portal& jn0 = *a.world->by_id("data-jinan");
  const std::string gone_id = jn0.dataset(3).id;
  SimRun b(sites,
           "hosts:\n  data.jinan.gov.cn:\n    rules:\n      - {path: \"/jinan/catalog/" + gone_id +
               "\", fault: status, status: 404}\n",
           1.0, "id,datasets,apis,apps\ndata-sd,36,0,0\ndata-jinan,20,0,0\n", 8, /*revision=*/1);
  std::int64_t r2 = harvest_into(db, b, sites);
  REQUIRE(r2 > r1);

  // The truth, from the two worlds: keys are the portals' source ids.
  std::set<std::string> want_added, want_removed, want_changed;
  for (const char* id : {"data-sd", "data-jinan"}) {
    const sim::Portal& p = *a.world->by_id(id);
    const sim::Portal& q = *b.world->by_id(id);
    for (std::int64_t i = 0; i < std::max(p.n_datasets, q.n_datasets); ++i) {
      bool before = i < p.n_datasets, after = i < q.n_datasets && !(std::string(id) == "data-jinan" && i == 3);
      std::string key = std::string(id) + " " + (before ? p.dataset(i).id : q.dataset(i).id);
      if (after && !before) want_added.insert(key);
      if (before && !after) want_removed.insert(key);
      if (before && after && (p.dataset(i).desc != q.dataset(i).desc || p.dataset(i).updated != q.dataset(i).updated))
        want_changed.insert(key);
    }
  }
  REQUIRE(want_added.size() == 6);
  REQUIRE(want_removed.size() == 6);
  REQUIRE(!want_changed.empty());

  int rc = -1;
  std::string out = run(std::string(ODH_BINARY) + " diff --db '" + db + "' --run " + std::to_string(r2) +
                            " --baseline " + std::to_string(r1) + " --json --csv '" + dir + "/csv' 2>&1",
                        &rc);
  REQUIRE_MESSAGE(rc == 0, out);
  auto j = nlohmann::json::parse(out);
  std::set<std::string> got_added, got_removed, got_changed;
  for (const auto& r : j["records"]) {
    std::string key = r["portal"].get<std::string>() + " " + r["key"].get<std::string>();
    if (r["change"] == "added") got_added.insert(key);
    if (r["change"] == "removed") got_removed.insert(key);
    if (r["change"] == "changed") {
      got_changed.insert(key);
      std::set<std::string> f;
      for (const auto& x : r["fields"]) f.insert(x.get<std::string>());
      CHECK_MESSAGE(f.count("description"), key);  // the revision's new description, named
      CHECK_MESSAGE(!f.count("views"), key);        // usage counters grew everywhere: not a change
    }
  }
  CHECK(got_added == want_added);
  CHECK(got_removed == want_removed);
  CHECK(got_changed == want_changed);
  CHECK(j["tally"]["data-jinan"]["removed"] == 6);
  CHECK(j["tally"]["data-sd"]["added"] == 6);
  CHECK(j["tally"]["data-sd"]["views_delta"].get<std::int64_t>() > 0);
  CHECK(j["portals"].empty());
  // The CSV per table and the human summary.
  CHECK(std::filesystem::exists(dir + "/csv/datasets.csv"));
  std::ifstream csv(dir + "/csv/datasets.csv");
  std::string text((std::istreambuf_iterator<char>(csv)), {});
  CHECK(std::count(text.begin(), text.end(), '\n') == 1 + static_cast<long>(want_added.size() + want_removed.size() +
                                                                             want_changed.size()));
  std::string human = run(std::string(ODH_BINARY) + " diff --db '" + db + "' 2>&1", &rc);  // default: latest vs previous
  CHECK(rc == 0);
  CHECK(human.find("(+6 −6 ~" + std::to_string(want_changed.size()) + ")") != std::string::npos);

  // The bulletin of the province (both portals): its TOP10 tables against SQL written here.
  std::string bul = run(std::string(ODH_BINARY) + " bulletin --db '" + db + "' --portal 山东省 --out '" + dir +
                            "/bulletin' 2>&1",
                        &rc);
  REQUIRE_MESSAGE(rc == 0, bul);
  auto store = Store::open(db);
  const std::string where = " FROM dataset WHERE run_id=" + std::to_string(r2) +
                            " AND portal_id IN ('data-sd','data-jinan') AND coalesce(publisher,'')<>'' GROUP BY publisher";
  auto csv_rows = [&](const std::string& name) {
    std::ifstream in(dir + "/bulletin/csv/" + name + ".csv");
    std::vector<std::vector<std::string>> rows;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::vector<std::string> f;
      std::string cur;
      for (char c : line)
        if (c == ',') f.push_back(cur), cur.clear();
        else if (c != '"') cur += c;
      f.push_back(cur);
      rows.push_back({f[1], f[2]});
    }
    return rows;
  };
  for (const auto& check : std::vector<std::pair<std::string, std::string>>{
           {"bulletin_top_departments_datasets", "SELECT publisher, COUNT(*) AS n" + where},
           {"bulletin_top_departments_views", "SELECT publisher, SUM(views) AS n" + where + " HAVING COUNT(views) > 0"},
           {"bulletin_top_departments_downloads",
            "SELECT publisher, SUM(downloads) AS n" + where + " HAVING COUNT(downloads) > 0"}}) {
    const std::string table = check.first;  // not a structured binding: doctest captures it
    CAPTURE(table);
    auto want = store->query(check.second + " ORDER BY n DESC, publisher LIMIT 10");
    auto got = csv_rows(table);
    REQUIRE(want.size() == 10);
    CHECK(got == want);
  }
  // New datasets of the bulletin = the diff's.
  CHECK(csv_rows("bulletin_new_datasets").size() == want_added.size());
  std::ifstream md(dir + "/bulletin/bulletin.md");
  std::string mdt((std::istreambuf_iterator<char>(md)), {});
  CHECK(mdt.find("部门开放数据集 TOP10") != std::string::npos);
  CHECK(mdt.find("开放平台不公布") != std::string::npos);
  CHECK(std::filesystem::exists(dir + "/bulletin/bulletin.xlsx"));
  if (!std::getenv("ODH_KEEP")) std::filesystem::remove_all(dir);
}
