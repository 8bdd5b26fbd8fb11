// The family registry: one line per family file. Explicit (not static registrars) so the
// static library never drops a family's object file.
#include "sim/family.h"

namespace odh::sim {

std::unique_ptr<Family> make_oportal();
std::unique_ptr<Family> make_guizhou_api();
std::unique_ptr<Family> make_jdop();
std::unique_ptr<Family> make_odweb();
std::unique_ptr<Family> make_athena();
std::unique_ptr<Family> make_exchangeopengateway();
std::unique_ptr<Family> make_gd_opendata();
std::unique_ptr<Family> make_beijing();
std::unique_ptr<Family> make_shanghai();
std::unique_ptr<Family> make_tianjin();
std::unique_ptr<Family> make_hainan();
std::unique_ptr<Family> make_embedded_cms();
std::unique_ptr<Family> make_portal_dataservice();
std::unique_ptr<Family> make_hunan_webapp();
std::unique_ptr<Family> make_site_label();
std::unique_ptr<Family> make_open_data_web();
std::unique_ptr<Family> make_generic();
std::unique_ptr<Family> make_longtail();
std::unique_ptr<Family> make_ckan();
std::unique_ptr<Family> make_dcat();
std::unique_ptr<Family> make_datajson();
std::unique_ptr<Family> make_socrata();
std::unique_ptr<Family> make_ods();

namespace {
const std::vector<std::unique_ptr<Family>>& all() {
  static const std::vector<std::unique_ptr<Family>> v = [] {
    std::vector<std::unique_ptr<Family>> f;
    for (auto make : {make_oportal, make_guizhou_api, make_jdop, make_odweb, make_athena, make_exchangeopengateway, make_gd_opendata, make_beijing, make_shanghai, make_tianjin, make_hainan, make_embedded_cms, make_portal_dataservice, make_hunan_webapp, make_site_label, make_open_data_web, make_generic, make_longtail, make_ckan, make_dcat, make_datajson, make_socrata, make_ods})
      f.push_back(make());
    return f;
  }();
  return v;
}
}  // namespace

const Family* find_family(const std::string& name) {
  for (const auto& f : all())
    if (f->name() == name) return f.get();
  return nullptr;
}

std::vector<std::string> family_names() {
  std::vector<std::string> n;
  for (const auto& f : all()) n.push_back(f->name());
  return n;
}

}  // namespace odh::sim
