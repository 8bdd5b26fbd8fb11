// Family `jdop` (../shared/platforms/jdop.md): Zhejiang jdop_front. Read: POST form
// /jdop_front/channal/datapubliclist.do (pageNumber from 1, pageSize 10), JSON {"data": "<HTML>"}
// with span.onColor total and div.search_result a[href=../detail/data.do?iid=…&searchString=],
// detail span.sjxqTit1 + div.box1 td "label：" → next td, per-site size label, tags joined by 、.
// Inferred: full-width ： on labels, `type=2` lists APIs, the list answers the full HTML page
// (not JSON) without X-Requested-With.
#include "sim/family.h"

namespace odh::sim {
namespace {

// County columns of the provincial platform (twin fact regionId) number their records apart, so a
// detail iid names one portal of the shared host.
std::int64_t base_iid(const Portal& p) {
  std::int64_t region = to_int(p.fact("regionId"), 0);
  return region > 0 ? region * 1000000 + static_cast<std::int64_t>(p.key % 50)
                    : 1000 + static_cast<std::int64_t>(p.key % 5000);
}
// The portal a list request is for: regionId selects a county column (inferred from the form field
// regionId of jdop.md), "" the provincial one.
const Portal* by_region(const HostCtx& ctx, const std::string& region) {
  for (const auto* q : ctx.portals)
    if (q->fact("regionId") == region) return q;
  return nullptr;
}
const Portal& by_iid(const HostCtx& ctx, const std::string& iid) {
  for (const auto* q : ctx.portals)
    if (q->dataset_index(iid) || q->api_index(iid)) return *q;
  return ctx.first();
}
constexpr std::int64_t kApiOffset = 500000;

class Jdop : public Family {
 public:
  std::string name() const override { return "jdop"; }
  std::string dataset_id(const Portal& p, std::int64_t i) const override { return std::to_string(base_iid(p) + i); }
  std::string api_id(const Portal& p, std::int64_t i) const override {
    return std::to_string(base_iid(p) + kApiOffset + i);
  }
  std::optional<std::int64_t> dataset_index(const Portal& p, const std::string& id) const override {
    std::int64_t v = to_int(id, -1);
    if (v < base_iid(p) || v >= base_iid(p) + kApiOffset) return std::nullopt;
    return v - base_iid(p);
  }
  std::optional<std::int64_t> api_index(const Portal& p, const std::string& id) const override {
    std::int64_t v = to_int(id, -1) - base_iid(p) - kApiOffset;
    if (v < 0) return std::nullopt;
    return v;
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/jdop_front/channal/data_public.do", "数据开放"}, {"/jdop_front/channal/data_public.do?type=2", "数据接口"}};
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& first = *(by_region(ctx, "") ? by_region(ctx, "") : &ctx.first());
    if (req.path == "/jdop_front/channal/data_public.do") {
      const Portal& p = first;
      resp.html(html_page("数据开放-" + p.site.name, "<div id=\"dataList\"></div><script src=\"/jdop_front/js/datapublic.js\"></script>"));
      return true;
    }
    if (req.path == "/jdop_front/channal/datapubliclist.do") {
      if (req.header("x-requested-with") != "XMLHttpRequest") {
        resp.html(html_page("数据开放-" + first.site.name, "<div id=\"dataList\"></div>"));
        return true;
      }
      const Portal* pp = by_region(ctx, req.param("regionId"));
      if (!pp) return resp.json({{"data", "<div class=\"search_top\">共找到<span class=\"onColor\">0</span>条结果</div>"}, {"total", 0}}), true;
      const Portal& p = *pp;
      std::int64_t page = to_int(req.param("pageNumber", "1"), 1), size = to_int(req.param("pageSize", "10"), 10);
      bool apis = req.param("type", "1") == "2";
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      std::string html = "<div class=\"search_top\">共找到<span class=\"onColor\">" + std::to_string(total) + "</span>条结果</div>\n";
      for (std::int64_t i = a; i < b; ++i) {
        std::string id, title, desc, dept, upd;
        if (apis) {
          Api x = p.api(i);
          id = x.id, title = x.title, desc = x.desc, dept = x.dept, upd = date_part(x.updated);
        } else {
          Dataset d = p.dataset(i);
          id = d.id, title = d.title, desc = d.desc, dept = d.dept, upd = date_part(d.updated);
        }
        html += "<div class=\"search_result\"><div class=\"search_result_title\"><a href=\"../detail/data.do?iid=" + id +
                "&searchString=\" target=\"_blank\">" + esc(title) + "</a></div><p class=\"search_result_desc\">" + esc(desc) +
                "</p><p><span>数源单位：" + esc(dept) + "</span><span>更新日期：" + upd + "</span></p></div>\n";
      }
      resp.json({{"data", html}, {"total", total}});
      return true;
    }
    if (req.path == "/jdop_front/detail/data.do") {
      std::string iid = req.param("iid");
      const Portal& p = by_iid(ctx, iid);
      std::string size_label = "数据量";
      if (p.site.city == "温州市" || p.site.city == "丽水市") size_label = "数据条数";
      if (p.site.city == "嘉兴市" || p.site.city == "衢州市") size_label = "数据容量";
      auto row = [](const std::string& l1, const std::string& v1, const std::string& l2, const std::string& v2) {
        return "<tr><td class=\"tdl\">" + l1 + "：</td><td>" + esc(v1) + "</td><td class=\"tdl\">" + l2 + "：</td><td>" +
               esc(v2) + "</td></tr>\n";
      };
      std::string title, body;
      if (auto i = p.dataset_index(iid)) {
        Dataset d = p.dataset(*i);
        title = d.title;
        body = row("摘要", d.desc, "标签", join(d.tags, "、")) + row("更新周期", d.freq, "数源单位", d.dept) +
               row("数据领域", d.topic, "行业分类", d.industry) +
               row("发布日期", date_part(d.published), "更新日期", date_part(d.updated)) +
               row("开放条件", d.open, "联系方式", "0571-8" + std::to_string(1000000 + d.index % 8999999)) +
               row("资源格式", join(d.formats, ","), size_label, std::to_string(d.volume)) +
               row("浏览量", std::to_string(d.views), "下载量", std::to_string(d.downloads));
        body += "<tr style=\"display:none\"><td>附件：</td><td></td></tr>\n";
        std::string files;
        for (const auto& f : d.files)
          files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
        body = "<table>" + body + "</table></div><div class=\"box2\"><ul class=\"file-list\">" + files + "</ul>";
      } else if (auto k = p.api_index(iid); k && *k < p.n_apis) {
        Api a = p.api(*k);
        title = a.title;
        body = "<table>" + row("摘要", a.desc, "标签", a.topic) + row("更新周期", "实时", "数源单位", a.dept) +
               row("数据领域", a.topic, "行业分类", "") + row("发布日期", date_part(a.published), "更新日期", date_part(a.updated)) +
               row("开放条件", "无条件开放", "资源格式", "api") + "</table>";
      } else {
        resp.not_found();
        return true;
      }
      resp.html(html_page(title + "-" + p.site.name, "<div class=\"sjxq\"><span class=\"sjxqTit1\">" + esc(title) +
                                                         "</span></div>\n<div class=\"box1\">" + body + "</div>"));
      return true;
    }
    if (req.path == "/jdop_front/download.do") {
      const Portal& p = by_iid(ctx, req.param("iid"));
      std::int64_t i = to_int(req.param("iid"), -1) - base_iid(p);
      serve_dataset_file(p, i, static_cast<std::size_t>(to_int(req.param("k"), 0)), resp);
      return true;
    }
    return false;
  }

  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    return "/jdop_front/download.do?iid=" + d.id + "&k=" + std::to_string(k);  // inferred path
  }
};

}  // namespace
std::unique_ptr<Family> make_jdop() { return std::make_unique<Jdop>(); }
}  // namespace odh::sim
