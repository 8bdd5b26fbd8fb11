// registry: the portals odh harvests (sites.yaml) and the reference data they are
// measured against. Loading validates everything and reports "file:line: field: problem".
#pragma once
#include <filesystem>
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
  std::string family;             // a spec of data/families/, "embedded-cms", or "unknown" (known_families())
  std::string family_note;        // why this family (the evidence), or why "unknown" has no engine
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

// The families a registry may name — nothing lists them in C++: every spec file of
// data_dir()/families (its stem; `international: true` marks catalogue software outside China),
// plus "embedded-cms" (the CMS-column extractor) and "unknown" (no engine: the link spider only).
// Read once per data directory; thread-safe.
struct FamilyInfo {
  std::string name;
  std::string spec_file;       // "" for embedded-cms and unknown
  bool has_spec = false;
  bool international = false;  // sites may leave province, division_code, level and region empty
};
const std::vector<FamilyInfo>& known_families();      // specs by name, then embedded-cms, unknown
const std::vector<std::string>& allowed_families();   // their names, in that order
const FamilyInfo* find_family_info(const std::string& name);  // nullptr when unknown
bool family_has_engine(const std::string& family);    // a spec, or embedded-cms

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

// ---- The platform notes (../shared/platforms/*.md): what each documented host serves ----------

// One host of the notes' tables.
struct PlatformHost {
  std::string host;        // lower case, ":port" when the notes give one
  std::string family;      // oportal, odweb, …; long-tail rows: long_tail_family(portal_key)
  std::string notes_file;  // "oportal.md", "README.md (long tail jiangxi/jiangxi)"
  std::string portal_key;  // long tail: "jiangxi/jiangxi"
  std::string list_path;   // long tail: the list path
  std::string prefix;      // oportal / odweb URL prefix ("portal", "nn", "data", …) when documented
  std::string ui;          // athena: the SPA path (kf, tz)
  std::string dir;         // hunan-webapp: the app's base path
  bool no_protocol = false;  // long tail "(no parser)": a list path only, nothing to harvest with
  std::string note;          // why no protocol
};

struct PlatformNotes {
  std::string dir;
  std::map<std::string, PlatformHost> hosts;  // by host[:port]
  std::vector<std::string> shandong_slugs;    // in the notes' order (= division-code order)
  std::vector<std::string> guangxi_slugs;     // served on <slug>.data.gxzf.gov.cn
  std::vector<std::string> guizhou_divisions; // divisionIds of data.guizhou.gov.cn
  std::string guizhou_host;
  // The entry for host[:port], else for the same host name on another port; nullptr when absent.
  const PlatformHost* find(const std::string& host) const;
};

// "jiangxi/jiangxi" → "lt-jiangxi", "anhui/wuhu" → "lt-anhui-wuhu": a long-tail portal's family.
std::string long_tail_family(const std::string& portal_key);

// Reads the host tables of README.md (family overview, long tail), oportal.md (prefixes, city slugs),
// odweb.md, guizhou-api.md, athena.md and hunan-webapp.md. Throws Failure when a file is missing.
PlatformNotes load_platform_notes(const std::filesystem::path& dir);

// The hosts a site's harvest uses: those of its URLs and of its `base` override.
std::vector<std::string> site_hosts(const Site& site);

// Every disagreement of the registry with the notes, as "file:line: field: problem": a documented
// host (URL or `base`) under another family, a notes port the harvest does not use, an oportal /
// odweb prefix, a Shandong city slug, a Guizhou divisionId, an athena SPA path or a hunan-webapp
// app path that differs, a jdop county column without its regionId, an `unknown` site without a
// family_note. `divisions` (optional) maps Shandong's slugs to its prefectures.
std::vector<InputError> check_platform_facts(const Registry& registry, const PlatformNotes& notes,
                                             const Divisions* divisions);

// The registry the CLI uses when --sites is not given: ./sites.yaml if it exists, else
// home_dir()/sites.yaml.
std::string default_sites_path();

}  // namespace odh
