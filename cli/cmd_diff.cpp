// odh diff: what changed between two runs — portals new, gone or of another kind; datasets added,
// removed and changed (with the fields that changed); APIs and apps added and removed (docs/diff.md).
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "core/core.h"
#include "metrics/metrics.h"
#include "reports/reports.h"
#include "store/store.h"

namespace odh::cli {
namespace {

namespace fs = std::filesystem;

struct DiffOpts {
  std::string db, csv_dir;
  std::int64_t run = 0, baseline = 0;
  bool json = false;
  std::size_t max_lines = 50;
};

// Portal text on a terminal: control characters (escape sequences) become '?', cut at `max` code points.
std::string term(const std::string& s, std::size_t max = 60) {
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80 && ++n > max) return out + "…";
    out += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
  }
  return out;
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string o;
  for (const auto& x : v) o += (o.empty() ? "" : sep) + x;
  return o;
}

nlohmann::json to_json(const metrics::RunDiff& d) {
  nlohmann::json j = {{"run", d.run}, {"baseline", d.baseline}};
  j["portals"] = nlohmann::json::array();
  for (const auto& p : d.portals)
    j["portals"].push_back({{"portal", p.portal}, {"name", p.name}, {"change", p.change}, {"before", p.before}, {"after", p.after}});
  j["records"] = nlohmann::json::array();
  for (const auto& r : d.records)
    j["records"].push_back({{"portal", r.portal}, {"kind", r.kind}, {"key", r.key}, {"title", r.title},
                            {"change", r.change}, {"fields", r.fields}});
  j["tally"] = nlohmann::json::object();
  for (const auto& [id, t] : d.tally)
    j["tally"][id] = {{"baseline", t.baseline}, {"run", t.run}, {"added", t.added}, {"removed", t.removed},
                      {"changed", t.changed}, {"apis_added", t.apis_added}, {"apis_removed", t.apis_removed},
                      {"apps_added", t.apps_added}, {"apps_removed", t.apps_removed},
                      {"views_delta", t.views_delta}, {"downloads_delta", t.downloads_delta}};
  return j;
}

void write_csvs(const metrics::RunDiff& d, const fs::path& dir) {
  fs::create_directories(dir);
  using reports::csv_field;
  reports::write_file_atomic(dir / "portals.csv", [&](std::ostream& o) {
    o << "\xEF\xBB\xBFportal,name,change,before,after\r\n";
    for (const auto& p : d.portals)
      o << csv_field(p.portal) << ',' << csv_field(p.name) << ',' << p.change << ',' << csv_field(p.before) << ','
        << csv_field(p.after) << "\r\n";
  });
  for (const char* kind : {"dataset", "api", "app"})
    reports::write_file_atomic(dir / (std::string(kind) + "s.csv"), [&](std::ostream& o) {
      o << "\xEF\xBB\xBFportal,key,title,change,fields\r\n";
      for (const auto& r : d.records)
        if (r.kind == kind)
          o << csv_field(r.portal) << ',' << csv_field(r.key) << ',' << csv_field(r.title) << ',' << r.change << ','
            << csv_field(joined(r.fields, " ")) << "\r\n";
    });
  reports::write_file_atomic(dir / "summary.csv", [&](std::ostream& o) {
    o << "\xEF\xBB\xBFportal,datasets_baseline,datasets_run,added,removed,changed,apis_added,apis_removed,"
         "apps_added,apps_removed,views_delta,downloads_delta\r\n";
    for (const auto& [id, t] : d.tally)
      o << csv_field(id) << ',' << t.baseline << ',' << t.run << ',' << t.added << ',' << t.removed << ',' << t.changed
        << ',' << t.apis_added << ',' << t.apis_removed << ',' << t.apps_added << ',' << t.apps_removed << ','
        << t.views_delta << ',' << t.downloads_delta << "\r\n";
  });
}

