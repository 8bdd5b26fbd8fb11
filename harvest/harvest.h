// harvest/harvest.h — the harvest: every page's way from a portal to the store, live or replayed,
// and the main job that runs harvest → metrics → report (`odh run`).
//
// The stages of one page, in order (one spider stack per site, harvest_spider below):
//   1. fetch    A fetcher answers a request: the live crawler (crawler/crawl.h: politeness, WARC) or
//               the WARC snapshot (warc/warc.h: replay). Both apply web/fetch.h's rules, so the page
//               arrives the same way: Content-Encoding removed, text decoded to UTF-8 once, error class.
//   2. record   The recorder writes the page's `fetch` row; its id (FetchResult::fetch_id) is the
//               provenance of every row that follows. A site's home page is always fetched first: it
//               roots the link graph.
//   3. extract  The site's engine (parsers/parsers.h: a family spec, the embedded-column extractor, or,
//               for a site with neither, the crawler's link spider) turns the page into records and
//               follow-up requests: SpiderOutput {requests, links}.
//   3b. files   The file stage probes the download links of the datasets the page yielded, through the
//               same fetcher (kinds "file"/"link": politeness, WARC, per-run limits in CrawlOptions), and
//               writes what came back onto the distributions: liveness class (parsers/links.h), format by
//               content, rows × columns (parsers' inspect_file), the probe's fetch row.
//   4. terms    The terms finder follows links named 用户协议 / 免责声明 / 网站声明 … and classifies
//               those pages into the four rights of report §5.2.3 (`terms` rows).
//   5. links    The page's out-links go to `link` (click depth): the engine's when it parsed the page,
//               else one parse here — never two.
//   6. store    Records go to the store through StoreSink: datasets with their fields and
//               distributions, APIs, topics, parse issues.
// Per run, after the pages: portal status (reachability, error class, politeness counters), then
// metrics (metrics/metrics.h) and the report files (reports/reports.h).
//
// Threading: one harvest per Store at a time; replay_snapshot may parse sites on worker threads, but
// writes from the calling thread only.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crawler/crawl.h"
#include "parsers/parsers.h"
#include "registry/registry.h"
#include "store/store.h"
#include "warc/warc.h"

namespace odh {

// Stage 6: the parsers' records into a Store run. Also adds an API row for a dataset offered as an
// API (format "api"), the portal's topics, and counts unknown labels per portal. Not thread-safe.
class StoreSink : public ParseSink {
 public:
  StoreSink(Store& store, std::int64_t run_id) : store_(store), run_(run_id) {}
  void dataset(DatasetRow&& row) override;
  void api(ApiRow&& row) override;
  void issue(const std::string& portal_id, const std::string& url, const std::string& kind,
             const std::string& message) override;
  // Incremental harvest: when `previous_run` (> 0) holds a dataset of the entry's portal and source id
  // whose list_stamp equals the entry's stamp, that row — fields and distributions — is written again
  // into this run (carried_from = its dataset_pk, fetch_id = the list page, depth = the detail's,
  // views/downloads from the list when it shows them) and true is returned.
  bool carry_forward(const ListedEntry& entry) override;
  std::int64_t datasets = 0, apis = 0, issues = 0;
  std::int64_t file_bytes = 0;  // body bytes the run's download probes brought (CrawlOptions::files_total_bytes)
  std::int64_t carried = 0;      // datasets carried forward (counted in `datasets` too), with their file checks
  std::int64_t previous_run = 0;  // the run carry_forward compares with (0 = none: full harvest)
  std::map<std::pair<std::string, std::string>, int> unknown_labels;  // (portal, label) → count

