// The spec-driven engine: a family's catalogue walked as its spec says (category pages, paged lists
// in HTML, JSON or DCAT documents, detail pages), every item a record. parsers/family_spider.h.
#include "parsers/family_spider.h"
#include "parsers/pattern.h"

#include <strings.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "parsers/html.h"
#include "parsers/intl_spiders.h"
#include "parsers/json_util.h"
#include "parsers/labels.h"
#include "parsers/normalize.h"
#include "web/html_links.h"

namespace odh {

using detail::json;

namespace {

// The format of a download link whose URL and words name none ("下载" → /catalog/download?id=…): the
// link's table row names it, as an attribute (oportal.md: `tr[fileformat]`) or in a cell of its own.
std::string format_of_row(HtmlNode a) {
  static const std::set<std::string> kFile = {"csv", "tsv", "txt", "xls", "xlsx", "ods", "json", "jsonld",
                                              "geojson", "xml", "rdf", "pdf", "doc", "docx", "ppt", "pptx",
                                              "zip", "rar", "jpg", "png", "gif", "shp", "wms"};
  auto normalize_format = [&](std::string_view raw) {
    std::string f = odh::normalize_format(raw);
    return kFile.count(f) ? f : std::string();
  };
  HtmlNode n = a.parent();
  for (int up = 0; n && up < 4; ++up, n = n.parent()) {
    for (const char* k : {"fileformat", "data-format", "format"})
      if (auto v = normalize_format(n.attr(k)); !v.empty()) return v;
    if (n.tag() == "tr") {
      for (auto& td : n.children())
        if (auto v = normalize_format(td.own_text()); !v.empty()) return v;
      return "";
    }
  }
  return "";
}

std::string percent_encode(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Replaces {name} ({name|url}: percent-encoded) where name is a known variable; other braces (JSON bodies)
// stay as they are.
std::string expand(const std::string& t, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{') {
      size_t e = t.find('}', i);
      if (e != std::string::npos && e - i < 64) {
        std::string name = t.substr(i + 1, e - i - 1);
        bool enc = name.size() > 4 && name.compare(name.size() - 4, 4, "|url") == 0;
        if (enc) name.resize(name.size() - 4);
        auto it = vars.find(name);
        if (it != vars.end()) {
          out += enc ? percent_encode(it->second) : it->second;
          i = e;
          continue;
        }
      }
    }
    out += t[i];
  }
  return out;
}

std::string origin_of(const std::string& url) {
  auto s = url.find("://");
  if (s == std::string::npos) return url;
  auto e = url.find('/', s + 3);
  return e == std::string::npos ? url : url.substr(0, e);
}

std::string query_param(const std::string& url, const std::string& name) {
  auto q = url.find('?');
  if (q == std::string::npos) return "";
  std::string qs = url.substr(q + 1);
  size_t i = 0;
  while (i < qs.size()) {
    size_t e = qs.find('&', i);
    if (e == std::string::npos) e = qs.size();
    std::string kv = qs.substr(i, e - i);
    auto eq = kv.find('=');
    if (kv.substr(0, eq) == name) return eq == std::string::npos ? "" : kv.substr(eq + 1);
    i = e + 1;
  }
  return "";
}

// "sel@attr" → (sel, attr).
std::pair<std::string, std::string> sel_attr(const std::string& s) {
  auto at = s.rfind('@');
  if (at == std::string::npos || s.find(']', at) != std::string::npos) return {s, ""};
  return {s.substr(0, at), s.substr(at + 1)};
}

std::vector<std::string> html_values(const HtmlNode& scope, const std::string& spec) {
  std::vector<std::string> out;
  if (spec.empty()) return out;
  auto [sel, attr] = sel_attr(spec);
  // "@attr" alone: the scope element's own attribute (an item that is itself the link).
  std::vector<HtmlNode> nodes = sel.empty() ? std::vector<HtmlNode>{scope} : scope.select(sel);
  for (auto& n : nodes) {
    if (attr == "class") {  // icon classes: every class token is a candidate
      std::string c = n.attr("class");
      for (auto& tok : split_tags(c)) out.push_back(tok);
    } else {
      out.push_back(attr.empty() ? n.text() : n.attr(attr));
    }
  }
  return out;
}

std::optional<std::int64_t> json_count(const json& root, const std::string& spec) {
  if (spec.empty()) return std::nullopt;
  std::int64_t sum = 0;
  bool any = false;
  size_t i = 0;
  while (i <= spec.size()) {
    size_t e = spec.find('+', i);
    if (e == std::string::npos) e = spec.size();
    std::string path = trim(spec.substr(i, e - i));
    if (const json* v = detail::jpath(root, path))
      if (auto n = parse_count(detail::scalar_text(*v))) sum += *n, any = true;
    i = e + 1;
  }
  return any ? std::optional<std::int64_t>(sum) : std::nullopt;
}

std::optional<std::int64_t> pages_from(const std::string& text, const Pattern& re) {
  std::vector<std::string> m;
  if (!re.search(std::string_view(text).substr(0, 65536), &m) || m.size() < 2) return std::nullopt;
  return parse_count(m[1]);
}

bool known_label(std::string_view s) {
  return s.size() <= 40 && !LabelDictionary::shipped().canonical(s).empty();
}

}  // namespace

namespace {

class FamilySpider : public Spider {
 public:
  FamilySpider(const Site& site, FamilySpec spec, ParseSink& sink)
      : site_(site), spec_(std::move(spec)), sink_(sink), dict_(LabelDictionary::shipped()) {
    vars_ = spec_.defaults;
    for (auto& [k, v] : site_.overrides)
      if (k.find('.') == std::string::npos) vars_[k] = v;
    if (!vars_.count("base")) vars_["base"] = site_.urls.empty() ? "" : origin_of(site_.urls[0]);
    vars_["url"] = site_.urls.empty() ? "" : site_.urls[0];
    if (!vars_.count("dir")) {  // the entry URL up to its last '/' (JSP apps live beside it)
      std::string u = vars_["url"].substr(0, vars_["url"].find_first_of("?#"));
      auto sl = u.rfind('/');
      vars_["dir"] = sl != std::string::npos && sl > u.find("://") + 2 ? u.substr(0, sl + 1) : u + "/";
    }
    for (auto& l : spec_.lists) {
      if (!l.pages_pattern.empty())
        pages_re_.emplace_back(l.pages_pattern);
      else
        pages_re_.emplace_back();
      if (!l.id_pattern.empty())
        id_re_.emplace_back(l.id_pattern);
      else
        id_re_.emplace_back();
    }
  }

