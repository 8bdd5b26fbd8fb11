// International engines on the real files of ../shared/fixtures-real/international.
#include <set>

#include "parsers/labels.h"
#include "portal_pages.h"

using namespace testutil;

namespace {
std::vector<odh::DatasetRow> rows(const std::string& kind, const std::string& rel,
                                  std::string* err = nullptr) {
  std::vector<odh::DatasetRow> out;
  odh::FamilySpec spec;
  spec.tags_split_spaces = false;  // keywords are separate elements; "Nobel prize" is one tag
  for (auto& r : odh::records_from_document(kind, odh::read_file(fixture(rel)), err))
    out.push_back(odh::build_dataset(r, "intl", spec, odh::LabelDictionary::shipped()));
  return out;
}
const odh::DatasetRow* find(const std::vector<odh::DatasetRow>& v, const std::string& title) {
  for (auto& d : v)
    if (d.title == title) return &d;
  return nullptr;
}
}  // namespace

TEST_CASE("CKAN package_search and package_show (demo.ckan.org) and DKAN") {
  auto v = rows("ckan", "international/ckan/demo.ckan.org_package_search_rows3.json");
  REQUIRE(v.size() == 3);
  auto* d = find(v, "100 Validated Species of Plants");
  REQUIRE(d);
  CHECK(d->source_id == "62513382-3b26-4bc8-9096-40b6ce8383c0");
  CHECK(d->issued == "2017-08-05");
  CHECK(d->modified == "2017-08-05");
  CHECK(d->description == "This data includes the typical plants for machine learning test.");
  CHECK(formats_of(*d) == std::vector<std::string>{"csv"});
  CHECK(std::set<std::string>(d->tags.begin(), d->tags.end()).count("flower") == 1);
  REQUIRE(find(v, "規管海外物業銷售"));
  CHECK(formats_of(*find(v, "規管海外物業銷售")) == std::vector<std::string>{"pdf"});
  auto* it = find(v, "2016 Regione Asia Est Oceania * Classi di età");
  REQUIRE(it);
  CHECK(it->publisher == "SDB");
  auto show =
      rows("ckan", "international/ckan/demo.ckan.org_package_show_17be64bb-da74-4195-9bb8-565c39846af2.json");
  REQUIRE(show.size() == 1);
  CHECK(show[0].modified == "2017-07-05");
  CHECK(show[0].publisher == "SDB");
  CHECK(show[0].tags == std::vector<std::string>{"2016", "RASE", "età"});
  auto dkan = rows("ckan", "international/dkan/dkan_package_show_hautsdefrance.json");
  REQUIRE(dkan.size() == 1);
  CHECK(dkan[0].title == "Antennes régionales de la Région Hauts-de-France (au 01/10/2019)");
  CHECK(dkan[0].modified == "2019-09-30");
  CHECK(formats_of(dkan[0])[0] == "xlsx");
  CHECK(dkan[0].tags.size() >= 5);
  // Every CKAN key we emit maps to a canonical field.
  for (auto& f : d->fields) CHECK_MESSAGE(!f.canonical.empty(), f.label);
}

TEST_CASE("DCAT RDF/XML: ckanext-dcat examples, GovData.de and Sweden exports") {
  auto cat = rows("dcat-rdf", "international/dcat/catalog.rdf");
  CHECK(cat.size() == 2);
  for (auto& d : cat) CHECK(!d.title.empty());
  auto de = rows("dcat-rdf", "international/dcat/dataset_gov_de.rdf");
  REQUIRE(de.size() == 1);
  CHECK(de[0].title == "Liefer- und Abholservices (Gastronomie)");
  CHECK(de[0].publisher == "Hanse- und Universitätsstadt Rostock");
  CHECK(de[0].issued == "2020-04-21");
  CHECK(de[0].modified == "2024-05-08");
  CHECK(de[0].source_id == "c1be4007-d811-48fb-8818-2cb358b06a63");
  CHECK(de[0].tags.size() == 8);
  CHECK(!de[0].distributions.empty());
  auto se = rows("dcat-rdf", "international/dcat/dataset_sweden.rdf");
  REQUIRE(se.size() == 1);
  CHECK(se[0].title == "Linked Nobel prizes");
  CHECK(std::set<std::string>(se[0].tags.begin(), se[0].tags.end()).count("Nobel prize") == 1);
  auto one = rows("dcat-rdf", "international/dcat/dataset.rdf");
  REQUIRE(one.size() == 1);
  auto f = formats_of(one[0]);
  CHECK(std::find(f.begin(), f.end(), "html") != f.end());
  std::string err;
  CHECK(odh::records_from_document("dcat-rdf", "<rdf:RDF><unclosed", &err).empty());
  CHECK(err.find("bad XML") == 0);
}

TEST_CASE("DCAT JSON-LD with @graph") {
  auto v = rows("dcat-jsonld", "international/dcat/catalog_with_at_graph.jsonld");
  REQUIRE(v.size() == 1);
  CHECK(v[0].title == "Title dataset");
  CHECK(v[0].description == "Description distribution");
  CHECK(v[0].distributions.size() == 1);
}

