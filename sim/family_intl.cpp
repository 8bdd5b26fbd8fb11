// International catalogue families, each serving the real records of
// ../shared/fixtures-real/international/ (copied verbatim into data/sim/intl/ by
// tools/copy_intl_fixtures.sh; sources and licences in its PROVENANCE.md). Records are served as
// they were published; only the envelopes (paging members, counts) are rebuilt around the slice.
//
// ckan (demo.ckan.org, CKAN Action API v3) — read from the real files: package_search envelope
//   {help, success, result:{count, sort, facets, results[], search_facets}}, package_show
//   {help, success, result:{…}}, package_list result = names. rows/start paging, rows capped at
//   1000 (CKAN's default ckan.search.rows_max); unknown id → 404 {success:false, error:{__type:
//   "Not Found Error"}} (CKAN's documented error shape). Inferred: nothing else.
// dcat (a DCAT-AP aggregator, data.europa.eu) — RDF/XML pages /catalog.rdf?page=N are the real
//   exports (GovData.de/opendata-hro.de, Sweden's Nobel Media, the ckanext-dcat examples), one
//   per page, each with a hydra:PagedCollection (totalItems, itemsPerPage, first/last/next/
//   previousPage) like ckanext-dcat's paged catalogue endpoint; /catalog.ttl is the real
//   datos.gob.es Turtle export and /catalog.jsonld the real JSON-LD @graph example, each one page
//   with hydra members. Inferred: one aggregator host holding the four RDF exports, the page size.
// datajson (www.usda.gov, data.ny.gov, www.arm.gov) — /data.json is the agency's real file.
// socrata (data.cityofnewyork.us, opendata.howardcountymd.gov, …) — Discovery API
//   /api/catalog/v1?domains=&limit=&offset= {results[], resultSetSize, timings}, records filtered
//   by metadata.domain (real); each domain serving its own catalog endpoint (Socrata does);
//   /api/views/<id>.json for the views-metadata record (songs).
// ods (etalab-sandbox.opendatasoft.com) — API v1 /api/datasets/1.0/search/?rows=&start=
//   {nhits, parameters, datasets[]} and /api/datasets/1.0/<id>/ (real records). No Explore v2.1
//   sample exists in the fixtures, so v2.1 is not served.
// A registry host that none of the files names serves the whole record set of its family.
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "core/core.h"
#include "sim/family.h"
#include "sim/intl.h"

