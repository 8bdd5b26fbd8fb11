// Family `longtail`: the one-off portals of the long-tail table (../shared/platforms/README.md), each
// served by the protocol the twin describes for it (data/sim/twin.yaml `longtail:`, written from that
// table and the request specs it cites): list path and method, where the page and size parameters go
// (query, form, JSON body, a form field holding JSON text, a percent-encoded JSON body, the path), the
// answer's item array, id key, total or page count, wrappers (a JSON string inside the answer, an
// answer that is a quoted JSON string), and the detail request. Read: paths, methods, parameter names,
// list keys. Inferred (marked in twin.yaml): detail keys the table does not give, record key names
// (`keys`), ids, HTML markup around the selectors the table names.
#include <regex>

#include "sim/family.h"
#include "sim/twin.h"

namespace odh::sim {
namespace {

using nlohmann::json;

const json* jget(const json& j, const std::string& path) {
  if (path.empty() || path == ".") return &j;
  const json* cur = &j;
  size_t i = 0;
  while (i <= path.size()) {
    size_t e = path.find('.', i);
    if (e == std::string::npos) e = path.size();
    std::string k = path.substr(i, e - i);
    if (!k.empty() && k.front() == '[' && k.back() == ']') {
      size_t n = static_cast<size_t>(to_int(k.substr(1, k.size() - 2), 0));
      if (!cur->is_array() || n >= cur->size()) return nullptr;
      cur = &(*cur)[n];
    } else {
      if (!cur->is_object() || !cur->contains(k)) return nullptr;
      cur = &(*cur)[k];
    }
    i = e + 1;
  }
  return cur;
}

void jset(json& j, const std::string& path, json v) {
  if (path.empty() || path == ".") {
    j = std::move(v);
    return;
  }
  json* cur = &j;
  size_t i = 0;
  while (true) {
    size_t e = path.find('.', i);
    std::string k = path.substr(i, e == std::string::npos ? std::string::npos : e - i);
    if (k.size() > 2 && k.front() == '[' && k.back() == ']') {  // "[0]": the first element of an array
      if (!cur->is_array()) *cur = json::array();
      size_t n = static_cast<size_t>(to_int(k.substr(1, k.size() - 2), 0));
      while (cur->size() <= n) cur->push_back(json::object());
      cur = &(*cur)[n];
    } else {
      if (!cur->is_object()) *cur = json::object();
      cur = &(*cur)[k];
    }
    if (e == std::string::npos) break;
    i = e + 1;
  }
  *cur = std::move(v);
}

std::string s_of(const json& spec, const char* key, const std::string& def = "") {
  if (!spec.is_object() || !spec.contains(key) || !spec[key].is_string()) return def;
  return spec[key].get<std::string>();
}

// Where a request carries its parameters.
struct Params {
  const Req& req;
  std::string in;  // query | form | json | postData | encoded | path
  json body;
  Params(const Req& r, const std::string& where) : req(r), in(where) {
    if (in == "json") body = req.json();
    else if (in == "postData") body = json::parse(req.param("postData"), nullptr, false);
    else if (in == "encoded") body = json::parse(url_decode(req.body), nullptr, false);
    if (body.is_discarded()) body = json();
  }
  std::string get(const std::string& name) const {
    if (name.empty()) return "";
    if (body.is_object() || body.is_array()) {
      if (const json* v = jget(body, name)) return v->is_string() ? v->get<std::string>() : v->is_null() ? "" : v->dump();
      return "";
    }
    return req.param(name);
  }
};

// Record keys (twin.yaml `keys`, over `defaults.keys`): which member holds which field.
std::string key(const json& proto, const json& defaults, const char* field) {
  std::string k = s_of(proto.value("keys", json::object()), field);
  return k.empty() ? s_of(defaults.value("keys", json::object()), field) : k;
}

std::string date_style(const std::string& dt, const std::string& style) {
  if (style == "cn") {  // YYYY年MM月DD日
    return dt.substr(0, 4) + "年" + dt.substr(5, 2) + "月" + dt.substr(8, 2) + "日";
  }
  if (style == "date") return date_part(dt);
  if (style == "ms") return std::to_string(epoch_ms(dt));
  return dt;
}

class LongTail : public Family {
 public:
  std::string name() const override { return "longtail"; }

