// The registry against the independent twin, through the real crawler and parsers. The twin
// (data/sim/twin.yaml, written from ../shared/platforms) serves Shandong's and Guangxi's catalogues
// under /portal/ and their city portals under their slugs whatever sites.yaml says; so the committed
// registry must harvest every dataset, and the same registry without its prefixes must not.
// Then list gaps: a list page that fails after its retries is recorded with its page number and the
// walk goes on; a catalogue that ends early is reported incomplete.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "harvest/harvest.h"
#include "registry/registry.h"
#include "sim/sim.h"
#include "sim/sim_run.h"
#include "sim/twin.h"
#include "store/store.h"

using namespace odh;
using test::SimRun;

namespace {

const Registry& registry() {
  static Registry r = load_registry(std::string(ODH_SOURCE_DIR) + "/sites.yaml");
  return r;
}

std::vector<Site> pick(const std::vector<std::string>& ids) {
  std::vector<Site> out;
  for (auto& id : ids) {
    const Site* s = registry().find(id);
    REQUIRE_MESSAGE(s, id);
    out.push_back(*s);
  }
  return out;
}

struct Harvest {
  HarvestSummary sum;
  std::vector<std::vector<std::string>> issues;  // kind, message
  std::map<std::string, std::int64_t> per_portal;
  std::set<std::string> titles;
};

Harvest harvest(const SimRun& s, const std::vector<Site>& sites, int max_retries = 3) {
  auto db = test::temp_dir("twin-db");
  std::filesystem::create_directories(db);
  Harvest h;
  {
    auto store = Store::open(db + "/odh.sqlite");
    HarvestOptions o;
    o.crawl = s.crawl_options();
    o.crawl.out_dir = db + "/crawl";
    o.crawl.max_retries = max_retries;
    o.crawl.pause_after_failures = 100;
    o.crawl.max_crawl_delay_s = 0;  // the simulator's robots.txt may ask for 2 s
    h.sum = harvest_live(sites, o, *store);
    std::string run = std::to_string(h.sum.run_id);
    h.issues = store->query("SELECT kind, message FROM parse_issue WHERE run_id=" + run + " ORDER BY rowid");
    for (auto& r : store->query("SELECT portal_id, COUNT(*) FROM dataset WHERE run_id=" + run + " GROUP BY 1"))
      h.per_portal[r[0]] = std::stoll(r[1]);
    for (auto& r : store->query("SELECT title FROM dataset WHERE run_id=" + run)) h.titles.insert(r[0]);
  }
  std::filesystem::remove_all(db);
  return h;
}

}  // namespace

TEST_CASE("twin: Shandong under /portal/, Shandong and Guangxi cities under their slugs — every dataset; "
          "without the registry's prefixes, none") {
  const std::vector<std::string> ids = {"data-sd", "data-jinan", "zzdata-sd", "data-gxzf", "nn-data-gxzf"};
  std::vector<Site> sites = pick(ids);
  // Fixed counts (no APIs: the oportal list serves them after the datasets) and every portal reachable.
  SimRun s(sites, "hosts: {}\n", 1.0,
           "id,datasets,apis,apps\ndata-sd,23,0,0\ndata-jinan,12,0,0\nzzdata-sd,7,0,0\ndata-gxzf,15,0,0\n"
           "nn-data-gxzf,9,0,0\n");
  // The twin decided the prefixes from the notes, not from the registry.
  CHECK(s.world->by_id("data-sd")->fact("prefix") == "portal");
  CHECK(s.world->by_id("data-jinan")->fact("prefix") == "jinan");
  CHECK(s.world->by_id("nn-data-gxzf")->fact("prefix") == "nn");
  std::int64_t want = 0;
  for (auto& id : ids) want += s.world->by_id(id)->n_datasets;
  REQUIRE(want == 66);

  Harvest ok = harvest(s, sites);
  CHECK(ok.sum.datasets == want);
  for (auto& id : ids) CHECK_MESSAGE(ok.per_portal[id] == s.world->by_id(id)->n_datasets, id);
  for (auto& id : ids)
    for (std::int64_t i = 0; i < s.world->by_id(id)->n_datasets; ++i)
      CHECK(ok.titles.count(s.world->by_id(id)->dataset(i).title) == 1);

  // The same registry without the prefixes (as sites.yaml was before the notes became data): the
  // crawler asks for /oportal/catalog/index, which the twin does not serve on these hosts.
  std::vector<Site> wrong = sites;
  for (auto& w : wrong) w.overrides.erase("prefix");
  Harvest bad = harvest(s, wrong);
  CHECK(bad.sum.datasets < want);
  CHECK(bad.sum.datasets == 0);
}

