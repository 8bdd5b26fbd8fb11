// Family `exchangeopengateway` (../shared/platforms/exchangeopengateway.md). Read: POST JSON
// /exchangeopengateway/v1.0/mh/sjml/getMlxxList (pageNo from 1, pageSize, zylx filter) →
// data.rows[].mlbh ("31003/027357", contains "/") + wjlx + data.totalPage; GET
// /exchangeopengateway/v1.0/mlxx/getSjmlxq?mlbh=&appCode= → pinyin-initial keys, epoch-ms dates
// as strings, kflx 01/02, gxzq 01..06, zygs formats joined by a backslash. Inferred: zylx 01 =
// dataset, 02 = API; a missing appCode is answered with an error JSON; view/download keys.
#include "sim/family.h"

namespace odh::sim {
namespace {

const std::vector<std::string> kFreq = {"每日", "每周", "每月", "季度", "年", "半年"};
std::string org(const Portal& p) { return std::to_string(31000 + p.key % 900); }

class Exchange : public Family {
 public:
  std::string name() const override { return "exchangeopengateway"; }
  std::string dataset_id(const Portal& p, std::int64_t i) const override {
    char b[32];
    std::snprintf(b, sizeof b, "%06lld", static_cast<long long>(100000 + i));
    return org(p) + "/" + b;
  }
  std::string api_id(const Portal& p, std::int64_t i) const override {
    return org(p) + "/" + std::to_string(600000 + i);
  }
  std::optional<std::int64_t> dataset_index(const Portal& p, const std::string& id) const override {
    auto s = id.find('/');
    if (s == std::string::npos || id.substr(0, s) != org(p)) return std::nullopt;
    std::int64_t v = to_int(id.substr(s + 1), -1) - 100000;
    return v < 0 || v >= 500000 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  std::optional<std::int64_t> api_index(const Portal& p, const std::string& id) const override {
    auto s = id.find('/');
    if (s == std::string::npos || id.substr(0, s) != org(p)) return std::nullopt;
    std::int64_t v = to_int(id.substr(s + 1), -1) - 600000;
    return v < 0 ? std::nullopt : std::optional<std::int64_t>(v);
  }
  void normalize(const Portal&, Dataset& d) const override {
    static const std::map<std::string, std::string> m = {{"每天", "每日"}, {"实时", "每日"}, {"每季度", "季度"},
                                                         {"每年", "年"},   {"每半年", "半年"}, {"每两年", "年"},
                                                         {"不定期", "年"}};
    if (auto it = m.find(d.freq); it != m.end()) d.freq = it->second;
    if (std::find(kFreq.begin(), kFreq.end(), d.freq) == kFreq.end()) d.freq = "年";
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/#/DataSet", "数据目录"}};
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    return "/exchangeopengateway/v1.0/mlxx/downloadFile?mlbh=" + url_encode(d.id) + "&xh=" + std::to_string(k);
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    const std::string pre = "/exchangeopengateway/v1.0/";
    if (req.path == pre + "mh/sjml/getMlxxList") {
      auto j = req.json();
      std::int64_t page = std::max<std::int64_t>(1, jint(j, "pageNo", 1)), size = jint(j, "pageSize", 10);
      size = std::clamp<std::int64_t>(size, 1, 100);
      bool want_ds = true, want_api = true;
      if (j.is_object() && j.contains("zylx") && j["zylx"].is_array()) {
        want_ds = want_api = false;
        for (const auto& z : j["zylx"]) {
          if (z == "01" || z == "00") want_ds = true;
          if (z == "02" || z == "00") want_api = true;
        }
      }
      std::int64_t nd = want_ds ? p.n_datasets : 0, na = want_api ? p.n_apis : 0, total = nd + na;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json rows = nlohmann::json::array();
      for (std::int64_t k = a; k < b; ++k) {
        if (k < nd) {
          Dataset d = p.dataset(k);
          rows.push_back({{"mlbh", d.id}, {"mlmc", d.title}, {"zylx", "01"}, {"wjlx", join(d.formats, "\\")},
                          {"xxzytgf", d.dept}, {"gxrq", std::to_string(epoch_ms(d.updated))}, {"llsl", d.views},
                          {"xzsl", d.downloads}, {"pf", d.rating}});
        } else {
          Api x = p.api(k - nd);
          rows.push_back({{"mlbh", x.id}, {"mlmc", x.title}, {"zylx", "02"}, {"wjlx", "api"}, {"xxzytgf", x.dept},
                          {"gxrq", std::to_string(epoch_ms(x.updated))}, {"llsl", x.views}});
        }
      }
      resp.json({{"code", "200"}, {"msg", "操作成功"},
                 {"data", {{"rows", rows}, {"total", total}, {"totalPage", pages(total, size)}, {"pageNo", page}}}});
      return true;
    }
    if (req.path == pre + "mlxx/getSjmlxq") {
      if (req.param("appCode").empty()) return resp.json({{"code", "401"}, {"msg", "appCode不能为空"}, {"data", nullptr}}), true;
      std::string mlbh = req.param("mlbh");
      if (auto i = p.dataset_index(mlbh); i && *i < p.n_datasets) {
        Dataset d = p.dataset(*i);
        bool ganzi = p.host.find("182.132.59.11") != std::string::npos;
        nlohmann::json data = {{"mlbh", d.id}, {"mlmc", d.title}, {"xxzytgf", d.dept}, {"ssztlmmc", d.topic},
                               {"ssqtlmmc", d.industry}, {"fbrq", std::to_string(epoch_ms(d.published))},
                               {"gxrq", std::to_string(epoch_ms(d.updated))}, {"kflx", d.open == "有条件开放" ? "01" : "02"},
                               {"gxzq", freq_code(d.freq, kFreq, 1, "5").insert(0, "0")}, {"sjl", std::to_string(d.volume)},
                               {"zjhm", "0838-2200000"}, {"mlbqmcList", d.tags}, {"zyzy", d.desc},
                               {"zygs", join(d.formats, "\\")}, {"llsl", d.views}, {"xzsl", d.downloads}, {"pf", d.rating}};
        if (ganzi) data["xxzymc"] = d.desc;  // Ganzi: xxzymc carries the abstract
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : d.files) files.push_back({{"wjmc", f.name}, {"wjlx", f.format}, {"xzdz", f.path}});
        data["wjList"] = files;
        resp.json({{"code", "200"}, {"msg", "操作成功"}, {"data", data}});
        return true;
      }
      if (auto i = p.api_index(mlbh); i && *i < p.n_apis) {
        Api a = p.api(*i);
        resp.json({{"code", "200"}, {"msg", "操作成功"},
                   {"data", {{"mlbh", a.id}, {"mlmc", a.title}, {"xxzytgf", a.dept}, {"ssztlmmc", a.topic},
                             {"fbrq", std::to_string(epoch_ms(a.published))}, {"gxrq", std::to_string(epoch_ms(a.updated))},
                             {"kflx", "02"}, {"gxzq", "01"}, {"zyzy", a.desc}, {"zygs", "api"}, {"jkdz", a.endpoint}}}});
        return true;
      }
      resp.json({{"code", "500"}, {"msg", "目录不存在"}, {"data", nullptr}});
      return true;
    }
    if (req.path == pre + "mlxx/downloadFile") {
      auto i = p.dataset_index(url_decode(req.param("mlbh")));
      serve_dataset_file(p, i ? *i : -1, static_cast<std::size_t>(to_int(req.param("xh"), 0)), resp);
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_exchangeopengateway() { return std::make_unique<Exchange>(); }
}  // namespace odh::sim