  std::vector<FetchRequest> start_requests() override {
    std::vector<FetchRequest> out;
    for (size_t i = 0; i < spec_.lists.size(); ++i) {
      const CategoryStage& c = spec_.lists[i].categories;
      if (c.request.url.empty()) {
        out.push_back(list_request(i, spec_.lists[i].start));
        continue;
      }
      FetchRequest q = make_request(c.request, vars_);
      q.kind = "category";
      q.meta = json{{"list", i}}.dump();
      q.depth = 1;
      q.priority = 10;
      out.push_back(std::move(q));
    }
    return out;
  }

  SpiderOutput on_result(const FetchResult& r) override {
    SpiderOutput out;
    links_ = &out.links;
    try {
      if (r.status < 200 || r.status >= 300 || !r.error_class.empty()) {
        std::string why = r.error_class.empty() ? "status " + std::to_string(r.status) : r.error_class;
        if (r.request.kind != "list" || !on_list_gap(r, why, out.requests))
          sink_.issue(site_.id, r.request.url, "http-error", why);
        return out;
      }
      json meta = json::parse(r.request.meta.empty() ? "{}" : r.request.meta, nullptr, false);
      if (!meta.is_object()) meta = json::object();
      if (r.request.kind == "list")
        on_list(r, meta, out.requests);
      else if (r.request.kind == "category")
        on_categories(r, meta, out.requests);
      else if (r.request.kind == "detail")
        on_detail(r, meta);
    } catch (const std::exception& e) {  // defensive: content must never abort a crawl
      sink_.issue(site_.id, r.request.url, "parser-error", e.what());
    }
    links_ = nullptr;
    return out;
  }

