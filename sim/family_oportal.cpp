// Family `oportal` (../shared/platforms/oportal.md): server-rendered catalogue
// GET /{prefix}/catalog/index?page=N (N from 1, 10 per page) and /{prefix}/catalog/{id}.
// Read from the notes: list/detail selectors, label sets per province, `1,299`, `暂无`, tags
// joined by "\r\n\t", Shandong's class-encoded formats, getResourceWithFormat, download URL.
// Inferred: the API listing is the same catalogue (format 接口, after the datasets); views and
// downloads labels (浏览量/下载量) are invented.
#include "sim/family.h"

namespace odh::sim {
namespace {

enum class Labels { kDefault, kShandong, kChengdu, kLiaoning };

struct Cfg {
  std::string prefix;  // "oportal" | "portal" | city slug
  Labels labels = Labels::kDefault;
  bool layout_b = false;  // Jiangsu Taizhou / Suqian
  bool sichuan_list = false;  // list at /oportal/catalog/ (no index)
};

// Everything per portal comes from the twin (data/sim/twin.yaml, from oportal.md): the prefix
// ("oportal" default, "portal", a city slug), the label set, Layout B, Sichuan's /catalog/ list.
Cfg cfg_of(const Portal& p) {
  Cfg c;
  c.prefix = p.fact("prefix", "oportal");
  std::string labels = p.fact("labels");
  c.labels = labels == "shandong" ? Labels::kShandong : labels == "liaoning" ? Labels::kLiaoning
           : labels == "chengdu" ? Labels::kChengdu : Labels::kDefault;
  c.layout_b = p.fact("layout") == "b";
  c.sichuan_list = p.fact("list") == "sichuan";
  return c;
}

std::string li_inline(const std::string& label, const std::string& v) {
  return "<li>" + label + "：<span class=\"text-primary\">" + esc(v) + "</span></li>\n";
}
std::string tr2(const std::string& l1, const std::string& v1, const std::string& l2 = "", const std::string& v2 = "",
                bool raw2 = false) {
  std::string o = "<tr><td class=\"td-label\">" + l1 + "</td><td>" + v1 + "</td>";
  if (!l2.empty()) o += "<td class=\"td-label\">" + l2 + "</td><td>" + (raw2 ? v2 : esc(v2)) + "</td>";
  return o + "</tr>\n";
}

class Oportal : public Family {
 public:
  std::string name() const override { return "oportal"; }

  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    Cfg c = cfg_of(p);
    std::string list = "/" + c.prefix + (c.sichuan_list ? "/catalog/" : "/catalog/index");
    return {{list, "数据目录"}, {list + "?page=1", "开放数据"}};
  }

  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    Cfg c = cfg_of(p);
    return "/" + c.prefix + "/catalog/download?cataId=" + d.id + "&cataName=" + url_encode(d.title) +
           "&idInRc=" + hex32(mix(p.key, 7), d.index * 16 + static_cast<std::int64_t>(k));
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    Cfg c = cfg_of(p);
    std::string base = "/" + c.prefix + "/catalog";
    const std::string& path = req.path;
    if (path.rfind(base, 0) != 0) return false;
    std::string rest = path.substr(base.size());
    // Sichuan's portals list at /{prefix}/catalog/ only (oportal.md); the others at …/catalog/index.
    if (c.sichuan_list ? rest == "/" : (rest == "/index" || rest == "/" || rest.empty()))
      return list(p, c, req, resp), true;
    if (c.sichuan_list && rest == "/index") return resp.not_found(), true;
    if (rest == "/getResourceWithFormat") return resources(p, req, resp), true;
    if (rest == "/download") {
      auto ik = hex32_index(mix(p.key, 7), req.param("idInRc"));
      if (!ik) return resp.not_found(), true;
      serve_dataset_file(p, *ik / 16, static_cast<std::size_t>(*ik % 16), resp);
      return true;
    }
    if (rest.size() > 1 && rest.find('/', 1) == std::string::npos) return detail(p, c, rest.substr(1), resp), true;
    return false;
  }

 private:
  std::int64_t total(const Portal& p) const { return p.n_datasets + p.n_apis; }