TEST_CASE("twin: Guangdong's province and city collections on gddata (JSON posts, officeCode) — every dataset "
          "and API, each in its own portal; the Shenzhen variant's form posts there get none") {
  const std::vector<std::string> ids = {"gddata-gd-440000", "gddata-gd-440800", "yangjiang"};
  std::vector<Site> sites = pick(ids);
  SimRun s(sites, "hosts: {}\n", 1.0,
           "id,datasets,apis,apps\ngddata-gd-440000,19,3,0\ngddata-gd-440800,5,2,0\nyangjiang,4,0,0\n");
  // Yangjiang's first address is its CMS column; the twin serves its collection on gddata (notes host).
  CHECK(s.world->by_id("yangjiang")->host == "gddata.gd.gov.cn");
  Harvest ok = harvest(s, sites);
  for (auto& id : ids) CHECK_MESSAGE(ok.per_portal[id] == s.world->by_id(id)->n_datasets, id);
  for (auto& id : ids)
    for (std::int64_t i = 0; i < s.world->by_id(id)->n_datasets; ++i)
      CHECK(ok.titles.count(s.world->by_id(id)->dataset(i).title) == 1);
  CHECK(ok.sum.apis == 5);
  // The registry as it was: the Shenzhen/Fuzhou variant, no deptCode, no base.
  std::vector<Site> wrong = sites;
  for (auto& w : wrong) w.family = "gd-opendata", w.overrides.clear();
  CHECK(harvest(s, wrong).sum.datasets == 0);
}

TEST_CASE("list gap: page 11 answers 500 three times — recorded with its page number, pages 12+ still "
          "harvested") {
  std::vector<Site> sites = pick({"data-sd"});
  SimRun s(sites,
           "hosts:\n  data.sd.gov.cn:\n    rules:\n"
           "      - {path: \"/portal/catalog/index?page=11\", fault: status, status: 500, first: 3}\n",
           1.0, "id,datasets,apis,apps\ndata-sd,134,0,0\n");
  const sim::Portal& p = *s.world->by_id("data-sd");
  REQUIRE(p.n_datasets == 134);  // 14 pages of 10
  Harvest h = harvest(s, sites, /*max_retries=*/2);
  // The crawler asked three times, then the spider went on to pages 12, 13 and 14.
  int asked = 0;
  std::set<std::string> later;
  for (auto& e : s.log()) {
    std::string path = e["path"].get<std::string>();
    if (path == "/portal/catalog/index?page=11") ++asked;
    if (path == "/portal/catalog/index?page=12" || path == "/portal/catalog/index?page=14") later.insert(path);
  }
  CHECK(asked == 3);
  CHECK(later.size() == 2);
  CHECK(h.sum.datasets == 124);
  // Page k of the list holds datasets 10(k-1) … 10k-1: only page 11's are missing.
  for (std::int64_t i = 0; i < p.n_datasets; ++i)
    CHECK_MESSAGE(h.titles.count(p.dataset(i).title) == (i >= 100 && i < 110 ? 0u : 1u), i);
  int gaps = 0;
  for (auto& r : h.issues)
    if (r[0] == "list-gap") {
      ++gaps;
      CHECK_MESSAGE(r[1].find("list page 11 failed (") != std::string::npos, r[1]);
    }
  CHECK(gaps == 1);
  CHECK(std::none_of(h.issues.begin(), h.issues.end(), [](auto& r) { return r[0] == "list-incomplete"; }));
}

