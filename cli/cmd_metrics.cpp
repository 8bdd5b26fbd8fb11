// odh metrics: compute every indicator for a run, write the `indicator` table, print a selection.
#include <iostream>
#include <vector>

#include "cli/command.h"
#include "core/core.h"
#include "metrics/metrics.h"
#include "reports/reports.h"
#include "store/store.h"

namespace odh::cli {
namespace {

struct MetricsOpts {
  std::string db, format = "table", indicator, scope, key;
  int run = 0;
};

bool matches(const metrics::IndicatorRow& r, const MetricsOpts& o) {
  if (!o.indicator.empty() && r.indicator != o.indicator && r.indicator.rfind(o.indicator + ".", 0) != 0)
    return false;
  if (!o.scope.empty() && r.scope != o.scope) return false;
  if (!o.key.empty() && r.scope_key != o.key) return false;
  return true;
}

void run_metrics(const MetricsOpts& o) {
  if (o.format != "table" && o.format != "csv" && o.format != "json")
    throw UsageError("--format must be table, csv or json");
  // Opening through the store applies its migrations (dataset_quality included) to an older file.
  auto store = Store::open(o.db);
  {
    // By default the newest *finished* run: a crashed or interrupted harvest is never measured.
    int run = o.run ? o.run : static_cast<int>(store->latest_run(true));
    if (!run) throw Failure("the store " + o.db + " has no finished run");
    auto ref = metrics::load_reference(data_dir());
    std::vector<metrics::DatasetQuality> dq;
    auto rows = metrics::compute_and_write(*store, run, ref, &dq);
    store.reset();
    // Dataset-scope rows (the dataset_quality table) are numerous; print them only when asked for.
    std::vector<metrics::IndicatorRow> per_dataset;
    if (o.scope == "dataset") per_dataset = metrics::dataset_quality_rows(dq);
    std::vector<const metrics::IndicatorRow*> sel;
    for (auto* part : {&rows, &per_dataset})
      for (auto& r : *part)
        if (matches(r, o)) sel.push_back(&r);
    // The same renderers as the report files (reports/reports.h): escaped, bounded, one format each.
    if (o.format == "json") {
      reports::write_json(std::cout, run, sel);
    } else if (o.format == "csv") {
      reports::write_csv(std::cout, run, sel);
    } else {
      std::cout << "run " << run << ": " << rows.size() << " indicator rows and " << dq.size()
                << " dataset quality rows written\n";
      reports::write_table(std::cout, run, sel);
    }
  }
}

CommandRegistrar reg_metrics(50, [](CLI::App& app) {
  auto o = std::make_shared<MetricsOpts>();
  auto* c = app.add_subcommand("metrics",
                               "Compute every indicator of a run into the indicator table and print them");
  c->add_option("--db", o->db, "SQLite store")->required()->check(CLI::ExistingFile);
  c->add_option("--run", o->run, "run id (default: the latest)");
  c->add_option("--format", o->format, "table | csv | json")->check(CLI::IsMember({"table", "csv", "json"}));
  c->add_option("--indicator", o->indicator, "print only this id (or id prefix before a '.')");
  c->add_option("--scope", o->scope,
                "print only this scope: portal national level region tier theme dataset");
  c->add_option("--key", o->key, "print only this scope key (portal id, level, region…)");
  c->callback([o] { run_metrics(*o); });
});

struct ExplainOpts {
  std::string db, indicator, portal;
  int run = 0;
};

CommandRegistrar reg_explain(55, [](CLI::App& app) {
  auto o = std::make_shared<ExplainOpts>();
  auto* c =
      app.add_subcommand("explain", "List the datasets, fetches and WARC records behind an indicator value");
  c->add_option("indicator", o->indicator, "indicator id, e.g. usage.download_rate")->required();
  c->add_option("--db", o->db, "SQLite store")->required()->check(CLI::ExistingFile);
  c->add_option("--portal", o->portal, "portal id (default: all portals)");
  c->add_option("--run", o->run, "run id (default: the latest)");
  c->callback([o] {
    bool known = false;
    for (auto& d : metrics::catalogue()) {
      const auto& id = d.id;
      if (id == o->indicator || (id.size() > 2 && id.compare(id.size() - 2, 2, ".*") == 0 &&
                                 o->indicator.rfind(id.substr(0, id.size() - 1), 0) == 0))
        known = true;
    }
    if (!known) throw UsageError("unknown indicator '" + o->indicator + "' (see docs/indicators.md)");
    Store::open(o->db);  // migrates an older file; the reads need the current schema
    auto db = StoreReader::open(o->db);
    int run = o->run ? o->run : static_cast<int>(db->latest_run(true));  // the newest finished run
    for (auto& line : metrics::explain(*db, run, o->indicator, o->portal)) std::cout << line << '\n';
  });
});

}  // namespace
}  // namespace odh::cli
