// Family `odweb` (../shared/platforms/odweb.md). Read: POST form
// /odweb/catalog/catalog.do?method=GetCatalog with start=offset, length=pageLength=6; JSON
// recordsTotal + data[].cata_id + conf_catalog_format ("1,2,3,4," codes 1=xls 2=xml 3=json
// 4=csv); detail catalogDetail.htm (div.info-list li: info-header/info-body, tags in the `tags`
// attribute, Urumqi's unpadded dates). Wuxi variant under /data: page/pageSize paging,
// div.baseInfo.s1 table with "label：" cells, getDownLoadPageInfo JSON (zip files named
// <name>_<ext>.zip), CatalogDetailDownload. Inferred: cata_type=api lists APIs.
#include "sim/family.h"

namespace odh::sim {
namespace {

std::string code_of(const std::string& f) {
  if (f == "xls" || f == "xlsx") return "1";
  if (f == "xml" || f == "rdf") return "2";
  if (f == "json") return "3";
  return "4";
}

// Wuxi's variant under /data (odweb.md), as the twin says (prefix data).
bool is_wuxi(const Portal& p) { return p.fact("prefix") == "data"; }

std::string unpad(const std::string& date) {  // "2022-06-07" → "2022-6-7"
  int y = 0, m = 0, d = 0;
  std::sscanf(date.c_str(), "%d-%d-%d", &y, &m, &d);
  return std::to_string(y) + "-" + std::to_string(m) + "-" + std::to_string(d);
}

class Odweb : public Family {
 public:
  std::string name() const override { return "odweb"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    std::string pre = is_wuxi(p) ? "/data" : "/odweb";
    return {{pre + "/catalog/index.htm", "数据目录"}};
  }
  void normalize(const Portal& p, Dataset& d) const override {
    if (is_wuxi(p)) return;
    std::vector<std::string> f;  // only the four coded formats exist on this platform
    for (auto x : d.formats) {
      x = x == "xlsx" ? "xls" : x == "rdf" ? "xml" : x;
      if (std::find(f.begin(), f.end(), x) == f.end()) f.push_back(x);
    }
    d.formats = f;
    for (auto& fr : d.files) {
      if (fr.format == "xlsx") fr.format = "xls";
      if (fr.format == "rdf") fr.format = "xml";
    }
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    std::string pre = is_wuxi(p) ? "/data" : "/odweb";
    return pre + "/catalog/CatalogDetailDownload.do?method=getFileDownloadAddrby&fileId=" +
           hex32(mix(p.key, 7), d.index * 16 + static_cast<std::int64_t>(k));
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    bool wuxi = is_wuxi(p);
    std::string pre = wuxi ? "/data" : "/odweb";
    if (req.path == pre + "/catalog/index.htm") {
      resp.html(html_page("数据目录-" + p.site.name, "<table id=\"catalogTable\"></table><script src=\"" + pre + "/js/catalog.js\"></script>"));
      return true;
    }
    if (req.path == pre + "/catalog/catalog.do" && req.param("method") == "GetCatalog") {
      std::int64_t first, size;
      if (wuxi) {
        size = to_int(req.field("pageSize", "10"), 10);
        first = (to_int(req.field("page", "1"), 1) - 1) * size;
      } else {
        size = to_int(req.field("length", req.field("pageLength", "6")), 6);
        first = to_int(req.field("start", "0"), 0);
      }
      bool apis = req.field("cata_type") == "api";
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      size = std::clamp<std::int64_t>(size, 1, 1000);
      nlohmann::json data = nlohmann::json::array();
      for (std::int64_t i = std::max<std::int64_t>(0, first); i < std::min(total, first + size); ++i) {
        if (apis) {
          Api a = p.api(i);
          data.push_back({{"cata_id", a.id}, {"cata_title", a.title}, {"org_name", a.dept}, {"conf_catalog_format", nullptr},
                          {"conf_use_type", "2"}, {"update_time", a.updated}});
        } else {
          Dataset d = p.dataset(i);
          std::string codes;
          for (const auto& f : d.formats) codes += code_of(f) + ",";
          data.push_back({{"cata_id", d.id}, {"cata_title", d.title}, {"org_name", d.dept}, {"conf_catalog_format", codes},
                          {"description", d.desc}, {"update_time", d.updated}, {"visit_count", d.views},
                          {"download_count", d.downloads}, {"score", d.rating}});
        }
      }
      resp.json({{"draw", 1}, {"recordsTotal", total}, {"recordsFiltered", total}, {"data", data}});
      return true;
    }
    if (req.path == pre + "/catalog/catalogDetail.htm") {
      std::string id = req.param("cata_id");
      auto i = p.dataset_index(id);
      if (!i) {
        if (auto a = p.api_index(id)) return api_detail(p, p.api(*a), resp), true;
        return resp.not_found(), true;
      }
      Dataset d = p.dataset(*i);
      return (wuxi ? wuxi_detail(p, d, resp) : detail(p, d, resp)), true;
    }
    if (wuxi && req.path == "/data/catalog/CatalogDetail.do" && req.param("method") == "getDownLoadPageInfo") {
      auto i = p.dataset_index(req.param("cata_id"));
      nlohmann::json data = nlohmann::json::array();
      if (i) {
        Dataset d = p.dataset(*i);
        for (std::size_t k = 0; k < d.files.size(); ++k) {
          bool zip = (mix(p.key, d.index * 16 + k) % 4) == 0;  // some files are zipped: real format after the last _
          std::string stem = d.files[k].name.substr(0, d.files[k].name.rfind('.'));
          data.push_back({{"fileFormat", zip ? "zip" : d.files[k].format},
                          {"fileName", zip ? stem + "_" + d.files[k].format : stem},
                          {"fileId", hex32(mix(p.key, 7), d.index * 16 + static_cast<std::int64_t>(k))}});
        }
      }
      resp.json({{"success", true}, {"data", data}});
      return true;
    }
    if ((req.path == pre + "/catalog/CatalogDetailDownload.do" || req.path == "/catalog/CatalogDetailDownload.do") &&
        req.param("method") == "getFileDownloadAddrby") {
      auto ik = hex32_index(mix(p.key, 7), req.param("fileId"));
      if (!ik) return resp.not_found(), true;
      serve_dataset_file(p, *ik / 16, static_cast<std::size_t>(*ik % 16), resp);
      return true;
    }
    return false;
  }

