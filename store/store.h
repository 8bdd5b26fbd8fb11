// store: odh's SQLite database. One file per harvest history (many runs); schema versioned by
// embedded migrations (store/schema.sql = 1, store/migrations/NNN_*.sql after it). Tables and
// views are documented in docs/schema.md.
//
// A Store is used from one thread at a time. Writes are batched: every write joins the open
// transaction, which commits every `batch` writes and on flush()/finish_run()/destruction.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/records.h"

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
  // The newest run id (0 when the store has none); with finished = true the newest run that
  // finish_run() closed (a crashed or interrupted harvest is not finished).
  std::int64_t latest_run(bool finished = false);
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
  void write_issue(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                   const std::string& kind, const std::string& message);

  // One out-link of a fetched page (table `link`): the page's fetch id and the absolute target URL.
  void write_link(std::int64_t run_id, std::int64_t from_fetch_id, const std::string& to_url);

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
  // Runs SQL outside the prepared writers (flushes first). Throws Failure on error.
  void exec(const std::string& sql);
  // First column of the first row as text ("" when no row); for tests and summaries.
  std::string query_text(const std::string& sql);
  // All rows as text (NULL -> "").
  std::vector<std::vector<std::string>> query(const std::string& sql);

  sqlite3* handle() { return db_; }

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
  bool in_tx_ = false, bulk_ = false;
  void create_pending_indexes();
};

}  // namespace odh
