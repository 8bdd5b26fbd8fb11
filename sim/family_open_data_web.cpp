// Family `open-data-web` (../shared/platforms/open-data-web.md; Hefei, also Bozhou/Xuancheng).
// Read: GET /open-data-web/kfzy/queryKfZyPage.do?zylxdm=1&currentPageNo=N (from 1)&pageSize=10
// → data.totalPageCount + data.result[].{id,zyId} (ids differ); POST form
// /open-data-web/kfzy/getKfzyDetail.do id=&zyId=&zylx=1&czlx=1 → data.{zy,tgdwmc,filedName,cjsj,
// gxsj (compact yyyyMMddHHmmss),gxpl ("6" 每年, "8" 每两年, ""),zymc,fjhzm ("XLS CSV")}, nulls occur.
// Anti-bot gate: without the clearance cookie every request gets HTTP 521 and a script whose
// `document.cookie=<expr>;location…` sets `__jsl_clearance_s` — a fixed per-portal value here
// (the real second `go({...})` hash stage is not emulated). zylxdm=2 lists APIs (inferred).
#include "sim/family.h"

namespace odh::sim {
namespace {

const std::vector<std::string> kGxpl = {"实时", "每日", "每周", "每月", "每季度", "每年", "半年", "每两年"};
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string clearance(const Portal& p) {
  return std::to_string(1600000000 + p.key % 100000000) + ".517|0|" + hex32(p.key, 424242).substr(0, 24);
}

class OpenDataWeb : public Family {
 public:
  std::string name() const override { return "open-data-web"; }
  void normalize(const Portal&, Dataset& d) const override {
    if (std::find(kGxpl.begin(), kGxpl.end(), d.freq) == kGxpl.end()) d.freq = "每年";
  }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/open-data-web/index/index.do", "数据开放"}};
  }
  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path.rfind("/open-data-web/", 0) != 0) return false;
    std::string want = "__jsl_clearance_s=" + clearance(p);
    if (req.header("cookie").find(want) == std::string::npos) {
      resp.status = 521;
      std::string v = clearance(p);
      std::string expr = "('_'+'_jsl_clear'+'ance_s=" + v.substr(0, 6) + "'+'" + v.substr(6) + "')";
      resp.html("<script>document.cookie=" + expr + "+';max-age=3600;path=/';location.href=location.pathname+location.search</script>");
      return true;
    }
    if (req.path == "/open-data-web/kfzy/queryKfZyPage.do") {
      std::int64_t page = std::max<std::int64_t>(1, to_int(req.param("currentPageNo", "1"), 1));
      std::int64_t size = std::clamp<std::int64_t>(to_int(req.param("pageSize", "10"), 10), 1, 100);
      bool apis = req.param("zylxdm", "1") == "2";
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json result = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        if (apis) {
          Api x = p.api(i);
          result.push_back({{"id", upper(hex32(mix(p.key, 3), 1000000 + i))}, {"zyId", x.id}, {"zy", x.title}, {"tgdwmc", x.dept}});
        } else {
          Dataset d = p.dataset(i);
          result.push_back({{"id", upper(hex32(mix(p.key, 3), i))}, {"zyId", d.id}, {"zy", d.title}, {"tgdwmc", d.dept},
                            {"llcs", d.views}, {"xzcs", d.downloads}});
        }
      }
      resp.json({{"code", "0"}, {"data", {{"totalPageCount", pages(total, size)}, {"totalCount", total}, {"result", result}}}});
      return true;
    }
    if (req.path == "/open-data-web/kfzy/getKfzyDetail.do") {
      std::string zy = req.field("zyId");
      if (auto i = p.dataset_index(zy)) {
        Dataset d = p.dataset(*i);
        std::string fj;
        for (const auto& f : d.formats) fj += (fj.empty() ? "" : " ") + upper(f);
        resp.json({{"code", "0"},
                   {"data", {{"zy", d.title}, {"tgdwmc", d.dept}, {"filedName", d.topic}, {"cjsj", compact_date(d.published)},
                             {"gxsj", compact_date(d.updated)}, {"gxpl", freq_code(d.freq, kGxpl, 1, "")}, {"zymc", d.desc},
                             {"fjhzm", fj}, {"sjl", d.index % 7 == 0 ? nlohmann::json(nullptr) : nlohmann::json(d.volume)}}}});
        return true;
      }
      if (auto i = p.api_index(zy); i && *i < p.n_apis) {
        Api a = p.api(*i);
        resp.json({{"code", "0"}, {"data", {{"zy", a.title}, {"tgdwmc", a.dept}, {"filedName", a.topic}, {"cjsj", compact_date(a.published)},
                                            {"gxsj", compact_date(a.updated)}, {"gxpl", "1"}, {"zymc", a.desc}, {"fjhzm", nullptr}}}});
        return true;
      }
      resp.json({{"code", "1"}, {"msg", "资源不存在"}, {"data", nullptr}});
      return true;
    }
    if (req.path == "/open-data-web/file/download.do") {
      auto i = p.dataset_index(req.param("zyId"));
      serve_dataset_file(p, i ? *i : -1, static_cast<std::size_t>(to_int(req.param("k"), 99)), resp);
      return true;
    }
    if (req.path == "/open-data-web/index/index.do" || req.path == "/open-data-web/data/detail-hfs.do") {
      resp.html(html_page(p.site.name, "<div id=\"app\"></div><script src=\"/open-data-web/js/index.js\"></script>"));
      return true;
    }
    return false;
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string&) const override {
    return "/open-data-web/file/download.do?zyId=" + d.id + "&k=" + std::to_string(k);
  }
};

}  // namespace
std::unique_ptr<Family> make_open_data_web() { return std::make_unique<OpenDataWeb>(); }
}  // namespace odh::sim
