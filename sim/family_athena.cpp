// Family `athena` (../shared/platforms/athena.md). Read: POST JSON /athena/catalog/page
// (pageNum from 1, pageSize 10) → data.total + data.rows[].iid; GET
// /athena/catalog/getDetails?dataId= → data.{title,content,keywords,createDate,dataUpdateDate,
// domainStr,deptName,openCond,dataCount,deptContact,updateFreq,downloadDataInfo{themeName,
// openCondition}}; updateFreq codes 1..8; APIs: POST form /athena/interface/getInterfaceDataByPage
// → data.total + data.list[].iid, POST form /athena/interface/getApiData baseDataId= (ids may
// collide with dataset ids). Inferred: visitCount/downloadCount names, file list key.
#include "sim/family.h"

namespace odh::sim {
namespace {

const std::vector<std::string> kFreq = {"每日", "每周", "每月", "每季度", "每半年", "每年", "不定期", "不更新"};
std::string freq_word(const std::string& f) { return f == "每天" || f == "实时" ? "每日" : f; }

class Athena : public Family {
 public:
  std::string name() const override { return "athena"; }
  // Integer ids; datasets and APIs use overlapping ranges (as the notes warn).
  std::string dataset_id(const Portal& p, std::int64_t i) const override { return std::to_string(10001 + i); }
  std::string api_id(const Portal& p, std::int64_t i) const override { return std::to_string(10001 + i * 3); }
  std::optional<std::int64_t> dataset_index(const Portal&, const std::string& id) const override {
    std::int64_t v = to_int(id, -1) - 10001;
    return v < 0 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  std::optional<std::int64_t> api_index(const Portal&, const std::string& id) const override {
    std::int64_t v = to_int(id, -1) - 10001;
    return v < 0 || v % 3 ? std::nullopt : std::optional<std::int64_t>(v / 3);
  }
  void normalize(const Portal&, Dataset& d) const override {
    d.freq = freq_word(d.freq);
    if (std::find(kFreq.begin(), kFreq.end(), d.freq) == kFreq.end()) d.freq = "不定期";
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/kf/open/table", "数据开放"}, {"/kf/open/interface", "数据接口"}};
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    return "/athena/file/download?dataId=" + d.id + "&fileIndex=" + std::to_string(k);  // inferred
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path == "/athena/catalog/page") {
      auto j = req.json();
      std::int64_t page = std::max<std::int64_t>(1, jint(j, "pageNum", 1)), size = jint(j, "pageSize", 10);
      auto [a, b] = page_range(p.n_datasets, page, size, 1);
      nlohmann::json rows = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        Dataset d = p.dataset(i);
        rows.push_back({{"iid", to_int(d.id, 0)}, {"title", d.title}, {"deptName", d.dept}, {"dataUpdateDate", d.updated},
                        {"visitCount", d.views}, {"downloadCount", d.downloads}, {"fileFormat", join(d.formats, ",")}});
      }
      resp.json({{"code", 200}, {"msg", "success"}, {"data", {{"total", p.n_datasets}, {"rows", rows}}}});
      return true;
    }
    if (req.path == "/athena/catalog/getDetails") {
      auto i = p.dataset_index(req.param("dataId"));
      if (!i) return resp.json({{"code", 500}, {"msg", "数据不存在"}, {"data", nullptr}}), true;
      Dataset d = p.dataset(*i);
      nlohmann::json files = nlohmann::json::array();
      for (const auto& f : d.files) files.push_back({{"fileName", f.name}, {"fileFormat", f.format}, {"url", f.path}});
      resp.json({{"code", 200},
                 {"data",
                  {{"iid", to_int(d.id, 0)}, {"title", d.title}, {"content", d.desc}, {"keywords", join(d.tags, ",")},
                   {"createDate", d.published}, {"dataUpdateDate", d.updated}, {"domainStr", d.topic},
                   {"deptName", d.dept}, {"openCond", d.open}, {"dataCount", d.volume}, {"deptContact", "0575-85200000"},
                   {"updateFreq", to_int(freq_code(d.freq, kFreq, 1, "7"), 7)},
                   {"downloadDataInfo", {{"themeName", d.industry}, {"openCondition", d.open}}},
                   {"visitCount", d.views}, {"downloadCount", d.downloads}, {"score", d.rating}, {"fileList", files}}}});
      return true;
    }
    if (req.path == "/athena/interface/getInterfaceDataByPage") {
      std::int64_t page = std::max<std::int64_t>(1, to_int(req.field("pageNum", "1"), 1));
      std::int64_t size = to_int(req.field("pageSize", "10"), 10);
      auto [a, b] = page_range(p.n_apis, page, size, 1);
      nlohmann::json list = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        Api x = p.api(i);
        list.push_back({{"iid", to_int(x.id, 0)}, {"title", x.title}, {"deptName", x.dept}});
      }
      resp.json({{"code", 200}, {"data", {{"total", p.n_apis}, {"list", list}}}});
      return true;
    }
    if (req.path == "/athena/interface/getApiData") {
      auto i = p.api_index(req.field("baseDataId"));
      if (!i || *i >= p.n_apis) return resp.json({{"code", 500}, {"msg", "接口不存在"}, {"data", nullptr}}), true;
      Api a = p.api(*i);
      resp.json({{"code", 200},
                 {"data",
                  {{"iid", to_int(a.id, 0)}, {"title", a.title}, {"content", a.desc}, {"keywords", a.topic},
                   {"createDate", a.published}, {"dataUpdateDate", a.updated}, {"domainStr", a.topic},
                   {"deptName", a.dept}, {"source", a.dept}, {"openCond", "无条件开放"}, {"updateFreq", 1},
                   {"requestMethod", a.method}, {"callCount", a.calls}}}});
      return true;
    }
    if (req.path == "/athena/file/download") {
      serve_dataset_file(p, to_int(req.param("dataId"), 0) - 10001, static_cast<std::size_t>(to_int(req.param("fileIndex"), 0)), resp);
      return true;
    }
    if (req.path.rfind("/kf/open/", 0) == 0 || req.path.rfind("/tz/open/", 0) == 0) {
      resp.html(html_page(p.site.name, "<div id=\"app\"></div><script src=\"/kf/static/js/app.js\"></script>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_athena() { return std::make_unique<Athena>(); }
}  // namespace odh::sim
