// What a report is built from, read once from the store: the run's indicator rows (and the baseline's),
// the portals with their names and where their data came from, the indicator names (zh/en, a data
// file), the reference labels and the map. Lookups only: nothing here computes an indicator.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/metrics.h"
#include "reports/chart.h"

namespace odh::reports {

struct PortalInfo {
  std::string id, name, level, region, kind, province, city, county, family, url, division;
};
struct SourceInfo {
  std::optional<bool> reachable;
  std::string error_class, robots, warc_files, home_warc;
  long long pages = 0, bytes = 0, fetches = 0;
  std::optional<long long> home_offset;
};
struct IndicatorName {
  std::string zh, en;
};

class Data {
 public:
  StoreReader::RunInfo run, base;
  std::vector<IndicatorRow> rows, base_rows;
  std::vector<PortalInfo> portals;
  std::map<std::string, SourceInfo> sources;
  std::map<std::string, IndicatorName> names;  // indicator id (or family prefix "x.y.*") → names
  metrics::Reference ref;
  std::string lang = "zh", db_label = "odh.sqlite";
  std::optional<MapData> map;

  void index();  // after rows / base_rows / portals are filled
  const IndicatorRow* get(const std::string& scope, const std::string& key, const std::string& id,
                          bool baseline = false) const;
  std::optional<double> val(const std::string& scope, const std::string& key, const std::string& id,
                            bool baseline = false) const;
  const PortalInfo* portal(const std::string& id) const;
  // Portal rows of an indicator (portal id → row), in registry order via portals.
  std::vector<const IndicatorRow*> portal_rows(const std::string& id) const;
  // The indicator's display name in the report's language ("" ids fall back to the id).
  std::string name(const std::string& id) const;
  bool zh() const { return lang != "en"; }
  const std::string& tr(const std::string& zh_text, const std::string& en_text) const {
    return zh() ? zh_text : en_text;
  }
  std::string explain(const std::string& id, const std::string& portal = "") const;

 private:
  std::unordered_map<std::string, const IndicatorRow*> idx_, base_idx_;
  std::unordered_map<std::string, std::vector<const IndicatorRow*>> by_id_;
  std::map<std::string, size_t> portal_ix_;
};

// Loads names from <data_dir>/metrics/indicator_names.csv (id,zh,en). Throws InputError.
std::map<std::string, IndicatorName> load_indicator_names(const std::filesystem::path& file);

}  // namespace odh::reports