TEST_CASE("a catalogue that ends early is reported incomplete") {
  SUBCASE("oportal: page 6 answers an empty page while the total says 134 items") {
    std::vector<Site> sites = pick({"data-sd"});
    SimRun s(sites,
             "hosts:\n  data.sd.gov.cn:\n    rules:\n"
             "      - {path: \"/portal/catalog/index?page=6\", fault: status, status: 200}\n",
             1.0, "id,datasets,apis,apps\ndata-sd,134,0,0\n");
    Harvest h = harvest(s, sites);
    CHECK(h.sum.datasets == 50);
    auto inc = std::find_if(h.issues.begin(), h.issues.end(), [](auto& r) { return r[0] == "list-incomplete"; });
    REQUIRE(inc != h.issues.end());
    CHECK((*inc)[1].find("list page 6 is empty but the catalogue says 134 items") != std::string::npos);
  }
  SUBCASE("site-label: a list of unknown size whose page 2 fails — a gap, and the walk cannot go on") {
    std::vector<Site> sites = pick({"bengbu"});
    SimRun s(sites,
             "hosts:\n  www.bengbu.gov.cn:\n    rules:\n"
             "      - {path: \"/site/label/8888?siteId=6795621&pageSize=10&pageIndex=1&\", fault: status, status: 500}\n",
             1.0, "id,datasets,apis,apps\nbengbu,35,0,0\n");
    Harvest h = harvest(s, sites, 0);
    CHECK(h.sum.datasets == 10);  // page 1 (pageIndex 0) only
    std::set<std::string> kinds;
    for (auto& r : h.issues) kinds.insert(r[0]);
    CHECK(kinds.count("list-gap") == 1);
    CHECK(kinds.count("list-incomplete") == 1);
  }
}

namespace {

struct Shell {
  int rc;
  std::string out;
};
Shell shell(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Zigong (sichuan/zigong of the long-tail table: data.zg.cn, not in appendix 1) as a researcher adds
// it: one spec file written from the notes' row and the request spec it cites, one registry entry.
const char* kZigongSpec = R"(family: lt-sichuan-zigong
engine: json
about: >
  Long tail, data.zg.cn (../shared/platforms/README.md sichuan/zigong): GET //catalog_schema/findRightSchema
  with offset/limit; data.rows[].id, data.total; detail //catalog_schema/findView?id=.
list:
  request:
    url: "{base}//catalog_schema/findRightSchema?offset={offset}&limit={size}&groupCode=&orderBy=0&catalogTitle="
    headers: {X-Requested-With: XMLHttpRequest, Accept: "application/json, text/javascript, */*; q=0.01"}
  format: json
  paging: offset
  size: 10
  total: data.total
  items: data.rows
  id: id
detail:
  request: "{base}//catalog_schema/findView?id={id}"
  format: json
  root: data
  title: name
labels:
  name: title
  description: description
  orgName: department
  publishTime: publish_time
  updateTime: update_time
  formats: data_formats
)";

const char* kZigongSite = R"Y(sites:
  - id: data-zg
    seq: 0
    name: "自贡市公共数据开放平台"
    province: "四川省"
    city: "自贡市"
    county: ""
    division_code: "510300"
    level: 地市级
    region: 西南
    kind: independent
    family: lt-sichuan-zigong
    family_note: "host data.zg.cn in the long-tail table (sichuan/zigong)"
    urls:
      - "https://data.zg.cn/snww/index.html"
    overrides: {}
  - id: shuangyashan
    seq: 0
    name: "双鸭山市数据开放"
    province: "黑龙江省"
    city: "双鸭山市"
    county: ""
    division_code: "230500"
    level: 地市级
    region: 东北
    kind: independent
    family: unknown
    family_note: "the long-tail table gives a list path only (no parser)"
    urls:
      - "http://www.shuangyashan.gov.cn/"
    overrides: {}
)Y";

}  // namespace