  void list(const Portal& p, const Cfg& c, const Req& req, Resp& resp) const {
    std::int64_t page = std::max<std::int64_t>(1, to_int(req.param("page", "1"), 1));
    auto [a, b] = page_range(total(p), page, 10, 1);
    std::string items;
    for (std::int64_t j = a; j < b; ++j) {
      std::string id, title, dept, upd;
      std::vector<std::string> fmts;
      if (j < p.n_datasets) {
        Dataset d = p.dataset(j);
        id = d.id, title = d.title, dept = d.dept, upd = date_part(d.updated), fmts = d.formats;
      } else {
        Api a = p.api(j - p.n_datasets);
        id = a.id, title = a.title, dept = a.dept, upd = date_part(a.updated), fmts = {"api"};
      }
      std::string ft;
      for (const auto& f : fmts) {
        if (c.labels == Labels::kShandong) ft += "<li class=\"" + f + "\" title=\"" + f + "\"></li>";
        else ft += "<li>" + std::string(f == "api" ? "接口" : f) + "</li>";
      }
      items += "<li>\n<div class=\"cata-title\"><a href=\"" + (c.layout_b ? std::string("/oportal") : "/" + c.prefix) +
               "/catalog/" + id + "\" target=\"_blank\">" + esc(title) +
               "</a><input type=\"hidden\" name=\"catalogidinput\" value=\"" + id + "\"></div>\n" +
               "<div class=\"cata-information\"><span>来源部门：</span><span>" + esc(dept) +
               "</span> <span>更新时间：</span><span>" + upd + "</span></div>\n<div class=\"file-type\"><ul>" + ft +
               "</ul></div>\n</li>\n";
    }
    std::string list = "<div class=\"bottom-content\"><ul>\n" + items + "</ul></div>\n";
    if (c.layout_b) list = "<div class=\"right-content-catalog\">" + list + "</div>";
    std::string body = "<div class=\"top-title\">共有<span>" + commas(total(p)) + "</span>条数据目录</div>\n" + list;
    std::int64_t np = pages(total(p), 10);
    body += "<div class=\"pagination\" data-pages=\"" + std::to_string(np) + "\">";
    if (page < np) body += "<a class=\"next\" href=\"?page=" + std::to_string(page + 1) + "\">下一页</a>";
    body += "</div>";
    resp.html(html_page("数据目录-" + p.site.name, body));
  }

