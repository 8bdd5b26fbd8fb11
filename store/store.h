// store/store.h — odh's SQLite database, and the only room that runs SQL on it. One file per harvest
// history (many runs); schema versioned by embedded migrations (store/schema.sql = 1,
// store/migrations/NNN_*.sql after it). Tables and views are documented in docs/schema.md.
//
// Two ways in:
//  - Store: opens (and migrates) a database and writes it: the harvest's records, portal status, the
//    metrics' indicator and dataset_quality rows. Used from one thread at a time. Writes are batched:
//    every write joins the open transaction, which commits every `batch` writes and on
//    flush()/finish_run()/destruction.
//  - StoreReader: a read-only connection tuned for whole-table scans, one per thread (metrics runs two).
//    Every read is a method with its columns documented; rows arrive in order through a callback as a
//    sql::Row (core/sql.h). Researchers query the file directly; rooms of odh go through these.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <functional>
#include <utility>

#include "core/records.h"
#include "core/sql.h"

struct sqlite3;

namespace odh {

struct StoreOptions {
  int batch = 2000;        // writes per transaction
  bool read_only = false;  // open an existing database without migrating it
};

struct PortalRow {
  std::string portal_id, name, province, city, county, division_code, level, region, kind, family, url;
  int seq = 0;
};

struct FetchRow {
  std::string portal_id, url, method = "GET", kind, content_type, charset, charset_source, warc_file,
                              fetched_at, error_class;
  int status = 0, depth = 0;
  std::int64_t bytes = 0, warc_offset = -1;
  // A 304 revisit (web/fetch.h FetchResult::revisit_of_*): the earlier response's WARC record.
  std::string revisit_of_file;
  std::int64_t revisit_of_offset = -1;
};

// A portal's politeness counters from the crawler (its entry host), for portal_status.
struct PortalCounters {
  std::string portal_id;
  std::string robots;  // "ok" | "none" | "unreachable" | ""
  std::int64_t retries = 0;
  double backoff_s = 0, mean_latency_ms = 0;
  bool paused = false;
};

// One row of the `indicator` table (the run id is given when writing).
struct IndicatorRow {
  std::string scope;      // portal | national | level | region | tier | theme
  std::string scope_key;  // portal id, level name, region, tier, theme ('' for national)
  std::string indicator;  // stable id, see docs/indicators.md
  std::optional<double> value;
  std::string value_text;  // categorical value or "key=count;…" distribution
  std::string unit;
  long long n = 0;  // observations behind the value
};

// One row of the `dataset_quality` table: a dataset's MQA score by dimension.
struct DatasetQualityRow {
  long long dataset_pk = 0;
  int findability = 0, accessibility = 0, interoperability = 0, reusability = 0, contextuality = 0;
  std::string_view band;  // excellent | good | sufficient | bad (static text from mqa_band)
  int total() const { return findability + accessibility + interoperability + reusability + contextuality; }
};

class Store {
 public:
  // Opens (creating if absent) the database at `path` in WAL mode and applies pending
  // migrations. Throws Failure naming the path on any SQLite error.
  static std::unique_ptr<Store> open(const std::string& path, const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A Store without a database that records writes, in order, for append_log() to apply later
  // (parallel replay: worker threads parse sites into logs, one writer applies them in a fixed
  // order, so the database is the same as a single-threaded run's). Its write_* return ids local
  // to the log (1, 2, … per kind) that append_log() maps to the real ids wherever they come back
  // (fetch ids of rows and links, dataset pks of APIs). flush() does nothing; exec, query,
  // begin_run and finish_run throw Failure.
  static std::unique_ptr<Store> open_log();
  // Applies the writes recorded in `log` (from open_log()) to this store in their order, into
  // run_id, and empties the log. Ids outside the log's range pass through unchanged.
  void append_log(Store& log, std::int64_t run_id);

  // Schema version after open (number of migrations applied); latest_version() is what this
  // binary knows.
  int schema_version() const;
  static int latest_version();

  // A run groups everything one crawl or replay produced. source: live | replay | sim.
  std::int64_t begin_run(const std::string& label, const std::string& source, const std::string& sites_file);
  void finish_run(std::int64_t run_id);
  // Sets a run's start time (ISO 8601), which date-relative indicators (recency, timeliness) are
  // measured from: `odh regress` pins a replayed snapshot to the day it was harvested.
  void set_run_started_at(std::int64_t run_id, const std::string& started_at);
  // The newest run id (0 when the store has none); with finished = true the newest run that
  // finish_run() closed (a crashed or interrupted harvest is not finished).
  std::int64_t latest_run(bool finished = false);
  // Whether finish_run() closed the run (false for an unknown run).
  bool run_finished(std::int64_t run_id);
  // Incremental runs (docs/schema.md): the datasets of `run_id` at `portal_id` that carry a list stamp,
  // as source_id → {dataset_pk, list_stamp} (the first row of a source id listed twice).
  std::map<std::string, std::pair<std::int64_t, std::string>> list_stamps(std::int64_t run_id,
                                                                          const std::string& portal_id);
  // One stored dataset with its fields (in writing order) and distributions (format_raw, format, url,
  // byte_size: what write_dataset writes), to carry it forward; nullopt when there is no such row.
  std::optional<DatasetRow> dataset_row(std::int64_t dataset_pk);
  // Datasets per portal of a run (portal_id → count; portals without datasets are absent).
  std::map<std::string, std::int64_t> datasets_by_portal(std::int64_t run_id);

  void write_portal(std::int64_t run_id, const PortalRow& portal);
  std::int64_t write_fetch(std::int64_t run_id, const FetchRow& fetch);
  // Returns dataset_pk; writes its fields and distributions in the same transaction.
  std::int64_t write_dataset(std::int64_t run_id, const DatasetRow& dataset);
  std::int64_t write_api(std::int64_t run_id, const ApiRow& api);
  std::int64_t write_app(std::int64_t run_id, const AppRow& app);
  // Upsert: the same raw topic name again updates theme/datasets.
  void write_topic(std::int64_t run_id, const std::string& portal_id, const std::string& name_raw,
                   const std::string& theme, std::optional<std::int64_t> datasets);
  // fetch_id: the terms page's fetch row (-1 = none, stored as NULL).
  void write_terms(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                   const std::string& aspect, const std::string& verdict, const std::string& evidence,
                   std::int64_t fetch_id = -1);
  // The probe of `url` (harvest's file stage) onto every distribution of `portal_id`'s datasets in the run
  // with that URL; a dataset written later with the URL needs the call again.
  void write_file_check(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                        const FileCheck& check);
  // An incremental run's carried dataset `to_pk` takes the file checks of `from_pk`'s distributions with
  // the same URL (the probe's fetch_id still names the earlier run's fetch row: its provenance).
  void carry_file_checks(std::int64_t to_pk, std::int64_t from_pk);
  void write_issue(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                   const std::string& kind, const std::string& message);

  // One out-link of a fetched page (table `link`): the page's fetch id and the absolute target URL.
  void write_link(std::int64_t run_id, std::int64_t from_fetch_id, const std::string& to_url);

  // Fills portal_status for a run from its fetch rows (reachable = at least one 2xx answer, else the
  // most frequent error class or http-NNN) and the crawler's counters of each portal's entry host.
  void write_portal_status(std::int64_t run_id, const std::vector<PortalCounters>& counters);

  // The metrics' writes, in one transaction that other connections can read beside (WAL):
  // begin_metrics(run) replaces nothing yet; write_dataset_quality may come while readers still scan;
  // commit_metrics(run, rows) replaces the run's indicator rows and commits both tables.
  // abort_metrics() rolls back. Rows of a previous computation of the run are replaced.
  void begin_metrics(std::int64_t run_id);
  void write_dataset_quality(std::int64_t run_id, const std::vector<DatasetQualityRow>& rows);
  // indicators = false commits the dataset_quality rows alone (the indicator rows stay as they were).
  void commit_metrics(std::int64_t run_id, const std::vector<IndicatorRow>& rows, bool indicators = true);
  void abort_metrics();

  // Bulk loading into a fresh database (e.g. `odh parse --replay` into a new file): while the bulk
  // tables (fetch, dataset, dataset_field, distribution, link) are empty, drops their secondary
  // indexes and sets synchronous=OFF; end_bulk_load() creates the indexes again in one sorted pass
  // each (about half the cost of updating three indexes per field row). Returns false and changes
  // nothing when a bulk table already has rows. The dropped indexes are remembered in the table
  // store_pending_index, so if the process dies in between, the next open() creates them.
  bool begin_bulk_load();
  void end_bulk_load();
  // Commits the open batch.
  void flush();
  const std::string& path() const { return path_; }

  // Ad-hoc read-only SQL for tests and researchers' checks (never used by odh's rooms, which use the
  // typed reads): first column of the first row as text ("" when no row), or all rows (NULL → "").
  std::string query_text(const std::string& sql);
  std::vector<std::vector<std::string>> query(const std::string& sql);

 private:
  Store() = default;
  struct Stmts;
  struct Log;
  std::unique_ptr<Log> log_;  // set for open_log() stores
  void wrote();               // counts a write, commits each batch
  void begin_if_needed();
  sqlite3* db_ = nullptr;
  std::unique_ptr<Stmts> st_;
  std::string path_;
  int batch_ = 2000, pending_ = 0;
  bool in_tx_ = false, bulk_ = false, in_metrics_ = false;
  void exec(const std::string& sql);
  void create_pending_indexes();
};

// ---- Reading ------------------------------------------------------------------------------------

class StoreReader {
 public:
  using RowFn = std::function<void(const sql::Row&)>;

