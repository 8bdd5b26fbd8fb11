// Incremental re-harvest (issue 15 item 3, docs/crawler.md "Incremental re-harvest"): a full harvest of
// a small simulated world, then the world a month later (a tenth of the datasets revised, usage grown)
// harvested with the first crawl as `previous` — conditional GET, 304 → WARC revisit, unchanged list
// entries of families that allow it carried forward — must store the same datasets as a full harvest
// of the later world, refetch every revised dataset, and archive its 304s as revisit records that odh's
// reader and warcio.js both read.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "harvest/harvest.h"
#include "registry/registry.h"
#include "sim/sim.h"
#include "sim/sim_run.h"
#include "store/store.h"
#include "warc/warc.h"

using namespace odh;
using test::SimRun;
namespace fs = std::filesystem;

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

HarvestSummary harvest(const std::string& db, const SimRun& s, const std::vector<Site>& sites,
                       const std::string& crawl_dir, const std::string& previous_dir = "",
                       std::int64_t previous_run = 0) {
  auto store = Store::open(db);
  HarvestOptions o;
  o.crawl = s.crawl_options();
  o.crawl.out_dir = crawl_dir;
  o.crawl.max_retries = 1;
  o.crawl.max_crawl_delay_s = 0;
  o.crawl.previous_dir = previous_dir;
  o.previous_run = previous_run;
  return harvest_live(sites, o, *store);
}

// The run's datasets and APIs as record_fields gives them (the regression form: no fetch provenance).
using Fields = std::multiset<std::tuple<std::string, std::string, std::string, std::string, std::string>>;
Fields records(const std::string& db, std::int64_t run) {
  Fields out;
  auto r = StoreReader::open(db);
  r->record_fields(run, [&](const std::string& portal, const char* kind, const std::string& key, const char* field,
                            const std::string& value) {
    if (std::string(kind) == "dataset" || std::string(kind) == "api") out.emplace(portal, kind, key, field, value);
  });
  return out;
}

std::vector<std::string> warc_files(const std::string& crawl_dir) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(fs::path(crawl_dir) / "warc"))
    if (e.path().string().find(".warc") != std::string::npos) out.push_back(e.path().string());
  return out;
}

std::string run_cmd(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  *rc = ::pclose(p);
  return out;
}

}  // namespace

