// International families end to end: data/sites-international.yaml served by the simulator, each
// site harvested by its family spider over real HTTP on loopback, and every harvested record
// compared, field by field after normalization, with the record parsed straight from the real
// file in ../shared/fixtures-real/international/ it came from. Titles and licences are also read
// from the raw JSON here, independently of the parsers.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "parsers/parsers.h"
#include "parsers/labels.h"
#include "harvest/harvest.h"
#include "registry/international.h"
#include "registry/registry.h"
#include "sim/sim.h"

using nlohmann::json;
using namespace odh;

namespace {

std::string intl(const std::string& rel) {
  return std::string(ODH_SHARED_DIR) + "/fixtures-real/international/" + rel;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct IntlSim {
  Registry reg;
  std::shared_ptr<sim::World> world;
  std::unique_ptr<sim::Server> server;
  int port = 0;
  std::string dir;
  // `wrong_family`: a registry that names another software for `wrong_id` (the twin must not follow it).
  explicit IntlSim(const std::string& wrong_id = "", const std::string& wrong_family = "") {
    reg = load_registry(std::string(ODH_SOURCE_DIR) + "/data/sites-international.yaml");
    for (auto& site : reg.sites)
      if (site.id == wrong_id) site.family = wrong_family;
    dir = (std::filesystem::temp_directory_path() / ("odh-intl-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir);
    sim::Options o;
    o.pool_file = std::string(ODH_SOURCE_DIR) + "/data/sim/pool.json";
    o.intl_dir = std::string(ODH_SOURCE_DIR) + "/data/sim/intl";
    o.log_file = dir + "/log.jsonl";
    o.threads = 4;
    world = std::make_shared<sim::World>(reg.sites, o);
    server = std::make_unique<sim::Server>(world);
    port = server->start(0);
  }
  ~IntlSim() {
    server->stop();
    std::filesystem::remove_all(dir);
  }
  // Answers a spider's request from the simulator (real URL → loopback, Host header kept).
  FetchResult fetch(const FetchRequest& q) const {
    FetchResult r;
    auto s = q.url.find("://");
    auto p = q.url.find('/', s + 3);
    std::string host = q.url.substr(s + 3, p == std::string::npos ? std::string::npos : p - s - 3);
    std::string path = p == std::string::npos ? "/" : q.url.substr(p);
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    httplib::Headers h{{"Host", host}};
    for (auto& [k, v] : q.headers) h.emplace(k, v);
    auto res = q.method == "POST" ? c.Post(path.c_str(), h, q.body, "application/x-www-form-urlencoded")
                                  : c.Get(path.c_str(), h);
    r.final_url = q.url;
    if (!res) {
      r.error_class = "connect";
      return r;
    }
    r.status = res->status;
    r.body = res->body;
    for (auto& [k, v] : res->headers) r.response_headers.emplace_back(k, v);
    return r;
  }
  std::vector<DatasetRow> harvest(const std::string& id, std::vector<std::string>* urls = nullptr,
                                  std::vector<std::string>* issues = nullptr) const {
    const Site* site = reg.find(id);
    REQUIRE_MESSAGE(site, id);
    MemorySink sink;
    auto spider = make_site_spider(*site, sink);
    drive(
        *spider,
        [&](const FetchRequest& q) {
          if (urls) urls->push_back(q.url);
          return fetch(q);
        },
        200);
    if (issues) *issues = sink.issues;
    return sink.datasets;
  }
};

// The records of the real files, normalized by the same family spec the site uses.
std::vector<DatasetRow> expected(const IntlSim& s, const std::string& id, const std::string& kind,
                                 const std::vector<std::string>& files,
                                 const std::function<bool(const RawRecord&)>& keep = nullptr) {
  const Site* site = s.reg.find(id);
  FamilySpec spec = load_family(site->family);
  apply_overrides(spec, site->overrides);
  std::vector<DatasetRow> out;
  for (const auto& f : files) {
    std::string err;
    auto recs = records_from_document(kind, slurp(intl(f)), &err);
    REQUIRE_MESSAGE(err.empty(), f << ": " << err);
    for (auto& r : recs)
      if (!keep || keep(r)) out.push_back(build_dataset(r, id, spec, LabelDictionary::shipped()));
  }
  return out;
}

std::string formats_of(const DatasetRow& d) {
  std::vector<std::string> f;
  for (auto& x : d.distributions) f.push_back(x.format + "<" + x.url);
  std::sort(f.begin(), f.end());
  std::string o;
  for (auto& x : f) o += x + "|";
  return o;
}

std::string field(const DatasetRow& d, const std::string& canonical) {
  for (auto& f : d.fields)
    if (f.canonical == canonical) return f.value;
  return "";
}

// Every harvested record equals the fixture record with the same title: the normalized columns,
// every label/value pair (licence, keywords, themes… as published), formats and file URLs.
void same_records(const std::vector<DatasetRow>& got, const std::vector<DatasetRow>& want) {
  REQUIRE(got.size() == want.size());
  REQUIRE(!want.empty());
  for (const auto& w : want) {
    auto it = std::find_if(got.begin(), got.end(), [&](const DatasetRow& g) {
      return g.title == w.title && g.source_id == w.source_id;
    });
    REQUIRE_MESSAGE(it != got.end(), "missing: " << w.title);
    const DatasetRow& g = *it;
    CHECK(!g.title.empty());
    CHECK(g.description == w.description);
    CHECK(g.publisher == w.publisher);
    CHECK(g.issued == w.issued);
    CHECK(g.modified == w.modified);
    CHECK(g.tags == w.tags);
    CHECK(g.topic_raw == w.topic_raw);
    CHECK(g.views == w.views);
    CHECK(g.downloads == w.downloads);
    CHECK(formats_of(g) == formats_of(w));
    REQUIRE(g.fields.size() == w.fields.size());
    for (size_t i = 0; i < w.fields.size(); ++i) {
      CHECK(g.fields[i].label == w.fields[i].label);
      CHECK(g.fields[i].value == w.fields[i].value);
      CHECK(g.fields[i].canonical == w.fields[i].canonical);
    }
  }
}

std::set<std::string> titles(const std::vector<DatasetRow>& v) {
  std::set<std::string> t;
  for (auto& d : v) t.insert(d.title);
  return t;
}

}  // namespace

TEST_CASE("international registry: every family, foreign portals without Chinese divisions") {
  Registry reg = load_registry(std::string(ODH_SOURCE_DIR) + "/data/sites-international.yaml");
  std::set<std::string> fams;
  for (auto& s : reg.sites) {
    fams.insert(s.family);
    CHECK(s.province.empty());
    CHECK(is_international_family(s.family));
  }
  CHECK(fams == std::set<std::string>{"ckan", "dcat", "datajson", "socrata", "ods"});
  // A Chinese portal still needs its province and division code.
  auto dir = std::filesystem::temp_directory_path() / ("odh-intl-reg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "s.yaml")
      << "sites:\n  - id: x\n    name: x\n    kind: independent\n    family: oportal\n"
         "    urls: [\"http://x.gov.cn/\"]\n";
  CHECK_THROWS_WITH_AS(load_registry((dir / "s.yaml").string()), doctest::Contains("province"), InputError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the twin decides foreign software by host: a registry naming the wrong family harvests nothing") {
  // demo.ckan.org runs CKAN (twin.yaml hosts, from the fixtures' provenance) whatever the registry says.
  for (const char* wrong : {"socrata", "ods", "datajson"}) {
    CAPTURE(wrong);
    IntlSim s("demo-ckan-org", wrong);
    auto it = std::find_if(s.world->portals.begin(), s.world->portals.end(),
                           [](const sim::Portal& p) { return p.site.id == "demo-ckan-org"; });
    REQUIRE(it != s.world->portals.end());
    CHECK(it->family == "ckan");
    CHECK(it->n_datasets == 3);
    std::vector<std::string> issues;
    CHECK(s.harvest("demo-ckan-org", nullptr, &issues).empty());
  }
  // The right family harvests the three real records (and the extras of a Chinese registry stay out).
  IntlSim ok;
  CHECK(ok.harvest("demo-ckan-org").size() == 3);
  CHECK(ok.world->portals.size() == ok.reg.sites.size());
}

TEST_CASE("CKAN: package_search paged with rows/start → the real demo.ckan.org records") {
  IntlSim s;
  std::vector<std::string> urls;
  auto got = s.harvest("demo-ckan-org", &urls);
  // rows=2 → two pages: start=0 and start=2, nothing past count=3.
  CHECK(std::count_if(urls.begin(), urls.end(),
                      [](auto& u) { return u.find("package_search") != std::string::npos; }) == 2);
  CHECK(std::find(urls.begin(), urls.end(),
                  "https://demo.ckan.org/api/3/action/package_search?rows=2&start=2") != urls.end());
  same_records(got, expected(s, "demo-ckan-org", "ckan", {"ckan/demo.ckan.org_package_search_rows3.json"}));
  // Independently of the parsers: titles and licences as in the raw JSON.
  json raw = json::parse(slurp(intl("ckan/demo.ckan.org_package_search_rows3.json")));
  std::set<std::string> want;
  for (auto& r : raw["result"]["results"]) {
    want.insert(r["title"].get<std::string>());
    auto it = std::find_if(got.begin(), got.end(),
                           [&](auto& d) { return d.title == r["title"].get<std::string>(); });
    REQUIRE(it != got.end());
    if (r.contains("license_title") && r["license_title"].is_string())
      CHECK(field(*it, "license").find(r["license_title"].get<std::string>()) != std::string::npos);
  }
  CHECK(titles(got) == want);
  // package_show answers the real full record; unknown ids get CKAN's error shape.
  httplib::Client c("127.0.0.1", s.port);
  auto r = c.Get("/api/3/action/package_show?id=62513382-3b26-4bc8-9096-40b6ce8383c0",
                 {{"Host", "demo.ckan.org"}});
  REQUIRE(r);
  json show = json::parse(r->body);
  json real =
      json::parse(slurp(intl("ckan/demo.ckan.org_package_show_62513382-3b26-4bc8-9096-40b6ce8383c0.json")));
  CHECK(show["result"] == real["result"]);
  auto bad = c.Get("/api/3/action/package_show?id=nope", {{"Host", "demo.ckan.org"}});
  REQUIRE(bad);
  CHECK(bad->status == 404);
  CHECK(json::parse(bad->body)["error"]["__type"] == "Not Found Error");
}

TEST_CASE("DCAT: RDF/XML pages followed through hydra:nextPage; JSON-LD @graph; Turtle") {
  IntlSim s;
  std::vector<std::string> urls;
  auto got = s.harvest("data-europa-eu", &urls);
  CHECK(urls == std::vector<std::string>{"https://data.europa.eu/catalog.rdf?page=1",
                                         "https://data.europa.eu/catalog.rdf?page=2",
                                         "https://data.europa.eu/catalog.rdf?page=3",
                                         "https://data.europa.eu/catalog.rdf?page=4"});
  same_records(got, expected(s, "data-europa-eu", "dcat-rdf",
                             {"dcat/dataset_gov_de.rdf", "dcat/dataset_sweden.rdf", "dcat/catalog.rdf",
                              "dcat/dataset.rdf"}));
  CHECK(titles(got).count("Liefer- und Abholservices (Gastronomie)") == 1);
  auto ld = s.harvest("data-europa-eu-jsonld");
  same_records(ld,
               expected(s, "data-europa-eu-jsonld", "dcat-jsonld", {"dcat/catalog_with_at_graph.jsonld"}));
  // Turtle: the real datos.gob.es export plus hydra triples, through Serd and the triple model.
  std::vector<std::string> ttl_urls, ttl_issues;
  auto tt = s.harvest("data-europa-eu-ttl", &ttl_urls, &ttl_issues);
  CHECK(ttl_urls == std::vector<std::string>{"https://data.europa.eu/catalog.ttl?page=1"});
  CHECK(ttl_issues.empty());
  REQUIRE(tt.size() == 1);
  same_records(tt, expected(s, "data-europa-eu-ttl", "dcat-turtle", {"dcat/dataset_gob_es.ttl"}));
  CHECK(tt[0].publisher == "Ayuntamiento de Madrid");
  CHECK(tt[0].frequency == "每年");
  // Past the last page: 404; Turtle is the real datos.gob.es export plus hydra triples.
  httplib::Client c("127.0.0.1", s.port);
  auto past = c.Get("/catalog.rdf?page=5", {{"Host", "data.europa.eu"}});
  REQUIRE(past);
  CHECK(past->status == 404);
  auto ttl = c.Get("/catalog.ttl", {{"Host", "data.europa.eu"}});
  REQUIRE(ttl);
  CHECK(ttl->get_header_value("Content-Type").find("text/turtle") == 0);
  std::string real_ttl = slurp(intl("dcat/dataset_gob_es.ttl"));
  CHECK(ttl->body.compare(0, real_ttl.size(), real_ttl) == 0);
  CHECK(ttl->body.find("hydra/core#PagedCollection") != std::string::npos);
}

TEST_CASE("Project Open Data: each agency's /data.json → its real records") {
  IntlSim s;
  const std::pair<const char*, const char*> sites[] = {
      {"usda-gov", "gsa-ckanext-datajson_usda.gov.data.json"},
      {"arm-gov", "gsa-ckanext-datajson_arm.data.json"},
      {"data-ny-gov", "gsa-ckanext-datajson_ny.data.json"}};
  for (auto id_file : sites) {
    auto& id = id_file.first;  // not a structured binding: doctest captures it
    auto& file = id_file.second;
    CAPTURE(id);
    auto got = s.harvest(id);
    same_records(got, expected(s, id, "datajson", {std::string("project-open-data/") + file}));
    json raw = json::parse(slurp(intl(std::string("project-open-data/") + file)));
    std::set<std::string> want;
    for (auto& d : raw["dataset"]) want.insert(d["title"].get<std::string>());
    CHECK(titles(got) == want);
  }
}

TEST_CASE("Socrata: Discovery API per domain, limit/offset paging → the real records") {
  IntlSim s;
  json raw = json::parse(slurp(intl("socrata/discovery_api_catalog_v1_datasets.json")));
  for (const char* id : {"opendata-howardcountymd-gov", "data-cityofnewyork-us", "data-cityofboston-gov"}) {
    CAPTURE(id);
    const Site* site = s.reg.find(id);
    std::string domain = site->overrides.at("domain");
    std::vector<std::string> urls;
    auto got = s.harvest(id, &urls);
    auto want =
        expected(s, id, "socrata", {"socrata/discovery_api_catalog_v1_datasets.json"},
                 [&](const RawRecord& r) { return r.url.find("//" + domain + "/") != std::string::npos; });
    same_records(got, want);
    std::set<std::string> names;
    for (auto& r : raw["results"])
      if (r["metadata"]["domain"] == domain) names.insert(r["resource"]["name"].get<std::string>());
    CHECK(titles(got) == names);
    if (std::string(id) == "opendata-howardcountymd-gov") {  // 3 records, limit 2 → offsets 0 and 2
      CHECK(names.size() == 3);
      CHECK(urls.size() == 2);
      CHECK(urls.back().find("offset=2") != std::string::npos);
    }
  }
}

TEST_CASE("OpenDataSoft: API v1 search paged with rows/start → the real etalab-sandbox records") {
  IntlSim s;
  std::vector<std::string> urls;
  auto got = s.harvest("etalab-sandbox-opendatasoft-com", &urls);
  CHECK(urls.size() == 3);  // 5 records, rows=2
  same_records(got, expected(s, "etalab-sandbox-opendatasoft-com", "ods",
                             {"opendatasoft/ods_api_datasets_1.0_search.json",
                              "opendatasoft/ods_api_datasets_1.0_inspire.json"}));
  json raw = json::parse(slurp(intl("opendatasoft/ods_api_datasets_1.0_search.json")));
  for (auto& d : raw["datasets"]) CHECK(titles(got).count(d["metas"]["title"].get<std::string>()) == 1);
  httplib::Client c("127.0.0.1", s.port);
  auto one = c.Get("/api/datasets/1.0/test-a/", {{"Host", "etalab-sandbox.opendatasoft.com"}});
  REQUIRE(one);
  CHECK(json::parse(one->body) == json::parse(slurp(intl("opendatasoft/ods_api_datasets_1.0_test-a.json"))));
}
