#include "metrics/metrics.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <future>

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

std::vector<IndicatorRow> compute_all(sqlite3* db, int run, const Reference& ref) {
  const bool timing = std::getenv("ODH_METRICS_TIMING") != nullptr;
  auto timed = [&](const char* name, auto&& f) {
    auto t0 = std::chrono::steady_clock::now();
    timespec c0{}, c1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    auto rows = f();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    if (timing)
      std::fprintf(stderr, "metrics: %-9s %7.3f s wall %7.3f s cpu\n", name, seconds_since(t0),
                   (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9);
    return rows;
  };
  // Two groups of layers, each on its own connection (the machine has two cores): the snapshot
  // (one pass over dataset, dataset_field and distribution) and the layers reading it on the
  // caller's connection; the SQL-only layers on a second read-only connection. impact reads the
  // snapshot's rating labels and quality the snapshot, so they run last on the worker (this balances the
  // two threads: about 19 s of CPU each on the 1M-dataset bench).
  std::promise<std::shared_ptr<const Snapshot>> snap_promise;
  std::shared_future<std::shared_ptr<const Snapshot>> snap_future = snap_promise.get_future().share();
  std::vector<IndicatorRow> usage, impact, network, bulletin, quality;
  auto worker = [&](sqlite3* c) {
    usage = timed("usage", [&] { return compute_usage(c, run, ref); });
    network = timed("network", [&] { return compute_network(c, run, ref); });
    bulletin = timed("bulletin", [&] { return compute_bulletin(c, run, ref); });
    auto snap = snap_future.get();
    impact = timed("impact", [&] { return detail::compute_impact(c, run, ref, *snap); });
    quality = timed("quality", [&] { return detail::compute_quality(c, run, ref, *snap); });
  };
  sqlite3* c2 = second_connection(db);
  std::future<void> done;
  if (c2) done = std::async(std::launch::async, worker, c2);
  std::vector<IndicatorRow> platform, metadata, data;
  try {
    std::shared_ptr<const Snapshot> snap;
    try {
      snap = timed("snapshot", [&] { return load_snapshot(db, run, ref); });
      snap_promise.set_value(snap);
    } catch (...) {
      snap_promise.set_exception(std::current_exception());
      throw;
    }
    platform = timed("platform", [&] { return detail::compute_platform(db, run, ref, *snap); });
    metadata = timed("metadata", [&] { return detail::compute_metadata(db, run, ref, *snap); });
    data = timed("data", [&] { return detail::compute_data(db, run, ref, *snap); });
    if (!c2) worker(db);
  } catch (...) {
    if (done.valid()) done.wait();
    sqlite3_close(c2);
    throw;
  }
  if (done.valid()) {
    try {
      done.get();
    } catch (...) {
      sqlite3_close(c2);
      throw;
    }
  }
  sqlite3_close(c2);
  std::vector<IndicatorRow> all;
  for (auto* part : {&platform, &metadata, &data, &usage, &impact, &quality, &network, &bulletin})
    all.insert(all.end(), std::make_move_iterator(part->begin()), std::make_move_iterator(part->end()));
  return all;
}

void write_indicators(sqlite3* db, int run, const std::vector<IndicatorRow>& rows) {
  exec(db, "BEGIN IMMEDIATE");
  try {
    Stmt del(db, "DELETE FROM indicator WHERE run_id=?");
    del.bind(1, (long long)run);
    del.step();
    Stmt ins(
        db,
        "INSERT OR REPLACE INTO indicator(run_id, scope, scope_key, indicator, value, value_text, unit, n) "
        "VALUES (?,?,?,?,?,?,?,?)");
    for (auto& r : rows) {
      ins.bind(1, (long long)run).bind(2, r.scope).bind(3, r.scope_key).bind(4, r.indicator).bind(5, r.value);
      if (r.value_text.empty())
        ins.bind(6, std::optional<double>());
      else
        ins.bind(6, r.value_text);
      ins.bind(7, r.unit).bind(8, r.n);
      ins.step();
      ins.reset();
    }
    exec(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int latest_run(sqlite3* db) {
  Stmt s(db, "SELECT max(run_id) FROM run");
  if (s.step() && !s.null(0)) return static_cast<int>(s.i64(0));
  throw Failure("the store has no run");
}

}  // namespace odh::metrics
