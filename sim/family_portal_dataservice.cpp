// Family `portal-dataservice` (../shared/platforms/portal-dataservice.md; Luzhou, Meishan).
// Read: POST /portal/dataservice/getPage (form, or JSON as Luzhou's crawler sends) page from 1,
// rows=10 → result.pages + result.rows[].{id,serviceName,openType,publishTime,updateTime};
// detail GET /portal/service_detail?id=&type=opendata&orgId= with h2.dt-name p,
// ul.desc-list-info li (span label：, span value) and the table.table-striped td → td pairs.
// Inferred: serviceType=1 lists APIs; the Meishan label set is used for hosts containing "ms".
#include "sim/family.h"

namespace odh::sim {
namespace {

bool meishan(const Portal& p) { return p.host.find(".ms.") != std::string::npos || p.site.city == "眉山市"; }

class PortalDataservice : public Family {
 public:
  std::string name() const override { return "portal-dataservice"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/portal/opendata?orgId=", "开放数据"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path == "/portal/dataservice/getPage") {
      std::int64_t page = std::max<std::int64_t>(1, to_int(req.field("page", "1"), 1));
      std::int64_t size = std::clamp<std::int64_t>(to_int(req.field("rows", "10"), 10), 1, 100);
      bool apis = req.field("serviceType") == "1";
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json rows = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        if (apis) {
          Api x = p.api(i);
          rows.push_back({{"id", x.id}, {"serviceName", x.title}, {"openType", "1"}, {"publishTime", x.published},
                          {"updateTime", x.updated}, {"orgName", x.dept}});
        } else {
          Dataset d = p.dataset(i);
          rows.push_back({{"id", d.id}, {"serviceName", d.title}, {"openType", d.open == "无条件开放" ? "1" : "2"},
                          {"publishTime", d.published}, {"updateTime", d.updated}, {"orgName", d.dept},
                          {"visitCount", d.views}, {"downCount", d.downloads}});
        }
      }
      resp.json({{"success", true}, {"result", {{"pages", pages(total, size)}, {"total", total}, {"rows", rows}}}});
      return true;
    }
    if (req.path == "/portal/service_detail") {
      std::string id = req.param("id");
      auto i = p.dataset_index(id);
      std::string title, li, tds;
      auto lis = [](const std::string& l, const std::string& v) {
        return "<li><span class=\"label\">" + l + "：</span><span class=\"value\">" + esc(v) + "</span></li>\n";
      };
      auto td = [](const std::string& l, const std::string& v) { return "<tr><td>" + l + "</td><td>" + esc(v) + "</td></tr>\n"; };
      if (i) {
        Dataset d = p.dataset(*i);
        title = d.title;
        if (meishan(p)) {
          li = lis("提供单位", d.dept) + lis("数据领域", d.topic) + lis("发布时间", date_part(d.published)) +
               lis("行业名称", d.industry) + lis("联系电话", "028-38100000") + lis("服务描述", d.desc);
          tds = td("更新周期", d.freq) + td("开放属性", d.open) + td("关键字", join(d.tags, ",")) + td("格式类型", join(d.formats, ","));
        } else {
          li = lis("提供方", d.dept) + lis("数据主题", d.topic) + lis("数据领域", d.industry) + lis("联系电话", "0830-3100000");
          tds = td("更新周期", d.freq) + td("关键字", join(d.tags, ",")) + td("资源摘要", d.desc);
        }
        std::string files;
        for (const auto& f : d.files) files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
        tds += "</table><ul class=\"file-list\">" + files + "</ul><table>";
      } else if (auto k = p.api_index(id); k && *k < p.n_apis) {
        Api a = p.api(*k);
        title = a.title;
        li = lis("提供方", a.dept) + lis("数据主题", a.topic);
        tds = td("更新周期", "实时") + td("资源摘要", a.desc) + td("接口地址", a.endpoint);
      } else {
        return resp.not_found(), true;
      }
      resp.html(html_page(title, "<h2 class=\"dt-name\"><p>" + esc(title) + "</p></h2>\n<ul class=\"desc-list-info clearfix\">\n" + li +
                                     "</ul>\n<table class=\"table table-striped table-bordered table-advance table-hover\">\n" + tds +
                                     "</table>"));
      return true;
    }
    if (req.path == "/portal/opendata") {
      resp.html(html_page(p.site.name, "<div id=\"list\"></div><script src=\"/portal/js/opendata.js\"></script>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_portal_dataservice() { return std::make_unique<PortalDataservice>(); }
}  // namespace odh::sim