TEST_CASE("Project Open Data data.json (GSA samples)") {
  auto ny = rows("datajson", "international/project-open-data/gsa-ckanext-datajson_ny.data.json");
  REQUIRE(ny.size() == 1);
  CHECK(ny[0].title == "State of New York Mortgage Agency (SONYMA) Loans Purchased: Beginning 2004");
  CHECK(ny[0].publisher == "State of New York");
  CHECK(ny[0].issued == "2016-07-21");
  CHECK(ny[0].modified == "2019-06-10");
  CHECK(ny[0].topic_raw == "Economic Development");
  CHECK(ny[0].url == "https://data.ny.gov/d/22ew-dxez");
  CHECK(formats_of(ny[0]) == std::vector<std::string>{"csv", "rdf", "json", "xml"});
  auto usda = rows("datajson", "international/project-open-data/gsa-ckanext-datajson_usda.gov.data.json");
  REQUIRE(usda.size() == 3);
  CHECK(usda[0].publisher == "Department of Agriculture");
  CHECK(formats_of(usda[0]) == std::vector<std::string>{"xls"});
  CHECK(usda[0].modified == "2014-10-03");
  auto arm = rows("datajson", "international/project-open-data/gsa-ckanext-datajson_arm.data.json");
  REQUIRE(arm.size() == 3);
  CHECK(arm[0].modified == "2019-06-27");
  CHECK(formats_of(arm[0]) == std::vector<std::string>{"cdf"});
  auto pod = rows("datajson", "international/project-open-data/catalog_pod.jsonld");
  REQUIRE(pod.size() == 1);
  CHECK(pod[0].frequency == "每年");  // accrualPeriodicity R/P1Y
  CHECK(pod[0].issued == "2011-11-22");
}

TEST_CASE("Socrata Discovery API and views metadata") {
  auto v = rows("socrata", "international/socrata/discovery_api_catalog_v1_datasets.json");
  REQUIRE(v.size() == 7);
  auto* d = find(v, "Approved Building Permits");
  REQUIRE(d);
  CHECK(d->views == 7778210);
  CHECK(d->downloads == 19038);
  CHECK(d->publisher == "Inspectional Services Division");
  CHECK(d->modified == "2017-07-21");
  CHECK(d->issued == "2013-04-05");
  CHECK(d->topic_raw == "Permitting");
  CHECK(d->field_count == 21);
  CHECK(d->url == "https://data.cityofboston.gov/d/msk6-43c6");
  CHECK(formats_of(*d) == std::vector<std::string>{"csv", "json"});
  auto views = rows("socrata", "international/socrata/api_views_metadata_songs.json");
  REQUIRE(views.size() == 1);
  CHECK(views[0].source_id == "songs");
  CHECK(views[0].topic_raw == "Public Safety");
  CHECK(views[0].issued == "2014-04-21");  // createdAt 1398014181 (epoch seconds)
}

TEST_CASE("OpenDataSoft API v1 search and dataset") {
  auto v = rows("ods", "international/opendatasoft/ods_api_datasets_1.0_search.json");
  REQUIRE(v.size() == 4);
  auto* a = find(v, "test-a");
  REQUIRE(a);
  CHECK(a->modified == "2015-04-09");
  CHECK(a->publisher == "test");
  CHECK(a->record_count == 2);
  auto* big = find(v, "test-shp-limit");
  REQUIRE(big);
  CHECK(big->record_count == 50001);
  auto b = rows("ods", "international/opendatasoft/ods_api_datasets_1.0_test-b.json");
  REQUIRE(b.size() == 1);
  CHECK(formats_of(b[0]) == std::vector<std::string>{"csv", "json", "xls", "pdf", "zip"});
  auto c = rows("ods", "international/opendatasoft/ods_api_datasets_1.0_test-c.json");
  REQUIRE(c.size() == 1);
  CHECK(c[0].distributions.empty());  // no records, no attachments
}

TEST_CASE("CKAN family spider pages through package_search with rows/start") {
  std::string body = odh::read_file(fixture("international/ckan/demo.ckan.org_package_search_rows3.json"));
  auto doc = json::parse(body);
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url.rfind("https://demo.ckan.org/api/3/action/package_search?rows=2&start=", 0) != 0)
      return not_found();
    size_t start = std::stoul(param(q.url, "start"));
    json page = doc;
    page["result"]["results"] = json::array();
    for (size_t i = start; i < std::min<size_t>(start + 2, doc["result"]["results"].size()); ++i)
      page["result"]["results"].push_back(doc["result"]["results"][i]);
    return ok(page.dump());
  };
  size_t n = 0;
  auto sink = crawl(site("demo-ckan", "ckan", "https://demo.ckan.org/", {{"list.size", "2"}}), serve, &n);
  CHECK(n == 2);
  REQUIRE(sink.datasets.size() == 3);
  CHECK(sink.datasets[0].url == "https://demo.ckan.org/dataset/100-validated-species-of-plants");
}
