// crawler/crawl_state.h — the crawl's durable state (internal to the engine): frontier, seen set,
// fetch log, per-host status and committed WARC lengths, in <out>/crawl.sqlite (WAL).
//
// Invariant that makes resume exact: a frontier row becomes done in the same transaction that
// records its fetch row and the committed length of the WARC file holding its records, and that
// transaction runs only after those records were flushed. On resume every WARC file is cut back to
// its committed length, so a record exists in WARC iff its fetch row exists.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/sql.h"
#include "web/fetch.h"

namespace odh::crawl {

struct Job {  // a frontier row
  std::int64_t id = -1;
  FetchRequest req;
  std::string host;                // politeness key: lowercase host[:port]
  std::string fetch_url;           // URL of this hop (differs from req.url after a redirect)
  int redirects = 0;               // hops followed so far
  int retries = 0, throttles = 0;  // attempts spent (loaded from the fetch log on resume)
};

struct FetchLogRow {  // one HTTP exchange (or a request refused before the network)
  std::int64_t frontier_id = -1;
  std::string site_id, host, url, final_url, method, kind, content_type, charset, charset_source;
  int status = 0, depth = 0, attempt = 0;
  std::int64_t bytes = 0, warc_offset = -1;
  std::string warc_file, error_class, etag, last_modified, record_id, payload_digest;
  double fetched_at = 0, latency_ms = 0;
  bool final = true;  // this exchange ended its request (handed to the spider)
};

struct HostRow {
  std::string host, site_id, robots;  // robots: "" unknown | ok | none | unreachable
  std::string robots_body;
  double robots_fetched_at = 0;
  std::int64_t r2xx = 0, r3xx = 0, r4xx = 0, r5xx = 0, rerr = 0, pages = 0, bytes = 0, retries = 0,
               throttled = 0, latency_n = 0;
  double backoff_s = 0, latency_sum_ms = 0;
  bool paused = false;
  double paused_until = 0;  // wall clock: a resumed crawl contacts a paused host again from here on
};

struct PrevFetch {  // what a previous crawl knew about a URL (for conditional GET)
  std::string etag, last_modified, record_id, url, date;
  std::string warc_file;  // the previous crawl's response record: file under <previous>/warc, offset
  std::int64_t warc_offset = -1;
};

class State {
 public:
  // Opens or creates <dir>/crawl.sqlite. Returns an error message on failure ("" ok).
  std::string open(const std::string& dir);
  ~State();
  bool existed() const { return existed_; }

  void begin();
  void commit();

  // Seen set + frontier. Returns the new row id, or -1 when the key was already seen.
  std::int64_t enqueue(const FetchRequest& r, const std::string& host, const std::string& norm_url);
  // A redirect hop or other continuation (not deduplicated).
  std::int64_t enqueue_hop(const Job& j);
  void mark_done(std::int64_t id, int state = 1);
  // Up to n pending rows of host, highest priority first, skipping ids in `exclude`.
  std::vector<Job> load_window(const std::string& host, int n, std::int64_t after_id_hint = -1);
  // Hosts with pending rows (and how many).
  std::vector<std::pair<std::string, std::int64_t>> pending_hosts();
  std::int64_t pending_count();
  std::int64_t site_enqueued(const std::string& site_id);
  bool site_started(const std::string& site_id);
  void set_site_started(const std::string& site_id);

  std::int64_t add_fetch(const FetchLogRow& f);
  void save_host(const HostRow& h);
  // Resume: every paused host gets a fresh chance. Its dropped ("host-paused") frontier rows are
  // pending again, their host-paused fetch rows stop being final (superseded), paused = 0 (its
  // paused_until is kept: the engine waits for it). Returns the number of hosts unpaused.
  int unpause_hosts();
  std::optional<HostRow> load_host(const std::string& host);

  // Fills portal_status for a site from its fetch rows; origin = its entry URL's host key.
  // `shared_with`: an earlier site with the same entry URL (its page was fetched for that site), or "".
  void write_portal_status(const std::string& site_id, const std::string& origin, const std::string& shared_with = "");

  // WARC files: committed byte lengths.
  void set_warc_committed(const std::string& name, std::int64_t bytes);
  std::vector<std::pair<std::string, std::int64_t>> warc_files();

  std::string meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);
  // Every meta row whose key starts with `prefix`, ordered by key.
  std::vector<std::pair<std::string, std::string>> meta_with_prefix(const std::string& prefix);

  // Previous crawl (ATTACHed read-only) lookup by URL.
  bool attach_previous(const std::string& dir);
  std::optional<PrevFetch> previous(const std::string& url);
  // Where the previous crawl wrote the record with this WARC-Record-ID: {file under warc/, offset}.
  std::optional<std::pair<std::string, std::int64_t>> previous_record(const std::string& record_id);


 private:
  struct Stmts {  // prepared once per open state db
    explicit Stmts(sqlite3* db);
    sql::Statement ins_seen, ins_front, upd_done, sel_window, ins_fetch, ins_host, sel_host, ins_warc, cnt_site,
        portal_status;
  };
  sqlite3* db_ = nullptr;
  bool existed_ = false;
  void exec(const char* sql);
  std::unique_ptr<Stmts> stmts_;
  // frontier id -> {retries, throttles} its committed failed attempts used (read at open, for resume)
  std::unordered_map<std::int64_t, std::pair<int, int>> spent_attempts_;
  std::unique_ptr<sql::Statement> sel_prev_;  // set when a previous crawl is attached
};

}  // namespace odh::crawl