 private:
  FetchRequest make_request(const RequestTemplate& t, const std::map<std::string, std::string>& vars) const {
    FetchRequest q;
    q.site_id = site_.id;
    q.method = t.method;
    q.url = expand(t.url, vars);
    q.body = expand(t.body, vars);
    for (auto& [k, v] : t.headers) q.headers.emplace_back(k, expand(v, vars));
    return q;
  }

  // `cat`: the category's variables (object of strings) when the list has a category stage; its
  // pages are one level deeper than the category page.
  // known_pages / known_total: the list's size as the pages before said it, carried in the request so a
  // spider started anew (a resumed crawl) can still walk past a failed page (on_list_gap).
  FetchRequest list_request(size_t li, int page, const json& cat = json(),
                            std::optional<std::int64_t> known_pages = std::nullopt,
                            std::optional<std::int64_t> known_total = std::nullopt) const {
    const ListSpec& l = spec_.lists[li];
    auto vars = vars_;
    vars["page"] = std::to_string(page);
    vars["size"] = std::to_string(l.size);
    vars["offset"] = std::to_string(static_cast<long long>(page - l.start) * l.size);
    json m = {{"list", li}, {"page", page}};
    if (known_pages) m["known_pages"] = *known_pages;
    if (known_total) m["known_total"] = *known_total;
    if (cat.is_object()) {
      for (auto it = cat.begin(); it != cat.end(); ++it)
        if (it.value().is_string()) vars["cat." + it.key()] = it.value().get<std::string>();
      m["cat"] = cat;
    }
    FetchRequest q = make_request(l.request, vars);
    q.kind = "list";
    q.meta = m.dump();
    q.depth = page - l.start + 1 + (cat.is_object() ? 1 : 0);
    q.priority = 10;  // lists before details keeps the frontier small
    return q;
  }

  // A category page: one first list page per distinct category found.
  void on_categories(const FetchResult& r, const json& meta, std::vector<FetchRequest>& out) {
    size_t li = meta.value("list", 0);
    if (li >= spec_.lists.size()) return;
    const CategoryStage& c = spec_.lists[li].categories;
    const std::string& body = r.text.empty() ? r.body : r.text;
    HtmlDoc html(body);
    auto root = html.root();
    report_links(root, r);
    Pattern re(c.pattern);
    std::set<std::string> seen;
    std::vector<std::string> m;
    for (auto& n : root.select(c.items)) {
      std::string v = c.attr.empty() ? n.text() : n.attr(c.attr);
      if (v.size() > 4096) v.resize(4096);
      if (!re.search(v, &m)) continue;
      json cat = json::object();
      for (size_t i = 0; i < c.vars.size() && i + 1 < m.size(); ++i) cat[c.vars[i]] = m[i + 1];
      if (!seen.insert(cat.dump()).second) continue;
      out.push_back(list_request(li, spec_.lists[li].start, cat));
      if (seen.size() >= 10000) break;  // bounded
    }
    if (seen.empty())
      sink_.issue(site_.id, r.request.url, "no-items", "no category matches '" + c.items + "'");
  }

  // Items of a list page, uniformly: each has an id, a link, raw formats and (json) the item itself.
  struct Item {
    std::string id, link;
    std::string stamp;                             // list.updated (incremental harvest)
    std::optional<std::int64_t> views, downloads;  // list.views / list.downloads
    std::vector<std::string> formats;
    std::map<std::string, std::string> vars;  // item.<key> for detail templates
    const json* obj = nullptr;
  };

  // The page's out-links, from the tree just parsed (the harvest records them; no second parse).
  void report_links(const HtmlNode& root, const FetchResult& r) {
    if (!links_) return;
    links_->emplace();
    collect_links(root.raw(), r.final_url.empty() ? r.request.url : r.final_url, r.charset, &**links_);
  }

