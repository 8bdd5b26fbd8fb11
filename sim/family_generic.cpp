// Family `generic`: the long tail of one-off platforms (family "unknown" or a family the
// simulator does not model). A plain server-rendered catalogue — entirely inferred:
// /catalog/list.html?page=N (from 1, 15 per page, "共N条" total, 下一页 link),
// /catalog/detail/<id>.html (table th → td), /api/list.html?page=N and /api/detail/<id>.html.
#include "sim/family.h"

namespace odh::sim {
namespace {

class Generic : public Family {
 public:
  std::string name() const override { return "generic"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    std::vector<std::pair<std::string, std::string>> l = {{"/catalog/list.html", "数据目录"}};
    if (p.n_apis > 0) l.emplace_back("/api/list.html", "数据接口");
    return l;
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    bool dl = req.path == "/catalog/list.html", al = req.path == "/api/list.html";
    if (dl || al) {
      std::int64_t page = std::max<std::int64_t>(1, to_int(req.param("page", "1"), 1));
      std::int64_t total = dl ? p.n_datasets : p.n_apis;
      auto [a, b] = page_range(total, page, 15, 1);
      std::string items;
      for (std::int64_t i = a; i < b; ++i) {
        if (dl) {
          Dataset d = p.dataset(i);
          items += "<tr><td><a href=\"/catalog/detail/" + d.id + ".html\">" + esc(d.title) + "</a></td><td>" + esc(d.dept) +
                   "</td><td>" + date_part(d.updated) + "</td><td>" + join(d.formats, ",") + "</td></tr>\n";
        } else {
          Api x = p.api(i);
          items += "<tr><td><a href=\"/api/detail/" + x.id + ".html\">" + esc(x.title) + "</a></td><td>" + esc(x.dept) +
                   "</td><td>" + date_part(x.updated) + "</td><td>api</td></tr>\n";
        }
      }
      std::string body = "<div class=\"list-total\">共<em>" + std::to_string(total) + "</em>条</div>\n<table class=\"list\">"
                         "<tr><th>名称</th><th>提供单位</th><th>更新日期</th><th>格式</th></tr>\n" + items + "</table>\n";
      if (b < total) body += "<a class=\"next\" href=\"" + req.path + "?page=" + std::to_string(page + 1) + "\">下一页</a>";
      resp.html(html_page(p.site.name, body));
      return true;
    }
    auto row = [](const std::string& l, const std::string& v) { return "<tr><th>" + l + "</th><td>" + esc(v) + "</td></tr>\n"; };
    if (req.path.rfind("/catalog/detail/", 0) == 0) {
      std::string id = req.path.substr(16, req.path.size() - 16 - 5);
      auto i = p.dataset_index(id);
      if (!i) return resp.not_found(), true;
      Dataset d = p.dataset(*i);
      std::string files;
      for (const auto& f : d.files) files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
      resp.html(html_page(d.title, "<h1>" + esc(d.title) + "</h1><table class=\"detail\">\n" + row("提供单位", d.dept) +
                                       row("所属主题", d.topic) + row("发布日期", date_part(d.published)) +
                                       row("更新日期", date_part(d.updated)) + row("更新频率", d.freq) + row("开放类型", d.open) +
                                       row("关键字", join(d.tags, ",")) + row("摘要", d.desc) + row("数据格式", join(d.formats, ",")) +
                                       row("浏览次数", std::to_string(d.views)) + row("下载次数", std::to_string(d.downloads)) +
                                       "</table><ul class=\"files\">" + files + "</ul>"));
      return true;
    }
    if (req.path.rfind("/api/detail/", 0) == 0) {
      std::string id = req.path.substr(12, req.path.size() - 12 - 5);
      auto i = p.api_index(id);
      if (!i) return resp.not_found(), true;
      Api a = p.api(*i);
      resp.html(html_page(a.title, "<h1>" + esc(a.title) + "</h1><table class=\"detail\">\n" + row("提供单位", a.dept) +
                                       row("所属主题", a.topic) + row("发布日期", date_part(a.published)) +
                                       row("接口地址", a.endpoint) + row("请求方式", a.method) + row("摘要", a.desc) + "</table>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_generic() { return std::make_unique<Generic>(); }
}  // namespace odh::sim