  std::string dataset_id(const Portal& p, std::int64_t i) const override {
    if (style(p) == "int") return std::to_string(base(p) + i);
    return hex32(p.key, i);
  }
  std::optional<std::int64_t> dataset_index(const Portal& p, const std::string& id) const override {
    if (style(p) == "int") {
      std::int64_t v = to_int(id, -1) - base(p);
      return v < 0 ? std::nullopt : std::optional<std::int64_t>(v);
    }
    return hex32_index(p.key, id);
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    const json* proto = protocol(p);
    if (!proto) return Family::home_links(p);
    std::string path = s_of(proto->value("list", json::object()), "path");
    if (path.find('{') != std::string::npos) path = std::regex_replace(path, std::regex("\\{page\\}"), "1");
    return {{s_of(*proto, "home", path), "数据目录"}};
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    const json* proto = protocol(p);
    if (!proto) return false;
    const json& defaults = *p.world->twin->protocol("defaults");
    const json& list = (*proto)["list"];
    const json detail = proto->value("detail", json::object());
    std::int64_t page = 0;
    if (match(list, req, &page)) return answer_list(p, *proto, defaults, req, page, resp), true;
    if (detail.is_object() && !detail.empty()) {
      std::string id;
      if (match_detail(detail, req, &id)) return answer_detail(p, *proto, defaults, id, resp), true;
    }
    return false;
  }

 private:
  static const json* protocol(const Portal& p) {
    if (!p.world || !p.world->twin) return nullptr;
    return p.world->twin->protocol(p.fact("protocol"));
  }
  static std::string style(const Portal& p) {
    const json* proto = protocol(p);
    return proto ? s_of(*proto, "id_style", "hex32") : "hex32";
  }
  static std::int64_t base(const Portal& p) { return 100000 + static_cast<std::int64_t>(p.key % 90000) * 10; }

  // A path template with {page} or {id}: the regex that matches it and captures that part.
  static bool path_match(const std::string& tmpl, const std::string& path, std::string* captured) {
    auto b = tmpl.find('{');
    if (b == std::string::npos) return tmpl == path;
    auto e = tmpl.find('}', b);
    std::string pre = tmpl.substr(0, b), post = tmpl.substr(e + 1);
    if (path.size() < pre.size() + post.size() || path.compare(0, pre.size(), pre) != 0 ||
        path.compare(path.size() - post.size(), post.size(), post) != 0)
      return false;
    std::string mid = path.substr(pre.size(), path.size() - pre.size() - post.size());
    if (mid.empty() || mid.find('/') != std::string::npos) return false;
    if (captured) *captured = mid;
    return true;
  }

  bool match(const json& list, const Req& req, std::int64_t* page) const {
    std::string method = s_of(list, "method", "GET");
    if (req.method != method && !(method == "GET" && req.method == "HEAD")) return false;
    std::string tmpl = s_of(list, "path"), in = s_of(list, "in", method == "GET" ? "query" : "form");
    std::string cap;
    if (!path_match(tmpl, req.path, &cap)) return false;
    std::int64_t start = to_int(s_of(list, "start", "1"), 1);
    Params ps(req, in);
    std::string v = in == "path" ? cap : ps.get(s_of(list, "page"));
    *page = v.empty() ? start : to_int(v, start);
    return true;
  }

