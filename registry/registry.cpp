#include "registry/registry.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "registry/international.h"
#include "registry/reference.h"

namespace odh {
namespace {

constexpr size_t kMaxFileBytes = 32u << 20;  // a registry is ~0.3 MB; refuse absurd inputs
constexpr size_t kMaxUrlBytes = 2048;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Collects errors for one file; each names the line of the offending node.
class Checker {
 public:
  Checker(std::string file, const Divisions* divisions, std::map<std::string, std::string> regions)
      : file_(std::move(file)), divisions_(divisions), regions_(std::move(regions)) {}

  std::vector<InputError> errors;

  void error(const YAML::Node& node, const std::string& field, const std::string& problem) {
    errors.emplace_back(file_, line_of(node), field, problem);
  }
  void error(int line, const std::string& field, const std::string& problem) {
    errors.emplace_back(file_, line, field, problem);
  }
  static int line_of(const YAML::Node& node) {
    if (!node.IsDefined()) return 0;
    auto m = node.Mark();
    return m.is_null() ? 0 : m.line + 1;
  }

  // A required (or optional) scalar string field; records an error and returns "" when bad.
  std::string scalar(const YAML::Node& site, const std::string& key, bool required) {
    YAML::Node v = site[key];
    if (!v || v.IsNull()) {
      if (required) error(site, key, "missing");
      return "";
    }
    if (!v.IsScalar()) {
      error(v, key, "must be a single value");
      return "";
    }
    std::string s = v.Scalar();
    if (required && s.empty()) error(v, key, "empty");
    return s;
  }

  std::string one_of(const YAML::Node& site, const std::string& key,
                     const std::vector<std::string>& allowed) {
    std::string s = scalar(site, key, true);
    if (!s.empty() && !contains(allowed, s)) {
      error(site[key], key, "unknown value '" + s + "' (allowed: " + join(allowed) + ")");
      return "";
    }
    return s;
  }

  bool check_site(const YAML::Node& node, Site& site);

 private:
  std::string file_;
  const Divisions* divisions_;
  std::map<std::string, std::string> regions_;
};

const std::set<std::string> kSiteKeys = {"id",     "seq",           "name",     "province", "city",
                                         "county", "division_code", "level",    "region",   "kind",
                                         "urls",   "family",        "family_note", "overrides"};

bool valid_url(const std::string& u) {
  static const std::regex re(
      R"(https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?([/?#][^\s]*)?)");
  return u.size() <= kMaxUrlBytes && std::regex_match(u, re);
}

bool Checker::check_site(const YAML::Node& node, Site& site) {
  size_t before = errors.size();
  site.source_file = file_;
  site.source_line = line_of(node);
  if (!node.IsMap()) {
    error(node, "", "a site must be a mapping of fields");
    return false;
  }
  for (const auto& kv : node) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (!kSiteKeys.count(key)) error(kv.first, key, "unknown field");
  }
  static const std::regex id_re("[a-z0-9][a-z0-9-]{0,79}");
  site.id = scalar(node, "id", true);
  if (!site.id.empty() && !std::regex_match(site.id, id_re))
    error(node["id"], "id",
          "must be a lowercase ASCII slug [a-z0-9-], at most 80 characters: '" + site.id + "'");
  if (YAML::Node seq = node["seq"]) {
    try {
      site.seq = seq.as<int>();
      if (site.seq < 0) error(seq, "seq", "must not be negative");
    } catch (const YAML::Exception&) {
      error(seq, "seq", "not an integer");
    }
  }
  site.name = scalar(node, "name", true);
  site.kind = one_of(node, "kind", allowed_kinds());
  site.family = scalar(node, "family", true);
  if (!site.family.empty() && !contains(allowed_families(), site.family)) {
    error(node["family"], "family",
          "unknown family '" + site.family + "': no spec " + (data_dir() / "families" / (site.family + ".yaml")).string() +
              " (families are the spec files there, plus embedded-cms and unknown)");
    site.family.clear();
  }
  site.family_note = scalar(node, "family_note", false);
  // Portals outside China (international families) have no province, division, level or region:
  // those fields may be empty there, and are checked like any other when given.
  const bool foreign = is_international_family(site.family);
  site.province = scalar(node, "province", !foreign);
  site.city = scalar(node, "city", false);
  site.county = scalar(node, "county", false);
  site.level = foreign && scalar(node, "level", false).empty() ? "" : one_of(node, "level", allowed_levels());
  site.region = foreign && scalar(node, "region", false).empty() ? "" : one_of(node, "region", allowed_regions());
  // The store keeps level and region NOT NULL: foreign portals without them are "international".
  if (foreign && site.level.empty()) site.level = "international";
  if (foreign && site.region.empty()) site.region = "international";

  site.division_code = scalar(node, "division_code", !foreign);
  static const std::regex code_re("[1-9][0-9]{5}");
  if (!site.division_code.empty()) {
    YAML::Node c = node["division_code"];
    if (!std::regex_match(site.division_code, code_re)) {
      error(c, "division_code", "not a six-digit code: '" + site.division_code + "'");
    } else if (divisions_) {
      const Division* d = divisions_->find(site.division_code);
      const Division* p = divisions_->province_of(site.division_code);
      if (!d || !p) {
        error(c, "division_code", "unknown division code " + site.division_code);
      } else {
        if (!site.province.empty() && p->name != site.province)
          error(
              node["province"], "province",
              "'" + site.province + "' does not match division " + site.division_code + " (" + p->name + ")");
        auto r = regions_.find(p->code);
        if (r != regions_.end() && !site.region.empty() && r->second != site.region)
          error(node["region"], "region",
                "'" + site.region + "' but " + p->name + " belongs to " + r->second);
      }
    }
  }