  // Opens an existing store read-only (memory-mapped, 256 MB page cache). Throws Failure naming the
  // path. Migrations are the writer's business: open the store with Store::open first.
  static std::unique_ptr<StoreReader> open(const std::string& path);
  ~StoreReader();
  const std::string& path() const { return path_; }
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  // Runs. latest_run: 0 when none (finished: closed by finish_run). previous_run: the baseline of
  // year-over-year changes: the newest *finished* run before `run` of the same kind (source: live,
  // replay or sim) and scope (the same sites file). run_date: the day the run started, YYYY-MM-DD
  // ("" when unknown).
  std::int64_t latest_run(bool finished = false);
  std::optional<std::int64_t> previous_run(std::int64_t run);
  std::string run_date(std::int64_t run);
  // One run's row (run_id 0 when absent).
  struct RunInfo {
    std::int64_t run_id = 0;
    std::string label, started_at, finished_at, source, sites_file, odh_version;
  };
  RunInfo run_info(std::int64_t run);

  // The `indicator` rows of a run in writing order: scope, scope_key, indicator, value (NULL when not
  // computable), value_text (''), unit (''), n. What reports render (they never recompute).
  void indicators(std::int64_t run, const RowFn& fn);
  // Portals of a run with what a report names them by: portal_id, name, level, region, kind, province,
  // city, county, family, url, division_code — in registry order (seq, then id).
  void portal_details(std::int64_t run, const RowFn& fn);
  // Where a portal's numbers come from, per portal of the run: portal_id, reachable (NULL without a
  // status row), error_class, robots, pages, bytes, fetches of the run, distinct WARC files of its
  // fetches ('|'-separated, at most 5), the home page's WARC file and offset ('' / NULL when none).
  void portal_sources(std::int64_t run, const RowFn& fn);

