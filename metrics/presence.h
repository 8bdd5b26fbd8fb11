// The run's datasets as the metric layers need them, loaded once per run by sequential scans (no per-row
// joins: rows of other runs are skipped in memory) and shared read-only between the layers:
//  - which canonical metadata fields each dataset fills (dataset columns, fields derived from its
//    distributions, dataset_field.canonical values) — §3, §5.2.4 and the MQA score;
//  - what the layers read from dataset_field (label variants, size values, licence values, rating
//    labels) and from distribution (one compact row per distribution).
#pragma once
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "metrics/internal.h"

namespace odh::metrics::detail {

struct Presence {
  std::vector<std::string> canonicals;  // bit i ↔ canonicals[i]
  struct Row {
    long long pk;
    std::string portal;
    int portal_ix;  // index into `portals`
    std::vector<bool> has;
  };
  std::vector<std::string> portals;               // distinct portals, in row order
  std::vector<Row> rows;                          // one per dataset of the run, ordered by portal then pk
  int index(const std::string& canonical) const;  // -1 when not tracked
  std::vector<int> indices(const std::vector<std::string>& cs) const;  // untracked ones dropped
  static bool any(const Row& r, const std::vector<int>& idx) {
    for (int i : idx)
      if (r.has[i]) return true;
    return false;
  }
};

// Everything the layers read per dataset / field / distribution, for one run.
struct Snapshot {
  Presence presence;                         // every canonical any layer asks about
  std::unordered_map<long long, int> row;    // dataset_pk → index into presence.rows
  std::vector<long long> fetch_id;           // per presence row: dataset.fetch_id (-1 when NULL)
  std::vector<std::optional<double>> cells;  // per row: record_count × field_count when both known
  std::vector<std::string> open_condition;   // per row ('' when NULL)

  // dataset_field, over the run's datasets.
  std::map<std::string, std::map<std::string, std::set<std::string>>> labels;  // canonical → label → portals
  std::map<std::string, std::pair<double, long long>> size_values;  // portal → (bare numbers, size values)
  std::unordered_map<long long, std::string> licence_value;         // pk → last licence/license value
  std::unordered_set<long long> licensed;                           // pk with a non-empty licence value
  std::map<std::string, std::pair<std::string, long long>> rating_labels;  // portal → (labels joined, n)

  // distribution rows of the run's datasets, in rowid order.
  struct Dist {
    int row;  // presence row of its dataset
    std::string url, format, sniffed, content_type;
    std::optional<long long> live;
    bool byte_size = false;
    bool has_format = false;      // coalesce(format, sniffed_format, '') <> ''
    std::optional<double> cells;  // rows × columns from the fetched file
  };
  std::vector<Dist> dists;
  std::unordered_map<long long, std::optional<long long>> fetch_status;  // fetch_id → HTTP status
};

// The canonical fields every layer asks about (§3 elements, §5.2.4 items, MQA checks).
std::vector<std::string> snapshot_canonicals(const Reference& ref);

// Loads the snapshot of `run`. Throws odh::Failure on SQLite errors.
std::shared_ptr<const Snapshot> load_snapshot(sqlite3* db, int run, const Reference& ref);

// Loads presence of `canonicals` for every dataset of the run (tests; layers use the snapshot).
Presence load_presence(sqlite3* db, int run, const std::vector<std::string>& canonicals);

// Layers over a loaded snapshot (compute_all shares one between them).
std::vector<IndicatorRow> compute_metadata(sqlite3* db, int run, const Reference& ref, const Snapshot& s);
std::vector<IndicatorRow> compute_data(sqlite3* db, int run, const Reference& ref, const Snapshot& s);
std::vector<IndicatorRow> compute_quality(sqlite3* db, int run, const Reference& ref, const Snapshot& s);
std::vector<IndicatorRow> compute_platform(sqlite3* db, int run, const Reference& ref, const Snapshot& s);
std::vector<IndicatorRow> compute_impact(sqlite3* db, int run, const Reference& ref, const Snapshot& s);
std::map<long long, MqaScore> mqa_scores(sqlite3* db, int run, const Reference& ref, const Snapshot& s);

}  // namespace odh::metrics::detail
