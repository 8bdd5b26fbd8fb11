// `tianjin` (../shared/platforms/tianjin.md). Read: GET /common/sjj.json (datasets) and
// /common/sjjk.json (APIs), full catalogues without paging: {"dataList":[{href,documentType}]};
// detail GET href: div.title.f-cb.mg-b4 span = title, div.slidecont table th/td pairs; the
// server answers 304 to conditional requests (the crawler retries with empty validators).
// Inferred: detail URL shapes /sjj/<id>.htm and /sjjk/<id>.htm, the label names in the table.
#include "sim/family.h"

namespace odh::sim {
namespace {

std::string origin(const Portal& p) {
  bool https = !p.site.urls.empty() && p.site.urls.front().rfind("https", 0) == 0;
  return (https ? "https://" : "http://") + p.host;
}

class Tianjin : public Family {
 public:
  std::string name() const override { return "tianjin"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/sjj/index.htm", "数据集"}, {"/sjjk/index.htm", "数据接口"}};
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string& ext) const override {
    return "/sjj/file/" + d.id + "/" + std::to_string(k) + "." + ext;
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path == "/common/sjj.json" || req.path == "/common/sjjk.json") {
      bool apis = req.path == "/common/sjjk.json";
      nlohmann::json list = nlohmann::json::array();
      std::int64_t n = apis ? p.n_apis : p.n_datasets;
      for (std::int64_t i = 0; i < n; ++i) {
        if (apis) {
          Api a = p.api(i);
          list.push_back({{"href", origin(p) + "/sjjk/" + a.id + ".htm"}, {"title", a.title}, {"documentType", "接口"}});
        } else {
          Dataset d = p.dataset(i);
          list.push_back({{"href", origin(p) + "/sjj/" + d.id + ".htm"}, {"title", d.title},
                          {"documentType", join(d.formats, ",")}, {"dept", d.dept}, {"updateTime", date_part(d.updated)}});
        }
      }
      resp.json({{"dataList", list}, {"total", n}});
      return true;
    }
    bool ds = req.path.rfind("/sjj/", 0) == 0, api = req.path.rfind("/sjjk/", 0) == 0;
    if ((ds || api) && req.path.size() > 4 && req.path.substr(req.path.size() - 4) == ".htm" &&
        req.path.find("index.htm") == std::string::npos) {
      std::string id = req.path.substr(ds ? 5 : 6, req.path.size() - (ds ? 9 : 10));
      std::string etag = "\"" + id.substr(0, 8) + "\"";
      if (!req.header("if-none-match").empty() || !req.header("if-modified-since").empty()) {
        resp.status = 304;
        resp.body.clear();
        resp.headers.emplace_back("ETag", etag);
        return true;
      }
      auto th = [](const std::string& l1, const std::string& v1, const std::string& l2, const std::string& v2) {
        return "<tr><th>" + l1 + "</th><td>" + esc(v1) + "</td><th>" + l2 + "</th><td>" + esc(v2) + "</td></tr>\n";
      };
      std::string title, rows;
      if (ds) {
        auto i = p.dataset_index(id);
        if (!i) return resp.not_found(), true;
        Dataset d = p.dataset(*i);
        title = d.title;
        rows = th("数据提供方", d.dept, "所属主题", d.topic) + th("发布日期", date_part(d.published), "更新日期", date_part(d.updated)) +
               th("更新频率", d.freq, "开放类型", d.open) + th("数据量", std::to_string(d.volume), "数据格式", join(d.formats, ",")) +
               th("关键字", join(d.tags, ","), "所属行业", d.industry) + th("浏览量", std::to_string(d.views), "下载量", std::to_string(d.downloads)) +
               "<tr><th>摘要</th><td colspan=\"3\">" + esc(d.desc) + "</td></tr>\n";
        std::string files;
        for (const auto& f : d.files) files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
        rows += "</table><ul class=\"filelist\">" + files + "</ul><table>";
      } else {
        auto i = p.api_index(id);
        if (!i || *i >= p.n_apis) return resp.not_found(), true;
        Api a = p.api(*i);
        title = a.title;
        rows = th("数据提供方", a.dept, "所属主题", a.topic) + th("发布日期", date_part(a.published), "更新日期", date_part(a.updated)) +
               th("请求方式", a.method, "调用次数", std::to_string(a.calls));
      }
      resp.headers.emplace_back("ETag", etag);
      resp.html(html_page(title, "<div class=\"title f-cb mg-b4\"><label>数据集名称：</label><span>" + esc(title) +
                                     "</span></div>\n<div class=\"slidecont\"><table>\n" + rows + "</table></div>"));
      return true;
    }
    if (req.path.rfind("/sjj/file/", 0) == 0) {
      std::string rest = req.path.substr(10);
      auto s = rest.find('/');
      auto i = s == std::string::npos ? std::nullopt : p.dataset_index(rest.substr(0, s));
      serve_dataset_file(p, i ? *i : -1, s == std::string::npos ? 99 : static_cast<std::size_t>(to_int(rest.substr(s + 1), 99)), resp);
      return true;
    }
    if (req.path == "/sjj/index.htm" || req.path == "/sjjk/index.htm") {
      resp.html(html_page(p.site.name, "<div id=\"dataList\"></div><script src=\"/common/js/list.js\"></script>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_tianjin() { return std::make_unique<Tianjin>(); }
}  // namespace odh::sim
