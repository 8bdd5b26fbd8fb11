// International catalogue formats: CKAN, DCAT (RDF/XML and Turtle via parsers/rdf.h, JSON-LD),
// Project Open Data data.json,
// Socrata (views + Discovery API), OpenDataSoft API v1. Each becomes RawRecords whose labels are
// the format's own keys (dct:title, notes, metas keys…), mapped by the label dictionary like any
// Chinese label.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "parsers/json_util.h"
#include "parsers/normalize.h"
#include "parsers/rdf.h"

namespace odh {
namespace detail {

std::vector<const json*> jpath_all(const json& root, std::string_view path) {
  std::vector<const json*> cur{&root};
  size_t i = 0;
  while (i < path.size() && !cur.empty()) {
    std::vector<const json*> next;
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      size_t e = path.find(']', i);
      if (e == std::string_view::npos) return {};
      std::string_view idx = path.substr(i + 1, e - i - 1);
      for (const json* c : cur) {
        if (!c->is_array()) continue;
        if (idx == "*") {
          for (const auto& x : *c) next.push_back(&x);
        } else {
          size_t k = 0;
          for (char ch : idx) k = ch >= '0' && ch <= '9' ? k * 10 + (ch - '0') : 1u << 30;
          if (k < c->size()) next.push_back(&(*c)[k]);
        }
      }
      i = e + 1;
    } else {
      size_t e = path.find_first_of(".[", i);
      if (e == std::string_view::npos) e = path.size();
      std::string key(path.substr(i, e - i));
      for (const json* c : cur)
        if (c->is_object())
          if (auto it = c->find(key); it != c->end()) next.push_back(&*it);
      i = e;
    }
    cur = std::move(next);
  }
  return cur;
}

const json* jpath(const json& root, std::string_view path) {
  if (path.empty()) return &root;
  auto v = jpath_all(root, path);
  return v.empty() ? nullptr : v.front();
}

std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d)) && d < 9e18 && d > -9e18)
      return std::to_string(static_cast<long long>(d));
    return std::to_string(d);
  }
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) {
      if (!(x.is_primitive()) || x.is_null()) continue;
      if (!out.empty()) out += ',';
      out += scalar_text(x);
    }
    return out;
  }
  return "";
}

bool parse_json(std::string_view text, json& out, std::string* error) {
  if (!json_depth_ok(text)) {
    if (error) *error = "JSON nested deeper than " + std::to_string(kMaxJsonDepth);
    out = json();
    return false;
  }
  out = json::parse(text.begin(), text.end(), nullptr, false);
  if (out.is_discarded()) {
    if (error) *error = "not JSON";
    return false;
  }
  if (out.is_string()) {  // a JSON document serialised into a JSON string
    std::string inner = out.get<std::string>();
    json again = json_depth_ok(inner) ? json::parse(inner, nullptr, false) : json(json::value_t::discarded);
    if (!again.is_discarded() && (again.is_object() || again.is_array())) out = std::move(again);
  }
  return true;
}

void flatten_pairs(const json& obj, LabelValues& out, const std::string& prefix, int depth) {
  if (!obj.is_object()) return;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const json& v = it.value();
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (v.is_object()) {
      if (depth < 2) flatten_pairs(v, out, key, depth + 1);
    } else if (v.is_array()) {
      bool scalars = std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_primitive(); });
      if (scalars) out.emplace_back(key, scalar_text(v));
    } else {
      out.emplace_back(key, v.is_null() ? "" : scalar_text(v));
    }
  }
}

