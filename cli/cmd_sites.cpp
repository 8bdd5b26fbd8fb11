// odh sites [list | check | stats]: the portal registry (sites.yaml).
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include <filesystem>
#include <set>

#include "cli/command.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "store/store.h"

namespace odh::cli {
namespace {

struct SitesArgs {
  std::string sites;
  std::string platforms;  // ../shared/platforms (check)
  std::string db;         // coverage: a harvest database
  std::string level, region, kind, family;
  bool json = false;
};

// Terminal columns taken by UTF-8 text: CJK and full-width forms count two.
size_t display_width(const std::string& s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    uint32_t cp = c;
    if (len == 3 && i + 2 < s.size()) cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    w += (len >= 3 && cp >= 0x1100) ? 2 : 1;
    i += len;
  }
  return w;
}

std::string pad(const std::string& s, size_t width) {
  size_t w = display_width(s);
  return w >= width ? s + " " : s + std::string(width - w, ' ');
}

std::string path_of(const SitesArgs& a) { return a.sites.empty() ? default_sites_path() : a.sites; }

void check_choice(const std::string& opt, const std::string& v, const std::vector<std::string>& allowed) {
  if (v.empty() || std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return;
  std::string list;
  for (auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw UsageError(opt + ": unknown value '" + v + "' (allowed: " + list + ")");
}

nlohmann::json site_json(const Site& s) {
  return {{"id", s.id},
          {"seq", s.seq},
          {"name", s.name},
          {"province", s.province},
          {"city", s.city},
          {"county", s.county},
          {"division_code", s.division_code},
          {"level", s.level},
          {"region", s.region},
          {"kind", s.kind},
          {"family", s.family},
          {"family_note", s.family_note},
          {"urls", s.urls},
          {"overrides", s.overrides}};
}

void run_list(const SitesArgs& a) {
  check_choice("--level", a.level, allowed_levels());
  check_choice("--region", a.region, allowed_regions());
  check_choice("--kind", a.kind, allowed_kinds());
  check_choice("--family", a.family, allowed_families());
  Registry reg = load_registry(path_of(a));
  std::vector<const Site*> rows;
  for (auto& s : reg.sites) {
    if ((a.level.empty() || s.level == a.level) && (a.region.empty() || s.region == a.region) &&
        (a.kind.empty() || s.kind == a.kind) && (a.family.empty() || s.family == a.family))
      rows.push_back(&s);
  }
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (auto* s : rows) out.push_back(site_json(*s));
    std::cout << out.dump(2) << "\n";
    return;
  }
  size_t wid = 2;
  for (auto* s : rows) wid = std::max(wid, s->id.size());
  std::cout << pad("id", wid + 1) << pad("level", 8) << pad("region", 7) << pad("kind", 12)
            << pad("family", 20) << pad("name", 40) << "url\n";
  for (auto* s : rows)
    std::cout << pad(s->id, wid + 1) << pad(s->level, 8) << pad(s->region, 7) << pad(s->kind, 12)
              << pad(s->family, 20) << pad(s->name, 40) << (s->urls.empty() ? "" : s->urls.front()) << "\n";
  std::cerr << rows.size() << " of " << reg.sites.size() << " sites\n";
}

// The platform notes: --platforms, else ../shared/platforms beside the odh home (a checkout's sibling).
std::string platforms_dir(const SitesArgs& a) {
  if (!a.platforms.empty()) return a.platforms;
  std::error_code ec;
  auto d = home_dir().parent_path() / "shared" / "platforms";
  return std::filesystem::exists(d / "README.md", ec) ? d.string() : std::string();
}

void run_check(const SitesArgs& a) {
  std::string path = path_of(a);
  Divisions divisions = Divisions::load();
  RegistryCheck r = check_registry(path, &divisions);
  std::string notes_dir = platforms_dir(a);
  if (!notes_dir.empty()) {
    PlatformNotes notes = load_platform_notes(notes_dir);
    for (auto& e : check_platform_facts(r.registry, notes, &divisions)) r.errors.push_back(e);
    std::stable_sort(r.errors.begin(), r.errors.end(),
                     [](const InputError& x, const InputError& y) { return x.line < y.line; });
  }
  for (auto& e : r.errors) std::cout << e.what() << "\n";
  if (!r.errors.empty()) throw Failure(std::to_string(r.errors.size()) + " error(s) in " + path);
  std::cout << path << ": " << r.registry.sites.size() << " sites OK";
  if (notes_dir.empty())
    std::cout << " (platform notes not found: per-site facts not checked; give --platforms DIR)\n";
  else
    std::cout << ", in agreement with " << notes_dir << "\n";
}

// Per family: sites, those with an engine, and (with --db) those whose latest run yielded datasets;
// then every `unknown` site with the reason it has no engine.
void run_coverage(const SitesArgs& a) {
  Registry reg = load_registry(path_of(a));
  std::map<std::string, std::int64_t> got;
  std::int64_t run = 0;
  if (!a.db.empty()) {
    if (!std::filesystem::exists(a.db)) throw Failure("no database " + a.db);
    auto store = Store::open(a.db);
    run = store->latest_run(true);
    if (run <= 0) run = store->latest_run(false);
    if (run <= 0) throw Failure(a.db + ": no run");
    got = store->datasets_by_portal(run);
  }
  struct Row {
    int sites = 0, engine = 0, yielded = 0;
    std::int64_t datasets = 0;
  };
  std::map<std::string, Row> by;
  Row total;
  for (auto& s : reg.sites) {
    Row& r = by[s.family];
    bool eng = family_has_engine(s.family);
    auto it = got.find(s.id);
    for (Row* x : {&r, &total}) {
      ++x->sites;
      x->engine += eng;
      if (it != got.end() && it->second > 0) ++x->yielded, x->datasets += it->second;
    }
  }
  std::vector<std::pair<std::string, Row>> rows(by.begin(), by.end());
  std::stable_sort(rows.begin(), rows.end(), [](auto& x, auto& y) { return x.second.sites > y.second.sites; });
  if (a.json) {
    nlohmann::json out;
    out["registry"] = path_of(a);
    if (!a.db.empty()) out["db"] = a.db, out["run"] = run;
    nlohmann::json fams = nlohmann::json::array();
    for (auto& [f, r] : rows) {
      nlohmann::json j = {{"family", f}, {"sites", r.sites}, {"with_engine", r.engine}};
      if (!a.db.empty()) j["with_datasets"] = r.yielded, j["datasets"] = r.datasets;
      fams.push_back(j);
    }
    out["families"] = fams;
    nlohmann::json unk = nlohmann::json::array();
    for (auto& s : reg.sites)
      if (s.family == "unknown") unk.push_back({{"id", s.id}, {"name", s.name}, {"reason", s.family_note}});
    out["unknown"] = unk;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << pad("family", 26) << pad("sites", 7) << pad("engine", 8);
  if (!a.db.empty()) std::cout << pad("with datasets", 15) << "datasets";
  std::cout << "\n";
  auto line = [&](const std::string& f, const Row& r) {
    std::cout << pad(f, 26) << pad(std::to_string(r.sites), 7) << pad(std::to_string(r.engine), 8);
    if (!a.db.empty()) std::cout << pad(std::to_string(r.yielded), 15) << r.datasets;
    std::cout << "\n";
  };
  for (auto& [f, r] : rows) line(f, r);
  line("total", total);
  if (!a.db.empty()) std::cout << "(run " << run << " of " << a.db << ")\n";
  std::cout << "\nunknown (no engine):\n";
  for (auto& s : reg.sites)
    if (s.family == "unknown") std::cout << "  " << pad(s.id, 22) << pad(s.name, 34) << s.family_note << "\n";
}

void run_stats(const SitesArgs& a) {
  Registry reg = load_registry(path_of(a));
  std::map<std::string, std::map<std::string, int>> by;  // dimension -> value -> count
  std::map<std::string, std::map<std::string, int>> region_level;
  for (auto& s : reg.sites) {
    by["level"][s.level]++;
    by["region"][s.region]++;
    by["kind"][s.kind]++;
    by["family"][s.family]++;
    region_level[s.region][s.level]++;
  }
  // Print in the documented order of each enumeration, not alphabetically.
  const std::vector<std::pair<std::string, const std::vector<std::string>*>> dims = {
      {"level", &allowed_levels()},
      {"region", &allowed_regions()},
      {"kind", &allowed_kinds()},
      {"family", &allowed_families()}};
  if (a.json) {
    nlohmann::json out;
    out["total"] = reg.sites.size();
    for (auto& [dim, order] : dims) {
      nlohmann::json d = nlohmann::json::object();
      for (auto& v : *order)
        if (by[dim].count(v)) d[v] = by[dim][v];
      out[dim] = d;
    }
    nlohmann::json rl = nlohmann::json::object();
    for (auto& r : allowed_regions())
      for (auto& l : allowed_levels()) rl[r][l] = region_level[r][l];
    out["region_level"] = rl;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "total " << reg.sites.size() << "\n";
  for (auto& [dim, order] : dims) {
    std::cout << "\nby " << dim << "\n";
    for (auto& v : *order)
      if (by[dim].count(v)) std::cout << "  " << pad(v, 22) << by[dim][v] << "\n";
  }
  std::cout << "\nregion x level\n  " << pad("", 6);
  for (auto& l : allowed_levels()) std::cout << pad(l, 8);
  std::cout << "total\n";
  for (auto& r : allowed_regions()) {
    int total = 0;
    std::cout << "  " << pad(r, 6);
    for (auto& l : allowed_levels()) {
      std::cout << pad(std::to_string(region_level[r][l]), 8);
      total += region_level[r][l];
    }
    std::cout << total << "\n";
  }
}

CommandRegistrar reg(10, [](CLI::App& app) {
  auto args = std::make_shared<SitesArgs>();
  auto* sites = app.add_subcommand("sites", "List the portal registry (sites.yaml); check it; count it.");
  sites->add_option("--sites", args->sites,
                    "registry file (default ./sites.yaml, else $ODH_HOME/sites.yaml)");
  sites->add_option("--level", args->level, "only this level: 省级 副省级 地市级 县区级");
  sites->add_option("--region", args->region, "only this region: 华东 华南 华北 华中 西南 西北 东北");
  sites->add_option("--kind", args->kind, "only this kind: independent embedded");
  sites->add_option("--family", args->family, "only this platform family (see docs/registry.md)");
  sites->add_flag("--json", args->json, "print JSON instead of a table");
  sites->require_subcommand(0, 1);

  auto* check =
      sites->add_subcommand("check", "Validate the registry; print every error as file:line: field: problem");
  check->add_option("--sites", args->sites, "registry file");
  check->add_option("--platforms", args->platforms,
                    "platform notes to check per-site facts against (default ../shared/platforms beside ODH_HOME)");
  check->callback([args] { run_check(*args); });

  auto* coverage = sites->add_subcommand(
      "coverage", "Per family: sites, with an engine, with datasets in a run (--db); the unknown ones and why");
  coverage->add_option("--sites", args->sites, "registry file");
  coverage->add_option("--db", args->db, "harvest database (its latest finished run, else the latest run)");
  coverage->add_flag("--json", args->json, "print JSON");
  coverage->callback([args] { run_coverage(*args); });

  auto* stats =
      sites->add_subcommand("stats", "Count portals by level, region, kind, family and region x level");
  stats->add_option("--sites", args->sites, "registry file");
  stats->add_flag("--json", args->json, "print JSON");
  stats->callback([args] { run_stats(*args); });

  sites->callback([args, sites] {
    if (sites->get_subcommands().empty()) run_list(*args);
  });
});

}  // namespace
}  // namespace odh::cli
