// Replay: the spider stacks of harvest_live driven by a WARC snapshot instead of the crawler.
#include <time.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "harvest/stack.h"
#include "web/url.h"

namespace odh {
namespace {

// Runs a spider against the snapshot the way the crawler runs it live: request URLs normalized to
// the crawler's form (unparseable ones dropped, as the crawler logs them without a result) and
// every METHOD + URL + body fetched once per replay, so live and replay see the same requests.
// Redirects, decoding and error classes are the fetcher's rules (web/fetch.h), applied by the
// snapshot with the site's URLs as the redirect scope.
void drive_replay(harvest_detail::RecordingSpider& spider, const warc::WarcSnapshot& snap,
                  const std::vector<std::string>& site_urls, std::unordered_set<std::string>& seen,
                  HarvestSummary& sum) {
  std::deque<FetchRequest> q;
  auto push = [&](FetchRequest r) {
    if (r.method.empty()) r.method = "GET";
    auto n = normalize_crawl_url(r.url);
    if (!n) return;
    r.url = std::move(*n);
    if (!request_refusal(r.url, site_urls).empty()) return;  // refused live too (the crawler's policy)
    std::string key = r.method + " " + r.url;
    if (!r.body.empty()) key += " #" + r.body;
    if (!seen.insert(std::move(key)).second) return;
    q.push_back(std::move(r));
  };
  for (auto& r : spider.start_requests()) push(std::move(r));
  while (!q.empty()) {
    FetchRequest req = std::move(q.front());
    q.pop_front();
    FetchResult res = snap.fetch(req, site_urls);
    if (res.error_class != "not-in-snapshot") ++sum.answered;
    res.request = std::move(req);
    for (auto& f : spider.on_owned(std::move(res)).requests) push(std::move(f));
  }
}

}  // namespace

namespace {

// One site's replay into `store` (the database, or a worker's write log).
void replay_site(const Site& site, const warc::WarcSnapshot& snap, Store& store, std::int64_t run, StoreSink& sink,
                 std::unordered_set<std::string>& seen, HarvestSummary& sum) {
  // The same spider stack as a live harvest: sites without an engine get the crawler's link spider,
  // so their home page, near links and terms pages are rows of the replay too.
  // Download probes: those the live harvest made, whatever its limits were.
  harvest_detail::FileProbeLimits limits;
  limits.files_per_site = limits.links_per_site = 1 << 30;
  limits.archived = [&](const FetchRequest& q) { return snap.contains(q); };
  auto files = harvest_detail::with_file_stage(site, sink, store, run, limits, [&](ParseSink& s) {
    return has_engine(site) ? make_site_spider(site, s) : make_link_spider(site, CrawlOptions{});
  });
  harvest_detail::RecordingSpider spider(harvest_detail::terms_finder(std::move(files), site, store, run), store,
                                         run, &sum.requests, &site);
  drive_replay(spider, snap, site.urls, seen, sum);
}

void add_counts(HarvestSummary& sum, const HarvestSummary& part, const StoreSink& sink, const Site& site) {
  sum.requests += part.requests;
  sum.answered += part.answered;
  sum.datasets += sink.datasets;
  sum.apis += sink.apis;
  sum.issues += sink.issues;
  for (auto& [k, n] : sink.unknown_labels) sum.unknown_labels[k] += n;
  if (sink.datasets > 0) sum.datasets_by_portal[site.id] += sink.datasets;
}

double thread_cpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}
double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A site parsed by a worker into a write log, waiting for the writer.
struct SiteJob {
  std::unique_ptr<Store> log;
  std::unique_ptr<StoreSink> sink;
  std::unordered_set<std::string> seen;  // request keys this site asked for
  HarvestSummary part;
  std::exception_ptr error;
  bool done = false;
};

}  // namespace

