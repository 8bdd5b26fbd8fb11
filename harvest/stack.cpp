// The spider stack of a site: engine (or link spider) → file stage → terms finder → recorder.
#include "harvest/stack.h"

namespace odh {

std::unique_ptr<Spider> harvest_spider(const Site& site, const CrawlOptions& crawl, StoreSink& sink,
                                       Store& store, std::int64_t run_id, std::int64_t* requests) {
  // Sites without an engine still get their home page and near links fetched (reachability).
  auto files = harvest_detail::with_file_stage(
      site, sink, store, run_id, harvest_detail::probe_limits(crawl, sink),
      [&](ParseSink& s) { return has_engine(site) ? make_site_spider(site, s) : make_link_spider(site, crawl); });
  auto terms = harvest_detail::terms_finder(std::move(files), site, store, run_id);
  return std::make_unique<harvest_detail::RecordingSpider>(std::move(terms), store, run_id, requests, &site);
}

namespace harvest_detail {
FileProbeLimits probe_limits(const CrawlOptions& crawl, StoreSink& sink) {
  FileProbeLimits l;
  l.files_per_site = crawl.files_per_site;
  l.links_per_site = crawl.links_per_site;
  l.probe_bytes = crawl.probe_bytes;
  l.total_bytes = crawl.files_total_bytes;
  l.bytes_spent = &sink.file_bytes;
  return l;
}
}  // namespace harvest_detail

}  // namespace odh