  YAML::Node urls = node["urls"];
  if (!urls || urls.IsNull()) {
    error(node, "urls", "missing");
  } else if (!urls.IsSequence() || urls.size() == 0) {
    error(urls, "urls", "must be a non-empty list of http(s) URLs");
  } else {
    for (const auto& u : urls) {
      if (!u.IsScalar() || !valid_url(u.Scalar()))
        error(u, "urls", "not an http(s) URL: '" + (u.IsScalar() ? u.Scalar() : std::string("?")) + "'");
      else
        site.urls.push_back(u.Scalar());
    }
  }

  if (YAML::Node ov = node["overrides"]; ov && !ov.IsNull()) {
    // A lowercase initial, then the spec variable's own spelling (divisionId, regionId, siteId: the
    // portals' parameter names), dotted for namespaces.
    static const std::regex key_re("[a-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_-]+)*");
    static const std::regex uint_re("[0-9]{1,9}");
    if (!ov.IsMap()) {
      error(ov, "overrides", "must be a mapping of key: value");
    } else {
      for (const auto& kv : ov) {
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
        std::string field = "overrides." + key;
        if (!std::regex_match(key, key_re)) {
          error(kv.first, "overrides", "bad key '" + key + "' (a lowercase initial, letters, digits, _; dotted: selector.list)");
        } else if (!kv.second.IsScalar()) {
          error(kv.second, field, "must be a single value");
        } else {
          const std::string& v = kv.second.Scalar();
          bool numeric = key == "delay_ms" || key == "max_pages" || key == "max_depth" || key == "timeout_ms";
          if (numeric && !std::regex_match(v, uint_re))
            error(kv.second, field, "must be a non-negative integer: '" + v + "'");
          else if (key == "skip" && v != "true" && v != "false")
            error(kv.second, field, "must be true or false");
          else
            site.overrides[key] = v;
        }
      }
    }
  }
  return errors.size() == before;
}

}  // namespace

const std::vector<std::string>& allowed_levels() {
  static const std::vector<std::string> v = {"省级", "副省级", "地市级", "县区级"};
  return v;
}
const std::vector<std::string>& allowed_regions() {
  static const std::vector<std::string> v = {"华东", "华南", "华北", "华中", "西南", "西北", "东北"};
  return v;
}
const std::vector<std::string>& allowed_kinds() {
  static const std::vector<std::string> v = {"independent", "embedded"};
  return v;
}
const Site* Registry::find(const std::string& id) const {
  for (auto& s : sites)
    if (s.id == id) return &s;
  return nullptr;
}

RegistryCheck check_registry(const std::string& path, const Divisions* divisions) {
  RegistryCheck out;
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Failure("cannot read " + path);
  if (size > kMaxFileBytes) {
    out.errors.emplace_back(path, 0, "", "file larger than " + std::to_string(kMaxFileBytes >> 20) + " MB");
    return out;
  }
  std::string text = read_file(path);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    out.errors.emplace_back(path, e.mark.is_null() ? 0 : e.mark.line + 1, "", "bad YAML: " + e.msg);
    return out;
  }
  std::map<std::string, std::string> regions;
  if (divisions) {
    // The regions table sits next to the divisions table; absent means "do not cross-check".
    std::error_code ec2;
    auto rp = reference_dir() / "regions.csv";
    if (std::filesystem::exists(rp, ec2)) regions = load_regions(rp);
  }
  Checker chk(path, divisions, regions);
  YAML::Node sites = root.IsMap() ? root["sites"] : YAML::Node();
  if (!root.IsMap()) {
    chk.error(root, "", "expected a mapping with a 'sites' list");
  } else if (!sites || !sites.IsSequence()) {
    chk.error(root, "sites", "missing list of sites");
  } else {
    for (const auto& kv : root)
      if (kv.first.Scalar() != "sites") chk.error(kv.first, kv.first.Scalar(), "unknown top-level field");
    std::map<std::string, int> seen;
    for (const auto& node : sites) {
      Site site;
      bool ok = chk.check_site(node, site);
      if (!site.id.empty()) {
        auto [it, fresh] = seen.emplace(site.id, site.source_line);
        if (!fresh) {
          chk.error(node["id"], "id",
                    "duplicate id '" + site.id + "' (first at line " + std::to_string(it->second) + ")");
          ok = false;
        }
      }
      if (ok) out.registry.sites.push_back(std::move(site));
    }
  }
  out.errors = std::move(chk.errors);
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const InputError& a, const InputError& b) { return a.line < b.line; });
  return out;
}

Registry load_registry(const std::string& path) {
  Divisions divisions = Divisions::load();
  RegistryCheck r = check_registry(path, &divisions);
  if (!r.errors.empty()) throw r.errors.front();
  return std::move(r.registry);
}

std::string default_sites_path() {
  std::error_code ec;
  if (std::filesystem::exists("sites.yaml", ec)) return "sites.yaml";
  return (home_dir() / "sites.yaml").string();
}

}  // namespace odh
