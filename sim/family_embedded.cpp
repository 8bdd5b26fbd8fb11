// Family `embedded-cms`: a "data" column inside a government CMS site (≈80% of the registry).
// Not documented in ../shared/platforms; modelled on the list layouts Chinese government CMSs serve.
// The layout is the simulator's own choice, by the column's URL shape and a hash of the site key
// (never from sites.yaml overrides or family specs):
//  - hanweb (大汉), every entry shaped /col/colN/index.html: the first 45 records sit in
//    <script type="text/xml"><datastore><recordset><record><![CDATA[<li>…]]></record>… with
//    <totalrecord>; the rest come from POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=
//    &perpage= with the jpage form (col, webid, path, columnid, sourceContentType, unitid, webname,
//    permissiontype), answered with the same <datastore> XML;
//  - trs: createPageHTML(count, cur, "index", "html") script, pages index.html, index_1.html, … (no link);
//  - next-query: 下一页 links to ?page=N;  next-index: 下一页 links to index_N.html (N ≥ 2);
//  - direct: 下一页 ?page=N, each dataset item links to its (single) attachment file directly.
// Articles at <dir>/t<yyyymmdd>_<n>.html with 发布日期, 来源 (department) and attachments
// (xls, xlsx, csv, pdf, doc). Charset per portal: UTF-8, GBK (labelled in the header, or — half of
// them — only in a <meta http-equiv> tag), GBK mislabelled as UTF-8, or GBK with no label at all.

#include <regex>

#include "sim/family.h"

