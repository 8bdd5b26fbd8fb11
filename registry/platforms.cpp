// The per-portal facts of the platform notes (../shared/platforms/*.md), read from their tables, and
// the check of a registry against them (odh sites check, tests/registry). The notes are the ground
// truth for what each documented host serves; the registry carries the same facts as data
// (data/registry-corrections.yaml → sites.yaml) and must agree.
#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "registry/reference.h"
#include "registry/registry.h"

namespace odh {
namespace {

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Failure("cannot read " + file.string());
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Cells of a markdown table row ("| a | b |" → {"a", "b"}); empty when the line is no row.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  if (line.size() < 2 || line[0] != '|') return out;
  std::string cur;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Host names (with :port) in free text; "*.x" wildcards and path pieces are not hosts.
std::vector<std::string> hosts_in(const std::string& text) {
  static const std::regex re(
      R"((^|[^\w.*/-])((?:[a-z0-9-]+\.)+(?:cn|com|net|org)(?::\d+)?|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?)(?![\w/-]))");
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) out.push_back(lower((*it)[2]));
  return out;
}

std::string hostname_of(const std::string& host_port) { return host_port.substr(0, host_port.find(':')); }

// "http://a.b.cn:81/x" → "a.b.cn:81"
std::string host_of_url(const std::string& url) {
  auto s = url.find("://");
  std::string rest = s == std::string::npos ? url : url.substr(s + 3);
  return lower(rest.substr(0, rest.find_first_of("/?#")));
}

std::vector<std::string> backticked(const std::string& text) {
  std::vector<std::string> out;
  static const std::regex re("`([^`]*)`");
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

}  // namespace

std::string long_tail_family(const std::string& portal_key) {
  auto slash = portal_key.find('/');
  if (slash == std::string::npos) return "lt-" + portal_key;
  std::string prov = portal_key.substr(0, slash), city = portal_key.substr(slash + 1);
  return prov == city ? "lt-" + prov : "lt-" + prov + "-" + city;
}

PlatformNotes load_platform_notes(const std::filesystem::path& dir) {
  PlatformNotes n;
  n.dir = dir.string();
  auto add = [&](const std::string& host, const std::string& family, const std::string& file) {
    PlatformHost& h = n.hosts[host];
    if (h.host.empty()) {
      h.host = host;
      h.family = family;
      h.notes_file = file;
    }
    return &h;
  };
  // README: the family overview (hosts column) and the long-tail table.
  bool long_tail = false;
  for (const auto& line : lines_of(dir / "README.md")) {
    if (line.rfind("## Long tail", 0) == 0) long_tail = true;
    auto c = cells(line);
    if (c.size() < 5) continue;
    if (!long_tail) {
      auto fam = backticked(c[0]);
      if (fam.size() != 1 || c[0] != "`" + fam[0] + "`") continue;
      for (auto& h : hosts_in(c[2])) add(h, fam[0], fam[0] + ".md");
    } else {
      if (c[0].find('/') == std::string::npos || c[0] == "portal") continue;
      auto hs = hosts_in(c[1]);
      if (hs.empty()) continue;
      PlatformHost* h = add(hs[0], long_tail_family(c[0]), "README.md (long tail " + c[0] + ")");
      h->portal_key = c[0];
      h->list_path = backticked(c[2]).empty() ? "" : backticked(c[2])[0];
      // "(no parser)", "(crawler commented out)": a list path only, no documented protocol.
      if (!c.back().empty() && c.back()[0] == '(') {
        h->no_protocol = true;
        h->note = c.back() + "; list response: " + c[4];
      }
    }
  }
  // oportal.md: URL prefix per host, city slugs of Shandong and Guangxi.
  bool prefix_table = false;
  for (const auto& line : lines_of(dir / "oportal.md")) {
    if (line.rfind("## Portals and URL prefix", 0) == 0) prefix_table = true;
    else if (line.rfind("## ", 0) == 0) prefix_table = false;
    if (!prefix_table) continue;
    auto c = cells(line);
    if (c.size() < 2) continue;
    auto pre = backticked(c[0]);
    if (pre.size() == 1 && c[0] == "`" + pre[0] + "`") {
      for (auto& h : hosts_in(c[1])) add(h, "oportal", "oportal.md")->prefix = pre[0];
    } else if (c[0] == "city slug") {
      auto sd = c[1].find("Shandong:"), gx = c[1].find("Guangxi:");
      if (sd != std::string::npos) {
        auto b = backticked(c[1].substr(sd, gx == std::string::npos ? std::string::npos : gx - sd));
        if (!b.empty()) n.shandong_slugs = words(b[0]);
      }
      if (gx != std::string::npos) {
        auto b = backticked(c[1].substr(gx));
        if (!b.empty()) n.guangxi_slugs = words(b[0]);
      }
    }
  }
  for (auto& slug : n.guangxi_slugs) add(slug + ".data.gxzf.gov.cn", "oportal", "oportal.md")->prefix = slug;
  // odweb.md: "Portals: a, b, c (prefix `/odweb`); variant d (prefix `/data`)."
  for (const auto& line : lines_of(dir / "odweb.md")) {
    if (line.rfind("Portals:", 0) != 0) continue;
    static const std::regex part(R"(([^;]*)\(prefix `/(\w+)`\))");
    for (std::sregex_iterator it(line.begin(), line.end(), part), end; it != end; ++it)
      for (auto& h : hosts_in((*it)[1])) add(h, "odweb", "odweb.md")->prefix = (*it)[2];
  }
  // guizhou-api.md: "province (absent), 520100 Guiyang, …".
  for (const auto& line : lines_of(dir / "guizhou-api.md")) {
    static const std::regex code(R"((\d{6}) [A-Z])");
    for (std::sregex_iterator it(line.begin(), line.end(), code), end; it != end; ++it)
      n.guizhou_divisions.push_back((*it)[1]);
    if (line.find("One host serves all") != std::string::npos) n.guizhou_host = "data.guizhou.gov.cn";
  }
  std::sort(n.guizhou_divisions.begin(), n.guizhou_divisions.end());
  n.guizhou_divisions.erase(std::unique(n.guizhou_divisions.begin(), n.guizhou_divisions.end()),
                            n.guizhou_divisions.end());
  // athena.md: the SPA path per portal (Referer `/kf/open/table`, `/tz/open/table`).
  for (const auto& line : lines_of(dir / "athena.md")) {
    if (line.rfind("Portals:", 0) != 0) continue;
    static const std::regex part(R"(([a-z0-9.-]+\.(?:cn|com)) \(Referer `/(\w+)/open/table`\))");
    for (std::sregex_iterator it(line.begin(), line.end(), part), end; it != end; ++it)
      add(lower((*it)[1]), "athena", "athena.md")->ui = (*it)[2];
  }
  // hunan-webapp.md: "Portals / base paths: host `/webapp/…/`, …".
  for (const auto& line : lines_of(dir / "hunan-webapp.md")) {
    if (line.rfind("Portals / base paths:", 0) != 0) continue;
    static const std::regex part(R"(([a-z0-9.-]+\.(?:cn|com)) `(/webapp/[^`]*)`)");
    for (std::sregex_iterator it(line.begin(), line.end(), part), end; it != end; ++it)
      add(lower((*it)[1]), "hunan-webapp", "hunan-webapp.md")->dir = (*it)[2];
  }
  // Variants: a family's notes give some hosts their own section, "## Guangdong province
  // (gddata.gd.gov.cn) — JSON posts", "## Variant: Wuxi (`data.wuxi.gov.cn`, prefix `/data`)". When a spec `<family>-<first word>` exists (gd-opendata-guangdong),
  // that host runs the variant.
  for (const auto& fam : known_families()) {
    auto file = dir / (fam.name + ".md");
    if (!std::filesystem::exists(file)) continue;
    for (const auto& line : lines_of(file)) {
      static const std::regex head(R"(^## (?:Variant: )?([A-Za-z]+)[^(]*\(([^)]*)\))");
      std::smatch m;
      if (!std::regex_search(line, m, head)) continue;
      std::string variant = fam.name + "-" + lower(m[1]);
      if (!find_family_info(variant)) continue;
      for (auto& h : hosts_in(m[2]))
        if (auto it = n.hosts.find(h); it != n.hosts.end() && it->second.family == fam.name) it->second.family = variant;
    }
  }
  if (n.hosts.empty()) throw Failure("no host tables found in " + dir.string());
  return n;
}

const PlatformHost* PlatformNotes::find(const std::string& host) const {
  auto it = hosts.find(lower(host));
  if (it != hosts.end()) return &it->second;
  std::string name = hostname_of(lower(host));
  for (auto& [h, v] : hosts)
    if (hostname_of(h) == name) return &v;
  return nullptr;
}

std::vector<std::string> site_hosts(const Site& s) {
  std::vector<std::string> out;
  for (auto& u : s.urls) out.push_back(host_of_url(u));
  if (auto b = s.overrides.find("base"); b != s.overrides.end()) out.push_back(host_of_url(b->second));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<InputError> check_platform_facts(const Registry& reg, const PlatformNotes& notes,
                                             const Divisions* divisions) {
  std::vector<InputError> errs;
  auto err = [&](const Site& s, const std::string& field, const std::string& problem) {
    errs.emplace_back(s.source_file, s.source_line, field, problem);
  };
  auto ov = [](const Site& s, const std::string& k, const std::string& def = "") {
    auto it = s.overrides.find(k);
    return it == s.overrides.end() ? def : it->second;
  };
  // Shandong's city slugs, in the notes' order = the prefectures' division-code order.
  std::map<std::string, std::string> sd_slug;  // division code → slug
  if (divisions) {
    std::vector<std::string> codes;
    for (auto& d : divisions->all())
      if (d.parent == "370000" && d.level == "prefecture") codes.push_back(d.code);
    std::sort(codes.begin(), codes.end());
    if (codes.size() == notes.shandong_slugs.size())
      for (size_t i = 0; i < codes.size(); ++i) sd_slug[codes[i]] = notes.shandong_slugs[i];
  }
  for (const Site& s : reg.sites) {
    std::vector<const PlatformHost*> hits;
    for (auto& h : site_hosts(s))
      if (const PlatformHost* p = notes.find(h)) hits.push_back(p);
    for (const PlatformHost* p : hits) {
      if (p->no_protocol) {
        if (family_has_engine(s.family) && s.family != "embedded-cms")
          err(s, "family", "'" + s.family + "' but " + p->notes_file + " documents no protocol for " + p->host);
        continue;
      }
      if (s.family != p->family)
        err(s, "family",
            "'" + s.family + "' but " + p->notes_file + " documents " + p->host + " as '" + p->family + "'");
      // A port of the notes must be where the harvest goes.
      if (p->host.find(':') != std::string::npos) {
        auto hs = site_hosts(s);
        if (std::find(hs.begin(), hs.end(), p->host) == hs.end())
          err(s, "overrides.base", p->notes_file + " serves " + p->host + " on that port; the registry does not");
      }
    }
    const PlatformHost* p = hits.empty() ? nullptr : hits.front();
    if (s.family == "oportal") {
      std::string prefix = ov(s, "prefix", "oportal");
      if (p && !p->prefix.empty() && prefix != p->prefix)
        err(s, "overrides.prefix", "'" + prefix + "' but oportal.md serves " + p->host + " under /" + p->prefix + "/");
      if (s.province == "山东省" && !s.city.empty() && s.county.empty() && divisions) {
        auto it = sd_slug.find(s.division_code);
        if (it != sd_slug.end() && prefix != it->second)
          err(s, "overrides.prefix",
              "'" + prefix + "' but oportal.md serves the Shandong city portal of " + s.city + " under /" + it->second + "/");
      }
    }
    if (s.family == "odweb" && p && !p->prefix.empty() && ov(s, "prefix", "odweb") != p->prefix)
      err(s, "overrides.prefix",
          "'" + ov(s, "prefix", "odweb") + "' but odweb.md serves " + p->host + " under /" + p->prefix + "/");
    if (s.family == "athena" && p && !p->ui.empty() && ov(s, "ui", "kf") != p->ui)
      err(s, "overrides.ui", "'" + ov(s, "ui", "kf") + "' but athena.md names /" + p->ui + "/open/table for " + p->host);
    if (s.family == "hunan-webapp" && p && !p->dir.empty()) {
      std::string dir = ov(s, "dir");
      if (dir.empty() && !s.urls.empty()) {
        std::string u = s.urls[0].substr(0, s.urls[0].find_first_of("?#"));
        dir = u.substr(0, u.rfind('/') + 1);
      }
      if (dir.find(p->dir) == std::string::npos)
        err(s, "overrides.dir", "'" + dir + "' but hunan-webapp.md puts " + p->host + "'s app at " + p->dir);
    }
    if (s.family == "guizhou-api") {
      std::string div = ov(s, "divisionId");
      bool province = s.city.empty() && s.county.empty();
      if (province && !div.empty())
        err(s, "overrides.divisionId", "the provincial portal has no divisionId (guizhou-api.md), got '" + div + "'");
      if (!province) {
        if (std::find(notes.guizhou_divisions.begin(), notes.guizhou_divisions.end(), div) ==
            notes.guizhou_divisions.end())
          err(s, "overrides.divisionId",
              "'" + div + "' is not a divisionId of guizhou-api.md" +
                  (std::count(notes.guizhou_divisions.begin(), notes.guizhou_divisions.end(), s.division_code)
                       ? " (it lists " + s.division_code + ", this portal's division)"
                       : std::string()));
        else if (s.county.empty() && div != s.division_code)
          err(s, "overrides.divisionId", "'" + div + "' but the portal's division is " + s.division_code);
      }
    }
    // jdop county columns share the provincial host; the list's regionId selects the county (inferred
    // from the form field `regionId` of jdop.md).
    if (s.family == "jdop" && !s.county.empty() && ov(s, "regionId") != s.division_code)
      err(s, "overrides.regionId",
          "'" + ov(s, "regionId") + "': a county column of the provincial jdop portal lists its own division (" +
              s.division_code + ")");
    // A city collection on gddata.gd.gov.cn (…/collect?deptCode=N): the harvest goes to that host and
    // lists deptCode N (inferred from the list body's officeCode of gd-opendata.md).
    if (s.family == "gd-opendata-guangdong" && p)
      for (const auto& u : s.urls) {
        if (host_of_url(u) != p->host) continue;
        static const std::regex dept(R"([?&]deptCode=(\w+))");
        std::smatch m;
        std::string code = std::regex_search(u, m, dept) ? m[1].str() : "";
        if (ov(s, "officeCode") != code)
          err(s, "overrides.officeCode", "'" + ov(s, "officeCode") + "' but the portal's collection on " + p->host +
                                             " is deptCode '" + code + "'");
        if (u != s.urls.front() && host_of_url(ov(s, "base")) != p->host)
          err(s, "overrides.base", "the first URL is not on " + p->host + ", where gd-opendata.md serves the catalogue");
      }
    if (s.family == "unknown" && s.family_note.empty())
      err(s, "family_note", "an 'unknown' portal must say why it has no engine");
  }
  return errs;
}

}  // namespace odh
