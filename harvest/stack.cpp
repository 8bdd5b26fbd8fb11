// The spider stack of a site: engine (or link spider) → terms finder → recorder.
#include "harvest/stack.h"

namespace odh {

std::unique_ptr<Spider> harvest_spider(const Site& site, const CrawlOptions& crawl, StoreSink& sink,
                                       Store& store, std::int64_t run_id, std::int64_t* requests) {
  // Sites without an engine still get their home page and near links fetched (reachability).
  auto engine = has_engine(site) ? make_site_spider(site, sink) : make_link_spider(site, crawl);
  auto terms = harvest_detail::terms_finder(std::move(engine), site, store, run_id);
  return std::make_unique<harvest_detail::RecordingSpider>(std::move(terms), store, run_id, requests, &site);
}

}  // namespace odh
