#include "parsers/labels.h"

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "parsers/normalize.h"

namespace odh {

std::string clean_label(std::string_view label) {
  std::string s = fold_width(label.substr(0, 200));
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  while (!out.empty() && (out.back() == ':' || out.back() == '*')) out.pop_back();
  while (!out.empty() && out.front() == '*') out.erase(0, 1);
  return out;
}

namespace {
nlohmann::json parse_json_file(const std::filesystem::path& p) {
  try {
    return nlohmann::json::parse(read_file(p));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(p.string(), 0, "", e.what());
  }
}
}  // namespace

LabelDictionary LabelDictionary::load(const std::filesystem::path& dir) {
  LabelDictionary d;
  auto canon = parse_json_file(dir / "canonical_fields.json");
  for (auto& [k, v] : canon.at("fields").items()) d.fields_[k] = v.value("zh", "");
  auto add = [&](const std::filesystem::path& file, const nlohmann::json& map,
                 std::map<std::string, std::string>& into) {
    for (auto& [label, field] : map.items()) {
      std::string f = field.get<std::string>();
      if (!d.fields_.count(f))
        throw InputError(file.string(), 0, label, "maps to undeclared field '" + f + "'");
      into[clean_label(label)] = f;
    }
  };
  auto fm = parse_json_file(dir / "field_mapping.json");
  add(dir / "field_mapping.json", fm.at("common"), d.common_);
  // ad-hoc overrides are keyed province → city; odh portal ids are the city slug.
  const nlohmann::json adhoc = fm.value("ad-hoc", nlohmann::json::object());  // keep alive while iterating
  for (auto& [prov, cities] : adhoc.items())
    for (auto& [city, map] : cities.items()) add(dir / "field_mapping.json", map, d.portal_[city]);
  auto ex = parse_json_file(dir / "labels_extra.json");
  add(dir / "labels_extra.json", ex.at("common"), d.common_);
  const nlohmann::json portals = ex.value("portal", nlohmann::json::object());
  for (auto& [portal, map] : portals.items()) add(dir / "labels_extra.json", map, d.portal_[portal]);
  return d;
}

const LabelDictionary& LabelDictionary::shipped() {
  static const LabelDictionary d = load(data_dir() / "labels");
  return d;
}

std::string LabelDictionary::canonical(std::string_view label, std::string_view portal_id) const {
  std::string l = clean_label(label);
  if (!portal_id.empty()) {
    if (auto p = portal_.find(std::string(portal_id)); p != portal_.end())
      if (auto it = p->second.find(l); it != p->second.end()) return it->second;
  }
  if (auto it = common_.find(l); it != common_.end()) return it->second;
  return "";
}

std::vector<std::string> LabelDictionary::fields() const {
  std::vector<std::string> out;
  for (auto& [k, v] : fields_) out.push_back(k);
  return out;
}

}  // namespace odh
