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
      {"platform.datasets_below_mean", "portals", "platform"},
      {"platform.datasets_top10", "share", "platform"},
      {"platform.datasets_top10_of_all", "share", "platform"},
      {"platform.apis", "apis", "platform"},
      {"platform.api_share", "share", "platform"},
      {"platform.zero_api_portals", "portals", "platform"},
      {"platform.topics", "topics", "platform"},
      {"platform.topics_mean", "topics", "platform"},
      {"platform.topics_median", "topics", "platform"},
      {"platform.topics_above_mean", "portals", "platform"},
      {"platform.topics_below_mean", "portals", "platform"},
      {"platform.topic_datasets", "topics", "platform"},
      {"platform.topics_lt3", "portals", "platform"},
      {"platform.topic_names", "names", "platform"},
      {"platform.capacity", "cells", "platform"},
      {"platform.capacity_computable", "portals", "platform"},
      {"platform.capacity_from_files", "share", "platform"},
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
      {"metadata.links_checked", "share", "metadata"},
      {"metadata.link_classes", "links", "metadata"},
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
      {"usage.view_rate_published", "views/dataset", "usage"},
      {"usage.download_rate_published", "downloads/dataset", "usage"},
      {"usage.view_rate_overall", "share", "usage"},
      {"usage.download_rate_overall", "share", "usage"},
      {"usage.view_share", "share", "usage"},
      {"usage.download_share", "share", "usage"},
      {"usage.download_per_view", "downloads/view", "usage"},
      {"usage.download_per_view_below50", "portals", "usage"},
      {"usage.dataset_download_per_view", "downloads/view", "usage"},
      {"usage.views_histogram", "datasets", "usage"},
      {"usage.downloads_histogram", "datasets", "usage"},
      {"usage.apps", "apps", "usage"},
      {"usage.apps_kind.*", "apps", "usage"},
      {"usage.apps_mean", "apps", "usage"},
      {"usage.apps_median", "apps", "usage"},
      {"usage.apps_above_mean", "portals", "usage"},
      {"usage.apps_below_mean", "portals", "usage"},
      {"usage.zero_app_portals", "portals", "usage"},
      // §5.4 impact layer
      {"impact.issued_recency", "days", "impact"},
      {"impact.update_recency", "days", "impact"},
      {"impact.issued_latest", "days", "impact"},
      {"impact.update_latest", "days", "impact"},
      {"impact.frequency", "share", "impact"},
      {"impact.dynamic_share", "share", "impact"},
      {"impact.platform_frequency", "share", "impact"},
      {"impact.platform_dynamic", "share", "impact"},
      {"impact.frequency_missing_share", "share", "impact"},
      {"impact.promise_kept", "share", "impact"},
      {"impact.rating_channel", "share", "impact"},
      {"impact.ratings", "ratings", "impact"},
      {"impact.comments", "comments", "impact"},
      {"impact.unused_channel", "portals", "impact"},
      {"impact.rating_dimensions", "dimensions", "impact"},
      {"impact.rating_mean", "rating", "impact"},
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
      // Composite index
      {"index.composite", "points", "index"},
      {"index.layer.*", "points", "index"},
      {"index.rank", "rank", "index"},
      {"index.rank_level", "rank", "index"},
      {"index.rank_region", "rank", "index"},
      {"index.rank_min", "rank", "index"},
      {"index.rank_max", "rank", "index"},
      {"index.sensitivity", "ranks", "index"},
  };
  return defs;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

