// Family `gd-opendata` (../shared/platforms/gd-opendata.md), three variants by host.
// Shenzhen/Fuzhou: POST /data/dataSet/findPage (form, or JSON for Fuzhou) pageNo from 1,
// pageSize 6 → top-level `dataList` that is a JSON *string* {list[].resId, pageSize,
// otherData.{cityCount,countyCount}}; APIs POST /data/api/findPageByParams → `apiList` string;
// detail POST /data/catalog/selectDataCatalogByResId resId= → top-level res* keys, sourceSuffix
// "XLS,CSV". Guangdong: JSON posts under /backOpen/open/data/… → data.page.{pages,list[].resId},
// detail data.{…}. resIds look like "29200/00900273". Inferred: the city/county split.
#include "sim/family.h"

namespace odh::sim {
namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string org(const Portal& p) { return std::to_string(29000 + p.key % 900); }
bool province(const Portal& p) { return p.fact("variant") == "guangdong" || p.host.find("gddata") != std::string::npos; }
bool fuzhou(const Portal& p) { return p.host.find("fuzhou") != std::string::npos; }

// The collection a Guangdong list asks for: officeCode N is the portal at …/collect?deptCode=N, ""
// the one without a deptCode (the province). Inferred: the notes only show officeCode "".
const Portal* collection(const HostCtx& ctx, const std::string& code) {
  for (const auto* q : ctx.portals) {
    auto k = q->entry_path.find("deptCode=");
    std::string dept = k == std::string::npos ? "" : q->entry_path.substr(k + 9, q->entry_path.find('&', k) - k - 9);
    if (dept == code) return q;
  }
  return nullptr;
}

class Gd : public Family {
 public:
  std::string name() const override { return "gd-opendata"; }
  std::string dataset_id(const Portal& p, std::int64_t i) const override {
    char b[32];
    std::snprintf(b, sizeof b, "%08lld", static_cast<long long>(900000 + i));
    return org(p) + "/" + b;
  }
  std::string api_id(const Portal& p, std::int64_t i) const override {
    char b[32];
    std::snprintf(b, sizeof b, "%08lld", static_cast<long long>(50000000 + i));
    return org(p) + "/" + b;
  }
  std::optional<std::int64_t> dataset_index(const Portal& p, const std::string& id) const override {
    std::string s = id;
    std::replace(s.begin(), s.end(), '_', '/');
    auto k = s.find('/');
    if (k == std::string::npos || s.substr(0, k) != org(p)) return std::nullopt;
    std::int64_t v = to_int(s.substr(k + 1), -1) - 900000;
    return v < 0 || v >= 40000000 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  std::optional<std::int64_t> api_index(const Portal& p, const std::string& id) const override {
    std::string s = id;
    std::replace(s.begin(), s.end(), '_', '/');
    auto k = s.find('/');
    if (k == std::string::npos || s.substr(0, k) != org(p)) return std::nullopt;
    std::int64_t v = to_int(s.substr(k + 1), -1) - 50000000;
    return v < 0 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    if (province(p)) return {{"/opdata/index", "开放数据"}};
    return {{"/data/dataSet/toDataSet", "数据目录"}, {"/data/api/toApi", "数据接口"}};
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    return "/data/dataSet/download?resId=" + url_encode(d.id) + "&fileNo=" + std::to_string(k);  // inferred
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    const std::string bo = "/backOpen/open/data/";
    if (!province(p) && (req.path == "/data/dataSet/findPage" || req.path == "/data/api/findPageByParams")) {
      bool apis = req.path == "/data/api/findPageByParams";
      std::int64_t page = std::max<std::int64_t>(1, to_int(req.field("pageNo", "1"), 1));
      std::int64_t size = std::clamp<std::int64_t>(to_int(req.field("pageSize", "6"), 6), 1, 100);
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json list = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) list.push_back(apis ? api_row(p, i) : row(p, i));
      std::int64_t city = total * 7 / 10;
      nlohmann::json inner = {{"list", list}, {"pageNo", page}, {"pageSize", size},
                              {"otherData", {{"cityCount", city}, {"countyCount", total - city}}}};
      resp.json({{"code", "000000"}, {apis ? "apiList" : "dataList", inner.dump()}});
      return true;
    }
    if (province(p) && (req.path == bo + "data/openCatalog/findPageBySearch" || req.path == bo + "dataManageApi/api/findPageBySearch")) {
      bool apis = req.path.find("dataManageApi") != std::string::npos;
      auto j = req.json();
      std::string code = j.is_object() ? jstr(j, apis ? "officecCode" : "officeCode") : "";
      const Portal* c = collection(ctx, code);
      if (!c) return resp.json({{"code", 200}, {"msg", "成功"}, {"data", {{"page", {{"pageNum", 1}, {"total", 0}, {"pages", 0}, {"list", nlohmann::json::array()}}}}}}), true;
      const Portal& p = *c;
      std::int64_t page = std::max<std::int64_t>(1, jint(j, "pageNo", 1)), size = std::clamp<std::int64_t>(jint(j, "pageSize", 8), 1, 100);
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json list = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) list.push_back(apis ? api_row(p, i) : row(p, i));
      resp.json({{"code", 200}, {"msg", "成功"},
                 {"data", {{"page", {{"pageNum", page}, {"pageSize", size}, {"total", total}, {"pages", pages(total, size)}, {"list", list}}}}}});
      return true;
    }
    bool det_prov = province(p) && (req.path == bo + "data/openCatalog/selectDataCatalogByResId" ||
                                    req.path == bo + "dataManageApi/api/selectDataApiByResId");
    if (det_prov || (!province(p) && req.path == "/data/catalog/selectDataCatalogByResId")) {
      std::string id = req.field("resId");
      nlohmann::json d;
      for (const auto* q : ctx.portals)  // the collection whose ids these are
        if (d.is_null()) d = detail(*q, id);
      if (det_prov) resp.json({{"code", 200}, {"msg", "成功"}, {"data", d}});
      else resp.json(d.is_null() ? nlohmann::json{{"code", "500"}, {"msg", "资源不存在"}} : d);
      return true;
    }
    if (req.path == "/data/dataSet/download") {
      auto i = p.dataset_index(url_decode(req.param("resId")));
      serve_dataset_file(p, i ? *i : -1, static_cast<std::size_t>(to_int(req.param("fileNo"), 0)), resp);
      return true;
    }
    if (req.path.rfind("/data/dataSet/toDataDetails/", 0) == 0 || req.path == "/data/dataSet/toDataSet" ||
        req.path == "/data/api/toApi" || req.path == "/opdata/index" || req.path == "/data/catalog/toDataCatalog") {
      resp.html(html_page(p.site.name, "<div id=\"app\"></div><script src=\"/static/js/index.js\"></script>"));
      return true;
    }
    return false;
  }