  bool match_detail(const json& d, const Req& req, std::string* id) const {
    std::string method = s_of(d, "method", "GET");
    if (req.method != method && !(method == "GET" && req.method == "HEAD")) return false;
    std::string cap, in = s_of(d, "in", method == "GET" ? "query" : "form");
    if (!path_match(s_of(d, "path"), req.path, &cap)) return false;
    *id = in == "path" ? cap : Params(req, in).get(s_of(d, "id"));
    return true;
  }

  json record(const Portal& p, const json& proto, const json& defaults, std::int64_t i) const {
    Dataset d = p.dataset(i);
    json r = json::object();
    auto put = [&](const char* field, json v) {
      std::string k = key(proto, defaults, field);
      if (!k.empty() && k != "-") jset(r, k, std::move(v));
    };
    std::string dates = s_of(proto, "dates", "datetime");
    put("id", d.id);
    put("title", d.title);
    put("desc", d.desc);
    put("dept", d.dept);
    put("topic", d.topic);
    put("published", date_style(d.published, dates));
    put("updated", date_style(d.updated, dates));
    put("freq", d.freq);
    std::string open = s_of(proto, "open_codes") == "1/2" ? (d.open == "无条件开放" ? "2" : "1") : d.open;
    put("open", open);
    put("tags", join(d.tags, ","));
    std::string fjoin = s_of(proto, "formats_as", "string");
    if (fjoin == "array") put("formats", d.formats);
    else if (fjoin == "names") {
      json a = json::array();
      for (auto& f : d.formats) a.push_back({{"name", f}});
      put("formats", a);
    } else {
      put("formats", join(d.formats, ","));
    }
    put("volume", d.volume);
    put("views", d.views);
    put("downloads", d.downloads);
    const json constants = proto.value("constants", json::object());  // (a temporary's items() would dangle)
    for (auto& [k, v] : constants.items()) jset(r, k, v);
    return r;
  }

  void answer_list(const Portal& p, const json& proto, const json& defaults, const Req& req, std::int64_t page,
                   Resp& resp) const {
    const json& list = proto["list"];
    std::int64_t start = to_int(s_of(list, "start", "1"), 1);
    std::int64_t per = to_int(s_of(list, "per_page", "10"), 10);
    Params ps(req, s_of(list, "in", s_of(list, "method", "GET") == "GET" ? "query" : "form"));
    std::string sz = ps.get(s_of(list, "size"));
    std::int64_t size = std::clamp<std::int64_t>(sz.empty() ? per : to_int(sz, per), 1, 10000);
    std::int64_t total = p.n_datasets, first;
    if (s_of(list, "offset") == "true") first = std::max<std::int64_t>(0, page);
    else first = (std::max(page, start) - start) * size;
    std::int64_t last = std::min(total, first + size);
    if (s_of(proto, "html") == "true") return answer_html_list(p, proto, page, first, last, size, resp);
    bool full = s_of(list, "full") == "true";
    json items = json::array();
    for (std::int64_t i = first; i < last; ++i) {
      json r = full ? record(p, proto, defaults, i) : json::object();
      std::string idk = s_of(list, "id", key(proto, defaults, "id"));
      Dataset d = p.dataset(i);
      jset(r, idk, d.id);
      if (!full) {
        jset(r, key(proto, defaults, "title"), d.title);
        if (!s_of(list, "formats").empty()) {
          json f = json::array();
          for (auto& x : d.formats) f.push_back(x);
          jset(r, s_of(list, "formats"), f);
        }
        const json constants = list.value("item_constants", json::object());
        for (auto& [k, v] : constants.items()) jset(r, k, v);
      }
      items.push_back(std::move(r));
    }
    json doc = json::object();
    if (s_of(list, "items") == "." || s_of(list, "items").empty()) doc = items;
    else jset(doc, s_of(list, "items"), items);
    if (!s_of(list, "total").empty()) jset(doc, s_of(list, "total"), total);
    if (!s_of(list, "pages").empty()) jset(doc, s_of(list, "pages"), pages(total, size));
    const json answer_constants = list.value("answer_constants", json::object());
    for (auto& [k, v] : answer_constants.items()) jset(doc, k, v);
    std::string wrap = s_of(list, "wrap");
    if (wrap == "quoted") {  // the whole answer is a JSON string holding the JSON (wuhu)
      resp.json(json(doc.dump()));
    } else if (wrap.rfind("string:", 0) == 0) {  // a member holding the JSON as text (jincheng jsonStr)
      json outer = json::object();
      jset(outer, wrap.substr(7), doc.dump());
      resp.json(outer);
    } else {
      resp.json(doc);
    }
  }

