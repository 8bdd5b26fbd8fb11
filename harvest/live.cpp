// A live harvest: the crawler drives every site's spider stack; then portal status.
#include <map>

#include "core/core.h"
#include "harvest/harvest.h"

namespace odh {
namespace {

std::string sql_text(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

}  // namespace

void write_portal_status(Store& store, std::int64_t run_id, const std::vector<Site>& sites,
                         const std::vector<HostSummary>& hosts) {
  const std::string run = std::to_string(run_id);
  // Reachable = at least one 2xx answer; otherwise the most frequent error class (or http-NNN).
  store.exec(
      "INSERT OR REPLACE INTO portal_status(run_id, portal_id, reachable, error_class, pages, bytes, "
      "requests_2xx, requests_3xx, requests_4xx, requests_5xx, requests_err) "
      "SELECT p.run_id, p.portal_id, "
      " COALESCE(MAX(f.status BETWEEN 200 AND 299), 0), NULL, "
      " COALESCE(SUM(f.status BETWEEN 200 AND 299), 0), COALESCE(SUM(CASE WHEN f.status BETWEEN 200 AND 299 "
      "   THEN f.bytes END), 0), "
      " COALESCE(SUM(f.status BETWEEN 200 AND 299), 0), COALESCE(SUM(f.status BETWEEN 300 AND 399), 0), "
      " COALESCE(SUM(f.status BETWEEN 400 AND 499), 0), COALESCE(SUM(f.status >= 500), 0), "
      " COALESCE(SUM(f.status IS NULL OR f.status = 0), 0) "
      "FROM portal p LEFT JOIN fetch f ON f.run_id = p.run_id AND f.portal_id = p.portal_id "
      "WHERE p.run_id = " +
      run + " GROUP BY p.portal_id");
  store.exec(
      "UPDATE portal_status SET error_class = COALESCE("
      " (SELECT f.error_class FROM fetch f WHERE f.run_id = portal_status.run_id AND "
      "  f.portal_id = portal_status.portal_id AND f.error_class IS NOT NULL AND f.error_class <> '' "
      "  GROUP BY f.error_class ORDER BY COUNT(*) DESC, f.error_class LIMIT 1),"
      " (SELECT 'http-' || f.status FROM fetch f WHERE f.run_id = portal_status.run_id AND "
      "  f.portal_id = portal_status.portal_id AND f.status >= 300 "
      "  GROUP BY f.status ORDER BY COUNT(*) DESC, f.status LIMIT 1), 'not-crawled') "
      "WHERE run_id = " +
      run + " AND reachable = 0");
  // Politeness counters come from the crawler, per host; a site's entry host is the first URL's.
  std::map<std::string, const HostSummary*> by_site;
  for (const auto& h : hosts)
    if (!by_site.count(h.site_id)) by_site[h.site_id] = &h;
  for (const auto& s : sites) {
    auto it = by_site.find(s.id);
    if (it == by_site.end()) continue;
    const HostSummary& h = *it->second;
    store.exec("UPDATE portal_status SET robots = " + sql_text(h.robots) +
               ", retries = " + std::to_string(h.retries) + ", backoff_s = " + std::to_string(h.backoff_s) +
               ", mean_latency_ms = " + std::to_string(h.mean_latency_ms) + ", paused = " +
               (h.paused ? "1" : "0") + " WHERE run_id = " + run + " AND portal_id = " + sql_text(s.id));
  }
}

HarvestSummary harvest_live(const std::vector<Site>& sites, const HarvestOptions& options, Store& store) {
  HarvestSummary sum;
  sum.run_id = store.begin_run(options.label, options.source, options.sites_file);
  StoreSink sink(store, sum.run_id);
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
  crawler.on_progress = options.on_progress;
  crawler.on_log = options.on_log;
  CrawlReport r = crawler.run(sites);
  if (!r.ok) throw Failure("crawl: " + r.message);
  store.flush();
  write_portal_status(store, sum.run_id, sites, r.hosts);
  store.finish_run(sum.run_id);
  sum.answered = sum.requests;
  sum.datasets = sink.datasets;
  sum.apis = sink.apis;
  sum.issues = sink.issues;
  sum.unknown_labels = sink.unknown_labels;
  sum.datasets_by_portal = store.datasets_by_portal(sum.run_id);
  return sum;
}

}  // namespace odh
