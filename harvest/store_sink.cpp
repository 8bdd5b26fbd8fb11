// Stage 6 of a page: the parsers' records into the store.
#include "harvest/harvest.h"

namespace odh {

void StoreSink::dataset(DatasetRow&& row) {
  for (auto& f : row.fields)
    if (f.canonical.empty()) ++unknown_labels[{row.portal_id, f.label}];
  auto pk = store_.write_dataset(run_, row);
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

}  // namespace odh