TEST_CASE("a new long-tail portal from a clean checkout: one spec file, one registry entry, no C++ change; "
          "odh sites coverage --db counts it") {
  namespace fs = std::filesystem;
  fs::path tmp = test::temp_dir("newportal");
  fs::create_directories(tmp);
  // A clean copy of the shipped data (as a checkout has it), plus the two files.
  fs::copy(fs::path(ODH_SOURCE_DIR) / "data", tmp / "data", fs::copy_options::recursive);
  REQUIRE_FALSE(fs::exists(tmp / "data/families/lt-sichuan-zigong.yaml"));
  std::ofstream(tmp / "sites.yaml") << kZigongSite;
  std::string env = "ODH_DATA_DIR=" + (tmp / "data").string() + " ODH_HOME=" + tmp.string() + " ";
  std::string odh = env + ODH_BINARY;
  std::string sites = " --sites " + (tmp / "sites.yaml").string();
  // Without the spec the family is unknown to the registry, named with file, line and field.
  Shell no_spec = shell(odh + " sites check" + sites);
  CHECK(no_spec.rc != 0);
  CHECK(no_spec.out.find("family") != std::string::npos);
  CHECK(no_spec.out.find("lt-sichuan-zigong") != std::string::npos);
  std::ofstream(tmp / "data/families/lt-sichuan-zigong.yaml") << kZigongSpec;
  Shell check = shell(odh + " sites check" + sites);
  CHECK_MESSAGE(check.rc == 0, check.out);

  // The twin serves Zigong's documented protocol (data/sim/twin.yaml, from the notes), not the spec.
  // (The simulator is given the entry as parsed with the copy's families; it never reads them.)
  ::setenv("ODH_DATA_DIR", (tmp / "data").c_str(), 1);
  Registry reg = load_registry((tmp / "sites.yaml").string());
  ::unsetenv("ODH_DATA_DIR");
  SimRun s(reg.sites, "hosts: {}\n", 1.0, "id,datasets,apis,apps\ndata-zg,27,0,0\n");
  const sim::Portal& p = *s.world->by_id("data-zg");
  CHECK(p.family == "longtail");
  REQUIRE(p.n_datasets == 27);
  std::ofstream(tmp / "ca.pem") << s.server->tls_ca_pem();
  std::string args = " parse --live " + (tmp / "crawl").string() + " --db " + (tmp / "odh.sqlite").string() + sites +
                     " --ca-file " + (tmp / "ca.pem").string() + " --delay 0 --offline --site data-zg";
  for (auto& c : s.world->connect_to(s.port, s.server->refused_port(), s.server->tls_port())) args += " --connect-to " + c;
  Shell run = shell(odh + args);
  REQUIRE_MESSAGE(run.rc == 0, run.out);
  {
    auto store = Store::open((tmp / "odh.sqlite").string());
    auto titles = store->query("SELECT title FROM dataset WHERE portal_id='data-zg'");
    CHECK(titles.size() == 27);
    std::set<std::string> got;
    for (auto& t : titles) got.insert(t[0]);
    for (std::int64_t i = 0; i < p.n_datasets; ++i) CHECK(got.count(p.dataset(i).title) == 1);
  }
  // odh sites coverage --db: per family the sites, those with an engine, those with datasets in the
  // run; the unknown portal with its reason.
  Shell cov = shell(odh + " sites coverage --json" + sites + " --db " + (tmp / "odh.sqlite").string());
  REQUIRE_MESSAGE(cov.rc == 0, cov.out);
  auto j = nlohmann::json::parse(cov.out);
  std::map<std::string, nlohmann::json> fam;
  for (auto& f : j["families"]) fam[f["family"].get<std::string>()] = f;
  REQUIRE(fam.size() == 2);
  CHECK(fam["lt-sichuan-zigong"] ==
        nlohmann::json({{"family", "lt-sichuan-zigong"}, {"sites", 1}, {"with_engine", 1}, {"with_datasets", 1},
                        {"datasets", 27}}));
  CHECK(fam["unknown"] == nlohmann::json({{"family", "unknown"}, {"sites", 1}, {"with_engine", 0},
                                          {"with_datasets", 0}, {"datasets", 0}}));
  REQUIRE(j["unknown"].size() == 1);
  CHECK(j["unknown"][0]["id"] == "shuangyashan");
  CHECK(j["unknown"][0]["reason"] == "the long-tail table gives a list path only (no parser)");
  Shell text = shell(odh + " sites coverage" + sites + " --db " + (tmp / "odh.sqlite").string());
  CHECK(text.rc == 0);
  CHECK(text.out.find("unknown (no engine):") != std::string::npos);
  CHECK(text.out.find("the long-tail table gives a list path only") != std::string::npos);
  fs::remove_all(tmp);
}