  // Portals of a run: portal_id, level, region, kind, province, city, name — by portal_id.
  void portals(std::int64_t run, const RowFn& fn);
  // portal_status: portal_id, reachable, error_class.
  void portal_status(std::int64_t run, const RowFn& fn);
  // Rows per portal of a run (portal → count): datasets, APIs, apps, distinct topic names.
  enum class Counted { kDatasets, kApis, kApps, kTopicNames };
  std::map<std::string, double> count_by_portal(std::int64_t run, Counted what);

  // Datasets of a run, each scan one pass in rowid order (= dataset_pk):
  // dataset_pk, portal_id, fetch_id, record_count*field_count, open_condition, then `columns` (any of
  // the dataset table's value columns, e.g. "title", "views"; Failure for any other name).
  void dataset_columns(std::int64_t run, const std::vector<std::string>& columns, const RowFn& fn);
  // The catalogue as published, for the DCAT export (reports::write_dcat): one row per distribution of
  // each dataset of the run (one row with NULL distribution columns for a dataset without any), by
  // dataset_pk then distribution_pk: 0 dataset_pk, 1 portal_id, 2 source_id, 3 url, 4 title,
  // 5 description, 6 publisher, 7 theme, 8 topic_raw, 9 issued, 10 modified, 11 frequency, 12 tags
  // (';'-joined), 13 licence (the first dataset_field value of canonical 'license'), 14 warc_file and
  // 15 warc_offset of the dataset's fetch row, 16 distribution_pk, 17 format, 18 format_raw, 19 the
  // distribution's url (text columns '' when NULL; 15 and 16 NULL when absent).
  void dcat_rows(std::int64_t run, const RowFn& fn);
  // portal_id, topic_raw — datasets with a topic.
  void dataset_topics(std::int64_t run, const RowFn& fn);
  // portal_id, publisher, views, downloads — datasets with a publisher.
  void dataset_publishers(std::int64_t run, const RowFn& fn);
  // portal_id, issued, modified, has a rating channel (rating, rating_count or comment_count present),
  // rating_count, comment_count, frequency ('' when NULL).
  void dataset_dates(std::int64_t run, const RowFn& fn);
  // portal_id, frequency_raw — datasets with a raw frequency.
  void dataset_frequencies(std::int64_t run, const RowFn& fn);
  // portal_id, theme, views, downloads.
  void dataset_usage(std::int64_t run, const RowFn& fn);
  // portal_id, dataset_pk, tags (''), title (''), theme, depth, fetch_id.
  void dataset_graph(std::int64_t run, const RowFn& fn);
  // Rows a table holds at most (max(rowid) - min(rowid) + 1, capped at 20M), to reserve vectors once.
  enum class Table { kDataset, kDistribution };
  std::size_t rowid_span(Table table);