namespace {

std::string str_at(const json& o, std::string_view path) {
  const json* v = jpath(o, path);
  return v ? scalar_text(*v) : "";
}

void add(RawRecord& r, const std::string& label, const std::string& value) {
  if (!value.empty()) r.pairs.emplace_back(label, value);
}

// Names of objects in a list: [{"display_name": "x"}, …] or ["x", …].
std::string names(const json* arr, std::initializer_list<const char*> keys) {
  if (!arr || !arr->is_array()) return arr ? scalar_text(*arr) : "";
  std::string out;
  for (const auto& x : *arr) {
    std::string n;
    if (x.is_object()) {
      for (const char* k : keys)
        if (n.empty()) n = str_at(x, k);
    } else {
      n = scalar_text(x);
    }
    if (n.empty()) continue;
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

void ckan(const json& p, RawRecord& r) {
  r.source_id = str_at(p, "id");
  r.title = str_at(p, "title");
  add(r, "title", r.title);
  add(r, "notes", str_at(p, "notes"));
  if (const json* org = jpath(p, "organization"); org && org->is_object())
    add(r, "organization", str_at(*org, "title"));
  add(r, "author", str_at(p, "author"));
  add(r, "maintainer", str_at(p, "maintainer"));
  add(r, "metadata_created", str_at(p, "metadata_created"));
  add(r, "metadata_modified", str_at(p, "metadata_modified"));
  add(r, "tags", names(jpath(p, "tags"), {"display_name", "name"}));
  add(r, "groups", names(jpath(p, "groups"), {"display_name", "title", "name"}));
  add(r, "license_title", str_at(p, "license_title"));
  add(r, "num_resources", str_at(p, "num_resources"));
  if (const json* ex = jpath(p, "extras"); ex && ex->is_array())
    for (const auto& e : *ex)
      if (e.is_object()) add(r, str_at(e, "key"), str_at(e, "value"));
  if (const json* res = jpath(p, "resources"); res && res->is_array())
    for (const auto& x : *res) {
      if (!x.is_object()) continue;
      DistributionRow d;
      d.format_raw = str_at(x, "format");
      d.url = str_at(x, "url");
      d.format = normalize_format(d.format_raw);
      if (d.format.empty()) d.format = normalize_format(str_at(x, "mimetype"));
      if (d.format.empty()) d.format = format_from_name(d.url);
      if (auto n = parse_count(str_at(x, "size"))) d.byte_size = n;
      r.files.push_back(std::move(d));
    }
}

void datajson(const json& d, RawRecord& r) {
  r.source_id = str_at(d, "identifier");
  r.title = str_at(d, "title");
  r.url = str_at(d, "landingPage");
  for (const char* k : {"title", "description", "modified", "issued", "identifier", "accessLevel", "license",
                        "landingPage", "accrualPeriodicity", "spatial", "temporal", "rights"})
    add(r, k, str_at(d, k));
  add(r, "keyword", names(jpath(d, "keyword"), {}));
  add(r, "theme", names(jpath(d, "theme"), {}));
  add(r, "language", names(jpath(d, "language"), {}));
  add(r, "publisher", str_at(d, "publisher.name"));
  add(r, "contactPoint", str_at(d, "contactPoint.fn"));
  if (const json* dist = jpath(d, "distribution"); dist && dist->is_array())
    for (const auto& x : *dist) {
      if (!x.is_object()) continue;
      DistributionRow row;
      row.url = str_at(x, "downloadURL");
      if (row.url.empty()) row.url = str_at(x, "accessURL");
      row.format_raw = str_at(x, "format");
      if (row.format_raw.empty()) row.format_raw = str_at(x, "mediaType");
      row.format = normalize_format(row.format_raw);
      if (row.format.empty()) row.format = normalize_format(str_at(x, "mediaType"));
      if (row.format.empty()) row.format = format_from_name(row.url);
      r.files.push_back(std::move(row));
    }
}

void socrata(const json& v, RawRecord& r) {
  const json& res =
      v.contains("resource") && v["resource"].is_object() ? v["resource"] : v;  // discovery : views
  r.source_id = str_at(res, "id");
  r.title = str_at(res, "name");
  r.url = str_at(v, "permalink");
  add(r, "name", r.title);
  add(r, "description", str_at(res, "description"));
  add(r, "attribution", str_at(res, "attribution"));
  add(r, "createdAt", str_at(res, "createdAt"));
  std::string upd = str_at(res, "updatedAt");
  if (upd.empty()) upd = str_at(res, "rowsUpdatedAt");
  if (upd.empty()) upd = str_at(res, "viewLastModified");
  add(r, "updatedAt", upd);
  add(r, "publicationDate", str_at(res, "publicationDate"));
  std::string views = str_at(res, "page_views.page_views_total");
  if (views.empty()) views = str_at(res, "viewCount");
  add(r, "viewCount", views);
  std::string dl = str_at(res, "download_count");
  if (dl.empty()) dl = str_at(res, "downloadCount");
  add(r, "downloadCount", dl);
  std::string cat = str_at(v, "classification.domain_category");
  if (cat.empty()) cat = str_at(res, "category");
  if (cat.empty()) cat = names(jpath(v, "classification.categories"), {});
  add(r, "category", cat);
  std::string tags = names(jpath(v, "classification.domain_tags"), {});
  if (tags.empty()) tags = names(jpath(v, "classification.tags"), {});
  if (tags.empty()) tags = names(jpath(res, "tags"), {});
  add(r, "tags", tags);
  std::string lic = str_at(v, "metadata.license");
  if (lic.empty()) lic = str_at(res, "license.name");
  if (lic.empty()) lic = str_at(res, "licenseId");
  add(r, "license", lic);
  if (const json* cols = jpath(res, "columns_name"); cols && cols->is_array())
    add(r, "columns", std::to_string(cols->size()));
  else if (const json* c2 = jpath(res, "columns"); c2 && c2->is_array() && !c2->empty())
    add(r, "columns", std::to_string(c2->size()));
  // Every Socrata dataset (type dataset/table) exports CSV and JSON through /api/views/<id>/rows.*
  std::string type = str_at(res, "type");
  if (type.empty()) type = str_at(res, "displayType");
  if (type == "dataset" || type == "table")
    for (const char* f : {"csv", "json"}) r.formats.push_back(f);
}

void ods(const json& d, RawRecord& r) {
  r.source_id = str_at(d, "datasetid");
  const json* m = jpath(d, "metas");
  if (!m || !m->is_object()) return;
  r.title = str_at(*m, "title");
  for (const char* k : {"title", "description", "modified", "publisher", "theme", "records_count", "license",
                        "language", "keyword", "data_processed", "metadata_processed"})
    add(r, k, str_at(*m, k));
  // Datasets with records export CSV, JSON and Excel through the records API.
  if (const json* hr = jpath(d, "has_records"); hr && hr->is_boolean() && hr->get<bool>())
    for (const char* f : {"csv", "json", "xls"}) r.formats.push_back(f);
  for (const char* k : {"attachments", "alternative_exports"})
    if (const json* a = jpath(d, k); a && a->is_array())
      for (const auto& x : *a) {
        std::string name = str_at(x, "title");
        std::string f = format_from_name(name.empty() ? str_at(x, "url") : name);
        if (f.empty()) f = format_from_name(str_at(x, "url"));
        if (!f.empty()) r.formats.push_back(f);
      }
}

}  // namespace

bool convert_item(const std::string& kind, const json& item, RawRecord& out) {
  if (!item.is_object()) return false;
  if (kind == "ckan")
    ckan(item, out);
  else if (kind == "datajson")
    datajson(item, out);
  else if (kind == "socrata")
    socrata(item, out);
  else if (kind == "ods")
    ods(item, out);
  else {  // fields: every scalar member
    flatten_pairs(item, out.pairs);
  }
  return true;
}

}  // namespace detail

using detail::json;

namespace {

// ---- DCAT JSON-LD (compacted, with or without @graph) --------------------------------------

std::vector<RawRecord> from_jsonld(const json& doc) {
  std::map<std::string, std::string> ctx;  // prefix → URI
  if (const json* c = detail::jpath(doc, "@context"); c && c->is_object())
    for (auto it = c->begin(); it != c->end(); ++it)
      if (it.value().is_string()) ctx[it.key()] = it.value().get<std::string>();
  auto canon = [&](const std::string& key) {
    auto c = key.find(':');
    if (c == std::string::npos) return key;
    auto it = ctx.find(key.substr(0, c));
    if (it == ctx.end()) return key;
    auto p = rdf::known_prefixes().find(it->second);
    return p == rdf::known_prefixes().end() ? key : p->second + key.substr(c + 1);
  };
  std::vector<const json*> nodes;
  if (const json* g = detail::jpath(doc, "@graph"); g && g->is_array())
    for (auto& n : *g) nodes.push_back(&n);
  else if (doc.is_array())
    for (auto& n : doc) nodes.push_back(&n);
  else
    nodes.push_back(&doc);
  std::map<std::string, const json*> by_id;
  for (auto* n : nodes)
    if (n->is_object() && n->contains("@id") && (*n)["@id"].is_string())
      by_id[(*n)["@id"].get<std::string>()] = n;
  auto is_type = [&](const json& n, const char* t) {
    const json* ty = detail::jpath(n, "@type");
    if (!ty) return false;
    if (ty->is_string()) return canon(ty->get<std::string>()) == t;
    if (ty->is_array())
      for (auto& x : *ty)
        if (x.is_string() && canon(x.get<std::string>()) == t) return true;
    return false;
  };
  std::function<std::string(const json&)> val = [&](const json& v) -> std::string {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
      std::string out;
      for (auto& x : v) {
        std::string s = val(x);
        if (s.empty()) continue;
        if (!out.empty()) out += ',';
        out += s;
      }
      return out;
    }
    if (!v.is_object()) return detail::scalar_text(v);
    if (v.contains("@value")) return detail::scalar_text(v["@value"]);
    const json* t = &v;
    if (v.contains("@id") && v.size() == 1 && v["@id"].is_string())
      if (auto it = by_id.find(v["@id"].get<std::string>()); it != by_id.end()) t = it->second;
    for (auto it = t->begin(); it != t->end(); ++it) {
      std::string k = canon(it.key());
      if (k == "foaf:name" || k == "vcard:fn" || k == "rdfs:label" || k == "dct:title" ||
          k == "skos:prefLabel")
        return val(it.value());
    }
    return t->contains("@id") ? detail::scalar_text((*t)["@id"]) : "";
  };
  std::vector<RawRecord> out;
  for (auto* n : nodes) {
    if (!n->is_object() || !is_type(*n, "dcat:Dataset")) continue;
    RawRecord r;
    r.url = n->contains("@id") ? detail::scalar_text((*n)["@id"]) : "";
    for (auto it = n->begin(); it != n->end(); ++it) {
      std::string k = canon(it.key());
      if (k[0] == '@') continue;
      if (k == "dcat:distribution") {
        std::vector<const json*> ds;
        if (it.value().is_array())
          for (auto& x : it.value()) ds.push_back(&x);
        else
          ds.push_back(&it.value());
        for (const json* d : ds) {
          const json* t = d;
          if (d->is_object() && d->contains("@id") && (*d)["@id"].is_string())
            if (auto f = by_id.find((*d)["@id"].get<std::string>()); f != by_id.end()) t = f->second;
          if (!t->is_object()) continue;
          DistributionRow row;
          std::string media;
          for (auto jt = t->begin(); jt != t->end(); ++jt) {
            std::string dk = canon(jt.key());
            if (dk == "dcat:downloadURL" || (dk == "dcat:accessURL" && row.url.empty()))
              row.url = val(jt.value());
            else if (dk == "dct:format")
              row.format_raw = val(jt.value());
            else if (dk == "dcat:mediaType")
              media = val(jt.value());
          }
          if (row.format_raw.empty()) row.format_raw = media;
          row.format = normalize_format(row.format_raw);
          if (row.format.empty()) row.format = normalize_format(media);
          if (row.format.empty()) row.format = format_from_name(row.url);
          r.files.push_back(std::move(row));
        }
        continue;
      }
      std::string v = val(it.value());
      if (k == "dct:title" && r.title.empty()) r.title = v;
      if (k == "dct:identifier" && r.source_id.empty()) r.source_id = v;
      if (!v.empty()) r.pairs.emplace_back(k, v);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<RawRecord> records_from_document(const std::string& kind, const std::string& body,
                                             std::string* error, const std::string& source) {
  std::vector<RawRecord> out;
  if (kind == "dcat-rdf" || kind == "dcat-turtle") {
    rdf::Graph g;
    bool ok =
        kind == "dcat-rdf" ? rdf::parse_rdfxml(body, g, error) : rdf::parse_turtle(body, source, g, error);
    return ok ? rdf::dcat_records(g) : out;
  }
  json doc;
  if (!detail::parse_json(body, doc, error)) return out;
  if (kind == "dcat-jsonld") return from_jsonld(doc);
  std::vector<const json*> items;
  if (kind == "ckan") {
    const json* r = detail::jpath(doc, "result");
    if (r && r->is_object() && r->contains("results")) r = &(*r)["results"];  // package_search
    if (r && r->is_array())                                                   // search results / DKAN show
      for (auto& x : *r) items.push_back(&x);
    else if (r)
      items.push_back(r);  // package_show
  } else if (kind == "datajson") {
    if (const json* d = detail::jpath(doc, "dataset"); d && d->is_array())
      for (auto& x : *d) items.push_back(&x);
  } else if (kind == "socrata") {
    if (const json* d = detail::jpath(doc, "results"); d && d->is_array())
      for (auto& x : *d) items.push_back(&x);
    else if (doc.is_array())
      for (auto& x : doc) items.push_back(&x);
    else
      items.push_back(&doc);
  } else if (kind == "ods") {
    if (const json* d = detail::jpath(doc, "datasets"); d && d->is_array())
      for (auto& x : *d) items.push_back(&x);
    else
      items.push_back(&doc);
  } else {
    if (error) *error = "unknown document kind '" + kind + "'";
    return out;
  }
  for (const json* it : items) {
    RawRecord r;
    if (detail::convert_item(kind, *it, r)) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace odh
