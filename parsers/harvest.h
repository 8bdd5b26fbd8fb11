// parsers/harvest.h — a live harvest: the crawler drives each site's spider (family engine,
// embedded-column extractor, or for sites without either the crawler's link spider, so their
// reachability is still measured), every answered request becomes a `fetch` row, records go to the
// store, and per-portal status (reachable, error class, pages, bytes, robots…) is written at the end.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "crawler/crawl.h"
#include "parsers/replay.h"
#include "store/store.h"

namespace odh {

struct HarvestOptions {
  CrawlOptions crawl;                                     // out_dir holds WARC files and crawl state
  std::string label = "live";                             // run label
  std::string source = "live";                            // run source: live | sim
  std::string sites_file;                                 // recorded with the run
  std::function<void(const CrawlProgress&)> on_progress;  // optional
  std::function<void(const std::string&)> on_log;         // optional
};

// Crawls and parses `sites` into a new run of `store`. Throws Failure when the crawl cannot run
// (bad options, unwritable out_dir); network and content problems are recorded, not thrown.
ParseSummary harvest_live(const std::vector<Site>& sites, const HarvestOptions& options, Store& store);

// Fills portal_status for `run_id` from the run's fetch rows and the crawler's host summaries.
void write_portal_status(Store& store, std::int64_t run_id, const std::vector<Site>& sites,
                         const std::vector<HostSummary>& hosts);

}  // namespace odh