namespace odh::sim {
namespace {

using nlohmann::json;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Failure("sim: cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json load_json(const std::filesystem::path& p) {
  json j = json::parse(slurp(p), nullptr, false);
  if (j.is_discarded()) throw Failure("sim: " + p.string() + ": not JSON");
  return j;
}

// Count of dcat:Dataset resources in an RDF/XML text (typed element or rdf:type reference).
std::int64_t rdf_datasets(const std::string& doc) {
  std::int64_t n = 0;
  for (const std::string pat : {"<dcat:Dataset ", "<dcat:Dataset>", "ns/dcat#Dataset\""})
    for (size_t at = doc.find(pat); at != std::string::npos; at = doc.find(pat, at + 1)) ++n;
  return n;
}

struct IntlData {
  json ckan_search;                       // the real package_search document
  std::map<std::string, json> ckan_show;  // id → real package_show document
  std::vector<std::string> rdf_pages;     // real RDF/XML exports, one per catalogue page
  std::vector<std::int64_t> rdf_counts;
  std::string ttl, jsonld;
  std::map<std::string, std::string> datajson;  // host → real data.json text ("" = default)
  std::map<std::string, std::int64_t> datajson_counts;
  json socrata;           // discovery response
  json socrata_view;      // /api/views/<id>.json record
  json ods_search;        // search response
  std::vector<json> ods;  // every ODS dataset (search results + single files)
};

const IntlData& data(const std::string& dir_in) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<IntlData>> cache;
  std::filesystem::path dir = dir_in.empty() ? data_dir() / "sim" / "intl" : std::filesystem::path(dir_in);
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[dir.string()];
  if (slot) return *slot;
  auto d = std::make_unique<IntlData>();
  d->ckan_search = load_json(dir / "ckan" / "demo.ckan.org_package_search_rows3.json");
  for (const auto& e : std::filesystem::directory_iterator(dir / "ckan")) {
    std::string n = e.path().filename().string();
    if (n.rfind("demo.ckan.org_package_show_", 0) != 0) continue;
    json j = load_json(e.path());
    d->ckan_show[jstr(j["result"], "id")] = j;
  }
  for (const char* f : {"dataset_gov_de.rdf", "dataset_sweden.rdf", "catalog.rdf", "dataset.rdf"}) {
    d->rdf_pages.push_back(slurp(dir / "dcat" / f));
    d->rdf_counts.push_back(rdf_datasets(d->rdf_pages.back()));
  }
  d->ttl = slurp(dir / "dcat" / "dataset_gob_es.ttl");
  d->jsonld = slurp(dir / "dcat" / "catalog_with_at_graph.jsonld");
  const std::pair<const char*, const char*> dj[] = {
      {"www.usda.gov", "gsa-ckanext-datajson_usda.gov.data.json"},
      {"data.ny.gov", "gsa-ckanext-datajson_ny.data.json"},
      {"www.arm.gov", "gsa-ckanext-datajson_arm.data.json"}};
  for (auto [host, file] : dj) {
    d->datajson[host] = slurp(dir / "project-open-data" / file);
    json j = json::parse(d->datajson[host], nullptr, false);
    d->datajson_counts[host] =
        j.is_object() && j.contains("dataset") ? static_cast<std::int64_t>(j["dataset"].size()) : 0;
  }
  d->datajson[""] = d->datajson["www.usda.gov"];
  d->datajson_counts[""] = d->datajson_counts["www.usda.gov"];
  d->socrata = load_json(dir / "socrata" / "discovery_api_catalog_v1_datasets.json");
  d->socrata_view = load_json(dir / "socrata" / "api_views_metadata_songs.json");
  d->ods_search = load_json(dir / "opendatasoft" / "ods_api_datasets_1.0_search.json");
  for (const auto& x : d->ods_search["datasets"]) d->ods.push_back(x);
  d->ods.push_back(load_json(dir / "opendatasoft" / "ods_api_datasets_1.0_inspire.json"));
  slot = std::move(d);
  return *slot;
}

const IntlData& data_of(const Portal& p) { return data(p.world ? p.world->options.intl_dir : ""); }

std::string bare_host(const std::string& host) { return host.substr(0, host.find(':')); }

// Socrata records of a domain (all records when the domain has none).
std::vector<const json*> socrata_records(const IntlData& d, const std::string& domain) {
  std::vector<const json*> all, mine;
  for (const auto& r : d.socrata["results"]) {
    all.push_back(&r);
    if (r.contains("metadata") && jstr(r["metadata"], "domain") == domain) mine.push_back(&r);
  }
  return mine.empty() ? all : mine;
}

std::string scheme_of(const Portal& p) {
  return !p.site.urls.empty() && p.site.urls[0].rfind("https://", 0) == 0 ? "https" : "http";
}

void json_text(Resp& resp, const json& j, const char* ctype = "application/json;charset=utf-8") {
  resp.content_type = ctype;
  resp.body = j.dump(1);
}

// ---- CKAN --------------------------------------------------------------------------------------

class Ckan : public Family {
 public:
  std::string name() const override { return "ckan"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/dataset/", "Datasets"}, {"/api/3/action/package_list", "API"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const IntlData& d = data_of(ctx.first());
    const json& results = d.ckan_search["result"]["results"];
    const std::string help = "https://" + bare_host(ctx.host) + "/api/3/action/help_show?name=";
    if (req.path == "/api/3/action/package_search") {
      std::int64_t rows = std::clamp<std::int64_t>(to_int(req.param("rows", "10"), 10), 0, 1000);
      std::int64_t start = std::max<std::int64_t>(0, to_int(req.param("start", "0"), 0));
      json out = d.ckan_search;
      json slice = json::array();
      for (std::int64_t i = start; i < static_cast<std::int64_t>(results.size()) && i < start + rows; ++i)
        slice.push_back(results[static_cast<size_t>(i)]);
      out["help"] = help + "package_search";
      out["result"]["results"] = slice;
      out["result"]["count"] = results.size();
      json_text(resp, out);
      return true;
    }
    if (req.path == "/api/3/action/package_show") {
      std::string id = req.param("id");
      for (const auto& r : results)
        if (jstr(r, "id") == id || jstr(r, "name") == id) {
          auto it = d.ckan_show.find(jstr(r, "id"));
          json out = it != d.ckan_show.end() ? it->second : json{{"success", true}, {"result", r}};
          out["help"] = help + "package_show";
          json_text(resp, out);
          return true;
        }
      resp.status = 404;
      json_text(resp, {{"help", help + "package_show"},
                       {"success", false},
                       {"error", {{"message", "Not found"}, {"__type", "Not Found Error"}}}});
      return true;
    }
    if (req.path == "/api/3/action/package_list") {
      json names = json::array();
      for (const auto& r : results) names.push_back(jstr(r, "name"));
      json_text(resp, {{"help", help + "package_list"}, {"success", true}, {"result", names}});
      return true;
    }
    if (req.path.rfind("/dataset/", 0) == 0) {
      std::string name = req.path.substr(9);
      std::string body;
      if (name.empty()) {
        for (const auto& r : results)
          body += "<li class=\"dataset-item\"><h3 class=\"dataset-heading\"><a href=\"/dataset/" +
                  esc(jstr(r, "name")) + "\">" + esc(jstr(r, "title")) + "</a></h3></li>";
        resp.html(html_page("Datasets", "<ul class=\"dataset-list\">" + body + "</ul>"));
        return true;
      }
      for (const auto& r : results)
        if (jstr(r, "name") == name) {
          resp.html(html_page(jstr(r, "title"), "<h1>" + esc(jstr(r, "title")) +
                                                    "</h1><div class=\"notes\">" + esc(jstr(r, "notes")) +
                                                    "</div>"));
          return true;
        }
      resp.not_found();
      return true;
    }
    return false;
  }
};

// ---- DCAT --------------------------------------------------------------------------------------

class Dcat : public Family {
 public:
  std::string name() const override { return "dcat"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/catalog.rdf", "DCAT (RDF/XML)"},
            {"/catalog.ttl", "DCAT (Turtle)"},
            {"/catalog.jsonld", "DCAT (JSON-LD)"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    const IntlData& d = data_of(p);
    const std::string base = scheme_of(p) + "://" + ctx.host;
    std::int64_t total = 0;
    for (auto n : d.rdf_counts) total += n;
    if (req.path == "/catalog.rdf" || req.path == "/catalog.xml") {
      const std::int64_t last = static_cast<std::int64_t>(d.rdf_pages.size());
      std::int64_t page = to_int(req.param("page", "1"), 0);
      if (page < 1 || page > last) {  // ckanext-dcat answers 404 for a page past the end
        resp.not_found();
        return true;
      }
      std::string url = base + req.path + "?page=";
      std::string hydra =
          "<hydra:PagedCollection xmlns:hydra=\"http://www.w3.org/ns/hydra/core#\" rdf:about=\"" + url +
          std::to_string(page) +
          "\">\n  <hydra:totalItems rdf:datatype=\"http://www.w3.org/2001/XMLSchema#integer\">" +
          std::to_string(total) +
          "</hydra:totalItems>\n  <hydra:itemsPerPage "
          "rdf:datatype=\"http://www.w3.org/2001/XMLSchema#integer\">" +
          std::to_string(d.rdf_counts[static_cast<size_t>(page - 1)]) +
          "</hydra:itemsPerPage>\n  <hydra:firstPage>" + url + "1</hydra:firstPage>\n  <hydra:lastPage>" +
          url + std::to_string(last) + "</hydra:lastPage>\n";
      if (page > 1)
        hydra += "  <hydra:previousPage>" + url + std::to_string(page - 1) + "</hydra:previousPage>\n";
      if (page < last) hydra += "  <hydra:nextPage>" + url + std::to_string(page + 1) + "</hydra:nextPage>\n";
      hydra += "</hydra:PagedCollection>\n";
      std::string doc = d.rdf_pages[static_cast<size_t>(page - 1)];
      auto end = doc.rfind("</rdf:RDF>");
      if (end != std::string::npos) doc.insert(end, hydra);
      resp.content_type = "application/rdf+xml; charset=utf-8";
      resp.body = std::move(doc);
      return true;
    }
    if (req.path == "/catalog.ttl") {
      if (to_int(req.param("page", "1"), 0) != 1) {
        resp.not_found();
        return true;
      }
      std::string self = base + "/catalog.ttl?page=1";
      resp.content_type = "text/turtle; charset=utf-8";
      resp.body = d.ttl + "\n<" + self + "> a <http://www.w3.org/ns/hydra/core#PagedCollection> ;\n" +
                  "  <http://www.w3.org/ns/hydra/core#totalItems> 1 ;\n  "
                  "<http://www.w3.org/ns/hydra/core#itemsPerPage> 1 ;\n" +
                  "  <http://www.w3.org/ns/hydra/core#firstPage> \"" + self + "\" ;\n" +
                  "  <http://www.w3.org/ns/hydra/core#lastPage> \"" + self + "\" .\n";
      return true;
    }
    if (req.path == "/catalog.jsonld") {
      if (to_int(req.param("page", "1"), 0) != 1) {
        resp.not_found();
        return true;
      }
      json doc = json::parse(d.jsonld, nullptr, false);
      if (doc.is_object() && doc.contains("@graph") && doc["@graph"].is_array()) {
        std::string self = base + "/catalog.jsonld?page=1";
        doc["@context"]["hydra"] = "http://www.w3.org/ns/hydra/core#";
        doc["@graph"].push_back({{"@id", self},
                                 {"@type", "hydra:PagedCollection"},
                                 {"hydra:totalItems", 1},
                                 {"hydra:itemsPerPage", 1},
                                 {"hydra:firstPage", self},
                                 {"hydra:lastPage", self}});
      }
      json_text(resp, doc, "application/ld+json; charset=utf-8");
      return true;
    }
    return false;
  }
};

// ---- Project Open Data ---------------------------------------------------------------------------

class DataJson : public Family {
 public:
  std::string name() const override { return "datajson"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/data.json", "data.json"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    if (req.path != "/data.json") return false;
    const IntlData& d = data_of(ctx.first());
    auto it = d.datajson.find(bare_host(ctx.host));
    if (it == d.datajson.end()) it = d.datajson.find("");
    resp.content_type = "application/json; charset=utf-8";
    resp.body = it->second;
    return true;
  }
};

// ---- Socrata -------------------------------------------------------------------------------------

class Socrata : public Family {
 public:
  std::string name() const override { return "socrata"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/browse", "Browse"}, {"/api/catalog/v1", "Catalog API"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const IntlData& d = data_of(ctx.first());
    if (req.path == "/api/catalog/v1") {
      std::string domain = req.param("domains", bare_host(ctx.host));
      auto recs = socrata_records(d, domain);
      std::int64_t limit = std::clamp<std::int64_t>(to_int(req.param("limit", "100"), 100), 0, 10000);
      std::int64_t offset = std::max<std::int64_t>(0, to_int(req.param("offset", "0"), 0));
      json out = {
          {"results", json::array()}, {"resultSetSize", recs.size()}, {"timings", d.socrata["timings"]}};
      for (std::int64_t i = offset; i < static_cast<std::int64_t>(recs.size()) && i < offset + limit; ++i)
        out["results"].push_back(*recs[static_cast<size_t>(i)]);
      json_text(resp, out);
      return true;
    }
    if (req.path.rfind("/api/views/", 0) == 0 && req.path.size() > 16 &&
        req.path.compare(req.path.size() - 5, 5, ".json") == 0) {
      std::string id = req.path.substr(11, req.path.size() - 16);
      if (id == jstr(d.socrata_view, "id")) {
        json_text(resp, d.socrata_view);
        return true;
      }
      resp.status = 404;
      json_text(resp,
                {{"code", "not_found"}, {"error", true}, {"message", "Cannot find view with id " + id}});
      return true;
    }
    if (req.path.rfind("/d/", 0) == 0 || req.path == "/browse") {
      std::string body;
      for (const json* r : socrata_records(d, bare_host(ctx.host))) {
        const json& res = (*r)["resource"];
        if (req.path == "/browse" || req.path == "/d/" + jstr(res, "id"))
          body += "<div class=\"browse2-result\"><a class=\"browse2-result-name-link\" href=\"/d/" +
                  esc(jstr(res, "id")) + "\">" + esc(jstr(res, "name")) +
                  "</a><div class=\"browse2-result-description\">" + esc(jstr(res, "description")) +
                  "</div></div>";
      }
      if (body.empty()) return false;
      resp.html(html_page("Socrata", body));
      return true;
    }
    return false;
  }
};

// ---- OpenDataSoft ----------------------------------------------------------------------------------

class Ods : public Family {
 public:
  std::string name() const override { return "ods"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/explore/", "Explore"}, {"/api/datasets/1.0/search/", "API"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const IntlData& d = data_of(ctx.first());
    const std::string prefix = "/api/datasets/1.0/";
    if (req.path == prefix + "search" || req.path == prefix + "search/") {
      std::int64_t rows = std::clamp<std::int64_t>(to_int(req.param("rows", "10"), 10), 0, 1000);
      std::int64_t start = std::max<std::int64_t>(0, to_int(req.param("start", "0"), 0));
      json out = d.ods_search;
      out["nhits"] = d.ods.size();
      out["parameters"]["rows"] = rows;
      out["parameters"]["start"] = start;
      out["datasets"] = json::array();
      for (std::int64_t i = start; i < static_cast<std::int64_t>(d.ods.size()) && i < start + rows; ++i)
        out["datasets"].push_back(d.ods[static_cast<size_t>(i)]);
      json_text(resp, out);
      return true;
    }
    if (req.path.rfind(prefix, 0) == 0) {
      std::string id = req.path.substr(prefix.size());
      if (!id.empty() && id.back() == '/') id.pop_back();
      for (const auto& x : d.ods)
        if (jstr(x, "datasetid") == id) {
          json_text(resp, x);
          return true;
        }
      resp.status = 404;
      json_text(resp, {{"errorcode", 10002}, {"error", "Unknown dataset: " + id}});
      return true;
    }
    if (req.path.rfind("/explore/", 0) == 0) {
      std::string body;
      for (const auto& x : d.ods) {
        std::string id = jstr(x, "datasetid");
        if (req.path == "/explore/" || req.path == "/explore/dataset/" + id + "/")
          body += "<div class=\"ods-catalog-card\"><a href=\"/explore/dataset/" + esc(id) + "/\">" +
                  esc(x.contains("metas") ? jstr(x["metas"], "title") : id) + "</a></div>";
      }
      if (body.empty()) return false;
      resp.html(html_page("OpenDataSoft", body));
      return true;
    }
    return false;
  }
};

}  // namespace

bool is_intl_family(const std::string& f) {
  return f == "ckan" || f == "dcat" || f == "datajson" || f == "socrata" || f == "ods";
}

std::int64_t intl_record_count(const std::string& dir, const std::string& family,
                               const std::string& host_in) {
  const IntlData& d = data(dir);
  std::string host = bare_host(host_in);
  if (family == "ckan") return static_cast<std::int64_t>(d.ckan_search["result"]["results"].size());
  if (family == "dcat") {
    std::int64_t n = 0;
    for (auto c : d.rdf_counts) n += c;
    return n;
  }
  if (family == "datajson") {
    auto it = d.datajson_counts.find(host);
    return it != d.datajson_counts.end() ? it->second : d.datajson_counts.at("");
  }
  if (family == "socrata") return static_cast<std::int64_t>(socrata_records(d, host).size());
  if (family == "ods") return static_cast<std::int64_t>(d.ods.size());
  return 0;
}

std::unique_ptr<Family> make_ckan() { return std::make_unique<Ckan>(); }
std::unique_ptr<Family> make_dcat() { return std::make_unique<Dcat>(); }
std::unique_ptr<Family> make_datajson() { return std::make_unique<DataJson>(); }
std::unique_ptr<Family> make_socrata() { return std::make_unique<Socrata>(); }
std::unique_ptr<Family> make_ods() { return std::make_unique<Ods>(); }

}  // namespace odh::sim