  void detail(const Portal& p, const Cfg& c, const std::string& id, Resp& resp) const {
    bool is_api = false;
    std::int64_t i = -1;
    if (auto d = p.dataset_index(id)) i = *d;
    else if (auto a = p.api_index(id)) i = *a, is_api = true;
    if (i < 0) return resp.not_found();
    Dataset d;
    if (!is_api) d = p.dataset(i);
    else {
      Api a = p.api(i);
      d.index = i, d.id = a.id, d.title = a.title, d.dept = a.dept, d.topic = a.topic, d.desc = a.desc;
      d.published = a.published, d.updated = a.updated, d.open = "无条件开放", d.freq = "实时";
      d.tags = {a.topic}, d.views = a.views, d.downloads = a.calls;
    }
    std::string tags;
    for (std::size_t k = 0; k < d.tags.size(); ++k) tags += (k ? "\r\n\t" : "") + ("<span>" + esc(d.tags[k]) + "</span>");
    std::string vol_label = c.labels == Labels::kLiaoning ? "文件量" : "数据量";
    std::string open_label = c.labels == Labels::kShandong ? "开放类型" : "开放条件";
    std::string files;
    // Roughly a third of detail pages leave the file table empty (JS fills it from
    // getResourceWithFormat) — the crawler must then call that JSON endpoint.
    bool table_empty = mix(p.key, static_cast<std::uint64_t>(i) + 991) % 3 == 0;
    if (!table_empty)
      for (std::size_t k = 0; k < d.files.size(); ++k) {
        const auto& f = d.files[k];
        files += "<tr fileformat=\"" + f.format + "\"><td><input type=\"checkbox\" file-id=\"" +
                 hex32(mix(p.key, 7), d.index * 16 + static_cast<std::int64_t>(k)) + "\" file-name=\"" + esc(f.name) +
                 "\"></td><td>" + esc(f.name) + "</td><td>" + f.format + "</td><td><a href=\"" + esc(f.path) +
                 "\">下载</a></td></tr>\n";
      }
    std::string basic = "<table class=\"table\">\n" + tr2(vol_label, commas(d.volume), "文件数", std::to_string(d.files.size())) +
                        tr2("所属行业", esc(d.industry), "更新频率", d.freq) + tr2("部门电话", "暂无", "部门邮箱", "暂无") +
                        tr2("浏览量", std::to_string(d.views), "下载量", std::to_string(d.downloads)) +
                        tr2("标签", tags) + tr2("描述", esc(d.desc)) + "</table>\n";
    std::string body;
    if (!c.layout_b) {
      std::string topic_label = c.labels == Labels::kChengdu ? "主题" : "重点领域";
      std::string hdr = li_inline("来源部门", d.dept) + li_inline(topic_label, d.topic);
      if (c.labels == Labels::kLiaoning) hdr += li_inline(open_label, d.open) + li_inline("数据更新时间", date_part(d.updated));
      else hdr += li_inline("发布时间", date_part(d.published)) + li_inline("更新时间", date_part(d.updated)) +
                  li_inline(open_label, d.open);
      body = "<div class=\"catalog-detail\">\n<ul class=\"d-title pull-left\"><h4>" + esc(d.title) + "</h4></ul>\n" +
             "<ul class=\"list-inline\">\n" + hdr + "</ul>\n";
    } else {
      basic = "<table class=\"table\">\n" + tr2("来源部门", esc(d.dept), "开放状态", d.open) +
              tr2("所属行业", esc(d.industry), "发布时间", d.published) + tr2("最后更新时间", d.updated, "更新频率", d.freq) +
              tr2("部门电话", "暂无", "部门邮箱", "暂无") + tr2("数据量", commas(d.volume)) + tr2("标签", tags) +
              tr2("描述", esc(d.desc)) + "</table>\n";
      body = "<div class=\"g-main catalog-details\">\n<div class=\"panel panel-top\"><h4>" + esc(d.title) +
             "</h4><div class=\"list-details\"><ul><li><span>资源名称</span></li><li>重点领域：<span>" + esc(d.topic) +
             "</span></li></ul></div></div>\n<div class=\"panel panel-content\"><div class=\"panel-body\">\n";
    }
    std::string root = "/" + c.prefix;
    body += "<input type=\"hidden\" id=\"rootPath\" value=\"" + root + "\"><input type=\"hidden\" id=\"cata_id\" value=\"" +
            d.id + "\"><input type=\"hidden\" id=\"cata_name\" value=\"" + esc(d.title) + "\">\n<ul class=\"nav-content\">\n" +
            "<li name=\"basicinfo\">" + basic + "</li>\n";
    if (is_api) body += "<li name=\"api-service\"><p>接口地址：/gateway/api/" + std::to_string(1000 + i) + "/query</p></li>\n";
    else body += "<li name=\"file-download\"><table class=\"table\"><tbody>\n" + files + "</tbody></table></li>\n";
    body += "</ul>\n</div>\n";
    if (c.layout_b) body += "</div></div>\n";
    resp.html(html_page(d.title + "-" + p.site.name, body));
  }

  void resources(const Portal& p, const Req& req, Resp& resp) const {
    auto i = p.dataset_index(req.param("cataId"));
    if (!i) return resp.json({{"code", "404"}, {"msg", "目录不存在"}, {"object", nullptr}});
    Dataset d = p.dataset(*i);
    nlohmann::json recs = nlohmann::json::array();
    for (std::size_t k = 0; k < d.files.size(); ++k)
      recs.push_back({{"fileFormat", d.files[k].format},
                      {"fileName", d.files[k].name},
                      {"idInRc", hex32(mix(p.key, 7), d.index * 16 + static_cast<std::int64_t>(k))}});
    resp.json({{"code", "200"}, {"object", {{"records", recs}, {"total", recs.size()}}}});
  }
};

}  // namespace
std::unique_ptr<Family> make_oportal() { return std::make_unique<Oportal>(); }
}  // namespace odh::sim