HarvestSummary replay_snapshot(const std::vector<Site>& sites, const warc::WarcSnapshot& snap, Store& store,
                             const std::string& run_label, const std::string& sites_file, int threads) {
  HarvestSummary sum;
  const double wall0 = wall_now(), cpu0 = thread_cpu();
  double parse_cpu = 0, write_wait = 0, inline_parse = 0;  // parse_cpu: workers' (under mu)
  sum.run_id = store.begin_run(run_label, "replay", sites_file);
  const bool bulk = store.begin_bulk_load();  // a fresh database: indexes once at the end
  const size_t n = sites.size();
  std::vector<char> engine(n);
  for (size_t i = 0; i < n; ++i) engine[i] = has_engine(sites[i]);
  std::unordered_set<std::string> seen;  // like the crawler's seen set: one per run

  // Workers parse sites into write logs, at most kAhead sites ahead of the writer (memory bound).
  constexpr size_t kAhead = 8;
  std::vector<SiteJob> jobs(threads > 1 ? n : 0);
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0, written = 0;
  bool stop = false;
  auto worker = [&] {
    for (;;) {
      size_t i;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return stop || next >= n || next < written + kAhead; });
        if (stop || next >= n) return;
        i = next++;
      }
      SiteJob& j = jobs[i];
      const double c0 = thread_cpu();
      try {
        j.log = Store::open_log();
        j.sink = std::make_unique<StoreSink>(*j.log, sum.run_id);
        replay_site(sites[i], snap, *j.log, sum.run_id, *j.sink, j.seen, j.part);
      } catch (...) {
        j.error = std::current_exception();
      }
      std::lock_guard lk(mu);
      parse_cpu += thread_cpu() - c0;
      j.done = true;
      cv.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads && threads > 1; ++t) pool.emplace_back(worker);
  auto join = [&] {
    {
      std::lock_guard lk(mu);
      stop = true;
    }
    cv.notify_all();
    for (auto& t : pool) t.join();
    pool.clear();
  };

  try {
    // The writer: every site in registry order, so the rows (and their ids) are those of a
    // single-threaded replay.
    for (size_t i = 0; i < n; ++i) {
      const Site& site = sites[i];
      store.write_portal(sum.run_id, {site.id, site.name, site.province, site.city, site.county,
                                      site.division_code, site.level, site.region, site.kind, site.family,
                                      site.urls.empty() ? "" : site.urls[0], site.seq});
      if (!engine[i])
        ++sum.sites_skipped;
      else
        ++sum.sites;
      {
        bool applied = false;
        if (!jobs.empty()) {
          SiteJob& j = jobs[i];
          {
            const double w0 = wall_now();
            std::unique_lock lk(mu);
            cv.wait(lk, [&] { return j.done; });
            write_wait += wall_now() - w0;
          }
          if (j.error) std::rethrow_exception(j.error);
          // A worker could not see the requests of the sites before this one: when the site asked
          // for one of them (shared hosts), its log is wrong; replay it again in order.
          bool shared = false;
          for (auto& k : j.seen)
            if (seen.count(k)) {
              shared = true;
              break;
            }
          if (!shared) {
            store.append_log(*j.log, sum.run_id);
            add_counts(sum, j.part, *j.sink, site);
            seen.merge(j.seen);
            applied = true;
          }
          j = SiteJob{};
          j.done = true;
        }
        if (!applied) {
          StoreSink sink(store, sum.run_id);
          HarvestSummary part;
          const double c0 = thread_cpu();
          replay_site(site, snap, store, sum.run_id, sink, seen, part);
          inline_parse += thread_cpu() - c0;  // parsing and writing, on the writer thread
          add_counts(sum, part, sink, site);
        }
      }
      std::lock_guard lk(mu);
      written = i + 1;
      cv.notify_all();
    }
  } catch (...) {
    join();
    if (bulk) store.end_bulk_load();
    throw;
  }
  join();
  const double b0 = wall_now();
  if (bulk) store.end_bulk_load();
  store.finish_run(sum.run_id);
  sum.seconds["index_build"] = wall_now() - b0;
  sum.seconds["parse_cpu"] = parse_cpu + inline_parse;
  sum.seconds["write_cpu"] = thread_cpu() - cpu0 - inline_parse;
  sum.seconds["write_wait"] = write_wait;
  sum.seconds["wall"] = wall_now() - wall0;
  return sum;
}

}  // namespace odh
