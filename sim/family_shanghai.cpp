// `shanghai` (../shared/platforms/shanghai.md). Read: POST /zq/api/data_set/search/ with raw
// JSON text (form content type), pageNum → data.totalPageNum + data.content[].datasetId; GET
// /zq/api/data_set/<id>/ → data.{dataset_name,open_list_abstract,data_label,data_domain,
// cou_theme_cls,create_date,update_date (ISO with T),open_rate,org_name,open_type,contact_way,
// docType[{name,path,sort,file_type[]}]}; download /zq/api/download_file_pro/?path=&sort=&file_type=.
// Inferred: the detail requires a Referer under /view/detail/ (403 JSON otherwise);
// openResType "2" lists APIs.
#include "sim/family.h"

namespace odh::sim {
namespace {

std::string iso(const std::string& dt) { return dt.substr(0, 10) + "T" + dt.substr(11) + ".000+08:00"; }

class Shanghai : public Family {
 public:
  std::string name() const override { return "shanghai"; }
  std::vector<std::pair<std::string, std::string>> home_links(const Portal&) const override {
    return {{"/view/data-resource/index.html", "数据资源"}};
  }
  std::string file_path(const Portal& p, const Dataset& d, std::size_t k, const std::string& ext) const override {
    return "/zq/api/download_file_pro/?path=" + url_encode("/upload/" + d.id + "/" + std::to_string(k)) +
           "&sort=" + std::to_string(k) + "&file_type=" + ext;
  }

  bool serve(const HostCtx& ctx, const Req& req, Resp& resp) const override {
    const Portal& p = ctx.first();
    if (req.path == "/zq/api/data_set/search/") {
      auto j = req.json();
      if (!j.is_object()) return resp.json({{"code", 400}, {"msg", "参数错误"}}), true;
      std::int64_t page = std::max<std::int64_t>(1, jint(j, "pageNum", 1));
      std::int64_t size = std::clamp<std::int64_t>(jint(j, "pageSize", 10), 1, 100);
      bool apis = jstr(j, "openResType") == "2";
      std::int64_t total = apis ? p.n_apis : p.n_datasets;
      auto [a, b] = page_range(total, page, size, 1);
      nlohmann::json content = nlohmann::json::array();
      for (std::int64_t i = a; i < b; ++i) {
        if (apis) {
          Api x = p.api(i);
          content.push_back({{"datasetId", x.id}, {"datasetName", x.title}, {"orgName", x.dept}, {"resType", "api"}});
        } else {
          Dataset d = p.dataset(i);
          content.push_back({{"datasetId", d.id}, {"datasetName", d.title}, {"orgName", d.dept},
                             {"viewCount", d.views}, {"downloadCount", d.downloads}, {"generalScore", d.rating}});
        }
      }
      resp.json({{"code", 0}, {"data", {{"totalPageNum", pages(total, size)}, {"totalNum", total}, {"content", content}}}});
      return true;
    }
    if (req.path.rfind("/zq/api/data_set/", 0) == 0 && req.path.size() > 18 && req.path.back() == '/') {
      if (req.header("referer").find("/view/detail/") == std::string::npos) {
        resp.status = 403;
        resp.json({{"code", 403}, {"msg", "非法请求"}});
        return true;
      }
      std::string id = req.path.substr(17, req.path.size() - 18);
      if (auto i = p.dataset_index(id)) {
        Dataset d = p.dataset(*i);
        nlohmann::json docs = nlohmann::json::array();
        for (std::size_t k = 0; k < d.files.size(); ++k)
          docs.push_back({{"name", d.files[k].name}, {"path", "/upload/" + d.id + "/" + std::to_string(k)},
                          {"sort", k}, {"file_type", {d.files[k].format}}});
        resp.json({{"code", 0},
                   {"data",
                    {{"dataset_name", d.title}, {"open_list_abstract", d.desc}, {"data_label", join(d.tags, ",")},
                     {"data_domain", d.topic}, {"cou_theme_cls", d.industry.empty() ? "综合类" : d.industry},
                     {"create_date", iso(d.published)}, {"update_date", iso(d.updated)}, {"open_rate", d.freq},
                     {"org_name", d.dept}, {"open_type", d.open}, {"contact_way", "021-12345"},
                     {"view_count", d.views}, {"download_count", d.downloads}, {"general_score", d.rating},
                     {"docType", docs}}}});
        return true;
      }
      if (auto i = p.api_index(id); i && *i < p.n_apis) {
        Api a = p.api(*i);
        resp.json({{"code", 0},
                   {"data", {{"dataset_name", a.title}, {"open_list_abstract", a.desc}, {"data_domain", a.topic},
                             {"create_date", iso(a.published)}, {"update_date", iso(a.updated)}, {"open_rate", "实时"},
                             {"org_name", a.dept}, {"open_type", "无条件开放"}, {"docType", nlohmann::json::array()},
                             {"api_url", a.endpoint}}}});
        return true;
      }
      resp.json({{"code", 404}, {"msg", "数据集不存在"}, {"data", nullptr}});
      return true;
    }
    if (req.path == "/zq/api/download_file_pro/") {
      std::string path = url_decode(req.param("path"));  // /upload/<id>/<k>
      auto s1 = path.find('/', 8);
      auto i = s1 == std::string::npos ? std::nullopt : p.dataset_index(path.substr(8, s1 - 8));
      serve_dataset_file(p, i ? *i : -1, static_cast<std::size_t>(to_int(req.param("sort"), 99)), resp);
      return true;
    }
    if (req.path.rfind("/view/", 0) == 0) {
      resp.html(html_page(p.site.name, "<div id=\"app\"></div><script src=\"/view/js/app.js\"></script>"));
      return true;
    }
    return false;
  }
};

}  // namespace
std::unique_ptr<Family> make_shanghai() { return std::make_unique<Shanghai>(); }
}  // namespace odh::sim
