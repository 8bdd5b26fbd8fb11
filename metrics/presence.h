// Which canonical metadata fields each dataset of a run fills: dataset columns, fields derived from
// its distributions, and dataset_field.canonical values. Shared by §3, §5.2.4 and the MQA score.
#pragma once
#include <string>
#include <unordered_map>
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

// Loads presence of `canonicals` for every dataset of the run.
Presence load_presence(sqlite3* db, int run, const std::vector<std::string>& canonicals);

}  // namespace odh::metrics::detail
