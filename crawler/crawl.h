// crawler/crawl.h — the crawl engine: a polite, resumable, archiving crawler for many sites at once.
//
// How it works, in one paragraph: every site's Spider yields FetchRequests; the engine files each
// (deduplicated on method + normalized URL + body hash) in an on-disk frontier (SQLite, WAL) keyed by
// host. One thread runs a libcurl multi event loop. Hosts wait in a ready-queue ordered by the time
// they may next be contacted; a host has at most one request in flight, and its next request starts
// no earlier than `gap` seconds after the first byte of the previous response arrived (and never
// before it ended), where
//     g = max(delay, min(robots Crawl-delay, max_crawl_delay_s)),  gap = g + U[0, min(jitter*g,
//     max_jitter_s)]
// and "host" is the host name: all origins (http, https, any port) of one host share one queue gate.
// robots.txt is the first request to every host (through the same queue) and is obeyed (RFC 9309).
// 429/503 honour Retry-After, other failures back off exponentially; redirects are followed by the
// engine hop by hop (each hop archived). Every response is written to WARC and flushed *before* its
// URL is marked done in the state database, so `kill -9` + resume loses nothing and archives nothing
// twice. Errors are values: a fetch that fails carries an `error_class` (table in docs/crawler.md).
//
// Threading: a Crawler is single-threaded; run() blocks. request_stop() may be called from a signal
// handler or another thread.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "web/fetch.h"
#include "registry/registry.h"

namespace odh {

// Every knob of the crawl with its default (the one place to look; per-site overrides from
// sites.yaml `overrides:`: `delay_ms` (can only lengthen the gap), `timeout_ms` (request timeout),
// `max_pages`, `max_depth` (built-in spider), `skip: true` (no request at all)).
struct CrawlOptions {
  std::string out_dir = "crawl";  // state db (crawl.sqlite) and warc/ live here
  std::string user_agent;         // "" = "odh/<version> (+https://github.com/odh-project/odh)"

  // Politeness.
  double delay_s = 1.0;             // minimum gap between two requests to one host (see above)
  double jitter = 0.02;             // gap is stretched by U[0, min(jitter * gap, max_jitter_s)]
  double max_jitter_s = 0.05;       // ... so the mean gap stays within 25 ms of the delay
  double max_crawl_delay_s = 60.0;  // robots Crawl-delay is honoured up to this
  bool obey_robots = true;
  double backoff_base_s = 2.0;     // first backoff after a 5xx/network failure; doubles each time
  double backoff_cap_s = 120.0;    // ... up to this
  double retry_after_cap_s = 600;  // a longer Retry-After pauses the request this long, not more
  int max_retries = 3;             // retries of one request on 5xx and network errors
  int max_throttle_retries = 8;    // retries on 429 (do not consume max_retries; still bounded)
  int pause_after_failures = 5;    // consecutive failed exchanges after which a host is paused

  // Transport limits.
  int max_redirects = 10;                    // hops per request, only http(s), only inside the site's scope
  double connect_timeout_s = 15;             //
  double request_timeout_s = 120;            // overall per exchange, from transfer start
  long low_speed_bytes_per_s = 256;          // abort when slower than this ...
  double low_speed_time_s = 30;              // ... for this long
  std::int64_t max_wire_bytes = 64ll << 20;  // body bytes as received (still content-encoded)
  std::int64_t max_decoded_bytes = 256ll << 20;  // after gzip/deflate decoding (bomb guard)
  // Probes (web/fetch.h is_probe: distribution files and link checks): body bytes kept — the rest is
  // cut, archived with WARC-Truncated: length —, the whole exchange's timeout, and no retries.
  std::int64_t probe_bytes = 2ll << 20;
  double probe_timeout_s = 20;
  // The harvest's file stage (harvest/harvest.h): per site, the first files_per_site distinct download
  // URLs of structured formats are sampled (a GET of their first probe_bytes: rows, columns, format by
  // content) and up to links_per_site in all are checked (the rest by HEAD); no new probe once the run's
  // probes have brought files_total_bytes. 0 files and 0 links: no probes.
  int files_per_site = 10;
  int links_per_site = 40;
  std::int64_t files_total_bytes = 1ll << 30;
  std::vector<std::string> connect_to;           // "HOST:PORT:ADDR:PORT", curl CONNECT_TO syntax
  // Offline mode: a host that no connect_to rule maps fails with error class "dns" before any
  // lookup, so nothing leaves the machine (the simulator's "unknown host" portals rely on it).
  bool mapped_only = false;
  std::string ca_file;  // PEM bundle to verify TLS with instead of the system's ("" = system)

