// Drill-down for `odh explain`: the stored value(s) of an indicator, then the records behind it with
// their fetch and WARC record (warc_file, warc_offset), so a number can be traced to the page it came from.
#include "metrics/internal.h"

namespace odh::metrics {
using namespace detail;

namespace {
bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// The dataset column shown beside each dataset for an indicator (StoreReader::evidence_columns).
std::string dataset_column(const std::string& id) {
  static const std::vector<std::pair<std::string, std::string>> m = {
      {"usage.views", "views"},
      {"usage.view_rate", "views"},
      {"usage.downloads", "downloads"},
      {"usage.download_rate", "downloads"},
      {"usage.download_per_view", "download_per_view"},
      {"impact.issued_recency", "issued"},
      {"impact.update_recency", "modified"},
      {"impact.issued_latest", "issued"},
      {"impact.update_latest", "modified"},
      {"impact.platform_", "frequency"},
      {"impact.frequency", "frequency"},
      {"impact.promise_kept", "promise"},
      {"impact.dynamic_share", "frequency_class"},
      {"platform.capacity", "capacity"},
      {"platform.topics", "topic"},
      {"platform.topic_datasets", "topic"},
      {"network.tagged_share", "tags"},
      {"network.degree_mean", "tags"},
      {"findability.click_depth_mean", "depth"},
      {"bulletin.top_departments_datasets", "publisher"},
      {"impact.rating", "rating"},
  };
  for (auto& [k, v] : m)
    if (starts(id, k)) return v;
  if (starts(id, "usage.") || starts(id, "bulletin.")) return "usage";
  return "title";
}
}  // namespace

std::vector<std::string> explain(StoreReader& db, int run, const std::string& id, const std::string& portal) {
  using E = StoreReader::Evidence;
  std::vector<std::string> out = db.evidence(E::kValues, run, portal, id);
  std::vector<std::string> rows;
  if (starts(id, "data.licence") || starts(id, "data.free_") || starts(id, "data.non_discrimination")) {
    rows = db.evidence(E::kTerms, run, portal, id.substr(5));
  } else if (starts(id, "platform.reachable") || starts(id, "platform.error_class") ||
             starts(id, "platform.publishing") || starts(id, "platform.portals") ||
             starts(id, "platform.coverage") || starts(id, "platform.independent") ||
             starts(id, "platform.embedded")) {
    rows = db.evidence(E::kPortals, run, portal);
  } else if (starts(id, "platform.apis") || starts(id, "platform.api_share") || starts(id, "platform.zero_api")) {
    rows = db.evidence(E::kApis, run, portal);
  } else if (starts(id, "usage.apps") || starts(id, "usage.zero_app") || starts(id, "network.apps")) {
    rows = db.evidence(E::kApps, run, portal);
  } else if (id == "quality.mqa" || starts(id, "quality.mqa.") || id == "quality.mqa_good_share") {
    // The portal value is the mean over the portal's datasets of their score in dataset_quality.
    rows = db.evidence(E::kQuality, run, portal);
  } else if (starts(id, "data.format") || starts(id, "data.machine") || starts(id, "quality.five_star") ||
             starts(id, "quality.link") || starts(id, "metadata.bad_links") || starts(id, "metadata.all_five")) {
    rows = db.evidence(E::kDistributions, run, portal);
  } else {
    rows = db.evidence(E::kDatasets, run, portal, dataset_column(id));
  }
  out.insert(out.end(), rows.begin(), rows.end());
  return out;
}

}  // namespace odh::metrics