 private:
  std::int64_t last_dataset_pk_ = 0;
  Store& store_;
  std::int64_t run_;
  // portal → source id → {dataset_pk, list_stamp} of previous_run, read once per portal
  std::map<std::string, std::map<std::string, std::pair<std::int64_t, std::string>>> stamps_;
};

// The spider stack of one site (stages 2–6), the same for `odh parse --live`, `odh parse --replay` and
// `odh crawl --spiders family`, so live and replay see the same requests: the site's engine (or, for a
// site without one, the crawler's link spider configured by `crawl`), wrapped by the terms finder and
// the recorder. Rows go to `store` under `run_id` (records through `sink`); `*requests` (optional)
// counts the results recorded. `sink` and `store` must outlive the spider.
std::unique_ptr<Spider> harvest_spider(const Site& site, const CrawlOptions& crawl, StoreSink& sink,
                                       Store& store, std::int64_t run_id, std::int64_t* requests = nullptr);

// Stage 2 and 5 alone around any spider (tests): every result is first written as a fetch row (its id
// becomes the result's fetch_id) and the page's out-links as `link` rows, plus the follow-up requests
// derived from it. With `site` (read at construction only), the site's entry URL is fetched first as
// kind "home" unless the spider starts there itself (then that fetch is recorded as "home"); the home
// page's links include the spider's entry requests, and it is not handed to a spider that did not ask.
std::unique_ptr<Spider> recording_spider(std::unique_ptr<Spider> inner, Store& store, std::int64_t run_id,
                                         std::int64_t* requests = nullptr, const Site* site = nullptr);

// What a harvest or replay did.
struct HarvestSummary {
  std::int64_t run_id = 0;
  bool interrupted = false;  // the crawl was stopped (SIGINT/SIGTERM): the run is not finished
  int sites = 0, sites_skipped = 0;  // sites_skipped: without an engine (link spider only)
  std::int64_t requests = 0, answered = 0, datasets = 0, apis = 0, issues = 0;
  std::int64_t carried = 0;  // datasets carried forward from the previous run (HarvestOptions::previous_run)
  std::map<std::string, std::int64_t> datasets_by_portal;
  std::map<std::pair<std::string, std::string>, int> unknown_labels;  // (portal, label) → count
  // Replay diagnostics, seconds: "parse_cpu" (CPU of the threads running spiders), "write_cpu" (CPU
  // of the writer: SQLite rows and index builds), "write_wait" (writer waiting for parsers),
  // "index_build" (the bulk load's index builds at the end), "wall". With threads = 1 the spiders write
  // their rows themselves: parse_cpu includes the writes.
  std::map<std::string, double> seconds;
};

struct HarvestOptions {
  CrawlOptions crawl;                                     // out_dir holds WARC files and crawl state
  std::string label = "live";                             // run label
  std::string source = "live";                            // run source: live | sim
  std::string sites_file;                                 // recorded with the run
  // Incremental re-harvest (`odh run --previous DIR`): crawl.previous_dir is the earlier crawl (conditional
  // GET, 304 → WARC revisit, the spiders get the earlier body) and previous_run its finished run in the
  // same store: entries a family spec may skip (incremental: skip-unchanged-details) whose list stamp is
  // unchanged are carried forward from it instead of fetched. 0 = no carrying.
  std::int64_t previous_run = 0;
  std::function<void(const CrawlProgress&)> on_progress;  // optional
  std::function<void(const std::string&)> on_log;         // optional
  // Called with the crawler before it runs and with nullptr after (optional): a signal handler may
  // call request_stop() on it meanwhile.
  std::function<void(Crawler*)> on_crawler;
};

// A live harvest: crawls and parses `sites` into a new run of `store`, then writes portal status.
// Throws Failure when the crawl cannot run (bad options, unwritable out_dir); network and content
// problems are recorded, not thrown.
HarvestSummary harvest_live(const std::vector<Site>& sites, const HarvestOptions& options, Store& store);

// A replay: every site of `sites` against the snapshot into a new run of `store` (source "replay"),
// with the same spider stack as harvest_live; request URLs normalized and each request made once per
// run, as the crawler does. threads > 1: that many workers parse sites in parallel into write logs
// (Store::open_log) while the calling thread writes them in the order of `sites`; the database is
// the same as with threads = 1. Exceptions from a worker are rethrown here.
HarvestSummary replay_snapshot(const std::vector<Site>& sites, const warc::WarcSnapshot& snap, Store& store,
                               const std::string& run_label, const std::string& sites_file, int threads = 1);

// Fills portal_status for `run_id` from the run's fetch rows and the crawler's host summaries.
void write_portal_status(Store& store, std::int64_t run_id, const std::vector<Site>& sites,
                         const std::vector<HostSummary>& hosts);

// ---- The main job (`odh run`) -------------------------------------------------------------------

struct MainJobOptions {
  HarvestOptions harvest;   // crawl.out_dir: the run's crawl directory
  std::string db_path;      // the store (created when absent)
  std::string report_dir;   // report files go here (created)
  std::string title;        // the report's title ('' = the report's default)
  std::string report_lang = "zh";                       // zh | en
  std::string report_formats = "html,md,csv,xlsx,pdf";  // reports::parse_formats
  // The job's stage, one line "<stage> <run id>" rewritten (temp file + rename) at each step:
  // "harvest 0" → "metrics <run>" → "report <run>" → "done <run>". "" = not recorded.
  std::string stage_file;
  // Continue the job whose stage_file says where it stopped: "harvest" resumes the crawl in
  // crawl.out_dir (its state and WARC files, web/fetch.h rules) and rebuilds the run's rows from the
  // whole WARC snapshot (replay_snapshot: the rows of the interrupted live harvest are not trusted,
  // that run stays unfinished); "metrics" or "report" recompute metrics and the report of the
  // recorded run.
  bool resume = false;
};

struct MainJobResult {
  HarvestSummary harvest;
  std::size_t indicator_rows = 0;
  std::vector<std::string> report_files;  // full paths, main ones first (report.html, report.pdf, …)
  std::vector<std::string> report_notes;  // what the report skipped and why (no Chromium, …)
  bool resumed_harvest = false;           // the harvest was resumed and rebuilt from the WARC snapshot
};

// The stage a main job recorded in `stage_file`: {"", 0} when there is none.
std::pair<std::string, std::int64_t> read_job_stage(const std::string& stage_file);

// Harvest → metrics (indicator and dataset_quality tables) → the annual report of the run
// (reports::write_report: report.html, report.pdf, report.xlsx, report.md, csv/) and indicators.csv (the
// long-format rows), each stage recorded in options.stage_file. `after_harvest` (optional) runs
// between harvest and metrics (the CLI stops its simulator there). Throws Failure on I/O errors and
// when the crawl was interrupted (the stage stays "harvest": resume to finish).
MainJobResult run_main_job(const std::vector<Site>& sites, const MainJobOptions& options,
                           const std::function<void(const HarvestSummary&)>& after_harvest = nullptr);

}  // namespace odh
