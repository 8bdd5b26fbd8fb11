#include "metrics/metrics.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "core/core.h"
#include "metrics/presence.h"

namespace odh::metrics {
using namespace detail;

const std::vector<IndicatorDef>& catalogue() {
  static const std::vector<IndicatorDef> defs = {
      // §2 and §5.1 platform layer
      {"platform.portals", "portals", "platform"},
      {"platform.portals_share", "share", "platform"},
      {"platform.coverage", "share", "platform"},
      {"platform.independent_share", "share", "platform"},
      {"platform.embedded_share", "share", "platform"},
      {"platform.new_portals", "portals", "platform"},
      {"platform.cancelled_portals", "portals", "platform"},
      {"platform.to_independent", "portals", "platform"},
      {"platform.to_embedded", "portals", "platform"},
      {"platform.reachable_share", "share", "platform"},
      {"platform.publishing", "portals", "platform"},
      {"platform.publishing_share", "share", "platform"},
      {"platform.error_class", "portals", "platform"},
      {"platform.datasets", "datasets", "platform"},
      {"platform.datasets_mean", "datasets", "platform"},
      {"platform.datasets_median", "datasets", "platform"},
      {"platform.datasets_above_mean", "portals", "platform"},
      {"platform.datasets_top10", "share", "platform"},
      {"platform.apis", "apis", "platform"},
      {"platform.api_share", "share", "platform"},
      {"platform.zero_api_portals", "portals", "platform"},
      {"platform.topics", "topics", "platform"},
      {"platform.topics_lt3", "portals", "platform"},
      {"platform.topic_names", "names", "platform"},
      {"platform.capacity", "cells", "platform"},
      {"platform.capacity_computable", "portals", "platform"},
      {"platform.capacity_gt_1e8", "portals", "platform"},
      {"platform.capacity_lt_1e7", "portals", "platform"},
      // §3 metadata
      {"metadata.element.*", "share", "metadata"},
      {"metadata.group.*", "share", "metadata"},
      {"metadata.standard.*", "share", "metadata"},
      {"metadata.label_variants.*", "labels", "metadata"},
      {"metadata.frequency_nonstandard", "share", "metadata"},
      {"metadata.size_without_unit", "share", "metadata"},
      {"metadata.bad_links", "share", "metadata"},
      {"metadata.all_five_formats", "portals", "metadata"},
      // §5.2 data layer
      {"data.machine_readable_any", "share", "data"},
      {"data.machine_readable_share", "share", "data"},
      {"data.formats_offered", "formats", "data"},
      {"data.format_coverage.*", "share", "data"},
      {"data.licence", "share", "data"},
      {"data.free_access", "share", "data"},
      {"data.non_discrimination", "share", "data"},
      {"data.free_use", "share", "data"},
      {"data.free_sharing", "share", "data"},
      {"data.completeness", "share", "data"},
      {"data.completeness.*", "share", "data"},
      // §4 and §5.3 usage layer
      {"usage.views", "views", "usage"},
      {"usage.downloads", "downloads", "usage"},
      {"usage.view_rate", "views/dataset", "usage"},
      {"usage.download_rate", "downloads/dataset", "usage"},
      {"usage.view_rate_overall", "share", "usage"},
      {"usage.download_rate_overall", "share", "usage"},
      {"usage.view_share", "share", "usage"},
      {"usage.download_share", "share", "usage"},
      {"usage.download_per_view", "downloads/view", "usage"},
      {"usage.download_per_view_below50", "portals", "usage"},
      {"usage.dataset_download_per_view", "downloads/view", "usage"},
      {"usage.apps", "apps", "usage"},
      {"usage.apps_kind.*", "apps", "usage"},
      {"usage.apps_mean", "apps", "usage"},
      {"usage.apps_median", "apps", "usage"},
      {"usage.apps_above_mean", "portals", "usage"},
      {"usage.zero_app_portals", "portals", "usage"},
      // §5.4 impact layer
      {"impact.issued_recency", "days", "impact"},
      {"impact.update_recency", "days", "impact"},
      {"impact.frequency", "share", "impact"},
      {"impact.dynamic_share", "share", "impact"},
      {"impact.frequency_missing_share", "share", "impact"},
      {"impact.promise_kept", "share", "impact"},
      {"impact.rating_channel", "share", "impact"},
      {"impact.ratings", "ratings", "impact"},
      {"impact.comments", "comments", "impact"},
      {"impact.unused_channel", "portals", "impact"},
      {"impact.rating_dimensions", "dimensions", "impact"},
      // Beyond the report
      {"quality.mqa", "points", "quality"},
      {"quality.mqa.findability", "points", "quality"},
      {"quality.mqa.accessibility", "points", "quality"},
      {"quality.mqa.interoperability", "points", "quality"},
      {"quality.mqa.reusability", "points", "quality"},
      {"quality.mqa.contextuality", "points", "quality"},
      {"quality.mqa_good_share", "share", "quality"},
      {"quality.five_star", "stars", "quality"},
      {"quality.five_star_3plus", "share", "quality"},
      {"quality.link_liveness", "share", "quality"},
      {"network.tagged_share", "share", "network"},
      {"network.components", "components", "network"},
      {"network.largest_component_share", "share", "network"},
      {"network.isolated_share", "share", "network"},
      {"network.degree_mean", "links/dataset", "network"},
      {"network.degree_max", "links", "network"},
      {"network.apps_citing_share", "share", "network"},
      {"network.datasets_cited_share", "share", "network"},
      {"network.national_components", "components", "network"},
      {"network.national_largest_share", "share", "network"},
      {"findability.click_depth_mean", "clicks", "network"},
      {"findability.click_depth_max", "clicks", "network"},
      {"findability.depth_le3_share", "share", "network"},
      // Bulletins
      {"bulletin.top_departments_datasets", "departments", "bulletin"},
      {"bulletin.top_departments_views", "departments", "bulletin"},
      {"bulletin.top_departments_downloads", "departments", "bulletin"},
      {"bulletin.rank_change_datasets", "departments", "bulletin"},
      {"bulletin.rank_change_views", "departments", "bulletin"},
      {"bulletin.rank_change_downloads", "departments", "bulletin"},
  };
  return defs;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A second read-only connection to the same database file for the worker thread; nullptr for an
// in-memory or temporary database (then everything runs on the caller's connection).
sqlite3* second_connection(sqlite3* db) {
  // Inside an open transaction the caller may see rows another connection cannot.
  if (!sqlite3_get_autocommit(db)) return nullptr;
  const char* file = sqlite3_db_filename(db, "main");
  if (!file || !*file) return nullptr;
  sqlite3* c = nullptr;
  if (sqlite3_open_v2(file, &c, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    sqlite3_close(c);
    return nullptr;
  }
  sqlite3_busy_timeout(c, 10000);
  sqlite3_exec(c, "PRAGMA mmap_size=4294967296; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;",
               nullptr, nullptr, nullptr);
  return c;
}

}  // namespace

namespace {
// A small task graph run by up to two threads, each with its own connection. A thread takes the first
// task (in list order) whose dependencies are done; so the list order is the priority.
class TaskGraph {
 public:
  // `main_only`: the task must run on conns[0] (the caller's read-write connection).
  int add(const char* name, std::vector<int> deps, std::function<void(sqlite3*)> f, bool main_only = false) {
    tasks_.push_back({name, std::move(deps), std::move(f), main_only});
    return static_cast<int>(tasks_.size()) - 1;
  }
  // Runs every task; the first exception is rethrown after all threads have stopped.
  void run(const std::vector<sqlite3*>& conns, bool timing) {
    state_.assign(tasks_.size(), 0);
    std::vector<std::thread> threads;
    for (size_t i = 1; i < conns.size(); ++i)
      threads.emplace_back([this, c = conns[i], timing] { loop(c, false, timing); });
    loop(conns[0], true, timing);
    for (auto& t : threads) t.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  struct Task {
    const char* name;
    std::vector<int> deps;
    std::function<void(sqlite3*)> f;
    bool main_only;
  };
  void loop(sqlite3* c, bool main, bool timing) {
    std::unique_lock lock(mu_);
    for (;;) {
      int next = -1;
      bool pending = false;
      for (size_t i = 0; i < tasks_.size() && next < 0; ++i) {
        if (state_[i] != 0) continue;
        pending = true;
        bool ready = main || !tasks_[i].main_only;
        for (int d : tasks_[i].deps) ready = ready && state_[d] == 2;
        if (ready) next = static_cast<int>(i);
      }
      if (!pending || error_) return;
      if (next < 0) {
        cv_.wait(lock);
        continue;
      }
      state_[next] = 1;
      lock.unlock();
      auto t0 = std::chrono::steady_clock::now();
      timespec c0{}, c1{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
      std::exception_ptr err;
      try {
        tasks_[next].f(c);
      } catch (...) {
        err = std::current_exception();
      }
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
      if (timing)
        std::fprintf(stderr, "metrics: %-9s %7.3f s wall %7.3f s cpu\n", tasks_[next].name, seconds_since(t0),
                     (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9);
      lock.lock();
      state_[next] = 2;
      if (err && !error_) error_ = err;
      cv_.notify_all();
    }
  }
  std::vector<Task> tasks_;
  std::vector<int> state_;  // 0 waiting, 1 running, 2 done
  std::mutex mu_;
  std::condition_variable cv_;
  std::exception_ptr error_;
};
}  // namespace

namespace {
void write_indicator_rows(sqlite3* db, int run, const std::vector<IndicatorRow>& rows);
void write_dataset_quality(sqlite3* db, int run, const std::vector<DatasetQuality>& dq);

// compute_all, and with `write` also write_indicators: the dataset_quality rows are then written on the
// caller's connection as soon as the quality layer has them, while the other thread still computes
// (inside one transaction, committed with the indicator rows at the end).
std::vector<IndicatorRow> compute(sqlite3* db, int run, const Reference& ref,
                                  std::vector<DatasetQuality>* dataset_quality, bool write) {
  const bool timing = std::getenv("ODH_METRICS_TIMING") != nullptr;
  // The machine has two cores: the layers run as tasks on two threads with a connection each (the
  // second read-only). The shared snapshot is loaded as tasks too: the dataset and distribution scans,
  // then the dataset_field scan (10 rows per dataset, the largest table) in rowid ranges that either
  // thread takes, then a merge; the layers reading the snapshot wait for it, the SQL-only layers
  // (usage, network, bulletin) fill the gaps.
  sqlite3* c2 = second_connection(db);
  struct Closer {
    sqlite3* c;
    ~Closer() { sqlite3_close(c); }
  } closer{c2};
  Snapshot snap;
  std::vector<IndicatorRow> platform, metadata, data, usage, impact, quality, network, bulletin;
  std::vector<DatasetQuality> dq;
  TaskGraph g;
  const int rows = g.add("rows", {}, [&](sqlite3* c) { load_snapshot_rows(c, run, ref, snap); });
  auto [lo, hi] = field_rowid_range(db);
  // Ranges of about 1M field rows (fewer on small stores), so that both threads stay busy to the end.
  const long long span = hi >= lo ? hi - lo + 1 : 0;
  const int nparts = static_cast<int>(std::clamp<long long>(span / 1000000, 1, 16));
  std::vector<FieldPartPtr> parts(nparts);
  std::vector<int> part_tasks;
  for (int i = 0; i < nparts; ++i) {
    const long long a = lo + span * i / nparts, b = lo + span * (i + 1) / nparts - 1;
    part_tasks.push_back(g.add("fields", {rows},
                               [&, i, a, b](sqlite3* c) { parts[i] = load_snapshot_fields(c, snap, a, b); }));
  }
  const int merged = g.add("merge", part_tasks, [&](sqlite3*) { merge_snapshot_fields(snap, parts); });
  // Snapshot layers, longest first (so that the last task to finish is a short one), then the SQL-only
  // ones; a thread takes the first ready task in this order.
  const bool want_dq = dataset_quality || write;
  const int quality_task = g.add("quality", {merged}, [&](sqlite3* c) {
    quality = detail::compute_quality(c, run, ref, snap, want_dq ? &dq : nullptr);
  });
  bool in_transaction = false;
  if (write)
    g.add(
        "write.dq", {quality_task},
        [&](sqlite3* c) {
          // The other connection keeps reading meanwhile: RESERVED allows readers, and with cache_spill
          // off the dirty pages stay in memory until COMMIT (a spill would need the EXCLUSIVE lock).
          exec(c, "PRAGMA cache_spill=OFF");
          exec(c, "BEGIN IMMEDIATE");
          in_transaction = true;
          write_dataset_quality(c, run, dq);
        },
        true);
  g.add("data", {merged}, [&](sqlite3* c) { data = detail::compute_data(c, run, ref, snap); });
  g.add("network", {}, [&](sqlite3* c) { network = compute_network(c, run, ref); });
  g.add("usage", {}, [&](sqlite3* c) { usage = compute_usage(c, run, ref); });
  g.add("metadata", {merged}, [&](sqlite3* c) { metadata = detail::compute_metadata(c, run, ref, snap); });
  g.add("impact", {merged}, [&](sqlite3* c) { impact = detail::compute_impact(c, run, ref, snap); });
  g.add("bulletin", {}, [&](sqlite3* c) { bulletin = compute_bulletin(c, run, ref); });
  g.add("platform", {merged}, [&](sqlite3* c) { platform = detail::compute_platform(c, run, ref, snap); });
  std::vector<sqlite3*> conns{db};
  if (c2) conns.push_back(c2);
  std::vector<IndicatorRow> all;
  try {
    g.run(conns, timing);
    for (auto* part : {&platform, &metadata, &data, &usage, &impact, &quality, &network, &bulletin})
      all.insert(all.end(), std::make_move_iterator(part->begin()), std::make_move_iterator(part->end()));
    if (write) {
      auto t0 = std::chrono::steady_clock::now();
      write_indicator_rows(db, run, all);
      if (timing) std::fprintf(stderr, "metrics:   write.rows   %7.3f s wall\n", seconds_since(t0));
      exec(db, "COMMIT");
      in_transaction = false;
      exec(db, "PRAGMA cache_spill=ON");
      if (timing)
        std::fprintf(stderr, "metrics: %-9s %7.3f s wall (indicator rows, commit)\n", "write",
                     seconds_since(t0));
    }
  } catch (...) {
    if (in_transaction) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    if (write) sqlite3_exec(db, "PRAGMA cache_spill=ON", nullptr, nullptr, nullptr);
    throw;
  }
  if (dataset_quality) *dataset_quality = std::move(dq);
  return all;
}
}  // namespace

std::vector<IndicatorRow> compute_all(sqlite3* db, int run, const Reference& ref,
                                      std::vector<DatasetQuality>* dataset_quality) {
  return compute(db, run, ref, dataset_quality, false);
}

std::vector<IndicatorRow> compute_and_write(sqlite3* db, int run, const Reference& ref,
                                            std::vector<DatasetQuality>* dataset_quality) {
  return compute(db, run, ref, dataset_quality, true);
}

void write_indicators(sqlite3* db, int run, const std::vector<IndicatorRow>& rows,
                      const std::vector<DatasetQuality>* dataset_quality) {
  exec(db, "BEGIN IMMEDIATE");
  try {
    write_indicator_rows(db, run, rows);
    if (dataset_quality) write_dataset_quality(db, run, *dataset_quality);
    exec(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

namespace {
void write_indicator_rows(sqlite3* db, int run, const std::vector<IndicatorRow>& rows) {
  Stmt del(db, "DELETE FROM indicator WHERE run_id=?");
  del.bind(1, (long long)run);
  del.step();
  // In primary-key order: each insert appends to the key's B-tree instead of splitting pages all over it.
  std::vector<const IndicatorRow*> sorted;
  sorted.reserve(rows.size());
  for (auto& r : rows) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const IndicatorRow* a, const IndicatorRow* b) {
    if (int c = a->scope.compare(b->scope)) return c < 0;
    if (int c = a->scope_key.compare(b->scope_key)) return c < 0;
    return a->indicator < b->indicator;
  });
  Stmt ins(
      db,
      "INSERT OR REPLACE INTO indicator(run_id, scope, scope_key, indicator, value, value_text, unit, n) "
      "VALUES (?,?,?,?,?,?,?,?)");
  for (const IndicatorRow* r : sorted) {
    ins.bind(1, (long long)run)
        .bind(2, r->scope)
        .bind(3, r->scope_key)
        .bind(4, r->indicator)
        .bind(5, r->value);
    if (r->value_text.empty())
      ins.bind(6, std::optional<double>());
    else
      ins.bind(6, r->value_text);
    ins.bind(7, r->unit).bind(8, r->n);
    ins.step();
    ins.reset();
  }
}

void write_dataset_quality(sqlite3* db, int run, const std::vector<DatasetQuality>& dq) {
  Stmt del(db, "DELETE FROM dataset_quality WHERE run_id=?");
  del.bind(1, (long long)run);
  del.step();
  // dq is in dataset_pk (= rowid) order: every insert appends to the table's B-tree.
  Stmt ins(db,
           "INSERT OR REPLACE INTO dataset_quality(dataset_pk, run_id, findability, accessibility, "
           "interoperability, reusability, contextuality, total, band) VALUES (?,?,?,?,?,?,?,?,?)");
  for (auto& d : dq) {
    const MqaScore& m = d.score;
    ins.bind(1, d.dataset_pk).bind(2, (long long)run).bind(3, (long long)m.findability);
    ins.bind(4, (long long)m.accessibility).bind(5, (long long)m.interoperability);
    ins.bind(6, (long long)m.reusability).bind(7, (long long)m.contextuality);
    ins.bind(8, (long long)m.total()).bind(9, mqa_band(m.total()));
    ins.step();
    ins.reset();
  }
}
}  // namespace

int latest_run(sqlite3* db) {
  Stmt s(db, "SELECT max(run_id) FROM run");
  if (s.step() && !s.null(0)) return static_cast<int>(s.i64(0));
  throw Failure("the store has no run");
}

}  // namespace odh::metrics