  // Scope and volume (the built-in spider reads max_depth; the engine enforces max_pages).
  int max_pages_per_site = 0;   // 0 = unlimited; counts requests accepted into a site's frontier
  // The request policy, for every request whichever spider asked (web/fetch.h request_refusal): http(s)
  // only, at most max_url_bytes, inside the site's scope (registrable domain, Public Suffix List); and
  // no connection to a loopback, private, link-local, multicast or reserved address (checked on the
  // resolved address) unless a connect_to rule maps the host there. Refusals are error classes.
  std::size_t max_url_bytes = kMaxUrlBytes;
  bool allow_private_addresses = false;  // tests only: skip the address policy
  int max_depth = 2;            // built-in spider: link depth from the entry page
  int max_active_hosts = 2000;  // transfers in flight at once (one per host)

  // State, archive, resume.
  bool resume = false;       // continue the crawl in out_dir (required when its state exists)
  std::string previous_dir;  // earlier crawl dir: conditional GET + WARC revisit records on 304
  std::int64_t warc_max_bytes = 1ll << 30;  // rotate WARC files at this size
  int host_window = 16;                     // frontier rows per host held in memory (the rest stay on disk)
  bool fsync = false;  // fsync WARC before marking done (power-loss safety; kill -9 needs none)
  double progress_interval_s = 1.0;
};

// One host's counters at the end of a crawl (also stored in the state db, table host_status).
struct HostSummary {
  std::string host;
  std::string site_id;  // first site that uses the host
  std::int64_t requests_2xx = 0, requests_3xx = 0, requests_4xx = 0, requests_5xx = 0, requests_err = 0;
  std::int64_t pages = 0, bytes = 0, retries = 0, throttled = 0;
  double backoff_s = 0, mean_latency_ms = 0;
  std::string robots;  // "ok" | "none" (4xx: allow all) | "unreachable" (5xx/network: disallow all)
  bool paused = false;
};

// Live numbers for a progress display (handed to CrawlObserver::progress).
struct CrawlProgress {
  int hosts_total = 0, hosts_active = 0, hosts_done = 0, hosts_paused = 0;
  std::int64_t pages = 0, bytes = 0, errors = 0, backoffs = 0, pending = 0;
  double elapsed_s = 0;
  double eta_s = 0;  // politeness bound: max over hosts of pending requests × gap
};

struct CrawlReport {
  bool ok = false;           // false: could not run (message says why)
  bool interrupted = false;  // request_stop() ended the run early; resume to finish
  std::string message;
  CrawlProgress totals;
  std::vector<HostSummary> hosts;
};

using SpiderFactory = std::function<std::unique_ptr<Spider>(const Site&, const CrawlOptions&)>;

// The built-in spider: entry URL(s) of the site, then same-site <a href>/<link>/<iframe>/<frame> links of
// HTML pages up to options.max_depth (Gumbo). Used for sites without a family parser and in tests.
std::unique_ptr<Spider> make_link_spider(const Site& site, const CrawlOptions& options);

class Crawler {
 public:
  // factory == nullptr uses make_link_spider for every site.
  explicit Crawler(CrawlOptions options, SpiderFactory factory = nullptr);
  ~Crawler();
  Crawler(const Crawler&) = delete;
  Crawler& operator=(const Crawler&) = delete;

  // Crawls `sites` to completion (or until request_stop()). Opens/creates out_dir. Never throws for
  // network or content problems (those are recorded per fetch); returns ok=false with a message
  // for unusable options, an unwritable out_dir or a state db from another crawl.
  CrawlReport run(const std::vector<Site>& sites);

  // Ends run() soon: transfers in flight are abandoned (they stay pending and are re-fetched on
  // resume). Async-signal-safe.
  void request_stop() { stop_.store(true); }

  // Called about every progress_interval_s and once at the end. Optional.
  std::function<void(const CrawlProgress&)> on_progress;
  // One line per notable event (host paused, robots unreachable…). Optional.
  std::function<void(const std::string&)> on_log;

 private:
  CrawlOptions options_;
  SpiderFactory factory_;
  std::atomic<bool> stop_{false};
};

// Default User-Agent: "odh/<version> (+<contact URL>)".
std::string default_user_agent();

// True when a connect_to rule ("HOST:PORT:ADDR:PORT", empty = any) applies to host:port.
bool connect_to_matches(const std::vector<std::string>& rules, const std::string& host,
                        const std::string& port);

// Validates one --connect-to value ("HOST:PORT:ADDR:PORT", empty HOST/PORT = any). "" if fine,
// else the problem.
std::string check_connect_to(const std::string& spec);

}  // namespace odh