  // What one list page holds, whatever its format.
  struct ListPage {
    std::vector<Item> items;
    std::optional<std::int64_t> total, pages;
    json doc;                       // json lists: the document the items point into
    std::unique_ptr<HtmlDoc> html;  // html lists (and json envelopes holding HTML)
  };

  // A list page: its items become records or detail requests, then the next page is asked for.
  // Steps: (document catalogues apart) read the page → items → records or detail requests → next page.
  void on_list(const FetchResult& r, const json& meta, std::vector<FetchRequest>& out) {
    size_t li = meta.value("list", 0);
    int page = meta.value("page", 1);
    if (li >= spec_.lists.size()) return;
    const ListSpec& l = spec_.lists[li];
    if (l.format == "rdf" || l.format == "turtle" || l.format == "jsonld") {
      on_document_list(r, li, page, out);
      return;
    }
    ListPage lp;
    if (!read_list_page(r, l, lp)) return;
    if (lp.html)
      html_items(r, li, lp);
    else
      json_items(r, l, lp);
    items_to_requests(r, li, lp.items, out);
    next_list_page(r.request.url, meta, li, page, lp, out);
  }

  // A DCAT catalogue page: every record at once; hydra:nextPage is followed on the same origin, each
  // page once, within max_pages (ckanext-dcat, DCAT-AP aggregators).
  void on_document_list(const FetchResult& r, size_t li, int page, std::vector<FetchRequest>& out) {
    const ListSpec& l = spec_.lists[li];
    const std::string& base_url = r.final_url.empty() ? r.request.url : r.final_url;
    const std::string& body = r.text.empty() ? r.body : r.text;
    std::string err;
    auto recs = records_from_document("dcat-" + l.format, body, &err, r.request.url);
    if (!err.empty()) sink_.issue(site_.id, r.request.url, "bad-document", err);
    for (auto& rec : recs) emit(rec, r, l, r.request.depth);
    std::string next = resolve_url(base_url, hydra_next_page(l.format, body));
    if (!next.empty() && origin_of(next) == origin_of(base_url) && page - l.start + 1 < l.max_pages &&
        seen_pages_.insert(next).second) {
      seen_pages_.insert(r.request.url);
      FetchRequest q = list_request(li, page + 1);
      q.url = next;
      out.push_back(std::move(q));
    }
  }

  // Parses the page as its list format says: JSON (possibly JSON inside a string, or HTML inside
  // JSON) or HTML. False (with a parse issue) when the page is not what the spec expects.
  bool read_list_page(const FetchResult& r, const ListSpec& l, ListPage& lp) {
    const std::string& body = r.text.empty() ? r.body : r.text;
    if (l.format != "json") {
      lp.html = std::make_unique<HtmlDoc>(body);
      report_links(lp.html->root(), r);
      return true;
    }
    std::string err;
    if (!detail::parse_json(body, lp.doc, &err)) {
      sink_.issue(site_.id, r.request.url, "bad-json", err);
      return false;
    }
    if (!l.json_string.empty()) {  // a member holding JSON text (gd-opendata dataList, jincheng jsonStr)
      const json* s = detail::jpath(lp.doc, l.json_string);
      json inner;
      if (!s || !s->is_string() || !detail::parse_json(s->get<std::string>(), inner, &err)) {
        sink_.issue(site_.id, r.request.url, "bad-json", "json_string " + l.json_string + " is not JSON text");
        return false;
      }
      lp.doc = std::move(inner);
    }
    if (!l.html.empty()) {  // an envelope holding HTML (jdop)
      const json* h = detail::jpath(lp.doc, l.html);
      lp.html = std::make_unique<HtmlDoc>(h && h->is_string() ? h->get<std::string>() : std::string());
    }
    return true;
  }

