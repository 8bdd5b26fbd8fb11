#include "parsers/cms.h"

#include <gumbo.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "parsers/labels.h"
#include "parsers/normalize.h"
#include "parsers/pattern.h"

namespace odh {
namespace {

// First date in free text: 2021-06-07, 2021/6/7, 2021.06.07, 2021年6月7日.
std::string find_date(const std::string& text) {
  static const Pattern re(R"((19|20)\d\d\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:[-/.]|月)\s*\d{1,2})");
  std::vector<std::string> m;
  if (re.search(std::string_view(text).substr(0, 4096), &m)) {
    std::string d = m[0];
    d.erase(std::remove(d.begin(), d.end(), ' '), d.end());
    return normalize_date(d);
  }
  return "";
}

// TRS: createPageHTML(countPage, currentPage, "index", "html") — page 0 is index.html. The first two
// arguments are numbers or, as TRS templates print them, variables set just before
// ("var countPage = 13//共多少页"). m: [1] page count, [2] current page, [3] stem, [4] extension.
bool trs_pager(const std::string& html, std::vector<std::string>* m) {
  static const Pattern call(
      R"(createPageHTML\(\s*['"]?(\w+)['"]?\s*,\s*['"]?(\w+)['"]?\s*,\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"])");
  if (!call.search(html, m)) return false;
  for (int i : {1, 2}) {
    std::string& arg = (*m)[static_cast<std::size_t>(i)];
    if (std::isdigit(static_cast<unsigned char>(arg[0]))) continue;
    // A variable: its numeric assignment (the name is \w+, so it is safe inside a pattern).
    Pattern assign("\\b" + arg + "\\s*=\\s*['\"]?(\\d+)");
    std::vector<std::string> v;
    if (!assign.search(html, &v)) return false;
    arg = v[1];
  }
  return true;
}

std::string host_of(const std::string& url) {
  auto s = url.find("://");
  if (s == std::string::npos) return "";
  auto e = url.find_first_of("/?#", s + 3);
  return url.substr(s + 3, e == std::string::npos ? std::string::npos : e - s - 3);
}

// Registrable-ish domain: last three labels for *.gov.cn / *.com.cn, else last two.
std::string site_domain(const std::string& host) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= host.size()) {
    size_t e = host.find('.', i);
    if (e == std::string::npos) e = host.size();
    parts.push_back(host.substr(i, e - i));
    i = e + 1;
  }
  size_t keep = parts.size() >= 3 && (parts[parts.size() - 2] == "gov" || parts[parts.size() - 2] == "com" ||
                                      parts[parts.size() - 2] == "org")
                    ? 3
                    : 2;
  std::string out;
  for (size_t k = parts.size() > keep ? parts.size() - keep : 0; k < parts.size(); ++k)
    out += (out.empty() ? "" : ".") + parts[k];
  return out;
}

bool same_site(const std::string& a, const std::string& b) {
  return site_domain(host_of(a)) == site_domain(host_of(b));
}

std::string meta(const HtmlNode& root, const char* name) {
  for (auto& m : root.select("meta"))
    if (strcasecmp(m.attr("name").c_str(), name) == 0) return trim(m.attr("content"));
  return "";
}

}  // namespace

std::vector<CmsItem> cms_list_items(const HtmlDoc& doc, const std::string& page_url,
                                    const std::string& items_sel, const std::string& link_sel) {
  std::vector<CmsItem> out;
  auto root = doc.root();
  auto make = [&](const HtmlNode& n) {
    HtmlNode a = link_sel.empty() ? (n.tag() == "a" ? n : n.select_one("a[href]")) : n.select_one(link_sel);
    CmsItem it;
    if (!a) return it;
    it.url = resolve_url(page_url, a.attr("href"));
    it.title = trim(a.attr("title"));
    if (it.title.empty()) it.title = a.text();
    it.date = find_date(n.text());
    return it;
  };
  if (!items_sel.empty()) {
    for (auto& n : root.select(items_sel)) {
      auto it = make(n);
      if (!it.url.empty()) out.push_back(std::move(it));
    }
    return out;
  }
  // Candidates: li/tr/dd/p/div elements holding one link and a date. Group by parent; the largest
  // group (≥ 2) is the list. Navigation menus have links without dates and lose.
  std::map<const void*, std::vector<HtmlNode>> groups;
  std::vector<const void*> order;
  for (auto& n : root.select("li, tr, dd, p, div")) {
    auto links = n.select("a[href]");
    if (links.empty() || links.size() > 3) continue;
    std::string t = n.text();
    if (t.size() > 600 || find_date(t).empty()) continue;
    const void* parent = n.parent().raw();
    if (!groups.count(parent)) order.push_back(parent);
    groups[parent].push_back(n);
  }
  // A column with one item has a group of one: accepted only when it is the only dated group.
  const std::vector<HtmlNode>* best = nullptr;
  for (auto* p : order)
    if (groups[p].size() >= 2 && (!best || groups[p].size() > best->size())) best = &groups[p];
  if (!best) {
    const std::vector<HtmlNode>* li = nullptr;
    int n_li = 0;
    for (auto* p : order)
      if (groups[p][0].tag() == "li") ++n_li, li = &groups[p];
    if (n_li == 1) best = li;
  }
  if (!best) return out;
  std::set<std::string> seen;
  for (auto& n : *best) {
    auto it = make(n);
    if (it.url.empty() || !same_site(it.url, page_url) || !seen.insert(it.url).second) continue;
    out.push_back(std::move(it));
  }
  return out;
}

