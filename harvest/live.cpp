// A live harvest: the crawler drives every site's spider stack; then portal status.
#include <map>

#include "core/core.h"
#include "harvest/harvest.h"
#include "harvest/stack.h"

namespace odh {
void write_portal_status(Store& store, std::int64_t run_id, const std::vector<Site>& sites,
                         const std::vector<HostSummary>& hosts) {
  // Politeness counters come from the crawler, per host; a site's entry host is the first URL's.
  std::map<std::string, const HostSummary*> by_site;
  for (const auto& h : hosts)
    if (!by_site.count(h.site_id)) by_site[h.site_id] = &h;
  std::vector<PortalCounters> counters;
  for (const auto& s : sites) {
    auto it = by_site.find(s.id);
    if (it == by_site.end()) continue;
    const HostSummary& h = *it->second;
    counters.push_back({s.id, h.robots, h.retries, h.backoff_s, h.mean_latency_ms, h.paused});
  }
  store.write_portal_status(run_id, counters);
}

namespace harvest_detail {
CrawlReport run_crawl(Crawler& crawler, const std::vector<Site>& sites, const HarvestOptions& options) {
  crawler.on_progress = options.on_progress;
  crawler.on_log = options.on_log;
  if (options.on_crawler) options.on_crawler(&crawler);
  CrawlReport r = crawler.run(sites);
  if (options.on_crawler) options.on_crawler(nullptr);
  if (!r.ok) throw Failure("crawl: " + r.message);
  return r;
}
}  // namespace harvest_detail

HarvestSummary harvest_live(const std::vector<Site>& sites, const HarvestOptions& options, Store& store) {
  HarvestSummary sum;
  if (options.previous_run > 0 && !store.run_finished(options.previous_run))
    throw Failure("--previous: run " + std::to_string(options.previous_run) + " of " + store.path() +
                  " is not a finished run");
  sum.run_id = store.begin_run(options.label, options.source, options.sites_file);
  StoreSink sink(store, sum.run_id);
  sink.previous_run = options.previous_run;
  for (const auto& s : sites) {
    store.write_portal(sum.run_id, {s.id, s.name, s.province, s.city, s.county, s.division_code, s.level,
                                    s.region, s.kind, s.family, s.urls.empty() ? "" : s.urls[0], s.seq});
    if (has_engine(s))
      ++sum.sites;
    else
      ++sum.sites_skipped;
  }
  Crawler crawler(options.crawl, [&](const Site& s, const CrawlOptions& o) {
    return harvest_spider(s, o, sink, store, sum.run_id, &sum.requests);
  });
  CrawlReport r = harvest_detail::run_crawl(crawler, sites, options);
  store.flush();
  write_portal_status(store, sum.run_id, sites, r.hosts);
  sum.interrupted = r.interrupted;
  if (!r.interrupted) store.finish_run(sum.run_id);  // an interrupted run is never the latest finished
  sum.answered = sum.requests;
  sum.datasets = sink.datasets;
  sum.carried = sink.carried;
  sum.apis = sink.apis;
  sum.issues = sink.issues;
  sum.unknown_labels = sink.unknown_labels;
  sum.datasets_by_portal = store.datasets_by_portal(sum.run_id);
  return sum;
}

}  // namespace odh