 private:
  nlohmann::json row(const Portal& p, std::int64_t i) const {
    Dataset d = p.dataset(i);
    return {{"resId", d.id}, {"resTitle", d.title}, {"officeName", d.dept}, {"sourceSuffix", upper(join(d.formats, ","))},
            {"visitCount", d.views}, {"downloadCount", d.downloads}, {"score", d.rating}};
  }
  nlohmann::json api_row(const Portal& p, std::int64_t i) const {
    Api a = p.api(i);
    return {{"resId", a.id}, {"resTitle", a.title}, {"officeName", a.dept}, {"sourceSuffix", "API"}};
  }
  nlohmann::json detail(const Portal& p, const std::string& id) const {
    if (auto i = p.dataset_index(id); i && *i < p.n_datasets) {
      Dataset d = p.dataset(*i);
      nlohmann::json j = {{"resId", d.id}, {"resTitle", d.title}, {"resAbstract", d.desc}, {"keyword", join(d.tags, ",")},
                          {"officeName", d.dept}, {"subjectName", d.topic}, {"tradeName", d.industry},
                          {"publishDate", d.published}, {"dataUpdateTime", d.updated}, {"lastModifyTime", d.updated},
                          {"updateCycle", d.freq}, {"openLevelName", d.open},
                          {"openMode", d.open == "无条件开放" ? "普遍开放" : "依申请开放"}, {"phone", "0755-88100000"},
                          {"email", "opendata@example.gov.cn"}, {"sourceSuffix", upper(join(d.formats, ","))},
                          {"visitCount", d.views}, {"downloadCount", d.downloads}};
      if (fuzhou(p)) j["fullName"] = d.dept;
      return j;
    }
    if (auto i = p.api_index(id); i && *i < p.n_apis) {
      Api a = p.api(*i);
      return {{"resId", a.id}, {"resTitle", a.title}, {"resAbstract", a.desc}, {"officeName", a.dept},
              {"subjectName", a.topic}, {"publishDate", a.published}, {"dataUpdateTime", a.updated},
              {"openMode", "普遍开放"}, {"sourceSuffix", "API"}, {"requestMode", a.method}};
    }
    return nullptr;
  }
};

}  // namespace
std::unique_ptr<Family> make_gd_opendata() { return std::make_unique<Gd>(); }
}  // namespace odh::sim
