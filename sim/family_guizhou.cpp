// Family `guizhou-api` (../shared/platforms/guizhou-api.md): data.guizhou.gov.cn JSON search
// API; one host, portals told apart by `divisionId` in the list body. Read: paths, body keys,
// pageIndex from 1, pageSize 12, `total`/`data[].id` (uuid)/`resourceFormats`, detail keys,
// epoch-ms times, openAttribute 1 = 有条件, frequency codes. Inferred: resourceType "2" lists
// APIs (the notes only show ""), visitCount/downloadCount key names.
#include "sim/family.h"

namespace odh::sim {
namespace {

const std::vector<std::string> kFreq = {"每年", "每季度", "每月", "每周", "每天", "实时", "每半年"};

class Guizhou : public Family {
 public:
  std::string name() const override { return "guizhou-api"; }
  std::string dataset_id(const Portal& p, std::int64_t i) const override { return uuid_id(p.key, i); }
  std::string api_id(const Portal& p, std::int64_t i) const override { return uuid_id(mix(p.key, 5), i); }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal& p) const override {
    return {{"/open-data", "开放数据"}};
  }
  void normalize(const Portal&, Dataset& d) const override {
    if (std::find(kFreq.begin(), kFreq.end(), d.freq) == kFreq.end()) d.freq = "每年";
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    if (req.path == "/api/search/data/getDataDirectoryListByParams") {
      auto j = req.json();
      if (!j.is_object()) return resp.json({{"code", 400}, {"msg", "请求参数错误"}}), true;
      std::string div = jstr(j, "divisionId");
      const Portal* p = pick_division(ctx, div);
      std::int64_t page = jint(j, "pageIndex", 1), size = jint(j, "pageSize", 12);
      bool apis = jstr(j, "resourceType") == "2";
      std::int64_t total = p ? (apis ? p->n_apis : p->n_datasets) : 0;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json data = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        if (apis) {
          Api x = p->api(i);
          data.push_back({{"id", x.id}, {"name", x.title}, {"orgName", x.dept}, {"resourceFormats", {"api"}},
                          {"updateTime", epoch_ms(x.updated)}, {"visitCount", x.views}});
        } else {
          Dataset d = p->dataset(i);
          data.push_back({{"id", d.id}, {"name", d.title}, {"orgName", d.dept}, {"resourceFormats", d.formats},
                          {"updateTime", epoch_ms(d.updated)}, {"visitCount", d.views},
                          {"downloadCount", d.downloads}});
        }
      }
      resp.json({{"code", 200}, {"total", total}, {"data", data}});
      return true;
    }
    if (req.path == "/api/search/data/getDataDetailByDataId") {
      auto j = req.json();
      std::string id = jstr(j, "id");
      for (const auto* p : ctx.portals) {
        if (auto i = p->dataset_index(id)) {
          Dataset d = p->dataset(*i);
          auto fc = freq_code(d.freq, kFreq, 0, "");
          resp.json({{"code", 200},
                     {"data",
                      {{"id", d.id}, {"name", d.title}, {"description", d.desc}, {"topicName", d.topic},
                       {"orgName", d.dept}, {"industryName", d.industry.empty() ? "默认行业" : d.industry},
                       {"createTime", epoch_ms(d.published)}, {"updateTime", epoch_ms(d.updated)},
                       {"openAttribute", d.open == "有条件开放" ? 1 : 0},
                       {"frequency", d.freq == "实时" ? nlohmann::json(nullptr) : nlohmann::json(to_int(fc, 0))},
                       {"resourceFormats", d.formats}, {"visitCount", d.views}, {"downloadCount", d.downloads},
                       {"score", d.rating}, {"commentCount", d.comments},
                       {"files", [&] {
                          nlohmann::json f = nlohmann::json::array();
                          for (const auto& x : d.files) f.push_back({{"fileName", x.name}, {"fileType", x.format}, {"url", x.path}});
                          return f;
                        }()}}}});
          return true;
        }
        if (auto i = p->api_index(id)) {
          Api a = p->api(*i);
          resp.json({{"code", 200},
                     {"data",
                      {{"id", a.id}, {"name", a.title}, {"description", a.desc}, {"topicName", a.topic},
                       {"orgName", a.dept}, {"industryName", "默认行业"}, {"createTime", epoch_ms(a.published)},
                       {"updateTime", epoch_ms(a.updated)}, {"openAttribute", 0}, {"frequency", nullptr},
                       {"resourceFormats", {"api"}}}}});
          return true;
        }
      }
      resp.json({{"code", 500}, {"msg", "数据不存在"}, {"data", nullptr}});
      return true;
    }
    if (req.path == "/open-data" || req.path.rfind("/open-data/", 0) == 0) {
      // The human pages are a Vue SPA shell; content comes from the API.
      resp.html(html_page(ctx.first().site.name, "<div id=\"app\"></div><script src=\"/static/js/app.js\"></script>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_guizhou_api() { return std::make_unique<Guizhou>(); }
}  // namespace odh::sim
