// registry: the portals odh harvests (sites.yaml) and the reference data they are
// measured against. Loading validates everything and reports "file:line: field: problem".
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/core.h"

namespace odh {

// One portal of sites.yaml (appendix 1 of the 2021 report, or a second registry of the same schema).
struct Site {
  std::string id;                 // stable ASCII slug, unique, e.g. "beijing", "bj-dongcheng"
  int seq = 0;                    // 序号 in appendix 1 (0 for portals outside it)
  std::string name;               // 平台名称 as published
  std::string province;           // 北京市 / 浙江省 …
  std::string city;               // 杭州市 (empty for provincial portals)
  std::string county;             // 西湖区 (empty unless county-level)
  std::string division_code;      // GB/T 2260 six-digit code of the location
  std::string level;              // 省级 | 副省级 | 地市级 | 县区级
  std::string region;             // 华东 | 华南 | 华北 | 华中 | 西南 | 西北 | 东北
  std::string kind;               // independent | embedded
  std::vector<std::string> urls;  // first is the entry point; all http(s)
  std::string family;             // platform family (see ../shared/platforms), "embedded-cms", or "unknown"
  std::map<std::string, std::string> overrides;  // per-site knobs: delay, selectors, parameters (flat keys)
  std::string source_file;                       // where it was read from, for error messages
  int source_line = 0;
};

struct Registry {
  std::vector<Site> sites;
  const Site* find(const std::string& id) const;  // nullptr when absent
};

class Divisions;  // registry/reference.h

// Allowed values of the enumerated fields (docs/registry.md).
const std::vector<std::string>& allowed_levels();   // 省级 副省级 地市级 县区级
const std::vector<std::string>& allowed_regions();  // 华东 华南 华北 华中 西南 西北 东北
const std::vector<std::string>& allowed_kinds();    // independent embedded
const std::vector<std::string>&
allowed_families();  // the ../shared/platforms families + embedded-cms, unknown

// Reads and validates a registry file, collecting every problem instead of stopping at the first
// (bad YAML syntax stops at once). Division codes are checked against `divisions` when given
// (code exists, province and region agree with it). Never throws InputError; throws Failure when
// the file cannot be read.
struct RegistryCheck {
  Registry registry;               // the sites that passed
  std::vector<InputError> errors;  // "file:line: field: problem", in file order
};
RegistryCheck check_registry(const std::string& path, const Divisions* divisions);

// Loads and validates a registry file against the shipped divisions (data_dir()/reference).
// Throws the first InputError (file, line, field) on bad YAML, a missing or unknown field value,
// a duplicate id, a non-http(s) URL, an unknown division code.
Registry load_registry(const std::string& path);

// The registry the CLI uses when --sites is not given: ./sites.yaml if it exists, else
// home_dir()/sites.yaml.
std::string default_sites_path();

}  // namespace odh