namespace odh::sim {
namespace {

std::string dir_of(const std::string& entry) {
  std::string e = entry.substr(0, entry.find('?'));
  auto s = e.rfind('/');
  return s == std::string::npos ? "/" : e.substr(0, s + 1);
}
enum class Layout { hanweb, trs, next_query, next_index, direct };
// Hanweb column id (N of /col/colN/index.html), or -1.
std::int64_t hanweb_col(const Portal& p) {
  static const std::regex re(R"(^/col/col(\d+)/index\.html$)");
  std::smatch m;
  std::string e = p.entry_path.substr(0, p.entry_path.find('?'));
  return std::regex_match(e, m, re) ? to_int(m[1].str(), -1) : -1;
}
Layout layout(const Portal& p) {
  if (hanweb_col(p) >= 0) return Layout::hanweb;
  switch (mix(p.key, 31) % 4) {
    case 0: return Layout::trs;
    case 1: return Layout::next_query;
    case 2: return Layout::next_index;
    default: return Layout::direct;
  }
}
constexpr std::int64_t kHanwebShown = 45;  // records on the column page (3 jpage pages of 15)
std::int64_t base_no(const Portal& p) { return 10000 + static_cast<std::int64_t>(p.key % 80000); }


class Embedded : public Family {
 public:
  std::string name() const override { return "embedded-cms"; }
  void normalize(const Portal& p, Dataset& d) const override {
    // Government columns attach office documents: json/xml/rdf become pdf/doc attachments.
    for (auto& f : d.formats) f = f == "json" ? "pdf" : (f == "xml" || f == "rdf") ? "doc" : f;
    std::sort(d.formats.begin(), d.formats.end());
    d.formats.erase(std::unique(d.formats.begin(), d.formats.end()), d.formats.end());
    if (layout(p) == Layout::direct && d.formats.size() > 1) d.formats.resize(1);  // the item is its file
    d.files.clear();
    for (std::size_t k = 0; k < d.formats.size(); ++k) {
      FileRec f;
      f.format = f.served = d.formats[k];
      f.name = d.title + "." + f.format;
      std::uint64_t h = mix(mix(p.key, static_cast<std::uint64_t>(d.index)), 70 + k) % 100;
      f.state = h < 85 ? "ok" : h < 95 ? "dead" : "mislabelled";
      if (f.state == "mislabelled") f.served = "html";
      f.path = file_path(p, d, k, f.format);
      d.files.push_back(f);
    }
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string& ext) const override {
    return dir_of(p.entry_path) + "P0" + compact_date(d.published).substr(0, 8) + std::to_string(base_no(p) + d.index) +
           std::to_string(k) + "." + ext;
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    if (req.path == "/module/web/jpage/dataproxy.jsp") return dataproxy(ctx, req, resp), true;
    // Several columns can share one CMS host: find the portal whose directory holds the path.
    const Portal* pp = nullptr;
    for (const auto* q : ctx.portals)
      if (req.path.rfind(dir_of(q->entry_path), 0) == 0 && (!pp || dir_of(q->entry_path).size() > dir_of(pp->entry_path).size()))
        pp = q;
    if (!pp) return false;
    const Portal& p = *pp;
    const Layout lay = layout(p);
    std::string dir = dir_of(p.entry_path);
    std::string entry = p.entry_path.substr(0, p.entry_path.find('?'));
    std::string rest = req.path.substr(dir.size());
    std::int64_t page = 0;
    if (req.path == entry || (entry.back() == '/' && rest == "index.html") || (rest.empty() && entry == dir)) {
      page = lay == Layout::next_query || lay == Layout::direct ? std::max<std::int64_t>(1, to_int(req.param("page", "1"), 1)) : 1;
    } else if ((lay == Layout::trs || lay == Layout::next_index) && rest.rfind("index_", 0) == 0 && rest.size() > 11 &&
               rest.substr(rest.size() - 5) == ".html") {
      std::int64_t n = to_int(rest.substr(6, rest.size() - 11), 0);
      page = lay == Layout::trs ? (n >= 1 ? n + 1 : 0) : (n >= 2 ? n : 0);  // TRS: index_1 is the 2nd page
      if (page < 2) return resp.not_found(), true;
    }
    std::int64_t total = p.n_datasets + p.n_apis;
    if (page > 0 && lay == Layout::hanweb) {
      std::string cdata = "<div id=\"" + std::to_string(base_no(p)) + "\"><script type=\"text/xml\">\n" +
                          datastore(p, 0, std::min(total, kHanwebShown)) +
                          "</script><script type=\"text/javascript\" src=\"/module/web/jpage/jpage.js\"></script>\n"
                          "<script type=\"text/javascript\">\nvar jpage = new Jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp', "
                          "perpage:15, col:1, appid:1, webid:" + std::to_string(web_id(p)) +
                          ", path:'/', columnid:" + std::to_string(hanweb_col(p)) + ", sourceContentType:1, unitid:" +
                          std::to_string(base_no(p)) + ", webname:'" + esc(p.site.name) +
                          "', permissiontype:0});\n</script></div>";
      std::string body = "<div class=\"header\"><a href=\"/\">" + esc(p.site.name) + "</a></div>\n<div class=\"column\"><h2>" +
                         esc(p.site.name) + "</h2>\n" + cdata + "</div>";
      return emit(p, p.site.name, body, resp), true;
    }
    if (page > 0) {
      auto [a, b] = page_range(total, page, 20, 1);
      if (a == b && page > 1) return resp.not_found(), true;
      std::string items;
      for (std::int64_t j = a; j < b; ++j) items += item_li(p, j) + "\n";
      std::int64_t np = std::max<std::int64_t>(1, pages(total, 20));
      std::string pager;
      if (lay == Layout::trs) {
        pager = "<div class=\"page\"><script type=\"text/javascript\">\nvar currentPage = " + std::to_string(page - 1) +
                ";\nvar countPage = " + std::to_string(np) + ";\ncreatePageHTML(countPage, currentPage, \"index\", \"html\");\n</script></div>";
      } else {
        pager = "<div class=\"page\">共" + std::to_string(total) + "条 第" + std::to_string(page) + "/" + std::to_string(np) + "页 ";
        auto link = [&](std::int64_t n) {
          if (lay == Layout::next_index) return n == 1 ? entry : dir + "index_" + std::to_string(n) + ".html";
          return entry + "?page=" + std::to_string(n);
        };
        if (page > 1) pager += "<a href=\"" + link(page - 1) + "\">上一页</a> ";
        if (page < np) pager += "<a href=\"" + link(page + 1) + "\">下一页</a> ";
        pager += "<a href=\"" + link(np) + "\">尾页</a></div>";
      }
      std::string body = "<div class=\"header\"><a href=\"/\">" + esc(p.site.name) + "</a></div>\n<div class=\"column\"><h2>" +
                         esc(p.site.name) + "</h2><ul class=\"list\">\n" + items + "</ul>\n" + pager + "</div>";
      return emit(p, p.site.name, body, resp), true;
    }
    if (rest.size() > 6 && rest[0] == 't' && rest.substr(rest.size() - 5) == ".html") {
      auto us = rest.find('_');
      std::int64_t j = us == std::string::npos ? -1 : to_int(rest.substr(us + 1), -1) - base_no(p);
      if (j < 0 || j >= total) return resp.not_found(), true;
      std::string title, date, dept, content, atts;
      if (j < p.n_datasets) {
        Dataset d = p.dataset(j);
        title = d.title, date = d.published, dept = d.dept;
        content = "<p>" + esc(d.desc) + "</p><p>数据领域：" + esc(d.topic) + "　更新频率：" + esc(d.freq) + "　开放类型：" + esc(d.open) + "</p>";
        for (const auto& f : d.files) atts += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
        if (!atts.empty()) atts = "<div class=\"attachments\"><p>附件：</p><ul>" + atts + "</ul></div>";
      } else {
        Api x = p.api(j - p.n_datasets);
        title = x.title, date = x.published, dept = x.dept;
        content = "<p>资源类型：数据接口</p><p>" + esc(x.desc) + "</p><p>接口地址：" + esc(x.endpoint) + "</p>";
      }
      if (article(p, j, date) != req.path) return resp.not_found(), true;
      std::string body = "<div class=\"article\"><h1>" + esc(title) + "</h1>\n<div class=\"info\"><span>发布日期：" +
                         date_part(date) + "</span> <span>来源：" + esc(dept) + "</span></div>\n<div class=\"content\">" +
                         content + "</div>\n" + atts + "</div>";
      return emit(p, title, body, resp), true;
    }
    if (rest.rfind("P0", 0) == 0) {
      auto dot = rest.rfind('.');
      std::string digits = rest.substr(10, dot == std::string::npos ? std::string::npos : dot - 10);
      if (digits.size() < 2) return resp.not_found(), true;
      std::int64_t j = to_int(digits.substr(0, digits.size() - 1), -1) - base_no(p);
      std::size_t k = static_cast<std::size_t>(digits.back() - '0');
      if (j < 0 || j >= p.n_datasets) return resp.not_found(), true;
      Dataset d = p.dataset(j);
      if (k >= d.files.size() || d.files[k].path != req.path) return resp.not_found(), true;
      serve_dataset_file(p, j, k, resp);
      return true;
    }
    return false;
  }