  // Items, total and page count of an HTML list (selectors of the spec).
  void html_items(const FetchResult& r, size_t li, ListPage& lp) {
    const ListSpec& l = spec_.lists[li];
    const std::string& base_url = r.final_url.empty() ? r.request.url : r.final_url;
    auto root = lp.html->root();
    if (!l.total.empty()) lp.total = parse_count(root.select_one(l.total).text());
    if (!l.pages.empty()) {
      auto [sel, attr] = sel_attr(l.pages);
      auto nodes = root.select(sel);
      if (!nodes.empty()) {
        std::string t = attr.empty() ? nodes.back().text() : nodes.back().attr(attr);
        lp.pages = pages_re_[li] ? pages_from(t, *pages_re_[li]) : parse_count(t);
      }
    } else if (pages_re_[li]) {
      lp.pages = pages_from(root.select_one("html").text(), *pages_re_[li]);  // the document node has no text
    }
    for (auto& n : root.select(l.items)) {
      Item it;
      auto [lsel, lattr] = sel_attr(l.link.empty() ? "a" : l.link);
      HtmlNode a = n.tag() == "a" && l.link.empty() ? n : n.select_one(lsel);
      if (a) it.link = resolve_url(base_url, a.attr(lattr.empty() ? "href" : lattr));
      if (l.id.rfind("param:", 0) == 0) {
        it.id = query_param(it.link, l.id.substr(6));
      } else if (!l.id.empty()) {
        auto v = html_values(n, l.id);
        if (!v.empty()) it.id = v.front();
      }
      if (id_re_[li] && !it.id.empty()) {  // the id inside an onclick / javascript: value
        std::vector<std::string> m;
        it.id = id_re_[li]->search(std::string_view(it.id).substr(0, 4096), &m) && m.size() > 1 ? m[1] : "";
      }
      if (it.id.empty() && !it.link.empty()) {  // last path segment of the link
        std::string p = it.link.substr(0, it.link.find_first_of("?#"));
        it.id = p.substr(p.rfind('/') + 1);
      }
      it.formats = html_values(n, l.formats);
      if (!l.updated.empty())
        if (auto v = html_values(n, l.updated); !v.empty()) it.stamp = trim(v.back());
      if (!l.views.empty())
        if (auto v = html_values(n, l.views); !v.empty()) it.views = parse_count(v.back());
      if (!l.downloads.empty())
        if (auto v = html_values(n, l.downloads); !v.empty()) it.downloads = parse_count(v.back());
      it.vars["item.title"] = a ? a.text() : "";
      if (!it.link.empty() || !it.id.empty()) lp.items.push_back(std::move(it));
    }
  }

  // Items, total and page count of a JSON list (paths of the spec).
  void json_items(const FetchResult& r, const ListSpec& l, ListPage& lp) {
    const std::string& base_url = r.final_url.empty() ? r.request.url : r.final_url;
    lp.total = json_count(lp.doc, l.total);
    lp.pages = json_count(lp.doc, l.pages);
    const json* arr = detail::jpath(lp.doc, l.items);
    if (!arr || !arr->is_array()) {
      if (!arr) sink_.issue(site_.id, r.request.url, "no-items", "path '" + l.items + "' not found");
      return;
    }
    for (const auto& x : *arr) {
      Item it;
      it.obj = &x;
      if (!l.id.empty())
        if (const json* v = detail::jpath(x, l.id)) it.id = detail::scalar_text(*v);
      if (!l.link.empty())
        if (const json* v = detail::jpath(x, l.link)) it.link = resolve_url(base_url, detail::scalar_text(*v));
      if (!l.formats.empty())
        for (const json* v : detail::jpath_all(x, l.formats)) it.formats.push_back(detail::scalar_text(*v));
      if (!l.updated.empty())
        if (const json* v = detail::jpath(x, l.updated); v && !v->is_null()) it.stamp = detail::scalar_text(*v);
      if (!l.views.empty())
        if (const json* v = detail::jpath(x, l.views)) it.views = parse_count(detail::scalar_text(*v));
      if (!l.downloads.empty())
        if (const json* v = detail::jpath(x, l.downloads)) it.downloads = parse_count(detail::scalar_text(*v));
      if (x.is_object())
        for (auto jt = x.begin(); jt != x.end(); ++jt)
          if (jt.value().is_primitive() && !jt.value().is_null())
            it.vars["item." + jt.key()] = detail::scalar_text(jt.value());
      lp.items.push_back(std::move(it));
    }
  }