  void answer_detail(const Portal& p, const json& proto, const json& defaults, const std::string& id,
                     Resp& resp) const {
    auto i = p.dataset_index(id);
    if (!i) return resp.json({{"code", 404}, {"msg", "资源不存在"}, {"data", nullptr}});
    const json detail = proto.value("detail", json::object());
    if (s_of(proto, "html") == "true") return answer_html_detail(p, *i, resp);
    json doc = json::object();
    jset(doc, s_of(detail, "root", "data"), record(p, proto, defaults, *i));
    const json answer_constants = detail.value("answer_constants", json::object());
    for (auto& [k, v] : answer_constants.items()) jset(doc, k, v);
    resp.json(doc);
  }

  // HTML long-tail lists: templates of twin.yaml (`page` with {items} {pages} {total} {options} {page};
  // `item` with {id} {title} {updated} {dept}).
  void answer_html_list(const Portal& p, const json& proto, std::int64_t page, std::int64_t first, std::int64_t last,
                        std::int64_t size, Resp& resp) const {
    std::string items;
    for (std::int64_t i = first; i < last; ++i) {
      Dataset d = p.dataset(i);
      items += fill(s_of(proto, "item"), {{"id", d.id}, {"title", esc(d.title)}, {"updated", date_part(d.updated)},
                                          {"dept", esc(d.dept)}});
    }
    std::int64_t np = std::max<std::int64_t>(1, pages(p.n_datasets, size));
    std::string options;
    for (std::int64_t k = 1; k <= np; ++k) options += "<option value=\"" + std::to_string(k) + "\">" + std::to_string(k) + "</option>";
    std::string body = fill(s_of(proto, "page"), {{"items", items}, {"pages", std::to_string(np)},
                                                  {"total", std::to_string(p.n_datasets)}, {"options", options},
                                                  {"page", std::to_string(page)}});
    resp.html(html_page(p.site.name, body));
  }

  void answer_html_detail(const Portal& p, std::int64_t i, Resp& resp) const {
    Dataset d = p.dataset(i);
    auto row = [](const std::string& l, const std::string& v) { return "<tr><th>" + l + "</th><td>" + esc(v) + "</td></tr>\n"; };
    std::string files;
    for (const auto& f : d.files) files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
    resp.html(html_page(d.title, "<div class=\"detail\"><h1>" + esc(d.title) + "</h1><table class=\"info\">\n" +
                                     row("提供单位", d.dept) + row("所属主题", d.topic) + row("发布日期", date_part(d.published)) +
                                     row("更新日期", date_part(d.updated)) + row("更新频率", d.freq) + row("开放类型", d.open) +
                                     row("关键字", join(d.tags, ",")) + row("摘要", d.desc) + row("数据格式", join(d.formats, ",")) +
                                     "</table><ul class=\"files\">" + files + "</ul></div>"));
  }

  static std::string fill(std::string t, const std::map<std::string, std::string>& vars) {
    for (auto& [k, v] : vars) {
      std::string key = "{" + k + "}";
      for (auto pos = t.find(key); pos != std::string::npos; pos = t.find(key, pos + v.size())) t.replace(pos, key.size(), v);
    }
    return t;
  }
};

}  // namespace
std::unique_ptr<Family> make_longtail() { return std::make_unique<LongTail>(); }
}  // namespace odh::sim
