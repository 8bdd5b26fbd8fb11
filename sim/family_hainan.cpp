// `hainan` (../shared/platforms/hainan.md). Read: POST form /search/data/list (datasets) and
// /search/interface/list (APIs), curPage from 0, pageSize 10 → data.totalPages +
// data.content[].id (Spring-Data page; empty content past the end); detail GET /sjj/<id>.htm
// or /sjjk/<id>.htm: div.gp-column1 table th → td, span.tag2 = formats.
// Inferred: numeric ids, th labels beyond the eight read ones (浏览量, 下载量).
#include "sim/family.h"

namespace odh::sim {
namespace {

class Hainan : public Family {
 public:
  std::string name() const override { return "hainan"; }
  std::string dataset_id(const Portal& p, std::int64_t i) const override { return std::to_string(200000 + i); }
  std::string api_id(const Portal& p, std::int64_t i) const override { return std::to_string(800000 + i); }
  std::optional<std::int64_t> dataset_index(const Portal&, const std::string& id) const override {
    std::int64_t v = to_int(id, -1) - 200000;
    return v < 0 || v >= 600000 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  std::optional<std::int64_t> api_index(const Portal&, const std::string& id) const override {
    std::int64_t v = to_int(id, -1) - 800000;
    return v < 0 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/sjj/index.htm", "数据集"}, {"/sjjk/index.htm", "数据接口"}};
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string& ext) const override {
    return "/sjj/download/" + d.id + "/" + std::to_string(k) + "." + ext;
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path == "/search/data/list" || req.path == "/search/interface/list") {
      bool apis = req.path == "/search/interface/list";
      std::int64_t page = std::max<std::int64_t>(0, to_int(req.field("curPage", "0"), 0));
      std::int64_t size = std::clamp<std::int64_t>(to_int(req.field("pageSize", "10"), 10), 1, 100);
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 0);
      nlohmann::json content = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        if (apis) {
          Api x = p.api(i);
          content.push_back({{"id", to_int(x.id, 0)}, {"title", x.title}, {"deptName", x.dept}});
        } else {
          Dataset d = p.dataset(i);
          content.push_back({{"id", to_int(d.id, 0)}, {"title", d.title}, {"deptName", d.dept}, {"score", d.rating}});
        }
      }
      resp.json({{"code", 0},
                 {"data", {{"content", content}, {"totalPages", pages(total, size)}, {"totalElements", total},
                           {"number", page}, {"size", size}, {"last", b >= total}}}});
      return true;
    }
    bool ds = req.path.rfind("/sjj/", 0) == 0, api = req.path.rfind("/sjjk/", 0) == 0;
    if ((ds || api) && req.path.size() > 4 && req.path.substr(req.path.size() - 4) == ".htm" &&
        req.path.find("index.htm") == std::string::npos) {
      std::string id = req.path.substr(ds ? 5 : 6, req.path.size() - (ds ? 9 : 10));
      auto row = [](const std::string& l, const std::string& v) { return "<tr><th>" + l + "</th><td>" + esc(v) + "</td></tr>\n"; };
      std::string title, rows, tags;
      if (ds) {
        auto i = p.dataset_index(id);
        if (!i) return resp.not_found(), true;
        Dataset d = p.dataset(*i);
        title = d.title;
        rows = row("目录名称", d.title) + row("摘要", d.desc) + row("开放状态", d.open) + row("所属主题", d.topic) +
               row("来源部门", d.dept) + row("目录发布时间", d.published) + row("数据更新时间", d.updated) +
               row("更新频率", d.freq) + row("浏览量", std::to_string(d.views)) + row("下载量", std::to_string(d.downloads));
        for (const auto& f : d.formats) tags += "<span class=\"tag2\">" + f + "</span>";
        for (const auto& f : d.files) tags += " <a class=\"dl\" href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a>";
      } else {
        auto i = p.api_index(id);
        if (!i || *i >= p.n_apis) return resp.not_found(), true;
        Api a = p.api(*i);
        title = a.title;
        rows = row("目录名称", a.title) + row("摘要", a.desc) + row("开放状态", "无条件开放") + row("所属主题", a.topic) +
               row("来源部门", a.dept) + row("目录发布时间", a.published) + row("数据更新时间", a.updated) + row("更新频率", "实时");
        tags = "<span class=\"tag2\">接口</span>";
      }
      resp.html(html_page(title, "<div class=\"gp-column1\"><h3>" + esc(title) + "</h3><table>\n" + rows +
                                     "</table><div class=\"formats\">" + tags + "</div></div>"));
      return true;
    }
    if (req.path.rfind("/sjj/download/", 0) == 0) {
      std::string rest = req.path.substr(14);
      auto s = rest.find('/');
      auto i = s == std::string::npos ? std::nullopt : p.dataset_index(rest.substr(0, s));
      serve_dataset_file(p, i ? *i : -1, s == std::string::npos ? 99 : static_cast<std::size_t>(to_int(rest.substr(s + 1), 99)), resp);
      return true;
    }
    if (req.path == "/sjj/index.htm" || req.path == "/sjjk/index.htm") {
      resp.html(html_page(p.site.name, "<div id=\"list\"></div><script src=\"/js/search.js\"></script>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_hainan() { return std::make_unique<Hainan>(); }
}  // namespace odh::sim
