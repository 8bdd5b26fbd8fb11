// Family `hunan-webapp` (../shared/platforms/hunan-webapp.md; Yueyang, Chenzhou, Yiyang).
// Read: GET <base>dataList.jsp → categories (Yueyang li.list-group-item-action, others
// li.wb-tree-item) each followed by an a[onclick="fn(<type>,<id>)"]; GET
// <base>dataListIframe.jsp?type=&id=&sort=1&formId=&dataInfo.offset=<page*6>&dataInfo.desc=false
// (6 per page, page from 0; "<cur>/<n>页" beside span.current; Yueyang div.szkf-box-list +
// div.name a, others table.table-data last tr first a); detail <base>dataDetail.jsp?id=
// (Yueyang h1.content-title + first table, others div.panel-body h2 + table.table-license;
// td label：→ td value; dates with '/'). A dataset appears under its topic and under 全部.
// Inferred: category ids, the exact fragment markup around the read selectors.
#include "sim/family.h"

namespace odh::sim {
namespace {

std::string base(const Portal& p) {
  if (!p.fact("dir").empty()) return p.fact("dir");  // the twin: hunan-webapp.md's app path per host
  if (p.entry_path.rfind("/webapp/", 0) == 0) return p.entry_path.substr(0, p.entry_path.rfind('/') + 1);
  if (p.host.find("yueyang") != std::string::npos) return "/webapp/yydsj/";
  if (p.host.find("czs") != std::string::npos) return "/webapp/czs/dataPublic/";
  if (p.host.find("yiyang") != std::string::npos) return "/webapp/yiyang2019/dataPublic/";
  return "/webapp/data/dataPublic/";
}
bool yueyang(const Portal& p) { return base(p).find("yydsj") != std::string::npos; }
std::string slash(std::string d) {
  std::replace(d.begin(), d.end(), '-', '/');
  return d;
}

class HunanWebapp : public Family {
 public:
  std::string name() const override { return "hunan-webapp"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    return {{base(p) + "dataList.jsp", "数据开放"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    std::string b = base(p);
    if (req.path.rfind(b, 0) != 0) return false;
    std::string page = req.path.substr(b.size());
    // Categories: 0 = 全部, k+1 = topic k.
    if (page == "dataList.jsp") {
      std::string cats;
      auto cat = [&](int id, const std::string& name) {
        std::string li = yueyang(p) ? "list-group-item-action" : "wb-tree-item";
        return "<li class=\"" + li + "\"><span>" + esc(name) + "</span></li><a href=\"javascript:;\" onclick=\"fn(1," +
               std::to_string(id) + ")\">" + esc(name) + "</a>\n";
      };
      cats += cat(0, "全部");
      for (std::size_t k = 0; k < p.topics.size(); ++k) cats += cat(static_cast<int>(k) + 1, p.topics[k]);
      resp.html(html_page("数据开放-" + p.site.name, "<ul class=\"category\">\n" + cats + "</ul><iframe id=\"dataFrame\"></iframe>"));
      return true;
    }
    if (page == "dataListIframe.jsp") {
      int cat = static_cast<int>(to_int(req.param("id", "0"), 0));
      std::int64_t offset = std::max<std::int64_t>(0, to_int(req.param("dataInfo.offset", "0"), 0));
      std::vector<std::int64_t> members;
      for (std::int64_t i = 0; i < p.n_datasets && members.size() < 200000; ++i) {
        if (cat == 0) {
          members.push_back(i);
          continue;
        }
        Dataset d = p.dataset(i);
        auto it = std::find(p.topics.begin(), p.topics.end(), d.topic);
        if (it != p.topics.end() && it - p.topics.begin() + 1 == cat) members.push_back(i);
      }
      std::int64_t n = static_cast<std::int64_t>(members.size()), np = std::max<std::int64_t>(1, pages(n, 6));
      std::string items;
      for (std::int64_t k = offset; k < std::min(n, offset + 6); ++k) {
        Dataset d = p.dataset(members[static_cast<std::size_t>(k)]);
        if (yueyang(p))
          items += "<div class=\"szkf-box-list\"></div><div class=\"name\"><a href=\"" + b + "dataDetail.jsp?id=" + d.id +
                   "\" target=\"_blank\">" + esc(d.title) + "</a></div>\n";
        else
          items += "<table class=\"table-data\"><tr><td>资源名称</td></tr><tr><td><a href=\"" + b + "dataDetail.jsp?id=" + d.id +
                   "\" target=\"_blank\">" + esc(d.title) + "</a></td><td>" + slash(date_part(d.updated)) + "</td></tr></table>\n";
      }
      std::string pager = "<div class=\"pager\"><p><span class=\"current\">" + std::to_string(offset / 6 + 1) + "</span> " +
                          std::to_string(offset / 6 + 1) + "/" + std::to_string(np) + "页</p></div>";
      resp.html(html_page("list", items + pager));
      return true;
    }
    if (page == "dataDetail.jsp") {
      auto i = p.dataset_index(req.param("id"));
      if (!i) return resp.not_found(), true;
      Dataset d = p.dataset(*i);
      auto tr = [](const std::string& l, const std::string& v) { return "<tr><td>" + l + "：</td><td>" + esc(v) + "</td></tr>\n"; };
      std::string rows = tr("数据提供单位", d.dept) + tr("数据主题", d.topic) + tr("首次发布时间", slash(date_part(d.published))) +
                         tr("更新时间", slash(date_part(d.updated))) + tr("更新频率", d.freq) + tr("开放属性", d.open) +
                         tr("数据格式", join(d.formats, ",")) + tr("关键字", join(d.tags, ",")) + tr("摘要", d.desc);
      std::string files;
      for (const auto& f : d.files) files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
      std::string body = yueyang(p) ? "<h1 class=\"content-title\">" + esc(d.title) + "</h1><table>\n" + rows + "</table>"
                                    : "<div class=\"panel-body\"><h2>" + esc(d.title) + "</h2><table class=\"table-license\">\n" + rows +
                                          "</table></div>";
      resp.html(html_page(d.title, body + "<ul class=\"files\">" + files + "</ul>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_hunan_webapp() { return std::make_unique<HunanWebapp>(); }
}  // namespace odh::sim