 private:
  static std::int64_t web_id(const Portal& p) { return 1 + static_cast<std::int64_t>(mix(p.key, 5) % 90); }
  // One list item: title link (to the article, or for `direct` columns to the dataset's file) and date.
  std::string item_li(const Portal& p, std::int64_t j) const {
    std::string title, date, href;
    if (j < p.n_datasets) {
      Dataset d = p.dataset(j);
      title = d.title, date = d.published;
      href = layout(p) == Layout::direct && !d.files.empty() ? d.files[0].path : article(p, j, date);
    } else {
      Api x = p.api(j - p.n_datasets);
      title = x.title, date = x.published, href = article(p, j, date);
    }
    return "<li><a href=\"" + href + "\" target=\"_blank\" title=\"" + esc(title) + "\">" + esc(title) +
           "</a><span class=\"date\">" + date_part(date) + "</span></li>";
  }
  // Records [a, b) as a Hanweb <datastore>, with <totalrecord>.
  std::string datastore(const Portal& p, std::int64_t a, std::int64_t b) const {
    std::int64_t total = p.n_datasets + p.n_apis;
    std::string x = "<datastore>\n<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=" +
                    std::to_string(web_id(p)) + "&path=/&columnid=" + std::to_string(hanweb_col(p)) + "&unitid=" +
                    std::to_string(base_no(p)) + "&permissiontype=0\"></a>]]></nextgroup>\n<recordset>\n";
    for (std::int64_t j = a; j < b; ++j) x += "<record><![CDATA[\n" + item_li(p, j) + "\n]]></record>\n";
    return x + "</recordset>\n<totalrecord>" + std::to_string(total) + "</totalrecord>\n</datastore>\n";
  }
  // POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage= (1-based, inclusive), the
  // column by the form's columnid (and webid); answers text/xml.
  void dataproxy(const HostCtx& ctx, const Req& req, Resp& resp) const {
    if (req.method != "POST") return resp.status = 405, resp.body = "method not allowed", void();
    const Portal* pp = nullptr;
    for (const auto* q : ctx.portals)
      if (hanweb_col(*q) >= 0 && std::to_string(hanweb_col(*q)) == req.param("columnid") &&
          std::to_string(web_id(*q)) == req.param("webid") && req.param("unitid") == std::to_string(base_no(*q)))
        pp = q;
    if (!pp) return resp.status = 400, resp.content_type = "text/xml; charset=UTF-8",
                    resp.body = "<datastore><error>bad jpage parameters</error></datastore>", void();
    std::int64_t total = pp->n_datasets + pp->n_apis;
    std::int64_t a = std::max<std::int64_t>(1, to_int(req.param("startrecord", "1"), 1));
    std::int64_t b = std::min<std::int64_t>(total, to_int(req.param("endrecord", "0"), 0));
    if (b - a > 200) b = a + 200;
    resp.content_type = "text/xml; charset=UTF-8";
    resp.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + datastore(*pp, a - 1, std::max(a - 1, b));
  }
  std::string article(const Portal& p, std::int64_t j, const std::string& date) const {
    return dir_of(p.entry_path) + "t" + compact_date(date).substr(0, 8) + "_" + std::to_string(base_no(p) + j) + ".html";
  }
  void emit(const Portal& p, const std::string& title, const std::string& body, Resp& resp) const {
    if (p.charset == "UTF-8") return resp.html(html_page(title, body));
    if (p.charset == "GBK" && mix(p.key, 41) % 2 == 0) {  // charset only in <meta http-equiv>
      std::string h = html_page(title, body);
      auto m = h.find("<meta charset=\"UTF-8\">");
      if (m != std::string::npos)
        h.replace(m, 22, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">");
      resp.body = to_gbk(h);
      resp.content_type = "text/html";
    } else if (p.charset == "GBK") {
      resp.body = to_gbk(html_page(title, body, "gbk"));
      resp.content_type = "text/html; charset=GBK";
    } else if (p.charset == "GBK-mislabelled") {  // header and meta claim UTF-8, bytes are GBK
      resp.body = to_gbk(html_page(title, body, "utf-8"));
      resp.content_type = "text/html; charset=UTF-8";
    } else {  // GBK-unlabelled: no charset anywhere
      std::string h = html_page(title, body);
      auto m = h.find("<meta charset=\"UTF-8\">\n");
      if (m != std::string::npos) h.erase(m, 23);
      resp.body = to_gbk(h);
      resp.content_type = "text/html";
    }
  }
};

}  // namespace
std::unique_ptr<Family> make_embedded_cms() { return std::make_unique<Embedded>(); }
}  // namespace odh::sim