  // dataset_field, all runs (callers keep the rows of their run's datasets): [min, max] rowid
  // ({1, 0} when empty), and the rows of a rowid range: rowid, dataset_pk, canonical, label, value.
  std::pair<long long, long long> field_rowid_range();
  void fields(long long lo, long long hi, const RowFn& fn);
  // dataset_pk, canonical — fields with a canonical name and a value.
  void field_canonicals(const RowFn& fn);

  // Distributions, all runs: dataset_pk, url, live, format, sniffed_format, byte_size present,
  // rows*columns (NULL unless both), fetch_id, has a format (declared or sniffed).
  void distributions(const RowFn& fn);
  // Fetches, all runs: fetch_id, content_type, status / fetch_id, depth.
  void fetch_status(const RowFn& fn);
  void fetch_depths(const RowFn& fn);
  // Fetches of a run: fetch_id, url, kind (''), portal_id ('').
  void fetch_urls(std::int64_t run, const RowFn& fn);
  // Links of a run: from_fetch_id, to_url.
  void links(std::int64_t run, const RowFn& fn);

  // Terms verdicts of a run in writing order: aspect, portal_id, verdict.
  void terms(std::int64_t run, const RowFn& fn);
  // Topics of a run: portal_id, name_raw.
  void topics(std::int64_t run, const RowFn& fn);
  // Apps of a run: portal_id, app_kind ('其他' when NULL). App citations: portal_id, app_pk, dataset_pk,
  // dataset_title (''); has_app_citations: any row in app_dataset at all.
  void apps(std::int64_t run, const RowFn& fn);
  bool has_app_citations();
  void app_citations(std::int64_t run, const RowFn& fn);

  // The run's records in a stable, comparable form (odh regress golden files): one call per filled field
  // of each dataset, API, app and portal_status row, with kind dataset | api | app | portal, key (the
  // source id, else title + " | " + publisher; the portal id for portal rows), field (the column name;
  // "distributions" = the sorted "format url" pairs of a dataset joined by " ; ") and the value as text.
  // Rows come by kind, portal and key; equal keys are the caller's to tell apart.
  using RecordFn = std::function<void(const std::string& portal, const char* kind, const std::string& key,
                                      const char* field, const std::string& value)>;
  void record_fields(std::int64_t run, const RecordFn& fn);

  // Evidence behind an indicator (odh explain), one text line per record, tab-separated. kValues: the
  // stored values of `indicator` for the portal (or all portals) and nationally. The others list the
  // records of the portal (all portals when "") with their fetch and WARC record: kTerms (detail = the
  // aspect), kPortals, kApis, kApps, kQuality (dataset_quality scores), kDistributions, kDatasets
  // (detail = the dataset column shown: one of evidence_columns()).
  enum class Evidence { kValues, kTerms, kPortals, kApis, kApps, kQuality, kDistributions, kDatasets };
  std::vector<std::string> evidence(Evidence kind, std::int64_t run, const std::string& portal,
                                    const std::string& detail = "");
  static const std::vector<std::string>& evidence_columns();

 private:
  StoreReader() = default;
  void scan(const char* sql, std::int64_t run, const RowFn& fn);
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace odh
