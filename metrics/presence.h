// The run's datasets as the metric layers need them, loaded once per run by sequential scans (no per-row
// joins: rows of other runs are skipped in memory) and shared read-only between the layers:
//  - which canonical metadata fields each dataset fills (dataset columns, fields derived from its
//    distributions, dataset_field.canonical values) — §3, §5.2.4 and the MQA score;
//  - what the layers read from dataset_field (label variants, size values, licence values, rating
//    labels) and from distribution (one compact row per distribution).
#pragma once
#include <cstdint>
#include <map>
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
  };
  std::vector<std::string> portals;  // distinct portals, in row order
  std::vector<Row> rows;             // one per dataset of the run, ordered by portal then pk
  // Presence bits, `words` 64-bit words per row (one flat array: no allocation per dataset).
  size_t words = 1;
  std::vector<std::uint64_t> bits;

  int index(const std::string& canonical) const;                       // -1 when not tracked
  std::vector<int> indices(const std::vector<std::string>& cs) const;  // untracked ones dropped
  bool has(size_t row, int bit) const { return (bits[row * words + bit / 64] >> (bit % 64)) & 1; }
  void set(size_t row, int bit) { bits[row * words + bit / 64] |= std::uint64_t(1) << (bit % 64); }
  // Bit mask of `idx` (words long), for any().
  std::vector<std::uint64_t> mask(const std::vector<int>& idx) const;
  bool any(size_t row, const std::vector<std::uint64_t>& m) const {
    for (size_t w = 0; w < words; ++w)
      if (bits[row * words + w] & m[w]) return true;
    return false;
  }
};

// Everything the layers read per dataset / field / distribution, for one run.
struct Snapshot {
  Presence presence;                         // every canonical any layer asks about
  std::vector<long long> fetch_id;           // per presence row: dataset.fetch_id (-1 when NULL)
  std::vector<std::optional<double>> cells;  // per row: record_count × field_count when both known
  std::vector<std::string> open_condition;   // per row ('' when NULL)

  // Presence row of a dataset_pk, -1 when it is not a dataset of the run.
  int row_of(long long pk) const {
    if (pk >= dense_base && pk - dense_base < static_cast<long long>(dense.size()))
      return dense[pk - dense_base];
    if (!sparse.empty())
      if (auto it = sparse.find(pk); it != sparse.end()) return it->second;
    return -1;
  }
  long long dense_base = 0;
  std::vector<int> dense;                     // pk - dense_base → row (-1 none) when pks are dense
  std::unordered_map<long long, int> sparse;  // otherwise

  // dataset_field, over the run's datasets.
  std::map<std::string, std::map<std::string, std::set<std::string>>> labels;  // canonical → label → portals
  std::map<std::string, std::pair<double, long long>> size_values;  // portal → (bare numbers, size values)
  std::unordered_map<long long, std::string> licence_value;         // pk → last licence/license value
  std::unordered_set<long long> licensed;                           // pk with a non-empty licence value
  std::map<std::string, std::pair<std::string, long long>> rating_labels;  // portal → (labels joined, n)

  // distribution rows of the run's datasets, in rowid order.
  struct Dist {
    int row;                // presence row of its dataset
    bool url = false;       // the URL is not empty
    bool url_http = false;  // it starts with http:// or https://
    std::string format, sniffed, content_type;
    std::optional<long long> live;
    bool byte_size = false;
    bool has_format = false;      // coalesce(format, sniffed_format, '') <> ''
    std::optional<double> cells;  // rows × columns from the fetched file
    bool cells_lower_bound = false;  // ... counted in its first bytes only
    std::string link_class;          // the probe's verdict ("" not probed)
  };
  std::vector<Dist> dists;
  std::unordered_map<long long, std::optional<long long>> fetch_status;  // fetch_id → HTTP status
};

// What one rowid range of dataset_field contributes to the snapshot (see load_snapshot_fields).
struct FieldPart;
struct FieldPartDeleter {
  void operator()(FieldPart* p) const;
};
using FieldPartPtr = std::unique_ptr<FieldPart, FieldPartDeleter>;

// The canonical fields every layer asks about (§3 elements, §5.2.4 items, MQA checks).
std::vector<std::string> snapshot_canonicals(const Reference& ref);

// Loads the snapshot of `run`. Throws odh::Failure on SQLite errors.
std::shared_ptr<const Snapshot> load_snapshot(StoreReader& db, int run, const Reference& ref);

// The same in steps, so that two threads on two connections can share the dataset_field scan:
// load_snapshot_rows (dataset, distribution, fetch), then load_snapshot_fields on disjoint rowid ranges
// of dataset_field (any thread, any connection; the ranges may run concurrently: presence bits are set
// atomically), then merge_snapshot_fields with the parts in rowid order.
void load_snapshot_rows(StoreReader& db, int run, const Reference& ref, Snapshot& s);
FieldPartPtr load_snapshot_fields(StoreReader& db, Snapshot& s, long long lo, long long hi);  // [lo, hi]
void merge_snapshot_fields(Snapshot& s, std::vector<FieldPartPtr>& parts);

// Loads presence of `canonicals` for every dataset of the run (tests; layers use the snapshot).
Presence load_presence(StoreReader& db, int run, const std::vector<std::string>& canonicals);

// Layers over a loaded snapshot (compute_all shares one between them).
std::vector<IndicatorRow> compute_metadata(StoreReader& db, int run, const Reference& ref, const Snapshot& s);
std::vector<IndicatorRow> compute_data(StoreReader& db, int run, const Reference& ref, const Snapshot& s);
std::vector<IndicatorRow> compute_quality(StoreReader& db, int run, const Reference& ref, const Snapshot& s,
                                          std::vector<DatasetQuality>* dataset_quality);
std::vector<IndicatorRow> compute_platform(StoreReader& db, int run, const Reference& ref, const Snapshot& s);
std::vector<IndicatorRow> compute_impact(StoreReader& db, int run, const Reference& ref, const Snapshot& s);
// One score per presence row.
std::vector<MqaScore> mqa_scores(StoreReader& db, int run, const Reference& ref, const Snapshot& s);

}  // namespace odh::metrics::detail
