// odh metrics: compute every indicator for a run, write the `indicator` table, print a selection.
#include <iostream>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/command.h"
#include "core/core.h"
#include "metrics/metrics.h"
#include "reports/export.h"

namespace odh::store_detail {
// store/migrations/*.sql as embedded in the binary (store.cpp, generated store_migrations.cpp).
std::vector<std::pair<std::string_view, std::string_view>> embedded_migrations();
}  // namespace odh::store_detail

namespace odh::cli {
namespace {

struct MetricsOpts {
  std::string db, format = "table", indicator, scope, key;
  int run = 0;
};

sqlite3* open_db(const std::string& path) {
  // No allocation statistics (each SQLite allocation would take a global mutex) and no per-call
  // connection mutex: metrics gives each thread its own connection. Fails harmlessly (SQLITE_MISUSE)
  // when SQLite is already initialised.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw Failure("cannot open " + path + ": " + m);
  }
  sqlite3_busy_timeout(db, 10000);
  // Metrics scan whole tables several times: map the file and keep a large page cache (256 MB).
  sqlite3_exec(db, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;",
               nullptr, nullptr, nullptr);
  return db;
}

bool matches(const metrics::IndicatorRow& r, const MetricsOpts& o) {
  if (!o.indicator.empty() && r.indicator != o.indicator && r.indicator.rfind(o.indicator + ".", 0) != 0)
    return false;
  if (!o.scope.empty() && r.scope != o.scope) return false;
  if (!o.key.empty() && r.scope_key != o.key) return false;
  return true;
}

bool has_dataset_quality(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='dataset_quality'", -1, &st,
                     nullptr);
  bool yes = st && sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return yes;
}

void run_metrics(const MetricsOpts& o) {
  if (o.format != "table" && o.format != "csv" && o.format != "json")
    throw UsageError("--format must be table, csv or json");
  sqlite3* db = open_db(o.db);
  if (!has_dataset_quality(db)) {
    // A store written before migration 004 (or built from raw SQL, without schema_migration): create
    // the table with the migration's own statements (CREATE … IF NOT EXISTS, so Store::open applying
    // 004 later is harmless).
    for (auto& [name, sql] : store_detail::embedded_migrations())
      if (name.rfind("004_", 0) == 0 &&
          sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string m = sqlite3_errmsg(db);
        sqlite3_close(db);
        throw Failure("cannot add dataset_quality to " + o.db + ": " + m);
      }
  }
  try {
    int run = o.run ? o.run : metrics::latest_run(db);
    auto ref = metrics::load_reference(data_dir());
    std::vector<metrics::DatasetQuality> dq;
    auto rows = metrics::compute_and_write(db, run, ref, &dq);
    sqlite3_close(db);
    db = nullptr;
    // Dataset-scope rows (the dataset_quality table) are numerous; print them only when asked for.
    std::vector<metrics::IndicatorRow> per_dataset;
    if (o.scope == "dataset") per_dataset = metrics::dataset_quality_rows(dq);
    std::vector<const metrics::IndicatorRow*> sel;
    for (auto* part : {&rows, &per_dataset})
      for (auto& r : *part)
        if (matches(r, o)) sel.push_back(&r);
    // The same renderers as the report files (reports/export.h): escaped, bounded, one format each.
    if (o.format == "json") {
      reports::write_json(std::cout, run, sel);
    } else if (o.format == "csv") {
      reports::write_csv(std::cout, run, sel);
    } else {
      std::cout << "run " << run << ": " << rows.size() << " indicator rows and " << dq.size()
                << " dataset quality rows written\n";
      reports::write_table(std::cout, run, sel);
    }
  } catch (...) {
    if (db) sqlite3_close(db);
    throw;
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
    sqlite3* db = open_db(o->db);
    try {
      int run = o->run ? o->run : metrics::latest_run(db);
      for (auto& line : metrics::explain(db, run, o->indicator, o->portal)) std::cout << line << '\n';
    } catch (...) {
      sqlite3_close(db);
      throw;
    }
    sqlite3_close(db);
  });
});

}  // namespace
}  // namespace odh::cli