 private:
  static std::string item(const std::string& label, const std::string& value, const std::string& attr = "") {
    return "<li><div class=\"info-header\">" + label + "</div><div class=\"info-body\"" + attr + ">" + esc(value) +
           "</div></li>\n";
  }

  void detail(const Portal& p, const Dataset& d, Resp& resp) const {
    bool wlmq = p.host == "zwfw.wlmq.gov.cn" || p.site.city == "乌鲁木齐市";
    auto dt = [&](const std::string& s) {
      std::string v = date_part(s);
      return wlmq && d.index % 2 ? unpad(v) + s.substr(10) : s;  // Urumqi mixes unpadded dates
    };
    std::string info = item("来源部门", d.dept) + item("所属主题", d.topic) + item("发布时间", dt(d.published)) +
                       item("最后更新", dt(d.updated)) + item("开放状态", d.open) + item("所属行业", d.industry) +
                       item("更新频率", d.freq) + item("标签", "", " tags=\"" + esc(join(d.tags, ",")) + "\"") +
                       item("描述", d.desc) + item("浏览量", std::to_string(d.views)) +
                       item("下载量", std::to_string(d.downloads)) + item("评分", std::to_string(d.rating).substr(0, 3));
    std::string fm;
    for (const auto& f : d.formats) fm += "<li>" + f + "</li>";
    std::string files;
    for (const auto& f : d.files) files += "<li><a href=\"" + esc(f.path) + "\">" + esc(f.name) + "</a></li>";
    std::string body = "<div class=\"detail-header\"><span class=\"detail-title\">" + esc(d.title) + "</span></div>\n" +
                       "<div class=\"detail-info-list tab-body\">\n<li action=\"data-info\"><div class=\"info-list\"><ul>\n" +
                       info + "</ul></div></li>\n<li action=\"data-download\"><div class=\"tab-header\"><ul>" + fm +
                       "</ul></div><ul class=\"file-list\">" + files + "</ul></li>\n</div>";
    resp.html(html_page(d.title, body));
  }

  void wuxi_detail(const Portal& p, const Dataset& d, Resp& resp) const {
    auto row = [](const std::string& l, const std::string& v) { return "<tr><td>" + l + "：</td><td>" + v + "</td></tr>\n"; };
    std::string tags;
    for (const auto& t : d.tags) tags += "<span>" + esc(t) + "</span>";
    std::string t = row("来源部门", esc(d.dept)) + row("数据量", std::to_string(d.volume)) + row("联系电话", "0510-81820000") +
                    row("邮箱地址", "sjj@wuxi.gov.cn") + row("所属主题", esc(d.topic)) + row("更新频率", d.freq) +
                    row("目录发布/更新时间", date_part(d.published) + "/" + date_part(d.updated)) +
                    row("资源发布/更新时间", date_part(d.published) + "/" + date_part(d.updated)) + row("条件开放", d.open) +
                    row("标签", tags) + row("简介", esc(d.desc));
    std::string body = "<div class=\"data-name data-con\">" + esc(d.title) + "<span class=\"score\">评分 " +
                       std::to_string(d.rating).substr(0, 3) + "</span></div>\n<div class=\"baseInfo s1\"><table>\n" + t +
                       "</table></div>";
    resp.html(html_page(d.title, body));
  }

  void api_detail(const Portal& p, const Api& a, Resp& resp) const {
    std::string info = item("来源部门", a.dept) + item("所属主题", a.topic) + item("发布时间", a.published) +
                       item("最后更新", a.updated) + item("开放状态", "无条件开放") + item("描述", a.desc) +
                       item("接口地址", a.endpoint) + item("请求方式", a.method);
    resp.html(html_page(a.title, "<div class=\"detail-header\"><span class=\"detail-title\">" + esc(a.title) +
                                     "</span></div><div class=\"detail-info-list tab-body\"><li action=\"data-info\"><div class=\"info-list\"><ul>" +
                                     info + "</ul></div></li></div>"));
  }
};

}  // namespace
std::unique_ptr<Family> make_odweb() { return std::make_unique<Odweb>(); }
}  // namespace odh::sim