  // Each item is a record of its own (no detail stage, or a converter) or a detail request.
  void items_to_requests(const FetchResult& r, size_t li, const std::vector<Item>& items,
                         std::vector<FetchRequest>& out) {
    const ListSpec& l = spec_.lists[li];
    const std::string& base_url = r.final_url.empty() ? r.request.url : r.final_url;
    const bool direct = spec_.detail.request.url.empty() || !l.convert.empty();
    auto item_vars = [&](const Item& it) {
      auto vars = vars_;
      vars["id"] = it.id;
      vars["link"] = it.link;
      for (auto& [k, v] : it.vars) vars[k] = v;
      return vars;
    };
    for (auto& it : items) {
      if (direct) {
        RawRecord rec;
        rec.source_id = it.id;
        rec.url = it.link;
        if (it.obj) detail::convert_item(l.convert.empty() ? "fields" : l.convert, *it.obj, rec);
        if (rec.source_id.empty()) rec.source_id = it.id;
        for (auto& f : it.formats) rec.formats.push_back(f);
        if (!spec_.detail.page_url.empty()) rec.url = expand(spec_.detail.page_url, item_vars(it));
        if (rec.url.empty()) rec.url = it.link;
        emit(rec, r, l, r.request.depth);
        continue;
      }
      RequestTemplate t = spec_.detail.request;
      if (!l.detail_url.empty()) t.url = l.detail_url;
      const auto vars = item_vars(it);
      FetchRequest q = make_request(t, vars);
      if (q.url.empty()) continue;
      // The same record listed twice (several categories, shifting pages) is fetched once.
      if (!seen_details_.insert(q.method + " " + q.url + "\n" + q.body).second) continue;
      q.kind = "detail";
      q.depth = r.request.depth + 1;
      // Incremental harvest: an entry the list shows unchanged is carried forward, not fetched.
      if (!it.stamp.empty() && !it.id.empty() && l.record == "dataset" &&
          spec_.incremental == "skip-unchanged-details" &&
          sink_.carry_forward({site_.id, it.id, it.stamp, r.fetch_id, q.depth, it.views, it.downloads}))
        continue;
      json m = {{"list", li}, {"id", it.id}, {"formats", it.formats}};
      if (!it.stamp.empty()) m["stamp"] = it.stamp;
      if (!spec_.detail.page_url.empty()) m["page_url"] = expand(spec_.detail.page_url, vars);
      q.meta = m.dump();
      // The list page as Referer, unless the spec names the one the portal expects (shanghai.md).
      if (std::none_of(q.headers.begin(), q.headers.end(), [](const auto& h) { return strcasecmp(h.first.c_str(), "Referer") == 0; }))
        q.headers.emplace_back("Referer", base_url);
      out.push_back(std::move(q));
    }
  }

  // The list's key: its index and, under a category stage, the category.
  static std::string list_key(size_t li, const json& cat) {
    return std::to_string(li) + (cat.is_object() ? cat.dump() : "");
  }

  // More pages after 1-based page `index`, as far as the list's page count or total says.
  bool more_after(const ListSpec& l, int index, const std::optional<std::int64_t>& pages,
                  const std::optional<std::int64_t>& total) const {
    if (pages) return index < *pages;
    if (total) return static_cast<std::int64_t>(index) * l.size < *total;
    return true;
  }

