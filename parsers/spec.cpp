#include "parsers/spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/core.h"
#include "parsers/pattern.h"

namespace odh {
namespace {

struct Reader {
  std::string file;
  [[noreturn]] void fail(const YAML::Node& n, const std::string& field, const std::string& problem) const {
    throw InputError(file, n.IsDefined() ? n.Mark().line + 1 : 0, field, problem);
  }
  std::string str(const YAML::Node& n, const char* key, const std::string& def = "") const {
    auto v = n[key];
    if (!v.IsDefined() || v.IsNull()) return def;
    if (!v.IsScalar()) fail(v, key, "must be a string");
    return v.as<std::string>();
  }
  int num(const YAML::Node& n, const char* key, int def) const {
    auto v = n[key];
    if (!v.IsDefined()) return def;
    try {
      return v.as<int>();
    } catch (const YAML::Exception&) {
      fail(v, key, "must be an integer");
    }
  }
  std::map<std::string, std::string> map(const YAML::Node& n, const char* key) const {
    std::map<std::string, std::string> out;
    auto v = n[key];
    if (!v.IsDefined() || v.IsNull()) return out;
    if (!v.IsMap()) fail(v, key, "must be a mapping");
    for (auto it : v) out[it.first.as<std::string>()] = it.second.IsNull() ? "" : it.second.as<std::string>();
    return out;
  }
  RequestTemplate request(const YAML::Node& n, const char* field) const {
    RequestTemplate r;
    if (!n.IsDefined() || n.IsNull()) return r;
    if (n.IsScalar()) {
      r.url = n.as<std::string>();
      return r;
    }
    if (!n.IsMap()) fail(n, field, "must be a URL or a mapping");
    r.method = str(n, "method", "GET");
    std::transform(r.method.begin(), r.method.end(), r.method.begin(), ::toupper);
    if (r.method != "GET" && r.method != "POST")
      fail(n["method"], std::string(field) + ".method", "GET or POST");
    r.url = str(n, "url");
    r.body = str(n, "body");
    for (auto& [k, v] : map(n, "headers")) r.headers.emplace_back(k, v);
    return r;
  }
};

const char* kListKeys[] = {"record",  "request",    "format",        "paging",    "start",
                           "size",    "max_pages",  "json_string",   "html",      "items",
                           "total",   "pages",      "link",          "id",        "formats",
                           "convert", "detail_url", "pages_pattern", "categories", "id_pattern",
                           "updated", "views", "downloads"};
const char* kCategoryKeys[] = {"request", "items", "attr", "pattern", "vars"};
const char* kDetailKeys[] = {"request", "format",  "root",  "title",   "title_own_text",
                             "pairs",   "formats", "files", "page_url"};
const char* kTopKeys[] = {"family", "engine",   "about",  "list",  "lists",
                          "detail", "defaults", "labels", "codes", "tags_split_spaces",
                          "sites",  "international", "incremental"};

template <size_t N>
void check_keys(const Reader& r, const YAML::Node& n, const char* (&keys)[N], const std::string& where) {
  if (!n.IsMap()) r.fail(n, where, "must be a mapping");
  for (auto it : n) {
    std::string k = it.first.as<std::string>();
    if (std::find_if(std::begin(keys), std::end(keys), [&](const char* x) { return k == x; }) ==
        std::end(keys))
      r.fail(it.first, where.empty() ? k : where + "." + k, "unknown key");
  }
}

// A spec regex compiles (RE2 syntax: parsers/pattern.h) and has at least `groups` capture groups.
void check_pattern(const Reader& r, const YAML::Node& at, const std::string& field, const std::string& re,
                   size_t groups, const char* need) {
  Pattern p(re);
  if (!p.ok()) r.fail(at, field, "bad regex: " + p.error());
  if (static_cast<size_t>(p.groups()) < groups) r.fail(at, field, need);
}

ListSpec read_list(const Reader& r, const YAML::Node& n) {
  check_keys(r, n, kListKeys, "list");
  ListSpec l;
  l.record = r.str(n, "record", "dataset");
  if (l.record != "dataset" && l.record != "api") r.fail(n["record"], "list.record", "dataset or api");
  l.request = r.request(n["request"], "list.request");
  l.format = r.str(n, "format", "html");
  if (l.format != "html" && l.format != "json" && l.format != "rdf" && l.format != "turtle" &&
      l.format != "jsonld")
    r.fail(n["format"], "list.format", "html, json, rdf, turtle or jsonld");
  l.paging = r.str(n, "paging", "page");
  if (l.paging != "page" && l.paging != "offset" && l.paging != "none")
    r.fail(n["paging"], "list.paging", "page, offset or none");
  l.start = r.num(n, "start", 1);
  l.size = r.num(n, "size", 10);
  if (l.size <= 0) r.fail(n["size"], "list.size", "must be positive");
  l.max_pages = r.num(n, "max_pages", 100000);
  l.json_string = r.str(n, "json_string");
  l.html = r.str(n, "html");
  l.items = r.str(n, "items");
  l.total = r.str(n, "total");
  l.pages = r.str(n, "pages");
  l.link = r.str(n, "link");
  l.id = r.str(n, "id");
  l.formats = r.str(n, "formats");
  l.convert = r.str(n, "convert");
  l.detail_url = r.str(n, "detail_url");
  l.pages_pattern = r.str(n, "pages_pattern");
  l.id_pattern = r.str(n, "id_pattern");
  l.updated = r.str(n, "updated");
  l.views = r.str(n, "views");
  l.downloads = r.str(n, "downloads");
  if (!l.id_pattern.empty())
    check_pattern(r, n["id_pattern"], "list.id_pattern", l.id_pattern, 1, "needs one capture group");
  if (!l.pages_pattern.empty())
    check_pattern(r, n["pages_pattern"], "list.pages_pattern", l.pages_pattern, 1, "needs one capture group");
  if (auto c = n["categories"]; c.IsDefined()) {
    check_keys(r, c, kCategoryKeys, "list.categories");
    l.categories.request = r.request(c["request"], "list.categories.request");
    l.categories.items = r.str(c, "items");
    l.categories.attr = r.str(c, "attr");
    l.categories.pattern = r.str(c, "pattern");
    if (l.categories.request.url.empty()) r.fail(c, "list.categories.request", "url is required");
    if (l.categories.items.empty()) r.fail(c, "list.categories.items", "is required");
    if (auto v = c["vars"]; v.IsDefined()) {
      if (!v.IsSequence()) r.fail(v, "list.categories.vars", "must be a sequence of names");
      for (auto x : v) l.categories.vars.push_back(x.as<std::string>());
    }
    check_pattern(r, c["pattern"], "list.categories.pattern", l.categories.pattern, l.categories.vars.size(),
                  "needs one capture group per var");
  }
  if (l.request.url.empty()) r.fail(n, "list.request", "url is required");
  if (l.items.empty() && l.format != "rdf" && l.format != "turtle" && l.format != "jsonld")
    r.fail(n, "list.items", "is required");
  return l;
}

}  // namespace

// Wrong node types deep in a spec (a map where a scalar belongs…) surface as yaml-cpp exceptions:
// they are input errors like the rest (found by the `spec` fuzz target).
static FamilySpec read_family_file(const std::filesystem::path& path);

FamilySpec load_family_file(const std::filesystem::path& path) {
  try {
    return read_family_file(path);
  } catch (const YAML::Exception& e) {
    throw InputError(path.string(), e.mark.line + 1, "", e.msg);
  }
}

static FamilySpec read_family_file(const std::filesystem::path& path) {
  Reader r{path.string()};
  YAML::Node root;
  try {
    root = YAML::Load(read_file(path));
  } catch (const YAML::ParserException& e) {
    throw InputError(path.string(), e.mark.line + 1, "", e.msg);
  }
  check_keys(r, root, kTopKeys, "");
  FamilySpec s;
  s.source_file = path.string();
  s.name = r.str(root, "family", path.stem().string());
  s.engine = r.str(root, "engine", "html");
  s.about = r.str(root, "about");
  if (root["list"].IsDefined()) s.lists.push_back(read_list(r, root["list"]));
  if (root["lists"].IsDefined()) {
    if (!root["lists"].IsSequence()) r.fail(root["lists"], "lists", "must be a sequence");
    for (auto n : root["lists"]) s.lists.push_back(read_list(r, n));
  }
  if (s.lists.empty()) r.fail(root, "list", "a family needs a list or lists");
  if (auto d = root["detail"]; d.IsDefined() && !d.IsNull()) {
    check_keys(r, d, kDetailKeys, "detail");
    s.detail.request = r.request(d["request"], "detail.request");
    s.detail.format = r.str(d, "format", "html");
    s.detail.root = r.str(d, "root");
    s.detail.title = r.str(d, "title");
    s.detail.title_own_text = r.str(d, "title_own_text");
    s.detail.formats = r.str(d, "formats");
    s.detail.files = r.str(d, "files");
    s.detail.page_url = r.str(d, "page_url");
    if (auto p = d["pairs"]; p.IsDefined()) {
      if (!p.IsSequence()) r.fail(p, "detail.pairs", "must be a sequence");
      for (auto q : p) {
        PairRule pr;
        pr.kind = r.str(q, "kind", "table");
        if (pr.kind != "table" && pr.kind != "items" && pr.kind != "lines")
          r.fail(q["kind"], "detail.pairs.kind", "table, items or lines");
        pr.scope = r.str(q, "scope");
        pr.item = r.str(q, "item");
        pr.label = r.str(q, "label");
        pr.value = r.str(q, "value");
        pr.value_attr = r.str(q, "value_attr");
        pr.space_sep = q["space_sep"].IsDefined() && q["space_sep"].as<bool>();
        if (pr.kind == "items" && pr.item.empty()) r.fail(q, "detail.pairs.item", "items rules need an item");
        s.detail.pairs.push_back(pr);
      }
    }
  }
  s.defaults = r.map(root, "defaults");
  s.labels = r.map(root, "labels");
  if (auto c = root["codes"]; c.IsDefined()) {
    s.frequency_codes = r.map(c, "frequency");
    s.open_codes = r.map(c, "open");
    s.format_codes = r.map(c, "format");
  }
  if (root["tags_split_spaces"].IsDefined()) s.tags_split_spaces = root["tags_split_spaces"].as<bool>();
  s.incremental = r.str(root, "incremental");
  if (!s.incremental.empty()) {
    if (s.incremental != "skip-unchanged-details")
      r.fail(root["incremental"], "incremental", "skip-unchanged-details (or absent)");
    if (s.detail.request.url.empty())
      r.fail(root["incremental"], "incremental", "the family has no detail pages to skip");
    if (std::none_of(s.lists.begin(), s.lists.end(), [](const ListSpec& l) { return !l.updated.empty(); }))
      r.fail(root["incremental"], "incremental", "skip-unchanged-details needs list.updated (the list's update time)");
  }
  return s;
}

FamilySpec load_family(const std::string& name) {
  auto p = data_dir() / "families" / (name + ".yaml");
  if (!std::filesystem::exists(p))
    throw InputError(p.string(), 0, "family", "no spec for family '" + name + "'");
  return load_family_file(p);
}

std::vector<std::string> family_names() {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(data_dir() / "families", ec))
    if (e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

void apply_overrides(FamilySpec& s, const std::map<std::string, std::string>& o) {
  for (const auto& [k, v] : o) {
    if (k.rfind("label.", 0) == 0) {
      s.labels[k.substr(6)] = v;
      continue;
    }
    if (k.rfind("list.", 0) == 0 && !s.lists.empty()) {
      std::string f = k.substr(5);
      size_t idx = 0;
      if (!f.empty() && std::isdigit(static_cast<unsigned char>(f[0]))) {
        idx = std::stoul(f);
        f = f.substr(f.find('.') == std::string::npos ? f.size() : f.find('.') + 1);
      }
      if (idx >= s.lists.size()) continue;
      ListSpec& l = s.lists[idx];
      if (f == "items")
        l.items = v;
      else if (f == "link")
        l.link = v;
      else if (f == "id")
        l.id = v;
      else if (f == "id_pattern")
        l.id_pattern = v;
      else if (f == "total")
        l.total = v;
      else if (f == "pages")
        l.pages = v;
      else if (f == "formats")
        l.formats = v;
      else if (f == "url")
        l.request.url = v;
      else if (f == "body")
        l.request.body = v;
      else if (f == "size")
        l.size = std::max(1, std::atoi(v.c_str()));
      else if (f == "start")
        l.start = std::atoi(v.c_str());
      else if (f == "format" && (v == "html" || v == "json" || v == "rdf" || v == "turtle" || v == "jsonld"))
        l.format = v;
      else if (f == "max_pages")
        l.max_pages = std::max(1, std::atoi(v.c_str()));
      continue;
    }
    if (k.rfind("detail.", 0) == 0) {
      std::string f = k.substr(7);
      if (f == "title")
        s.detail.title = v;
      else if (f == "url")
        s.detail.request.url = v;
      else if (f == "page_url")
        s.detail.page_url = v;
      else if (f == "formats")
        s.detail.formats = v;
      else if (f == "files")
        s.detail.files = v;
      else if (f == "root")
        s.detail.root = v;
      continue;
    }
    s.defaults[k] = v;
  }
}

}  // namespace odh