TEST_CASE("twin.yaml agrees with every host of the platform notes: software, variant, prefix, port") {
  // The twin's table was written by hand from the notes; here it is held to the notes as the registry
  // tools read them (registry/platforms.cpp), so the two independent readings must meet.
  auto twin = sim::Twin::load("");
  PlatformNotes notes = load_platform_notes(std::filesystem::path(ODH_SHARED_DIR) / "platforms");
  int checked = 0;
  for (const auto& entry : notes.hosts) {
    const std::string host = entry.first;  // not a structured binding: doctest captures it
    const PlatformHost& ph = entry.second;
    CAPTURE(host);
    sim::Listing s;
    s.id = "probe";
    s.kind = "independent";
    s.urls = {"http://" + host + "/"};
    sim::TwinPlan plan = twin->plan(s);
    std::string want = ph.family;
    if (ph.no_protocol) want = "generic";
    else if (want.rfind("lt-", 0) == 0) want = "longtail";
    // A variant spec (gd-opendata-guangdong, odweb-wuxi) runs its family's software in the twin.
    for (auto v = want.rfind('-'); v != std::string::npos; v = want.rfind('-', v - 1)) {
      if (find_family_info(want.substr(0, v))) {
        want = want.substr(0, v);
        break;
      }
      if (v == 0) break;
    }
    if (plan.family == "generic" && want == "longtail") {
      // A long-tail portal the twin does not model must be one no appendix-1 portal points at.
      for (const auto& site : registry().sites)
        for (const auto& h : site_hosts(site)) CHECK_MESSAGE(h != host, site.id);
      continue;
    }
    CHECK(plan.family == want);
    CHECK(plan.host == host);
    if (!ph.prefix.empty() && (want == "oportal" || want == "odweb"))
      CHECK((plan.facts.count("prefix") ? plan.facts["prefix"] : want) == ph.prefix);
    ++checked;
  }
  CHECK(checked >= 80);
}

TEST_CASE("embedded columns of the registry: every layout and charset the twin serves yields every item") {
  // 40 registry columns the twin serves as embedded-cms, each with 47 items (several list pages; Hanweb:
  // 45 records on the column page, the rest through dataproxy.jsp), harvested through the real crawler.
  std::vector<Site> sites;
  std::string counts = "id,datasets,apis,apps\n";
  auto twin = sim::Twin::load("");
  std::set<std::string> urls;
  for (const auto& s : registry().sites) {
    if (s.family != "embedded-cms" || sites.size() >= 40 || !urls.insert(s.urls.front()).second) continue;
    if (twin->plan(sim::listing_of(s)).family != "embedded-cms") continue;
    sites.push_back(s);
    counts += s.id + ",47,0,0\n";
  }
  SimRun s(sites, "hosts: {}\n", 1.0, counts);
  // Which layouts and charsets the sample covers, read from what the twin serves.
  std::set<std::string> layouts, charsets;
  for (const auto& site : sites) {
    const sim::Portal& p = *s.world->by_id(site.id);
    charsets.insert(p.charset);
    httplib::Client c("127.0.0.1", s.port);
    auto r = c.Get(p.entry_path.c_str(), {{"Host", p.host}});
    REQUIRE(r);
    const std::string& b = r->body;
    layouts.insert(b.find("<datastore>") != std::string::npos         ? "hanweb"
                   : b.find("createPageHTML") != std::string::npos    ? "trs"
                   : b.find("index_2.html") != std::string::npos      ? "next-index"
                   : b.find("/P0") != std::string::npos               ? "direct"
                                                                      : "next-query");
  }
  CHECK(layouts == std::set<std::string>{"hanweb", "trs", "next-index", "next-query", "direct"});
  CHECK(charsets.size() == 4);
  Harvest h = harvest(s, sites);
  for (const auto& site : sites) CHECK_MESSAGE(h.per_portal[site.id] == 47, site.id);
  for (const auto& r : h.issues) CHECK_MESSAGE(r[0] != "list-gap", r[1]);
  for (const auto& r : h.issues) CHECK_MESSAGE(r[0] != "list-incomplete", r[1]);
}

TEST_CASE("the simulator is blind to the registry's families and overrides") {
  // The same registry with every family, family note and override replaced: the simulated world —
  // family, host, entry, facts, counts of every portal — must not change.
  sim::Options o;
  o.scale = 0.01;
  std::vector<Site> wrong = registry().sites;
  for (auto& s : wrong) {
    s.family = s.family == "oportal" ? "jdop" : "oportal";
    s.family_note = "scrambled";
    s.overrides = {{"prefix", "nowhere"}, {"base", "http://elsewhere.invalid"}, {"divisionId", "000000"}};
  }
  sim::World a(registry().sites, o), b(wrong, o);
  REQUIRE(a.portals.size() == b.portals.size());
  for (std::size_t i = 0; i < a.portals.size(); ++i) {
    const sim::Portal &p = a.portals[i], &q = b.portals[i];
    CAPTURE(p.site.id);
    CHECK(p.family == q.family);
    CHECK(p.host == q.host);
    CHECK(p.entry_path == q.entry_path);
    CHECK(p.facts == q.facts);
    CHECK(p.n_datasets == q.n_datasets);
  }
}