  // The next page of the list, unless this page was the last (page count, total, an empty page, or a
  // portal answering every page number with the same last page). A list that stops while its total
  // or page count says more is reported incomplete.
  void next_list_page(const std::string& url, const json& meta, size_t li, int page, const ListPage& lp,
                      std::vector<FetchRequest>& out) {
    const ListSpec& l = spec_.lists[li];
    const json cat = meta.contains("cat") ? meta["cat"] : json();
    std::string key = list_key(li, cat);
    Known& k = known_[key];  // this page's count, else what the pages before it said
    if (lp.pages) k.pages = lp.pages;
    if (lp.total) k.total = lp.total;
    fill_from_request(k, meta);
    if (l.paging == "none") return;
    int index = page - l.start + 1;  // 1-based page index
    bool sized = k.pages || k.total;
    if (!more_after(l, index, k.pages, k.total)) return;
    if (lp.items.empty()) {
      if (sized)
        sink_.issue(site_.id, url, "list-incomplete",
                    "list page " + std::to_string(index) + " is empty but the catalogue says " +
                        (k.pages ? std::to_string(*k.pages) + " pages" : std::to_string(*k.total) + " items"));
      return;
    }
    if (index >= l.max_pages) {
      if (sized)
        sink_.issue(site_.id, url, "list-incomplete",
                    "stopped at max_pages " + std::to_string(l.max_pages) + " of a longer list");
      return;
    }
    // Guard against portals that answer every page number with the same last page.
    std::string sig = lp.items.front().id + "|" + lp.items.front().link;
    if (last_sig_.count(key) && last_sig_[key] == sig) return;
    last_sig_[key] = sig;
    out.push_back(list_request(li, page + 1, cat, k.pages, k.total));
  }

  // A list page that failed after the crawler's retries (not the first: that is the catalogue's
  // entry) is a gap: recorded with its page number, and the walk goes on with the next page when the
  // list's page count or total (from the pages read before) says there is one. Without either the
  // walk cannot know and stops: the catalogue is reported incomplete. False for a first page.
  bool on_list_gap(const FetchResult& r, const std::string& why, std::vector<FetchRequest>& out) {
    json meta = json::parse(r.request.meta.empty() ? "{}" : r.request.meta, nullptr, false);
    if (!meta.is_object()) return false;
    size_t li = meta.value("list", 0);
    if (li >= spec_.lists.size()) return false;
    const ListSpec& l = spec_.lists[li];
    int page = meta.value("page", l.start);
    int index = page - l.start + 1;
    if (index <= 1 || l.format == "rdf" || l.format == "turtle" || l.format == "jsonld") return false;
    const json cat = meta.contains("cat") ? meta["cat"] : json();
    sink_.issue(site_.id, r.request.url, "list-gap", "list page " + std::to_string(index) + " failed (" + why + ")");
    Known& k = known_[list_key(li, cat)];  // what this spider read, else what the request carries
    fill_from_request(k, meta);
    if (!k.pages && !k.total) {
      sink_.issue(site_.id, r.request.url, "list-incomplete",
                  "the list's size is unknown: pages after " + std::to_string(index) + " not requested");
      return true;
    }
    if (more_after(l, index, k.pages, k.total) && index < l.max_pages)
      out.push_back(list_request(li, page + 1, cat, k.pages, k.total));
    return true;
  }