TEST_CASE("incremental re-harvest: 304 revisits in the WARC, unchanged entries carried, equal stores") {
  // portal-dataservice (Luzhou, Meishan: detail pages, list updateTime) and an oportal portal
  // (Harbin: HTML list with 更新时间) carry unchanged entries; an embedded CMS column is re-crawled
  // with conditional GET only.
  const std::vector<Site> sites = pick({"data-luzhou", "data-ms", "data-harbin", "bjdch"});
  const std::string counts = "id,datasets,apis,apps\ndata-luzhou,30,0,0\ndata-ms,20,0,0\ndata-harbin,20,0,0\nbjdch,10,0,0\n";
  auto dir = test::temp_dir("incremental");
  fs::create_directories(dir);
  const std::string db = dir + "/odh.sqlite", db_full = dir + "/full.sqlite";

  SimRun a(sites, "hosts: {}\n", 1.0, counts);
  HarvestSummary r0 = harvest(db, a, sites, dir + "/crawl0");
  for (auto& [p, n] : r0.datasets_by_portal) MESSAGE(p << ": " << n);
  REQUIRE(r0.datasets == 80);

  SimRun b(sites, "hosts: {}\n", 1.0, counts, 8, /*revision=*/1);
  HarvestSummary inc = harvest(db, b, sites, dir + "/crawl1", dir + "/crawl0", r0.run_id);
  HarvestSummary full = harvest(db_full, b, sites, dir + "/crawl2");
  MESSAGE("full: " << full.requests << " requests for " << full.datasets << " datasets; incremental: "
                   << inc.requests << " requests, " << inc.carried << " of " << inc.datasets << " carried forward");

  {  // the incremental store holds the datasets a full harvest of the later world holds
    Fields got = records(db, inc.run_id), want = records(db_full, full.run_id);
    // oportal lists show no view or download counts: a carried oportal record keeps the earlier run's
    // (docs/crawler.md); everything else must be equal.
    auto drop_usage = [](Fields f) {
      for (auto it = f.begin(); it != f.end();)
        if (std::get<0>(*it) == "data-harbin" && (std::get<3>(*it) == "views" || std::get<3>(*it) == "downloads"))
          it = f.erase(it);
        else
          ++it;
      return f;
    };
    REQUIRE(want.size() > 400);
    CHECK(drop_usage(got) == drop_usage(want));
    CHECK(inc.datasets == full.datasets);
  }

  {  // revised datasets are refetched, unchanged ones carried with provenance to the earlier row
    auto store = Store::open(db);
    int revised = 0, unchanged = 0;
    for (const char* portal : {"data-luzhou", "data-ms", "data-harbin"}) {
      const sim::Portal& p0 = *a.world->by_id(portal);
      const sim::Portal& p1 = *b.world->by_id(portal);
      REQUIRE(p0.n_datasets == p1.n_datasets);
      for (std::int64_t i = 0; i < p1.n_datasets; ++i) {
        sim::Dataset d0 = p0.dataset(i), d1 = p1.dataset(i);
        const bool changed = d0.updated != d1.updated;
        CAPTURE(portal);
        CAPTURE(d1.id);
        auto rows = store->query("SELECT d.carried_from, f.kind, e.run_id FROM dataset d JOIN fetch f ON "
                                 "f.fetch_id=d.fetch_id LEFT JOIN dataset e ON e.dataset_pk=d.carried_from "
                                 "WHERE d.run_id=" + std::to_string(inc.run_id) + " AND d.portal_id='" + portal +
                                 "' AND d.source_id='" + d1.id + "'");
        REQUIRE(rows.size() == 1);
        if (changed) {
          ++revised;
          CHECK(rows[0][0] == "");          // parsed anew ...
          CHECK(rows[0][1] == "detail");    // ... from its detail page, fetched in this run
        } else {
          ++unchanged;
          CHECK(rows[0][0] != "");          // carried forward ...
          CHECK(rows[0][1] == "list");      // ... on the word of this run's list page ...
          CHECK(rows[0][2] == std::to_string(r0.run_id));  // ... from the earlier run's row
        }
      }
    }
    CHECK(revised >= 3);
    CHECK(unchanged > revised);
    CHECK(inc.carried == unchanged);
    // Only revised entries' detail pages were requested at those portals.
    CHECK(store->query_text("SELECT COUNT(*) FROM fetch WHERE run_id=" + std::to_string(inc.run_id) +
                            " AND kind='detail' AND portal_id IN ('data-luzhou','data-ms','data-harbin')") ==
          std::to_string(revised));
  }

  {  // 304 answers are WARC revisit records (odh's reader and warcio.js), and the spiders got the earlier page
    // odh's reader: every server-not-modified revisit of the incremental crawl is a 304 and refers to a
    // record of the first crawl (its response, or the revisit by which it deduplicated an identical body).
    std::set<std::string> earlier_ids;
    for (auto& f : warc_files(dir + "/crawl0")) {
      warc::WarcReader rd(f);
      warc::Record rec;
      while (rd.next(&rec))
        if (rec.type() == "response" || rec.type() == "revisit") earlier_ids.insert(std::string(rec.record_id()));
    }
    int revisits = 0;
    std::set<std::string> revisit_uris;
    for (auto& f : warc_files(dir + "/crawl1")) {
      warc::WarcReader rd(f);
      warc::Record rec;
      while (rd.next(&rec)) {
        // (identical-payload-digest revisits are the writer's own dedup of bodies within one crawl)
        if (rec.type() != "revisit" ||
            warc::find_field(rec.headers, "WARC-Profile") != "http://netpreserve.org/warc/1.1/revisit/server-not-modified")
          continue;
        ++revisits;
        revisit_uris.insert(std::string(rec.target_uri()));
        CHECK(rec.http().status == 304);
        CHECK(earlier_ids.count(std::string(warc::find_field(rec.headers, "WARC-Refers-To"))) == 1);
      }
    }
    CHECK(revisits >= 4);  // home and terms pages at least; the embedded column's unchanged pages
    // The store: one fetch row per revisit, status 200 (the earlier page's), pointing at the earlier record.
    auto store = Store::open(db);
    const std::string run = std::to_string(inc.run_id);
    CHECK(store->query_text("SELECT COUNT(*) FROM fetch WHERE run_id=" + run + " AND revisit_of_file IS NOT NULL") ==
          std::to_string(revisits));
    CHECK(store->query_text("SELECT COUNT(*) FROM fetch WHERE run_id=" + run +
                            " AND revisit_of_file IS NOT NULL AND (status<>200 OR revisit_of_offset IS NULL OR "
                            "revisit_of_file NOT LIKE '%/crawl0/warc/%')") == "0");
    // A revisited page reads back as the earlier record: that record is a 200 response for the same URL.
    auto rows = store->query("SELECT url, revisit_of_file, revisit_of_offset FROM fetch WHERE run_id=" + run +
                             " AND revisit_of_file IS NOT NULL LIMIT 3");
    for (auto& r : rows) {
      warc::Record rec = warc::read_record_at(r[1], std::stoull(r[2]));
      CHECK(rec.type() == "response");
      CHECK(rec.http().status == 200);
    }
    // warcio.js reads the same revisit records, digests checked.
    const std::string script = std::string(ODH_SOURCE_DIR) + "/tools/warc-validate.mjs";
    REQUIRE_MESSAGE(fs::exists(std::string(ODH_SOURCE_DIR) + "/tools/node_modules/warcio"),
                    "tools/node_modules/warcio missing: run scripts/setup.sh");
    int warcio_revisits = 0;
    for (auto& f : warc_files(dir + "/crawl1")) {
      int rc = 0;
      std::string out = run_cmd("node '" + script + "' '" + f + "' 2>/dev/null", &rc);
      auto j = nlohmann::json::parse(out, nullptr, false);
      REQUIRE_MESSAGE(!j.is_discarded(), out.substr(0, 500));
      CHECK(j["ok"].get<bool>());
      for (auto& r : j["records"])
        if (r["type"] == "revisit" && r["profile"] == "http://netpreserve.org/warc/1.1/revisit/server-not-modified") {
          ++warcio_revisits;
          CHECK(r["status"] == 304);
          CHECK(revisit_uris.count(r["uri"].get<std::string>()) == 1);
        }
    }
    CHECK(warcio_revisits == revisits);
  }

  {  // fewer requests than a full re-crawl
    CHECK(inc.requests * 2 < full.requests); }
  fs::remove_all(dir);
}

