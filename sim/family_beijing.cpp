// `beijing` (../shared/platforms/beijing.md). Read: POST form /cms/web/search curPage from 1,
// pageSize 10 → page.countPage + object.docs[].url (…/zyml/ajg/<dept>/<id>.htm); detail page
// with loose "label<TAB>value" lines separated by <br/> inside div#zydtCont1
// div.sjdetails_cardmain_frame; 资源分类 as a/b path, Chinese dates 2020年12月31日, keywords
// joined by ；; some pages lack the container. Inferred: resourceType=api lists the APIs
// (/zyml/jk/<id>.htm), department slugs, 浏览量/下载量 lines.
#include "sim/family.h"

namespace odh::sim {
namespace {

std::string cn_date(const std::string& dt) {
  int y = 0, m = 0, d = 0;
  std::sscanf(dt.c_str(), "%d-%d-%d", &y, &m, &d);
  return std::to_string(y) + "年" + (m < 10 ? "0" : "") + std::to_string(m) + "月" + (d < 10 ? "0" : "") + std::to_string(d) + "日";
}
std::string slug(const std::string& dept) {
  char b[32];
  std::snprintf(b, sizeof b, "d%06llx", static_cast<unsigned long long>(hash_str(dept) & 0xffffff));
  return b;
}
std::string origin(const Portal& p) {
  bool https = !p.site.urls.empty() && p.site.urls.front().rfind("https", 0) == 0;
  return (https ? "https://" : "http://") + p.host;
}

class Beijing : public Family {
 public:
  std::string name() const override { return "beijing"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/syzxsj/index.htm", "数据目录"}};
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string& ext) const override {
    return "/zyml/file/" + d.id + "_" + std::to_string(k) + "." + ext;
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path == "/cms/web/search") {
      std::int64_t page = std::max<std::int64_t>(1, to_int(req.field("curPage", "1"), 1));
      std::int64_t size = std::clamp<std::int64_t>(to_int(req.field("pageSize", "10"), 10), 1, 100);
      bool apis = req.field("resourceType") == "api";
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json docs = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        if (apis) {
          Api x = p.api(i);
          docs.push_back({{"url", origin(p) + "/zyml/jk/" + x.id + ".htm"}, {"title", x.title}, {"publishDate", date_part(x.published)}});
        } else {
          Dataset d = p.dataset(i);
          docs.push_back({{"url", origin(p) + "/zyml/ajg/" + slug(d.dept) + "/" + d.id + ".htm"}, {"title", d.title},
                          {"publishDate", date_part(d.published)}, {"orgName", d.dept}});
        }
      }
      resp.json({{"page", {{"countPage", pages(total, size)}, {"curPage", page}, {"pageSize", size}, {"total", total}}},
                 {"object", {{"docs", docs}}}});
      return true;
    }
    if (req.path.rfind("/zyml/ajg/", 0) == 0 || req.path.rfind("/zyml/jk/", 0) == 0) {
      std::string file = req.path.substr(req.path.rfind('/') + 1);
      if (file.size() < 5 || file.substr(file.size() - 4) != ".htm") return false;
      std::string id = file.substr(0, file.size() - 4);
      std::vector<std::pair<std::string, std::string>> lines;
      std::string title;
      if (req.path.rfind("/zyml/jk/", 0) == 0) {
        auto i = p.api_index(id);
        if (!i) return resp.not_found(), true;
        Api a = p.api(*i);
        title = a.title;
        lines = {{"资源名称", a.title}, {"资源摘要", a.desc}, {"资源出版日期", cn_date(a.published)},
                 {"资源所有权单位", a.dept}, {"资源类型", "接口"}, {"调用次数", std::to_string(a.calls)}};
      } else {
        auto i = p.dataset_index(id);
        if (!i) return resp.not_found(), true;
        Dataset d = p.dataset(*i);
        if (req.path != "/zyml/ajg/" + slug(d.dept) + "/" + id + ".htm") return resp.not_found(), true;
        title = d.title;
        lines = {{"资源名称", d.title},        {"资源分类", d.topic + "/" + (d.industry.empty() ? d.topic : d.industry)},
                 {"资源摘要", d.desc},         {"资源出版日期", cn_date(d.published)},
                 {"资源所有权单位", d.dept},   {"关键字说明", join(d.tags, "；")},
                 {"资源类型", "表格"},         {"资源记录数", std::to_string(d.volume)},
                 {"更新频率", d.freq},         {"浏览量", std::to_string(d.views)},
                 {"下载量", std::to_string(d.downloads)}};
        std::string files;
        for (const auto& f : d.files) files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
        lines.emplace_back("__files", files);
      }
      std::string text, files;
      for (const auto& [l, v] : lines) {
        if (l == "__files") files = v;
        else text += esc(l) + "\t" + esc(v) + "<br/>\n";
      }
      // ~3% of pages lack the container (the crawler's AttributeError case): text sits in a plain div.
      bool broken = mix(p.key, hash_str(id)) % 33 == 0;
      std::string body = broken ? "<div class=\"sjdetails\">" + text + "</div>"
                                : "<div id=\"zydtCont1\"><div class=\"sjdetails_cardmain_frame\">\n" + text + "</div></div>";
      body = "<h2 class=\"sjdetails_title\">" + esc(title) + "</h2>\n" + body + "\n<ul class=\"sjdetails_files\">" + files + "</ul>";
      resp.html(html_page(title + "-北京市公共数据开放平台", body));
      return true;
    }
    if (req.path.rfind("/zyml/file/", 0) == 0) {
      std::string f = req.path.substr(11);
      auto us = f.find('_');
      auto i = us == std::string::npos ? std::nullopt : p.dataset_index(f.substr(0, us));
      serve_dataset_file(p, i ? *i : -1, us == std::string::npos ? 99 : static_cast<std::size_t>(to_int(f.substr(us + 1), 99)), resp);
      return true;
    }
    if (req.path == "/syzxsj/index.htm") {
      resp.html(html_page("数据目录", "<div id=\"searchResult\"></div><script src=\"/cms/js/search.js\"></script>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_beijing() { return std::make_unique<Beijing>(); }
}  // namespace odh::sim