  void on_detail(const FetchResult& r, const json& meta) {
    size_t li = meta.value("list", 0);
    const ListSpec& l = spec_.lists[std::min(li, spec_.lists.size() - 1)];
    const DetailSpec& d = spec_.detail;
    const std::string& body = r.text.empty() ? r.body : r.text;
    RawRecord rec;
    rec.source_id = meta.value("id", "");
    rec.url = meta.value("page_url", "");
    if (rec.url.empty())
      rec.url =
          r.request.method == "GET" ? (r.final_url.empty() ? r.request.url : r.final_url) : r.request.url;
    if (auto f = meta.find("formats"); f != meta.end() && f->is_array())
      for (auto& x : *f)
        if (x.is_string()) rec.formats.push_back(x.get<std::string>());
    if (d.format == "json") {
      json doc;
      std::string err;
      if (!detail::parse_json(body, doc, &err)) {
        sink_.issue(site_.id, r.request.url, "bad-json", err);
        return;
      }
      const json* root = detail::jpath(doc, d.root);
      if (!root || !root->is_object()) {
        sink_.issue(site_.id, r.request.url, "no-record", "path '" + d.root + "' is not an object");
        return;
      }
      if (!d.title.empty())
        if (const json* t = detail::jpath(*root, d.title)) rec.title = detail::scalar_text(*t);
      detail::flatten_pairs(*root, rec.pairs);
      if (!d.formats.empty())
        for (const json* v : detail::jpath_all(*root, d.formats))
          rec.formats.push_back(detail::scalar_text(*v));
    } else {
      HtmlDoc html(body);
      auto root = html.root();
      report_links(root, r);
      if (!d.title.empty()) rec.title = root.select_one(d.title).text();
      if (rec.title.empty() && !d.title_own_text.empty())
        rec.title = root.select_one(d.title_own_text).own_text();
      for (const auto& p : d.pairs) {
        std::vector<HtmlNode> scopes = p.scope.empty() ? std::vector<HtmlNode>{root} : root.select(p.scope);
        for (auto& sc : scopes) {
          LabelValues got;
          if (p.kind == "table") {
            got = table_pairs(sc, known_label);
          } else if (p.kind == "lines") {
            got = line_pairs(sc.text(true), p.space_sep);
          } else {
            got = item_pairs(sc, p.item, p.label, p.value, p.value_attr);
          }
          for (auto& kv : got) rec.pairs.push_back(std::move(kv));
        }
      }
      for (auto& f : html_values(root, d.formats)) rec.formats.push_back(f);
      if (!d.files.empty())
        for (auto& a : root.select(d.files)) {
          std::string href = resolve_url(r.final_url.empty() ? r.request.url : r.final_url, a.attr("href"));
          std::string f = format_from_name(href);
          if (f.empty()) f = format_from_name(a.text());
          if (f.empty()) f = format_of_row(a);  // "<a>下载</a>" to a download servlet: the row says
          if (f.empty()) continue;
          rec.files.push_back({f, f, href, {}});
        }
    }
    if (rec.title.empty() && rec.pairs.empty()) {
      sink_.issue(site_.id, r.request.url, "no-record", "detail page has no title and no fields");
      return;
    }
    emit(rec, r, l, r.request.depth, meta.value("stamp", ""));
  }

  // `stamp`: the list's update time of the entry (list.updated), kept as the row's list_stamp.
  void emit(const RawRecord& rec, const FetchResult& r, const ListSpec& l, int depth,
            const std::string& stamp = "") {
    DatasetRow row = build_dataset(rec, site_.id, spec_, dict_);
    row.list_stamp = stamp;
    if (r.fetch_id >= 0) row.fetch_id = r.fetch_id;
    row.depth = depth;
    if (l.record == "api") {
      sink_.api({site_.id, row.source_id, row.title, row.publisher, row.url, std::nullopt, row.fetch_id});
      return;
    }
    if (row.title.empty()) sink_.issue(site_.id, r.request.url, "no-title", "dataset without a title");
    sink_.dataset(std::move(row));
  }

  Site site_;
  FamilySpec spec_;
  ParseSink& sink_;
  const LabelDictionary& dict_;
  std::map<std::string, std::string> vars_;
  std::map<std::string, std::string> last_sig_;  // list (+ category) → first item of the last page
  struct Known {
    std::optional<std::int64_t> total, pages;
  };
  // What the request carries (list_request's known_pages / known_total) fills what this spider lacks.
  static void fill_from_request(Known& k, const json& meta) {
    if (!k.pages && meta.contains("known_pages") && meta["known_pages"].is_number_integer())
      k.pages = meta["known_pages"].get<std::int64_t>();
    if (!k.total && meta.contains("known_total") && meta["known_total"].is_number_integer())
      k.total = meta["known_total"].get<std::int64_t>();
  }
  std::map<std::string, Known> known_;  // list (+ category) → its size, from the last page that said it
  std::set<std::string> seen_details_;
  std::vector<std::optional<Pattern>> pages_re_;  // per list
  std::vector<std::optional<Pattern>> id_re_;     // per list
  // The links of the page in on_result, when it is parsed as HTML (set by report_links).
  std::optional<std::vector<PageLink>>* links_ = nullptr;
  std::set<std::string> seen_pages_;  // hydra pages already requested
};

}  // namespace

std::unique_ptr<Spider> make_family_spider(const Site& site, FamilySpec spec, ParseSink& sink) {
  return std::make_unique<FamilySpider>(site, std::move(spec), sink);
}

}  // namespace odh