namespace {
// A small task graph run by up to two threads, each with its own store reader. A thread takes the first
// task (in list order) whose dependencies are done; so the list order is the priority.
class TaskGraph {
 public:
  // `main_only`: the task must run on the calling thread (the one that owns the writing Store).
  int add(const char* name, std::vector<int> deps, std::function<void(StoreReader&)> f, bool main_only = false) {
    tasks_.push_back({name, std::move(deps), std::move(f), main_only});
    return static_cast<int>(tasks_.size()) - 1;
  }
  // Runs every task; the first exception is rethrown after all threads have stopped.
  void run(const std::vector<StoreReader*>& conns, bool timing) {
    state_.assign(tasks_.size(), 0);
    std::vector<std::thread> threads;
    for (size_t i = 1; i < conns.size(); ++i)
      threads.emplace_back([this, c = conns[i], timing] { loop(*c, false, timing); });
    loop(*conns[0], true, timing);
    for (auto& t : threads) t.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  struct Task {
    const char* name;
    std::vector<int> deps;
    std::function<void(StoreReader&)> f;
    bool main_only;
  };
  void loop(StoreReader& c, bool main, bool timing) {
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
std::vector<DatasetQualityRow> quality_rows(const std::vector<DatasetQuality>& dq) {
  std::vector<DatasetQualityRow> out;
  out.reserve(dq.size());
  for (auto& d : dq) {
    const MqaScore& m = d.score;
    out.push_back({d.dataset_pk, m.findability, m.accessibility, m.interoperability, m.reusability,
                   m.contextuality, mqa_band(m.total())});
  }
  return out;
}

// compute_all, and with `store` also write_indicators: the dataset_quality rows are then written as soon
// as the quality layer has them, while the other thread still computes (inside one transaction,
// committed with the indicator rows at the end).
std::vector<IndicatorRow> compute(StoreReader& db, int run, const Reference& ref,
                                  std::vector<DatasetQuality>* dataset_quality, Store* store) {
  const bool timing = std::getenv("ODH_METRICS_TIMING") != nullptr;
  // The machine has two cores: the layers run as tasks on two threads with a store reader each. The
  // shared snapshot is loaded as tasks too: the dataset and distribution scans, then the dataset_field
  // scan (10 rows per dataset, the largest table) in rowid ranges that either thread takes, then a merge;
  // the layers reading the snapshot wait for it, the snapshot-free layers (usage, network, bulletin) fill
  // the gaps.
  auto second = StoreReader::open(db.path());
  Snapshot snap;
  std::vector<IndicatorRow> platform, metadata, data, usage, impact, quality, network, bulletin;
  std::vector<DatasetQuality> dq;
  TaskGraph g;
  const int rows = g.add("rows", {}, [&](StoreReader& c) { load_snapshot_rows(c, run, ref, snap); });
  auto [lo, hi] = db.field_rowid_range();
  // Ranges of about 1M field rows (fewer on small stores), so that both threads stay busy to the end.
  const long long span = hi >= lo ? hi - lo + 1 : 0;
  const int nparts = static_cast<int>(std::clamp<long long>(span / 1000000, 1, 16));
  std::vector<FieldPartPtr> parts(nparts);
  std::vector<int> part_tasks;
  for (int i = 0; i < nparts; ++i) {
    const long long a = lo + span * i / nparts, b = lo + span * (i + 1) / nparts - 1;
    part_tasks.push_back(
        g.add("fields", {rows}, [&, i, a, b](StoreReader& c) { parts[i] = load_snapshot_fields(c, snap, a, b); }));
  }
  const int merged = g.add("merge", part_tasks, [&](StoreReader&) { merge_snapshot_fields(snap, parts); });
  // Snapshot layers, longest first (so that the last task to finish is a short one), then the
  // snapshot-free ones; a thread takes the first ready task in this order.
  const bool want_dq = dataset_quality || store;
  const int quality_task = g.add("quality", {merged}, [&](StoreReader& c) {
    quality = detail::compute_quality(c, run, ref, snap, want_dq ? &dq : nullptr);
  });
  if (store)
    g.add(
        "write.dq", {quality_task},
        [&](StoreReader&) {
          store->begin_metrics(run);
          store->write_dataset_quality(run, quality_rows(dq));
        },
        true);
  g.add("data", {merged}, [&](StoreReader& c) { data = detail::compute_data(c, run, ref, snap); });
  g.add("network", {}, [&](StoreReader& c) { network = compute_network(c, run, ref); });
  g.add("usage", {}, [&](StoreReader& c) { usage = compute_usage(c, run, ref); });
  g.add("metadata", {merged}, [&](StoreReader& c) { metadata = detail::compute_metadata(c, run, ref, snap); });
  g.add("impact", {merged}, [&](StoreReader& c) { impact = detail::compute_impact(c, run, ref, snap); });
  g.add("bulletin", {}, [&](StoreReader& c) { bulletin = compute_bulletin(c, run, ref); });
  g.add("platform", {merged}, [&](StoreReader& c) { platform = detail::compute_platform(c, run, ref, snap); });
  std::vector<IndicatorRow> all;
  try {
    g.run({&db, second.get()}, timing);
    for (auto* part : {&platform, &metadata, &data, &usage, &impact, &quality, &network, &bulletin})
      all.insert(all.end(), std::make_move_iterator(part->begin()), std::make_move_iterator(part->end()));
    // The composite index reads the layers' portal rows.
    auto index = compute_index(db, run, ref, all);
    all.insert(all.end(), std::make_move_iterator(index.begin()), std::make_move_iterator(index.end()));
    if (store) {
      auto t0 = std::chrono::steady_clock::now();
      store->commit_metrics(run, all);
      if (timing)
        std::fprintf(stderr, "metrics: %-9s %7.3f s wall (indicator rows, commit)\n", "write", seconds_since(t0));
    }
  } catch (...) {
    if (store) store->abort_metrics();
    throw;
  }
  if (dataset_quality) *dataset_quality = std::move(dq);
  return all;
}
}  // namespace

std::vector<IndicatorRow> compute_all(StoreReader& db, int run, const Reference& ref,
                                      std::vector<DatasetQuality>* dataset_quality) {
  return compute(db, run, ref, dataset_quality, nullptr);
}

std::vector<IndicatorRow> compute_and_write(Store& store, int run, const Reference& ref,
                                            std::vector<DatasetQuality>* dataset_quality) {
  store.flush();
  auto reader = StoreReader::open(store.path());
  return compute(*reader, run, ref, dataset_quality, &store);
}

void write_indicators(Store& store, int run, const std::vector<IndicatorRow>& rows,
                      const std::vector<DatasetQuality>* dataset_quality) {
  store.begin_metrics(run);
  try {
    if (dataset_quality) store.write_dataset_quality(run, quality_rows(*dataset_quality));
    store.commit_metrics(run, rows);
  } catch (...) {
    store.abort_metrics();
    throw;
  }
}

int latest_run(StoreReader& db) {
  if (auto r = db.latest_run()) return static_cast<int>(r);
  throw Failure("the store has no run");
}

}  // namespace odh::metrics
