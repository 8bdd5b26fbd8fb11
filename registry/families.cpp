// The families a registry may name: read from the spec files in data/families/, never listed in C++.
// A researcher adds a family by adding one spec file (docs/howto-portal.md).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>

#include "registry/international.h"
#include "registry/registry.h"

namespace odh {
namespace {

// The two families without a spec file: the CMS-column extractor and "no engine".
const char* const kBuiltin[] = {"embedded-cms", "unknown"};

std::vector<FamilyInfo> scan(const std::filesystem::path& dir) {
  std::vector<FamilyInfo> out;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".yaml") continue;
    FamilyInfo f;
    f.name = e.path().stem().string();
    f.spec_file = e.path().string();
    f.has_spec = true;
    try {  // only the flag is read here; the parsers validate the whole spec when they load it
      YAML::Node root = YAML::LoadFile(f.spec_file);
      if (root.IsMap() && root["international"] && root["international"].IsScalar())
        f.international = root["international"].as<bool>();
    } catch (const YAML::Exception&) {
      // a broken spec is still a family name; loading it for a crawl reports the error with its line
    }
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const FamilyInfo& a, const FamilyInfo& b) { return a.name < b.name; });
  for (const char* b : kBuiltin) {
    FamilyInfo f;
    f.name = b;
    out.push_back(std::move(f));
  }
  return out;
}

struct Cache {
  std::mutex mu;
  std::map<std::string, std::vector<FamilyInfo>> by_dir;
  std::map<std::string, std::vector<std::string>> names_by_dir;
};
Cache& cache() {
  static Cache c;
  return c;
}

}  // namespace

const std::vector<FamilyInfo>& known_families() {
  std::string dir = (data_dir() / "families").string();
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  auto it = c.by_dir.find(dir);
  if (it == c.by_dir.end()) it = c.by_dir.emplace(dir, scan(dir)).first;
  return it->second;  // entries of a map are never moved: the reference stays valid
}

const std::vector<std::string>& allowed_families() {
  const auto& fams = known_families();
  std::string dir = (data_dir() / "families").string();
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  auto it = c.names_by_dir.find(dir);
  if (it == c.names_by_dir.end()) {
    std::vector<std::string> names;
    for (auto& f : fams) names.push_back(f.name);
    it = c.names_by_dir.emplace(dir, std::move(names)).first;
  }
  return it->second;
}

const FamilyInfo* find_family_info(const std::string& name) {
  for (auto& f : known_families())
    if (f.name == name) return &f;
  return nullptr;
}

bool family_has_engine(const std::string& family) {
  const FamilyInfo* f = find_family_info(family);
  return f && (f->has_spec || f->name == "embedded-cms");
}

bool is_international_family(const std::string& family) {
  const FamilyInfo* f = find_family_info(family);
  return f && f->international;
}

}  // namespace odh
