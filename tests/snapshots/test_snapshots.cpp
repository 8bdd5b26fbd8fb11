// Regression: the committed simulator snapshots (tools/make_snapshots.sh) replayed through the
// family spiders must give the numbers the live harvest measured when they were made
// (tests/snapshots/expected.json): the same datasets and APIs per portal, and at least as many
// titles, publishers, modification dates and distributions — a parser that loses any fails here.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "harvest/harvest.h"
#include "registry/registry.h"
#include "store/store.h"

using nlohmann::json;
using namespace odh;

namespace {

const std::string kDir = std::string(ODH_SOURCE_DIR) + "/tests/snapshots";

std::int64_t count(Store& s, const std::string& sql) {
  auto r = s.query(sql);
  return r.empty() || r[0].empty() || r[0][0].empty() ? 0 : std::stoll(r[0][0]);
}

void replay_group(const std::string& group) {
  std::ifstream in(kDir + "/expected.json");
  REQUIRE(in.good());
  json exp = json::parse(in)[group];
  Registry reg = load_registry(std::string(ODH_SOURCE_DIR) + "/" + exp["sites_file"].get<std::string>());
  std::vector<Site> sites;
  for (auto& id : exp["sites"]) {
    const Site* s = reg.find(id.get<std::string>());
    REQUIRE_MESSAGE(s, id);
    sites.push_back(*s);
  }
  warc::WarcSnapshot snap(kDir + "/" + group);
  CHECK(snap.problems.empty());
  auto db = std::filesystem::temp_directory_path() /
            ("odh-snap-" + group + "-" + std::to_string(::getpid()) + ".sqlite");
  std::filesystem::remove(db);
  {
    auto store = Store::open(db.string());
    auto sum = replay_snapshot(sites, snap, *store, "regression", exp["sites_file"]);
    CHECK(sum.datasets == exp["datasets"].get<std::int64_t>());
    CHECK(sum.apis == exp["apis"].get<std::int64_t>());
    const std::string run = std::to_string(sum.run_id);
    for (auto& portal : exp["portals"].items()) {
      const std::string pid = portal.key();  // not a structured binding: doctest captures it
      const auto& want = portal.value();
      CAPTURE(pid);
      const std::string where = " WHERE run_id=" + run + " AND portal_id='" + pid + "'";
      CHECK(count(*store, "SELECT COUNT(*) FROM dataset" + where) == want["datasets"].get<std::int64_t>());
      CHECK(count(*store, "SELECT COUNT(*) FROM api" + where) == want["apis"].get<std::int64_t>());
      CHECK(count(*store, "SELECT COUNT(*) FROM dataset" + where + " AND title IS NOT NULL AND title<>''") >=
            want["with_title"].get<std::int64_t>());
      CHECK(count(*store,
                  "SELECT COUNT(*) FROM dataset" + where + " AND publisher IS NOT NULL AND publisher<>''") >=
            want["with_publisher"].get<std::int64_t>());
      CHECK(count(*store,
                  "SELECT COUNT(*) FROM dataset" + where + " AND modified IS NOT NULL AND modified<>''") >=
            want["with_modified"].get<std::int64_t>());
      CHECK(count(*store,
                  "SELECT COUNT(*) FROM distribution d JOIN dataset s ON d.dataset_pk=s.dataset_pk WHERE "
                  "s.run_id=" +
                      run + " AND s.portal_id='" + pid + "'") >= want["distributions"].get<std::int64_t>());
    }
  }
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
}

}  // namespace

TEST_CASE(
    "snapshot cn: Chinese families, embedded CMS charsets, gate and faults replay to the live numbers") {
  replay_group("cn");
}

TEST_CASE("snapshot intl: CKAN, DCAT, data.json, Socrata and ODS replay to the live numbers") {
  replay_group("intl");
}

TEST_CASE("snapshot expectations cover several families, JSON and HTML, GBK columns and faults") {
  std::ifstream in(kDir + "/expected.json");
  REQUIRE(in.good());
  json exp = json::parse(in);
  CHECK(exp["cn"]["sites"].size() >= 10);
  CHECK(exp["intl"]["sites"].size() >= 5);
  std::int64_t with_data = 0;
  for (auto& [pid, v] : exp["cn"]["portals"].items()) with_data += v["datasets"].get<std::int64_t>() > 0;
  CHECK(with_data >= 10);
  std::ifstream f(kDir + "/cn-faults.yaml");
  std::string faults((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (const char* k : {"429", "503", "truncate", "malformed", "session_requests"})
    CHECK(faults.find(k) != std::string::npos);
}