void print(const metrics::RunDiff& d, StoreReader& db, std::size_t max_lines) {
  std::cout << "run " << d.run << " (" << db.run_date(d.run) << ") against baseline " << d.baseline << " ("
            << db.run_date(d.baseline) << ")\n";
  std::map<std::string, int> pc;
  for (const auto& p : d.portals) ++pc[p.change];
  std::cout << "portals: " << pc["new"] << " new, " << pc["gone"] << " gone, " << pc["kind"] << " of another kind\n";
  for (const auto& p : d.portals)
    std::cout << "  " << (p.change == "new" ? "+ " : p.change == "gone" ? "- " : "~ ") << p.portal << "  "
              << term(p.name, 30) << (p.change == "kind" ? "  " + p.before + " → " + p.after : "") << '\n';
  metrics::PortalTally all;
  for (const auto& [id, t] : d.tally) {
    all.baseline += t.baseline, all.run += t.run, all.added += t.added, all.removed += t.removed;
    all.changed += t.changed, all.apis_added += t.apis_added, all.apis_removed += t.apis_removed;
    all.apps_added += t.apps_added, all.apps_removed += t.apps_removed;
  }
  std::cout << "datasets: " << all.baseline << " → " << all.run << " (+" << all.added << " −" << all.removed << " ~"
            << all.changed << "); APIs +" << all.apis_added << " −" << all.apis_removed << "; apps +" << all.apps_added
            << " −" << all.apps_removed << "\n\nportal                      base    run  added removed changed\n";
  for (const auto& [id, t] : d.tally) {
    if (!t.added && !t.removed && !t.changed && t.baseline == t.run) continue;
    std::printf("%-26s %6lld %6lld %6lld %7lld %7lld\n", term(id, 26).c_str(), static_cast<long long>(t.baseline),
                static_cast<long long>(t.run), static_cast<long long>(t.added), static_cast<long long>(t.removed),
                static_cast<long long>(t.changed));
  }
  std::fflush(stdout);
  std::size_t shown = 0;
  std::cout << '\n';
  for (const auto& r : d.records) {
    if (shown++ == max_lines) {
      std::cout << "… " << d.records.size() - max_lines << " more (--json or --csv for all)\n";
      break;
    }
    std::cout << (r.change == "added" ? "+ " : r.change == "removed" ? "- " : "~ ") << r.kind << ' ' << r.portal << " «"
              << term(r.title.empty() ? r.key : r.title) << "»"
              << (r.fields.empty() ? "" : "  " + joined(r.fields, ", ")) << '\n';
  }
}

void run_diff(const DiffOpts& o) {
  Store::open(o.db);  // migrates an older file; the reads need the current schema
  auto db = StoreReader::open(o.db);
  std::int64_t run = o.run ? o.run : db->latest_run(true);
  if (!run || !db->run_info(run).run_id) throw Failure(o.db + ": no run " + std::to_string(o.run));
  std::int64_t base = o.baseline;
  if (!base) {
    auto prev = db->previous_run(run);
    if (!prev) throw Failure(o.db + ": run " + std::to_string(run) + " has no earlier finished run of the same kind; give --baseline");
    base = *prev;
  }
  if (!db->run_info(base).run_id) throw Failure(o.db + ": no run " + std::to_string(base) + " (--baseline)");
  auto d = metrics::diff_runs(*db, run, base);
  if (!o.csv_dir.empty()) write_csvs(d, o.csv_dir);
  if (o.json) std::cout << to_json(d).dump(1) << '\n';
  else print(d, *db, o.max_lines);
}

CommandRegistrar reg_diff(70, [](CLI::App& app) {
  auto o = std::make_shared<DiffOpts>();
  auto* c = app.add_subcommand("diff", "What changed between two runs: portals, datasets (and their fields), APIs, apps");
  c->add_option("--db", o->db, "SQLite store holding both runs")->required()->check(CLI::ExistingFile);
  c->add_option("--run", o->run, "run id (default: the latest finished)");
  c->add_option("--baseline", o->baseline, "run to compare with (default: the previous finished run of the same kind)");
  c->add_flag("--json", o->json, "print the whole diff as JSON");
  c->add_option("--csv", o->csv_dir, "also write portals.csv, datasets.csv, apis.csv, apps.csv, summary.csv here");
  c->add_option("--max-lines", o->max_lines, "record changes printed (human output)")->capture_default_str();
  c->callback([o] { run_diff(*o); });
});

}  // namespace
}  // namespace odh::cli