TEST_CASE("odh run --previous: the CLI carries unchanged entries from the earlier run of the same --out") {
  auto dir = test::temp_dir("incremental-cli");
  fs::create_directories(dir);
  std::ofstream(dir + "/faults.yaml") << "hosts:\n  \"*\": {robots: allow}\n";
  // A registry of Luzhou alone (its entry as sites.yaml has it): the simulator's world, the metrics and
  // the report stay small.
  {
    std::ifstream in(std::string(ODH_SOURCE_DIR) + "/sites.yaml");
    std::ofstream reg(dir + "/sites.yaml");
    reg << "sites:\n";
    bool on = false;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("  - id: ", 0) == 0) on = line == "  - id: data-luzhou";
      if (on) reg << line << "\n";
    }
  }
  const std::string base = std::string(ODH_BINARY) + " run --simulate --quiet --delay 0 --format csv --scale 0.01 "
                           "--faults " + dir + "/faults.yaml --sites " + dir + "/sites.yaml --out " + dir + "/out";
  int rc = 0;
  run_cmd(base + " 2>&1", &rc);
  REQUIRE(rc == 0);
  std::string first;
  for (auto& e : fs::directory_iterator(dir + "/out/runs")) first = e.path().string();
  std::string out = run_cmd(base + " --revision 1 --previous " + first + " 2>&1", &rc);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find(" carried forward)") != std::string::npos);
  auto store = Store::open(dir + "/out/odh.sqlite");
  CHECK(std::stoi(store->query_text("SELECT COUNT(*) FROM dataset WHERE run_id=2 AND carried_from IN "
                                    "(SELECT dataset_pk FROM dataset WHERE run_id=1)")) > 0);
  CHECK(std::stoi(store->query_text("SELECT COUNT(*) FROM fetch WHERE run_id=2 AND revisit_of_file IS NOT NULL")) > 0);
  // Not a finished run of this --out: a usage error before anything is crawled.
  run_cmd(base + " --previous " + dir + "/nowhere 2>&1", &rc);
  CHECK(WEXITSTATUS(rc) == 2);
  fs::remove_all(dir);
}
