// metrics: every indicator of INDICATORS.md, computed from the store for one run and written to the
// `indicator` table in long format. Definitions (formula, inputs, unit, what counts as missing) are in
// docs/indicators.md; every id there is produced here and vice versa (tests/metrics checks both ways).
//
// Usage:  auto store = odh::Store::open(path);  auto ref = odh::metrics::load_reference(odh::data_dir());
//         std::vector<odh::metrics::DatasetQuality> dq;
//         auto rows = odh::metrics::compute_and_write(*store, run_id, ref, &dq);
//  or, reading only (tests, dry runs):
//         auto reader = odh::StoreReader::open(path);
//         auto rows = odh::metrics::compute_all(*reader, run_id, ref, &dq);
// Metrics read the store through StoreReader and write through Store (store/store.h): no SQL here.
// Per-dataset MQA scores are not aggregates: they go to their own table (`dataset_quality`, one integer-
// keyed row per dataset) instead of a million `indicator` rows.
// All functions read the store only (write_indicators excepted) and are safe to call on an empty run:
// an indicator whose inputs are absent is emitted with value = nullopt (NULL in the table).
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace odh::metrics {

// One row of the `indicator` table (store/store.h; scope 'dataset' only for printing dataset_quality).
using IndicatorRow = odh::IndicatorRow;

// An element of a metadata standard (§3) and the canonical store fields that realise it.
struct MetadataElement {
  std::string standard;                 // gov13 | gbt21063 | dc15 | dcat
  std::string element;                  // ascii id, e.g. title
  std::string label;                    // as named in the standard
  std::string group;                    // descriptive | administrative | usage | provenance
  std::vector<std::string> canonicals;  // dataset columns / dataset_field.canonical values
};

struct FormatInfo {
  bool machine_readable = false;
  bool open = false;  // non-proprietary
  bool rdf = false;   // uses URIs to denote things (4th star)
};

// Reference data the indicators are measured against; loaded from files, never literals.
struct Reference {
  std::map<std::string, int> units_by_level;     // 省级 → 31 …  (administrative units per level)
  std::map<std::string, std::string> city_tier;  // city name (e.g. 杭州市) → tier (一线 …)
  std::map<std::string, int> tier_sizes;         // tier → number of cities (from city_tier)
  std::vector<std::string> themes;               // the 16 unified themes
  std::vector<MetadataElement> elements;         // §3 standards
  std::vector<std::pair<std::string, std::vector<std::string>>> completeness;  // §5.2.4 14 items
  std::map<std::string, FormatInfo> formats;  // normalized format → properties
  // vocabulary → term → flag (frequency: dynamic|static; app_kind; open_condition).
  std::map<std::string, std::map<std::string, std::string>> vocab;
  // Composite index (data/metrics/index_weights.csv): layer weights (indicator "*") and the indicators of
  // each layer with their weight, transform (log | linear) and direction (+1 more is better, -1 less).
  struct IndexTerm {
    std::string layer, indicator;
    double weight = 1;
    bool log = false;
    int direction = 1;
  };
  std::map<std::string, double> index_layers;  // layer → weight
  std::vector<IndexTerm> index_terms;
};

// Loads <dir>/reference/* (registry's divisions, tiers, themes) and <dir>/metrics/* (standards,
// formats, completeness items). Throws odh::Failure / odh::InputError naming the file.
Reference load_reference(const std::filesystem::path& data_dir);

// Documented indicator ids. Ids ending in ".*" are families whose last segment is data-driven
// (a metadata element, a format, an app kind).
struct IndicatorDef {
  std::string id;
  std::string unit;
  std::string layer;
};
const std::vector<IndicatorDef>& catalogue();

// One function per layer. Each returns portal rows plus their aggregates (national, level, region,
// tier; theme where the indicator is defined per unified theme).
std::vector<IndicatorRow> compute_platform(StoreReader& db, int run, const Reference& ref);  // §2, §5.1
std::vector<IndicatorRow> compute_metadata(StoreReader& db, int run, const Reference& ref);  // §3
std::vector<IndicatorRow> compute_data(StoreReader& db, int run, const Reference& ref);      // §5.2
std::vector<IndicatorRow> compute_usage(StoreReader& db, int run, const Reference& ref);     // §4, §5.3
std::vector<IndicatorRow> compute_impact(StoreReader& db, int run, const Reference& ref);    // §5.4
std::vector<IndicatorRow> compute_quality(StoreReader& db, int run, const Reference& ref);   // MQA, 5★, links
std::vector<IndicatorRow> compute_network(StoreReader& db, int run, const Reference& ref);   // graph, depth
std::vector<IndicatorRow> compute_bulletin(StoreReader& db, int run, const Reference& ref);  // seeds 000–002
// The composite index over the four layers (index.*), from the other layers' portal rows of the same run
// (`rows`): scores, ranks overall / per level / per region, and their sensitivity to the weights.
std::vector<IndicatorRow> compute_index(StoreReader& db, int run, const Reference& ref,
                                        const std::vector<IndicatorRow>& rows);

// Per-dataset MQA score (exposed for tests and explain).
struct MqaScore {
  int findability = 0, accessibility = 0, interoperability = 0, reusability = 0, contextuality = 0;
  int total() const { return findability + accessibility + interoperability + reusability + contextuality; }
};
std::string_view mqa_band(int total);  // excellent ≥351 / good ≥221 / sufficient ≥121 / bad

// One row of the `dataset_quality` table.
struct DatasetQuality {
  long long dataset_pk = 0;
  MqaScore score;
};

// All layers, in the order above, on two threads (`db` and a second reader of the same file). When
// `dataset_quality` is given, it receives the MQA score of every dataset of the run, ordered by
// dataset_pk (the portal rows of quality.mqa are their means).
std::vector<IndicatorRow> compute_all(StoreReader& db, int run, const Reference& ref,
                                      std::vector<DatasetQuality>* dataset_quality = nullptr);

// compute_all followed by write_indicators(store, run, rows, &dataset_quality), faster: the
// dataset_quality rows are written while the other layers still compute, in the same transaction as the
// indicator rows. `dataset_quality` (optional) receives the per-dataset scores.
std::vector<IndicatorRow> compute_and_write(Store& store, int run, const Reference& ref,
                                            std::vector<DatasetQuality>* dataset_quality = nullptr);

// Replaces the run's rows of the `indicator` table with `rows` and, when `dataset_quality` is given, the
// run's rows of the `dataset_quality` table (migration 004) with it; one transaction.
void write_indicators(Store& store, int run, const std::vector<IndicatorRow>& rows,
                      const std::vector<DatasetQuality>* dataset_quality = nullptr);

// `dataset_quality` as indicator rows (scope 'dataset', key dataset_pk, id quality.mqa, value_text the
// band), for printing with the other rows.
std::vector<IndicatorRow> dataset_quality_rows(const std::vector<DatasetQuality>& dq);

// The latest run id in the store; throws odh::Failure when there is none.
int latest_run(StoreReader& db);

std::map<long long, MqaScore> mqa_scores(StoreReader& db, int run, const Reference& ref);

// Evidence behind an indicator for `explain`: one line per dataset / fetch / WARC record / terms
// sentence, tab-separated, for the given portal (all portals when empty).
std::vector<std::string> explain(StoreReader& db, int run, const std::string& indicator,
                                 const std::string& portal);

// ---- Year over year: what changed between two runs (odh diff, docs/diff.md).
// Records are matched by source id, else by title + publisher (the StoreReader::record_fields key); a
// record whose source id changed but whose title + publisher did not is the same record, changed.
// "Changed" compares a hash of the normalised record without its usage counters and crawl position
// (views, downloads, ratings, comments, depth): those move every month and are reported as sums.
struct RecordChange {
  std::string portal, kind;  // kind: dataset | api | app
  std::string key, title;
  std::string change;               // added | removed | changed
  std::vector<std::string> fields;  // changed: the fields that differ, by name
};
struct PortalChange {
  std::string portal, name;
  std::string change;         // new | gone | kind (independent ↔ embedded, report 图 2-5)
  std::string before, after;  // kind: the two kinds
};
struct PortalTally {
  std::int64_t baseline = 0, run = 0, added = 0, removed = 0, changed = 0;  // datasets
  std::int64_t apis_added = 0, apis_removed = 0, apps_added = 0, apps_removed = 0;
  std::int64_t views_delta = 0, downloads_delta = 0;  // over the datasets present in both runs
};
struct RunDiff {
  std::int64_t run = 0, baseline = 0;
  std::vector<PortalChange> portals;
  std::vector<RecordChange> records;        // by portal, kind, change, key
  std::map<std::string, PortalTally> tally;  // every portal of either run
};
RunDiff diff_runs(StoreReader& db, std::int64_t run, std::int64_t baseline);

}  // namespace odh::metrics
