// The main job of `odh run`: harvest → metrics → report files.
#include <filesystem>

#include "core/core.h"
#include "harvest/harvest.h"
#include "metrics/metrics.h"
#include "reports/reports.h"

namespace odh {

MainJobResult run_main_job(const std::vector<Site>& sites, const MainJobOptions& options,
                           const std::function<void(const HarvestSummary&)>& after_harvest) {
  namespace fs = std::filesystem;
  MainJobResult result;
  const auto formats = reports::parse_formats(options.report_formats);  // usage errors before the harvest
  {
    auto store = Store::open(options.db_path);
    result.harvest = harvest_live(sites, options.harvest, *store);
  }
  if (after_harvest) after_harvest(result.harvest);

  const int run = static_cast<int>(result.harvest.run_id);
  std::vector<metrics::IndicatorRow> rows;
  {
    auto store = Store::open(options.db_path);
    auto ref = metrics::load_reference(data_dir());
    std::vector<metrics::DatasetQuality> dq;  // per-dataset MQA scores → the dataset_quality table
    rows = metrics::compute_and_write(*store, run, ref, &dq);
  }
  result.indicator_rows = rows.size();

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
  return result;
}

}  // namespace odh
