// The main job of `odh run`: harvest → metrics → report files.
#include <filesystem>
#include <fstream>

#include "core/core.h"
#include "harvest/harvest.h"
#include "metrics/metrics.h"
#include "reports/export.h"

namespace odh {

MainJobResult run_main_job(const std::vector<Site>& sites, const MainJobOptions& options,
                           const std::function<void(const HarvestSummary&)>& after_harvest) {
  namespace fs = std::filesystem;
  MainJobResult result;
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

  // Report files: every non-dataset row (dataset-scope rows stay in the database).
  reports::Rows sel;
  for (auto& r : rows)
    if (r.scope != "dataset") sel.push_back(&r);
  const fs::path rep = options.report_dir;
  fs::create_directories(rep);
  auto write = [&](const fs::path& p, auto&& fn) {
    std::ofstream f(p, std::ios::binary);
    if (!f) throw Failure("cannot write " + p.string());
    fn(f);
    f.close();
    if (!f) throw Failure("cannot write " + p.string());
    result.report_files.push_back(p.string());
  };
  write(rep / "indicators.csv", [&](std::ostream& o) { reports::write_csv(o, run, sel); });
  write(rep / "indicators.json", [&](std::ostream& o) { reports::write_json(o, run, sel); });
  write(rep / "report.md", [&](std::ostream& o) { reports::write_markdown(o, options.title, run, sel); });
  return result;
}

}  // namespace odh
