// Stage 6 of a page: the parsers' records into the store.
#include "harvest/harvest.h"

namespace odh {

void StoreSink::dataset(DatasetRow&& row) {
  for (auto& f : row.fields)
    if (f.canonical.empty()) ++unknown_labels[{row.portal_id, f.label}];
  auto pk = store_.write_dataset(run_, row);
  last_dataset_pk_ = pk;
  ++datasets;
  if (!row.topic_raw.empty()) store_.write_topic(run_, row.portal_id, row.topic_raw, row.theme, std::nullopt);
  // A catalogue entry offered as an API (format 接口/api) is also an API of the portal.
  for (auto& x : row.distributions)
    if (x.format == "api") {
      store_.write_api(run_,
                       {row.portal_id, row.source_id, row.title, row.publisher, row.url, pk, row.fetch_id});
      ++apis;
      break;
    }
}

void StoreSink::api(ApiRow&& row) {
  store_.write_api(run_, row);
  ++apis;
}

void StoreSink::issue(const std::string& portal_id, const std::string& url, const std::string& kind,
                      const std::string& message) {
  store_.write_issue(run_, portal_id, url, kind, message);
  ++issues;
}

bool StoreSink::carry_forward(const ListedEntry& e) {
  if (previous_run <= 0 || e.source_id.empty() || e.stamp.empty()) return false;
  auto it = stamps_.find(e.portal_id);
  if (it == stamps_.end()) it = stamps_.emplace(e.portal_id, store_.list_stamps(previous_run, e.portal_id)).first;
  auto p = it->second.find(e.source_id);
  if (p == it->second.end() || p->second.second != e.stamp) return false;  // new or changed: fetch it
  const std::int64_t earlier = p->second.first;
  auto row = store_.dataset_row(earlier);
  if (!row) return false;
  row->carried_from = earlier;
  row->fetch_id = e.fetch_id >= 0 ? std::optional<std::int64_t>(e.fetch_id) : std::nullopt;
  row->depth = e.depth;
  if (e.views) row->views = e.views;
  if (e.downloads) row->downloads = e.downloads;
  it->second.erase(p);  // one carry per earlier row
  ++carried;
  dataset(std::move(*row));
  store_.carry_file_checks(last_dataset_pk_, earlier);  // (p is gone: erased above)
  return true;
}

}  // namespace odh
