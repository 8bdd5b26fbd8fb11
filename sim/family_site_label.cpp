// Family `site-label` (../shared/platforms/site-label.md; Bengbu, Huangshan).
// Bengbu: GET /site/label/8888?labelName=dataOpenResourcePageList&pageIndex=N (from 0)
// &resourceType=download|api → HTML fragment, total in a <script> "共(<n>)条数据", items
// div.sj_list ul > li div.sjinfo a[href*=site/tpl/6621?resourceId=<n>] (APIs /site/tpl/6541);
// detail div.data_newtitle h1.tit + div.data_sj ul.clearfix li (span.tit "X：" + value).
// Huangshan: labelName=dataOpenResourceCatalogList (pageIndex from 1, script "pageCount:<n>,"),
// detail labelName=dataOpenResourceCatDetail&isJson=true → JSON (name, publishDate, refreshDate,
// dataCounts, updateCycle int (9 = 不定期), resourceAbstract). Which variant: host contains
// "huangshan" (else Bengbu). Inferred: updateCycle codes other than 9.
#include "sim/family.h"

namespace odh::sim {
namespace {

const std::vector<std::string> kCycle = {"实时", "每日", "每周", "每月", "每季度", "每半年", "每年", "每两年", "不定期"};
bool huangshan(const Portal& p) { return p.host.find("huangshan") != std::string::npos; }
std::string dsid(std::int64_t i) { return std::to_string(6000000 + i); }
std::string apiid(std::int64_t i) { return std::to_string(7000000 + i); }

class SiteLabel : public Family {
 public:
  std::string name() const override { return "site-label"; }
  std::string dataset_id(const Portal&, std::int64_t i) const override { return dsid(i); }
  std::string api_id(const Portal&, std::int64_t i) const override { return apiid(i); }
  std::optional<std::int64_t> dataset_index(const Portal&, const std::string& id) const override {
    std::int64_t v = to_int(id, -1) - 6000000;
    return v < 0 || v >= 1000000 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  std::optional<std::int64_t> api_index(const Portal&, const std::string& id) const override {
    std::int64_t v = to_int(id, -1) - 7000000;
    return v < 0 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  void normalize(const Portal& p, Dataset& d) const override {
    if (huangshan(p) && std::find(kCycle.begin(), kCycle.end(), d.freq) == kCycle.end()) d.freq = "不定期";
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    return {{huangshan(p) ? "/site/tpl/5421" : "/site/tpl/6611", "数据开放"}};
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path == "/site/label/8888") {
      std::string label = req.param("labelName");
      if (label == "dataOpenResourcePageList") return bengbu_list(p, req, resp), true;
      if (label == "dataOpenResourceCatalogList") return huangshan_list(p, req, resp), true;
      if (label == "dataOpenResourceCatDetail") {
        auto i = p.dataset_index(req.param("resourceId"));
        if (!i) return resp.json({{"status", 0}, {"msg", "资源不存在"}}), true;
        Dataset d = p.dataset(*i);
        resp.json({{"name", d.title}, {"publishDate", d.published}, {"refreshDate", d.updated}, {"dataCounts", d.volume},
                   {"updateCycle", to_int(freq_code(d.freq, kCycle, 1, "9"), 9)}, {"resourceAbstract", d.desc},
                   {"providerOrganName", d.dept}, {"formats", join(d.formats, ",")}});
        return true;
      }
      return false;
    }
    if (req.path == "/site/tpl/6621" || req.path == "/site/tpl/6541") {
      bool api = req.path == "/site/tpl/6541";
      std::string id = req.param("resourceId");
      auto li = [](const std::string& l, const std::string& v) { return "<li><span class=\"tit\">" + l + "：</span>" + esc(v) + "</li>\n"; };
      std::string title, items;
      if (!api) {
        auto i = p.dataset_index(id);
        if (!i) return resp.not_found(), true;
        Dataset d = p.dataset(*i);
        title = d.title;
        std::string fm;
        for (const auto& f : d.formats) fm += (fm.empty() ? "" : "，") + f;
        items = li("数据提供方", d.dept) + li("数据主题", d.topic) + li("发布时间", d.published) + li("更新时间", d.updated) +
                li("公开属性", d.open) + li("更新频率", d.freq) + li("摘要", d.desc) + li("下载格式", fm) +
                li("关键字", join(d.tags, ",")) + li("数据条数", std::to_string(d.volume));
      } else {
        auto i = p.api_index(id);
        if (!i || *i >= p.n_apis) return resp.not_found(), true;
        Api a = p.api(*i);
        title = a.title;
        items = li("数据提供方", a.dept) + li("数据主题", a.topic) + li("发布时间", a.published) + li("更新时间", a.updated) +
                li("摘要", a.desc);
      }
      resp.html(html_page(title, "<div class=\"data_newtitle\"><h1 class=\"tit\">" + esc(title) +
                                     "</h1></div>\n<div class=\"data_sj\"><ul class=\"clearfix\">\n" + items + "</ul></div>"));
      return true;
    }
    return false;
  }

 private:
  void bengbu_list(const Portal& p, const Req& req, Resp& resp) const {
    std::int64_t page = std::max<std::int64_t>(0, to_int(req.param("pageIndex", "0"), 0));
    std::int64_t size = std::clamp<std::int64_t>(to_int(req.param("pageSize", "10"), 10), 1, 100);
    bool api = req.param("resourceType") == "api";
    std::int64_t total = api ? p.n_apis : p.n_datasets;
    auto [a, b] = page_range(total, page, size, 0);
    std::string items;
    for (std::int64_t i = a; i < b; ++i) {
      std::string id = api ? apiid(i) : dsid(i), title = api ? p.api(i).title : p.dataset(i).title;
      items += "<li><div class=\"sjinfo\"><a href=\"/site/tpl/" + std::string(api ? "6541" : "6621") + "?resourceId=" + id +
               "\" target=\"_blank\">" + esc(title) + "</a></div></li>\n";
    }
    resp.html("<div class=\"sj_list\"><ul>\n" + items + "</ul></div>\n<script>var pageInfo='共(" + std::to_string(total) +
              ")条数据';</script>");
  }
  void huangshan_list(const Portal& p, const Req& req, Resp& resp) const {
    std::int64_t page = std::max<std::int64_t>(1, to_int(req.param("pageIndex", "1"), 1));
    std::int64_t size = std::clamp<std::int64_t>(to_int(req.param("pageSize", "8"), 8), 1, 100);
    auto [a, b] = page_range(p.n_datasets, page, size, 1);
    std::string items;
    for (std::int64_t i = a; i < b; ++i) {
      Dataset d = p.dataset(i);
      std::string fm;
      for (const auto& f : d.formats) fm += "<a class=\"j-login\" href=\"javascript:;\"><em>" + f + "</em></a>";
      items += "<li><div class=\"sjcon clearfix\"><div class=\"dataresources-con\"><a href=\"/site/tpl/5431?resourceId=" + d.id +
               "\">" + esc(d.title) + "</a><p class=\"xx clearfix\"><span class=\"n2\">数据提供方：" + esc(d.dept) +
               "</span><span class=\"n3\">数据领域：" + esc(d.topic) + "</span></p><p class=\"zyzy clearfix\"><span class=\"link\">" + fm +
               "</span></p></div></div></li>\n";
    }
    resp.html("<ul class=\"clearfix\">\n" + items + "</ul>\n<script>$('#page').pagination({pageCount:" +
              std::to_string(pages(p.n_datasets, size)) + ",current:" + std::to_string(page) + "});</script>");
  }
};

}  // namespace
std::unique_ptr<Family> make_site_label() { return std::make_unique<SiteLabel>(); }
}  // namespace odh::sim