HanwebStore hanweb_datastore(const std::string& text, const std::string& page_url) {
  HanwebStore st;
  auto ds = text.find("<datastore>");
  if (ds == std::string::npos) return st;
  st.found = true;
  std::string records;
  for (std::size_t at = text.find("<record>", ds); at != std::string::npos; at = text.find("<record>", at)) {
    auto b = text.find("<![CDATA[", at), e = text.find("]]>", at);
    auto close = text.find("</record>", at);
    if (b == std::string::npos || e == std::string::npos || close == std::string::npos || b > close) break;
    records += "<div class=\"odh-record\">" + text.substr(b + 9, e - b - 9) + "</div>\n";
    ++st.shown;
    at = close + 9;
  }
  HtmlDoc doc(records);
  std::set<std::string> seen;
  for (auto& n : doc.root().select("div.odh-record")) {
    auto a = n.select_one("a[href]");
    if (!a) continue;
    CmsItem it;
    it.url = resolve_url(page_url, a.attr("href"));
    it.title = trim(a.attr("title"));
    if (it.title.empty()) it.title = a.text();
    it.date = find_date(n.text());
    if (!it.url.empty() && seen.insert(it.url).second) st.items.push_back(std::move(it));
  }
  static const Pattern total(R"(<totalrecord>\s*(\d+)\s*</totalrecord>)");
  std::vector<std::string> m;
  if (total.search(text, &m)) st.total = checked_long(m[1], 0);
  // The jpage parameters: from the nextgroup link's query or the page script (key:"v" / key=v).
  static const char* const kKeys[] = {"col",    "appid",   "webid",   "path",           "columnid",
                                      "sourceContentType", "unitid", "webname", "permissiontype", "perpage"};
  static const std::vector<Pattern> kv = [] {
    std::vector<Pattern> v;
    for (const char* k : kKeys)
      v.emplace_back(std::string("[?&{,\\s]") + k + R"(\s*(?:=|:)\s*['"]?([^'"&,}<>\s]*))", true);
    return v;
  }();
  for (size_t i = 0; i < kv.size(); ++i)
    if (kv[i].search(text, &m)) st.params[kKeys[i]] = m[1];
  return st;
}

std::string cms_next_page(const HtmlDoc& doc, const std::string& html, const std::string& page_url,
                          const std::string& next_sel) {
  auto root = doc.root();
  if (!next_sel.empty()) {
    auto a = root.select_one(next_sel);
    return a ? resolve_url(page_url, a.attr("href")) : "";
  }
  for (auto& a : root.select("a[href]")) {
    std::string t = a.text();
    if (t == "下一页" || t == "下页" || t == "下一页>" || t == "下一页 >" || t == ">" || t == "›" ||
        t == "next" || a.attr("title") == "下一页") {
      std::string u = resolve_url(page_url, a.attr("href"));
      if (!u.empty() && u != page_url) return u;
    }
  }
  std::vector<std::string> m;
  std::string tail = html.size() > 200000 ? html.substr(html.size() - 200000) : html;
  if (trs_pager(tail, &m)) {
    long count = checked_long(m[1], 0), cur = checked_long(m[2], count);  // bad digits: no next page
    if (cur + 1 < count && count < 100000)
      return resolve_url(page_url, m[3] + "_" + std::to_string(cur + 1) + "." + m[4]);
  }
  return "";
}

RawRecord cms_item_record(const HtmlDoc& doc, const std::string& page_url, const std::string& title_sel,
                          const std::string& date_sel) {
  RawRecord r;
  r.url = page_url;
  auto root = doc.root();
  if (!title_sel.empty()) r.title = root.select_one(title_sel).text();
  if (r.title.empty()) r.title = meta(root, "ArticleTitle");
  if (r.title.empty()) r.title = root.select_one("h1").text();
  if (r.title.empty()) r.title = root.select_one("title").text();
  std::string date = date_sel.empty() ? meta(root, "PubDate") : root.select_one(date_sel).text();
  std::string body = root.select_one("body").text(true);
  if (date.empty()) date = find_date(body);
  if (!date.empty()) r.pairs.emplace_back("发布日期", date);
  std::string src = meta(root, "ContentSource");
  if (!src.empty()) r.pairs.emplace_back("来源", src);
  // Label/value tables and "label：value" lines (metadata-style item pages).
  std::set<std::string> labels;
  for (auto& t : root.select("table"))
    for (auto& [l, v] : table_pairs(t, nullptr))
      if (!LabelDictionary::shipped().canonical(l).empty() && labels.insert(l).second)
        r.pairs.emplace_back(l, v);
  for (auto& [l, v] : line_pairs(body))
    if (l.size() <= 30 && !LabelDictionary::shipped().canonical(l).empty() && labels.insert(l).second)
      r.pairs.emplace_back(l, v.substr(0, 2000));
  // Attachments: links to files, format by extension.
  std::set<std::string> seen;
  for (auto& a : root.select("a[href]")) {
    std::string u = resolve_url(page_url, a.attr("href"));
    std::string f = format_from_name(u);
    if (f.empty()) f = format_from_name(a.text());
    if (f.empty() || !seen.insert(u).second) continue;
    r.files.push_back({f, f, u, {}});
  }
  return r;
}

namespace {

class CmsSpider : public Spider {
 public:
  CmsSpider(const Site& site, ParseSink& sink) : site_(site), sink_(sink), dict_(LabelDictionary::shipped()) {
    auto get = [&](const char* k) {
      auto it = site.overrides.find(k);
      return it == site.overrides.end() ? std::string() : it->second;
    };
    items_ = get("cms.items");
    link_ = get("cms.link");
    next_ = get("cms.next");
    title_ = get("cms.title");
    date_ = get("cms.date");
    std::string mp = get("cms.max_pages");
    if (!mp.empty()) max_pages_ = std::max(1, std::atoi(mp.c_str()));
    spec_.name = "embedded-cms";
    for (auto& [k, v] : site.overrides)
      if (k.rfind("label.", 0) == 0) spec_.labels[k.substr(6)] = v;
  }

  std::vector<FetchRequest> start_requests() override {
    std::vector<FetchRequest> out;
    for (auto& u : site_.urls) {
      if (!seen_lists_.insert(u).second) continue;
      out.push_back(req(u, "list", 1));
    }
    return out;
  }

  SpiderOutput on_result(const FetchResult& r) override {
    SpiderOutput result;
    std::vector<FetchRequest>& out = result.requests;
    if (r.status < 200 || r.status >= 300 || !r.error_class.empty()) {
      std::string why = r.error_class.empty() ? "status " + std::to_string(r.status) : r.error_class;
      // A list page that failed after its retries is a gap; the pages already scheduled after it
      // (known total: Hanweb batches, TRS page count) are still walked.
      auto pg = r.request.meta.find("\"page\":");
      if ((r.request.kind == "list" || r.request.kind == "list-proxy") && pg != std::string::npos) {
        long page = std::atol(r.request.meta.c_str() + pg + 7);
        sink_.issue(site_.id, r.request.url, "list-gap",
                    "list page " + std::to_string(page) + " failed (" + why + ")");
        if (r.request.meta.find("\"walk\":1") != std::string::npos) walk_past_gap(r.request, page, out);
      } else {
        sink_.issue(site_.id, r.request.url, "http-error", why);
      }
      return result;
    }
    const std::string& html = r.text.empty() ? r.body : r.text;
    const std::string& url = r.final_url.empty() ? r.request.url : r.final_url;
    HtmlDoc doc(html);
    result.links.emplace();
    collect_links(doc.root().raw(), url, r.charset, &*result.links);
    if (r.request.kind == "list" || r.request.kind == "list-proxy") {
      HanwebStore store = items_.empty() ? hanweb_datastore(html, url) : HanwebStore{};
      auto items = store.found ? store.items : cms_list_items(doc, url, items_, link_);
      if (items.empty() && r.request.kind == "list")
        sink_.issue(site_.id, url, "no-items", "no item list found on the column page");
      for (auto& it : items) {
        if (!seen_items_.insert(it.url).second) continue;
        if (!format_from_name(it.url).empty()) {  // the item links to its attachment directly
          direct_item(it, r);
          continue;
        }
        FetchRequest q = req(it.url, "detail", r.request.depth + 1);
        q.meta = "{\"date\":\"" + it.date + "\"}";
        out.push_back(std::move(q));
      }
      ++pages_;
      if (store.found) {
        hanweb_pages(store, url, r.request.depth, out);
        return result;
      }
      if (r.request.kind == "list-proxy") return result;
      // TRS: the page count is known on the first page, so every page is scheduled at once.
      std::vector<std::string> m;
      if (next_.empty() && trs_pager(html, &m) && checked_long(m[2], -1) == 0) {
        long count = std::min<long>(checked_long(m[1], 0), max_pages_);  // bad digits: no page scheduled
        for (long k = 1; k < count; ++k) {
          std::string u = resolve_url(url, m[3] + "_" + std::to_string(k) + "." + m[4]);
          if (!u.empty() && same_site(u, url) && seen_lists_.insert(u).second) {
            FetchRequest q = req(u, "list", r.request.depth + 1);
            q.meta = "{\"page\":" + std::to_string(k + 1) + "}";
            out.push_back(std::move(q));
          }
        }
        return result;
      }
      std::string next = cms_next_page(doc, html, url, next_);
      if (!items.empty() && !next.empty() && pages_ < max_pages_ && same_site(next, url) &&
          seen_lists_.insert(next).second) {
        FetchRequest q = req(next, "list", r.request.depth + 1);
        q.meta = "{\"page\":" + std::to_string(page_of(r.request) + 1) + ",\"walk\":1}";  // reached by 下一页
        out.push_back(std::move(q));
      }
    } else if (r.request.kind == "detail") {
      RawRecord rec = cms_item_record(doc, url, title_, date_);
      // The list's date is the publication date when the page shows none.
      auto d = r.request.meta.find("\"date\":\"");
      if (d != std::string::npos) {
        std::string ld = r.request.meta.substr(d + 8, 10);
        bool has =
            std::any_of(rec.pairs.begin(), rec.pairs.end(), [](auto& p) { return p.first == "发布日期"; });
        if (!has && ld.size() == 10 && ld[4] == '-') rec.pairs.emplace_back("发布日期", ld);
      }
      DatasetRow row = build_dataset(rec, site_.id, spec_, dict_);
      if (r.fetch_id >= 0) row.fetch_id = r.fetch_id;
      row.depth = r.request.depth;
      if (row.title.empty()) sink_.issue(site_.id, url, "no-title", "item page without a title");
      sink_.dataset(std::move(row));
    }
    return result;
  }

 private:
  // A list item whose link is the file itself: the dataset is the list entry (title, date, one file).
  void direct_item(const CmsItem& it, const FetchResult& r) {
    RawRecord rec;
    rec.url = it.url;
    rec.title = it.title;
    if (!it.date.empty()) rec.pairs.emplace_back("发布日期", it.date);
    std::string f = format_from_name(it.url);
    rec.files.push_back({f, f, it.url, {}});
    DatasetRow row = build_dataset(rec, site_.id, spec_, dict_);
    if (r.fetch_id >= 0) row.fetch_id = r.fetch_id;
    row.depth = r.request.depth + 1;
    sink_.dataset(std::move(row));
  }
  // Hanweb: once <totalrecord> is known, every remaining dataproxy batch is scheduled (so one failed
  // batch leaves a gap, not an end); before that, one probe batch after the records shown.
  void hanweb_pages(const HanwebStore& st, const std::string& url, int depth, std::vector<FetchRequest>& out) {
    if (proxy_scheduled_to_ < 0) proxy_scheduled_to_ = st.shown;  // the column page shows records 1..shown
    long batch = std::max<long>(1, first_shown_ > 0 ? first_shown_ : st.shown);
    if (first_shown_ <= 0) first_shown_ = st.shown;
    if (!hanweb_params_.count("columnid")) hanweb_params_ = st.params;
    long total = st.total >= 0 ? st.total : (st.shown >= batch ? proxy_scheduled_to_ + batch : proxy_scheduled_to_);
    if (st.total < 0 && total == proxy_scheduled_to_) return;
    long per = batch;
    if (auto p = hanweb_params_.find("perpage"); p != hanweb_params_.end() && std::atol(p->second.c_str()) > 0)
      per = std::atol(p->second.c_str());
    std::string form;
    for (const char* k : {"col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
                          "permissiontype"}) {
      auto v = hanweb_params_.find(k);
      if (v == hanweb_params_.end()) continue;
      form += (form.empty() ? "" : "&") + std::string(k) + "=" + form_value(v->second);
    }
    for (long a = proxy_scheduled_to_ + 1; a <= total && pages_ + static_cast<int>(out.size()) < max_pages_ * 3; a += batch) {
      long b = std::min(total, a + batch - 1);
      FetchRequest q = req(resolve_url(url, "/module/web/jpage/dataproxy.jsp?startrecord=" + std::to_string(a) +
                                                 "&endrecord=" + std::to_string(b) + "&perpage=" + std::to_string(per)),
                           "list-proxy", depth + 1);
      q.method = "POST";
      q.body = form;
      q.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      q.meta = "{\"page\":" + std::to_string(1 + (a - 1) / batch) + "}";
      out.push_back(std::move(q));
      proxy_scheduled_to_ = b;
    }
  }
  static std::string form_value(const std::string& v) {  // keeps %XX escapes found in the page
    static const char* hex = "0123456789ABCDEF";
    std::string o;
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '%') o += static_cast<char>(c);
      else o += '%', o += hex[c >> 4], o += hex[c & 15];
    }
    return o;
  }
  static long page_of(const FetchRequest& q) {
    auto pg = q.meta.find("\"page\":");
    return pg == std::string::npos ? 1 : std::atol(q.meta.c_str() + pg + 7);
  }
  // A page reached by 下一页 failed after its retries: its own 下一页 link is lost, but when its URL
  // numbers the page (?page=3, index_3.html, list_3.shtml) the next one is that number plus one. One
  // such guess per gap; when it cannot be made, or fails too, the list is reported incomplete.
  void walk_past_gap(const FetchRequest& failed, long page, std::vector<FetchRequest>& out) {
    static const Pattern query(R"(^(.*[?&](?:page|pageNo|pageIndex|pageNum|curPage|currentPage|p)=)(\d{1,6})(&.*)?$)");
    static const Pattern file(R"(^(.*_)(\d{1,6})(\.s?html?)$)");
    std::vector<std::string> m;
    std::string guess;
    bool guessed = failed.meta.find("\"guess\":1") != std::string::npos;
    if (!guessed && (query.search(failed.url, &m) || file.search(failed.url, &m)))
      guess = m[1] + std::to_string(checked_long(m[2], 0) + 1) + m[3];
    if (guess.empty() || pages_ >= max_pages_ || !seen_lists_.insert(guess).second) {
      sink_.issue(site_.id, failed.url, "list-incomplete",
                  "the list is walked by 下一页 links and page " + std::to_string(page) +
                      " failed: later pages were not reached");
      return;
    }
    FetchRequest q = req(guess, "list", failed.depth);
    q.meta = "{\"page\":" + std::to_string(page + 1) + ",\"walk\":1,\"guess\":1}";
    out.push_back(std::move(q));
  }
  FetchRequest req(const std::string& url, const char* kind, int depth) const {
    FetchRequest q;
    q.site_id = site_.id;
    q.url = url;
    q.kind = kind;
    q.depth = depth;
    q.priority = std::string(kind) == "list" ? 10 : 0;
    return q;
  }
  Site site_;
  ParseSink& sink_;
  const LabelDictionary& dict_;
  FamilySpec spec_;
  std::string items_, link_, next_, title_, date_;
  int max_pages_ = 500, pages_ = 0;
  long proxy_scheduled_to_ = -1, first_shown_ = 0;
  std::map<std::string, std::string> hanweb_params_;
  std::set<std::string> seen_lists_, seen_items_;
};

}  // namespace

std::unique_ptr<Spider> make_cms_spider(const Site& site, ParseSink& sink) {
  return std::make_unique<CmsSpider>(site, sink);
}

}  // namespace odh
