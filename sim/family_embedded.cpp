// Family `embedded-cms`: a "data" column inside a government CMS site (≈80% of the registry).
// Not documented in ../shared/platforms; modelled on the two common Chinese CMS shapes:
//  - Hanweb-like: list at the registry entry (e.g. /col/col123/index.html), further pages
//    index_2.html, index_3.html … in the same directory, plus a 下一页 link;
//  - TRS-like: list at the entry, further pages ?page=N with a 下一页 link.
// Articles at <dir>/t<yyyymmdd>_<n>.html with 发布日期, 来源 (department) and attachments
// (xls, xlsx, csv, pdf, doc). Charset per portal: UTF-8, GBK (labelled), GBK mislabelled as
// UTF-8, or GBK with no label at all. Everything here is inferred from common CMS practice.
#include <iconv.h>

#include "sim/family.h"

namespace odh::sim {
namespace {

std::string dir_of(const std::string& entry) {
  std::string e = entry.substr(0, entry.find('?'));
  auto s = e.rfind('/');
  return s == std::string::npos ? "/" : e.substr(0, s + 1);
}
bool hanweb(const Portal& p) { return mix(p.key, 31) % 2 == 0; }
std::int64_t base_no(const Portal& p) { return 10000 + static_cast<std::int64_t>(p.key % 80000); }

std::string to_gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK//TRANSLIT", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return utf8;
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t inl = utf8.size(), outl = out.size();
  char* o = out.data();
  while (inl > 0) {
    if (iconv(cd, &in, &inl, &o, &outl) == static_cast<size_t>(-1)) {
      if (errno == EILSEQ || errno == EINVAL) {  // unmappable: emit '?'
        ++in, --inl;
        while (inl > 0 && (static_cast<unsigned char>(*in) & 0xC0) == 0x80) ++in, --inl;
        if (outl > 0) *o++ = '?', --outl;
      } else {
        break;
      }
    }
  }
  iconv_close(cd);
  out.resize(out.size() - outl);
  return out;
}

class Embedded : public Family {
 public:
  std::string name() const override { return "embedded-cms"; }
  void normalize(const Portal& p, Dataset& d) const override {
    // Government columns attach office documents: json/xml/rdf become pdf/doc attachments.
    for (auto& f : d.formats) f = f == "json" ? "pdf" : (f == "xml" || f == "rdf") ? "doc" : f;
    std::sort(d.formats.begin(), d.formats.end());
    d.formats.erase(std::unique(d.formats.begin(), d.formats.end()), d.formats.end());
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
    // Several columns can share one CMS host: find the portal whose directory holds the path.
    const Portal* pp = nullptr;
    for (const auto* q : ctx.portals)
      if (req.path.rfind(dir_of(q->entry_path), 0) == 0 && (!pp || dir_of(q->entry_path).size() > dir_of(pp->entry_path).size()))
        pp = q;
    if (!pp) return false;
    const Portal& p = *pp;
    std::string dir = dir_of(p.entry_path);
    std::string entry = p.entry_path.substr(0, p.entry_path.find('?'));
    std::string rest = req.path.substr(dir.size());
    std::int64_t page = 0;
    if (req.path == entry || (entry.back() == '/' && rest == "index.html") || (rest.empty() && entry == dir)) {
      page = std::max<std::int64_t>(1, to_int(req.param("page", "1"), 1));
    } else if (hanweb(p) && rest.rfind("index_", 0) == 0 && rest.size() > 11 && rest.substr(rest.size() - 5) == ".html") {
      page = to_int(rest.substr(6, rest.size() - 11), 0);
      if (page < 2) return resp.not_found(), true;
    }
    std::int64_t total = p.n_datasets + p.n_apis;
    if (page > 0) {
      auto [a, b] = page_range(total, page, 20, 1);
      if (a == b && page > 1) return resp.not_found(), true;
      std::string items;
      for (std::int64_t j = a; j < b; ++j) {
        std::string title, date;
        if (j < p.n_datasets) {
          Dataset d = p.dataset(j);
          title = d.title, date = d.published;
        } else {
          Api x = p.api(j - p.n_datasets);
          title = x.title, date = x.published;
        }
        items += "<li><a href=\"" + article(p, j, date) + "\" target=\"_blank\" title=\"" + esc(title) + "\">" + esc(title) +
                 "</a><span class=\"date\">" + date_part(date) + "</span></li>\n";
      }
      std::int64_t np = std::max<std::int64_t>(1, pages(total, 20));
      std::string pager = "<div class=\"page\">共" + std::to_string(total) + "条 第" + std::to_string(page) + "/" +
                          std::to_string(np) + "页 ";
      auto link = [&](std::int64_t n) {
        if (hanweb(p)) return n == 1 ? entry : dir + "index_" + std::to_string(n) + ".html";
        return entry + "?page=" + std::to_string(n);
      };
      if (page > 1) pager += "<a href=\"" + link(page - 1) + "\">上一页</a> ";
      if (page < np) pager += "<a href=\"" + link(page + 1) + "\">下一页</a> ";
      pager += "<a href=\"" + link(np) + "\">尾页</a></div>";
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
  std::string article(const Portal& p, std::int64_t j, const std::string& date) const {
    return dir_of(p.entry_path) + "t" + compact_date(date).substr(0, 8) + "_" + std::to_string(base_no(p) + j) + ".html";
  }
  void emit(const Portal& p, const std::string& title, const std::string& body, Resp& resp) const {
    if (p.charset == "UTF-8") return resp.html(html_page(title, body));
    if (p.charset == "GBK") {
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
