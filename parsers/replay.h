// parsers/replay.h — rebuilding the database from a WARC snapshot alone (`odh parse --replay`), and
// running the family spiders live inside the crawler (`odh parse --live`). Both record every
// answered request as a `fetch` row and hand it to the site's spider, so the rows of a replay equal
// those of the live crawl apart from run ids and timestamps.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crawler/fetch.h"
#include "parsers/engine.h"
#include "registry/registry.h"
#include "store/store.h"

namespace odh {

// Every archived exchange of a snapshot directory (*.warc, *.warc.gz, recursively), looked up by
// method + URL + body. Redirects are followed through the archive; the last 2xx capture of a
// request wins over failed attempts.
class WarcSnapshot {
 public:
  // Indexes the directory (record offsets only; bodies are read on demand). Throws Failure when
  // `dir` has no WARC file. Malformed files are skipped from the first bad record on (`problems`).
  explicit WarcSnapshot(const std::string& dir);
  ~WarcSnapshot();
  // The archived answer to `req` (status 0, error_class "not-in-snapshot" when absent).
  FetchResult fetch(const FetchRequest& req) const;
  size_t responses() const;
  std::vector<std::string> problems;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ParseSummary {
  std::int64_t run_id = 0;
  int sites = 0, sites_skipped = 0;  // sites_skipped: without an engine (link spider only)
  std::int64_t requests = 0, answered = 0, datasets = 0, apis = 0, issues = 0;
  std::map<std::string, std::int64_t> datasets_by_portal;
  std::map<std::pair<std::string, std::string>, int> unknown_labels;  // (portal, label) → count
  // Replay diagnostics, seconds: "parse_cpu" (CPU of the threads running spiders), "write_cpu" (CPU
  // of the writer: SQLite rows and index builds), "write_wait" (writer waiting for parsers),
  // "index_build" (the bulk load's index builds at the end), "wall". With threads = 1 the spiders write
  // their rows themselves: parse_cpu includes the writes.
  std::map<std::string, double> seconds;
};

// Is there an engine for this site (a family spec, or the embedded-column extractor)?
bool has_engine(const Site& site);
// A spider for any site with an engine (family spec or embedded CMS column).
std::unique_ptr<Spider> make_site_spider(const Site& site, ParseSink& sink);

// Replays every site of `sites` against the snapshot into a new run of `store`: with its engine, or,
// like harvest_live, with the crawler's link spider (home page, near links, terms pages) when it has
// none (counted in sites_skipped).
// threads > 1: that many workers parse sites in parallel into write logs (Store::open_log) while
// the calling thread writes them to `store` in the order of `sites`; the database is the same as
// with threads = 1 (a site that asked for a request an earlier site already made is replayed
// again in order). Exceptions from a worker are rethrown here.
ParseSummary replay_snapshot(const std::vector<Site>& sites, const WarcSnapshot& snap, Store& store,
                             const std::string& run_label, const std::string& sites_file, int threads = 1);

// Wraps a spider so that every result is first written as a fetch row (its id becomes the
// result's fetch_id, the provenance of the rows the spider writes) and the page's out-links as
// `link` rows (parsers/links.h; plus the follow-up requests the spider derives from the page).
// With `site` (read at construction only), the wrapper also fetches the site's entry URL as
// kind "home" first — the root of the link graph — unless the spider starts there itself, in which
// case that fetch is recorded as kind "home"; the home page's links include the spider's entry
// requests. The home page is not handed to the inner spider when it did not ask for it.
std::unique_ptr<Spider> recording_spider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run_id,
                                         std::int64_t* requests = nullptr, const Site* site = nullptr);

struct CrawlOptions;

// The spider stack of a harvest, one definition for `odh parse --live`, `odh parse --replay` and
// `odh crawl --spiders family` (so live and replay see the same requests): the site's family engine
// (or, for a site without one, the crawler's link spider configured by `crawl`), wrapped by the
// terms-page finder and by recording_spider (fetch and link rows, the "home" fetch). Rows go to
// `store` under `run_id` (datasets through `sink`); `requests` as in recording_spider.
std::unique_ptr<Spider> harvest_spider(const Site& site, const CrawlOptions& crawl, StoreSink& sink,
                                       Store& store, std::int64_t run_id, std::int64_t* requests = nullptr);

}  // namespace odh
