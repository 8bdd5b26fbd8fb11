// Internal helpers shared by the metric layers: the portal list of a run with its grouping keys, and the
// aggregation of per-portal observations to groups. The layers read the store through StoreReader
// (store/store.h); no SQL here.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics/metrics.h"

namespace odh::metrics::detail {

struct Portal {
  std::string id, level, region, kind, province, city, name;
  std::string tier;  // '' when the portal is not a city-level portal of a ranked city
};
std::vector<Portal> portals(StoreReader& db, int run, const Reference& ref);

// Tier of a city-level (or municipality) portal, '' otherwise.
std::string tier_of(const Portal& p, const Reference& ref);

enum class Agg {
  Sum,    // group value = Σ portal values
  Ratio,  // group value = Σ num / Σ den (pooled)
  Mean,   // group value = mean of non-NULL portal values (share when values are 0/1)
};

struct Obs {
  std::optional<double> num;  // NULL = not computable for this portal
  double den = 0;             // Ratio only
  long long n = 0;            // observations behind it
  std::string text;           // categorical portal value
};

// Emits one row per portal (value: Sum/Mean → num, Ratio → num/den) and the group rows.
// Portals absent from `obs` count as not computable.
void emit(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& id,
          const std::string& unit, Agg agg, const std::map<std::string, Obs>& obs);

// Emits only group rows for a portal predicate: value = count of portals satisfying it (Sum) or
// share of the group's portals with a computable value.
void emit_count(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& id,
                const std::map<std::string, std::optional<bool>>& flag, bool share);

// The groups a portal belongs to: national, its level, its region, its tier (when it has one).
std::vector<std::pair<std::string, std::string>> groups_of(const Portal& p);

// Group rows <prefix>_mean, <prefix>_median, <prefix>_above_mean, <prefix>_below_mean over the portals present in `values`.
void emit_stats(std::vector<IndicatorRow>& out, const std::vector<Portal>& ps, const std::string& prefix,
                const std::string& unit, const std::map<std::string, double>& values);

// "a=3;b=1" ordered by count desc then key.
std::string distribution_text(const std::map<std::string, long long>& counts, size_t limit = 0);

// Effective format of a distribution: sniffed when known, else the declared one, lowercased.
std::string norm_format(const std::string& declared, const std::string& sniffed);

// Date of the run's crawl ('YYYY-MM-DD'), from run.started_at.
std::string crawl_date(StoreReader& db, int run);
// Days from a (YYYY-MM-DD) to b; nullopt when either is unparseable.
std::optional<long long> days_between(const std::string& a, const std::string& b);

// Previous run (largest run_id below `run`), nullopt if none.
std::optional<int> previous_run(StoreReader& db, int run);


// Restrictiveness of a terms verdict: odh::verdict_rank (core/records.h), the vocabulary the parsers
// write; a word outside it ranks as 未提及 (0). Several pages: the highest wins.
int verdict_rank(const std::string& verdict);

IndicatorRow row(std::string scope, std::string key, std::string id, std::optional<double> v,
                 std::string unit, long long n, std::string text = "");

}  // namespace odh::metrics::detail
