// The main job of `odh run`: harvest → metrics → report files, each stage recorded (harvest → metrics →
// report → done).
#include <filesystem>

#include "core/core.h"
#include "harvest/harvest.h"
#include "metrics/metrics.h"
#include "reports/reports.h"

namespace odh {

namespace {

// The stage line, written to a temporary name and renamed: a crash leaves the old stage or the new.
void write_stage(const std::string& file, const std::string& stage, std::int64_t run) {
  if (file.empty()) return;
  const std::string tmp = file + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << stage << ' ' << run << '\n';
    f.close();
    if (!f) throw Failure("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) throw Failure("cannot write " + file + ": " + ec.message());
}

// A resumed harvest: the crawl continues from its state (the spiders' rows go to a scratch store, as
// `odh crawl --spiders family` does), then the run's rows are rebuilt from the whole WARC snapshot,
// so they are those of an uninterrupted crawl whatever the interrupted live harvest had written.
HarvestSummary resume_harvest(const std::vector<Site>& sites, const HarvestOptions& options, Store& store) {
  CrawlOptions c = options.crawl;
  c.resume = true;
  auto scratch = Store::open("");
  const std::int64_t scratch_run = scratch->begin_run("resume", "live", options.sites_file);
  StoreSink sink(*scratch, scratch_run);
  Crawler crawler(c, [&](const Site& s, const CrawlOptions& o) {
    return harvest_spider(s, o, sink, *scratch, scratch_run);
  });
  crawler.on_progress = options.on_progress;
  crawler.on_log = options.on_log;
  if (options.on_crawler) options.on_crawler(&crawler);
  CrawlReport r = crawler.run(sites);
  if (options.on_crawler) options.on_crawler(nullptr);
  if (!r.ok) throw Failure("crawl: " + r.message);
  if (r.interrupted) {
    HarvestSummary sum;
    sum.interrupted = true;
    return sum;
  }
  warc::WarcSnapshot snap((std::filesystem::path(c.out_dir) / "warc").string());
  HarvestSummary sum = replay_snapshot(sites, snap, store, options.label, options.sites_file);
  write_portal_status(store, sum.run_id, sites, r.hosts);
  return sum;
}

}  // namespace

std::pair<std::string, std::int64_t> read_job_stage(const std::string& stage_file) {
  std::ifstream f(stage_file);
  std::string stage;
  std::int64_t run = 0;
  if (!(f >> stage >> run)) return {"", 0};
  return {stage, run};
}

MainJobResult run_main_job(const std::vector<Site>& sites, const MainJobOptions& options,
                           const std::function<void(const HarvestSummary&)>& after_harvest) {
  namespace fs = std::filesystem;
  MainJobResult result;
  const auto formats = reports::parse_formats(options.report_formats);  // usage errors before the harvest
  auto [stage, recorded_run] = options.resume ? read_job_stage(options.stage_file)
                                              : std::pair<std::string, std::int64_t>{"", 0};
  if (stage == "done" || stage == "metrics" || stage == "report") {
    result.harvest.run_id = recorded_run;
    if (after_harvest) after_harvest(result.harvest);
  } else {
    write_stage(options.stage_file, "harvest", 0);
    {
      auto store = Store::open(options.db_path);
      if (stage == "harvest") {
        result.harvest = resume_harvest(sites, options.harvest, *store);
        result.resumed_harvest = true;
      } else {
        result.harvest = harvest_live(sites, options.harvest, *store);
      }
    }
    if (after_harvest) after_harvest(result.harvest);
    if (result.harvest.interrupted)
      throw Failure("interrupted during the harvest: run again with --resume to continue it");
    write_stage(options.stage_file, "metrics", result.harvest.run_id);
  }

  const int run = static_cast<int>(result.harvest.run_id);
  std::vector<metrics::IndicatorRow> rows;
  {
    auto store = Store::open(options.db_path);
    auto ref = metrics::load_reference(data_dir());
    std::vector<metrics::DatasetQuality> dq;  // per-dataset MQA scores → the dataset_quality table
    rows = metrics::compute_and_write(*store, run, ref, &dq);
  }
  result.indicator_rows = rows.size();
  write_stage(options.stage_file, "report", run);

  // The report, rendered from the stored rows (as `odh report` does).
  const fs::path rep = options.report_dir;
  fs::create_directories(rep);
  {
    auto reader = StoreReader::open(options.db_path);
    reports::ReportOptions ro;
    ro.run = run;
    ro.out_dir = rep;
    ro.lang = options.report_lang;
    ro.formats = formats;
    ro.title = options.title;
    ro.db_label = options.db_path;
    auto files = reports::write_report(*reader, ro);
    result.report_files = files.files;
    result.report_notes = files.notes;
  }
  // The long-format rows for programs (every non-dataset row of the run).
  reports::Rows sel;
  for (auto& r : rows)
    if (r.scope != "dataset") sel.push_back(&r);
  reports::write_file_atomic(rep / "indicators.csv", [&](std::ostream& o) { reports::write_csv(o, run, sel); });
  result.report_files.push_back((rep / "indicators.csv").string());
  write_stage(options.stage_file, "done", run);
  return result;
}

}  // namespace odh
