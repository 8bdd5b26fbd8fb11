#include "crawler/crawl_state.h"

#include <strings.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace odh::crawl {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
-- seen set: "METHOD url[ #bodyhash]" of every request ever accepted
CREATE TABLE IF NOT EXISTS seen(key TEXT PRIMARY KEY) WITHOUT ROWID;
-- state: 0 pending, 1 done, 2 dropped (never fetched: paused host)
CREATE TABLE IF NOT EXISTS frontier(
  id INTEGER PRIMARY KEY, site_id TEXT NOT NULL, host TEXT NOT NULL, url TEXT NOT NULL,
  fetch_url TEXT NOT NULL, method TEXT NOT NULL, body TEXT, headers TEXT, kind TEXT, meta TEXT,
  depth INTEGER, priority INTEGER, redirects INTEGER NOT NULL DEFAULT 0,
  state INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS frontier_pending ON frontier(host, state, priority DESC, id);
CREATE TABLE IF NOT EXISTS site(site_id TEXT PRIMARY KEY, started INTEGER NOT NULL DEFAULT 0);
-- the fetch log: one row per HTTP exchange or refused request (store/schema.sql `fetch` + extras)
CREATE TABLE IF NOT EXISTS fetch(
  fetch_id INTEGER PRIMARY KEY, frontier_id INTEGER, portal_id TEXT, host TEXT, url TEXT NOT NULL,
  final_url TEXT, method TEXT NOT NULL DEFAULT 'GET', kind TEXT, status INTEGER, content_type TEXT,
  charset TEXT, charset_source TEXT, bytes INTEGER, warc_file TEXT, warc_offset INTEGER,
  fetched_at TEXT, fetched_unix REAL, depth INTEGER, error_class TEXT, attempt INTEGER,
  latency_ms REAL, etag TEXT, last_modified TEXT, record_id TEXT, payload_digest TEXT,
  final INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS fetch_url ON fetch(url);
CREATE INDEX IF NOT EXISTS fetch_portal ON fetch(portal_id, final);
CREATE TABLE IF NOT EXISTS host_status(
  host TEXT PRIMARY KEY, portal_id TEXT, robots TEXT, robots_body BLOB, robots_fetched_at REAL,
  requests_2xx INTEGER, requests_3xx INTEGER, requests_4xx INTEGER, requests_5xx INTEGER,
  requests_err INTEGER, pages INTEGER, bytes INTEGER, retries INTEGER, throttled INTEGER,
  backoff_s REAL, latency_sum_ms REAL, latency_n INTEGER, paused INTEGER, paused_until REAL);
CREATE TABLE IF NOT EXISTS warc_file(name TEXT PRIMARY KEY, committed_bytes INTEGER NOT NULL);
-- per portal, as store/schema.sql portal_status without run_id (the store adds it on import)
CREATE TABLE IF NOT EXISTS portal_status(
  portal_id TEXT PRIMARY KEY, reachable INTEGER NOT NULL, error_class TEXT, robots TEXT,
  pages INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  requests_2xx INTEGER DEFAULT 0, requests_3xx INTEGER DEFAULT 0, requests_4xx INTEGER DEFAULT 0,
  requests_5xx INTEGER DEFAULT 0, requests_err INTEGER DEFAULT 0, retries INTEGER DEFAULT 0,
  backoff_s REAL DEFAULT 0, mean_latency_ms REAL, paused INTEGER DEFAULT 0);
)sql";

// portal_status of one site from its fetch rows and the status of its entry host (?1 site, ?2 origin).
const char* kPortalStatus = R"sql(
INSERT OR REPLACE INTO portal_status
SELECT ?1,
  coalesce((SELECT status BETWEEN 200 AND 299 FROM fetch WHERE portal_id=?1 AND kind='home' AND final=1
            ORDER BY fetch_id LIMIT 1), 0),
  (SELECT CASE WHEN status BETWEEN 200 AND 299 THEN NULL
               ELSE coalesce(error_class, 'http-' || status) END
     FROM fetch WHERE portal_id=?1 AND kind='home' AND final=1 ORDER BY fetch_id LIMIT 1),
  (SELECT nullif(robots, '') FROM host_status WHERE host=?2),
  (SELECT count(*) FROM fetch WHERE portal_id=?1 AND final=1 AND kind!='robots' AND status BETWEEN 200 AND 299),
  (SELECT coalesce(sum(bytes), 0) FROM fetch WHERE portal_id=?1),
  (SELECT count(*) FROM fetch WHERE portal_id=?1 AND status BETWEEN 200 AND 299),
  (SELECT count(*) FROM fetch WHERE portal_id=?1 AND status BETWEEN 300 AND 399),
  (SELECT count(*) FROM fetch WHERE portal_id=?1 AND status BETWEEN 400 AND 499),
  (SELECT count(*) FROM fetch WHERE portal_id=?1 AND status >= 500),
  (SELECT count(*) FROM fetch WHERE portal_id=?1 AND status IS NULL AND latency_ms > 0),
  (SELECT count(*) FROM fetch WHERE portal_id=?1 AND final=0 AND error_class IS NOT NULL),
  coalesce((SELECT sum(backoff_s) FROM host_status WHERE portal_id=?1), 0),
  (SELECT avg(latency_ms) FROM fetch WHERE portal_id=?1 AND status > 0),
  coalesce((SELECT max(paused) FROM host_status WHERE portal_id=?1), 0)
)sql";

std::string col_text(sqlite3_stmt* s, int i) {
  auto p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, i)) : std::string();
}
void put(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void put(sqlite3_stmt* s, int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
void put(sqlite3_stmt* s, int i, int v) { sqlite3_bind_int64(s, i, v); }
void put(sqlite3_stmt* s, int i, double v) { sqlite3_bind_double(s, i, v); }

std::string iso_time(double unix_s) {
  time_t t = static_cast<time_t>(unix_s);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string fnv_hex(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string headers_json(const HeaderList& h) {
  if (h.empty()) return "";
  nlohmann::json j = nlohmann::json::array();
  for (auto& [k, v] : h) j.push_back({k, v});
  return j.dump();
}
HeaderList parse_headers_json(const std::string& s) {
  HeaderList out;
  if (s.empty()) return out;
  auto j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_array()) return out;
  for (auto& p : j)
    if (p.is_array() && p.size() == 2) out.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
  return out;
}

}  // namespace

State::~State() {
  for (auto* s : stmts_) sqlite3_finalize(s);
  if (db_) sqlite3_close(db_);
}

void State::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("crawl state: " + m);
  }
}

sqlite3_stmt* State::prep(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("crawl state: ") + sqlite3_errmsg(db_) + " in " + sql);
  stmts_.push_back(s);
  return s;
}

std::string State::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  auto path = (std::filesystem::path(dir) / "crawl.sqlite").string();
  existed_ = std::filesystem::exists(path);
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return "cannot open " + path;
  try {
    sqlite3_busy_timeout(db_, 5000);
    // WAL + NORMAL: a commit survives a killed process (not a power cut unless fsync is on).
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16000;");
    exec(kSchema);
    // A state db from before paused_until existed (an error here means the column is there).
    sqlite3_exec(db_, "ALTER TABLE host_status ADD COLUMN paused_until REAL", nullptr, nullptr, nullptr);
    ins_seen_ = prep("INSERT OR IGNORE INTO seen(key) VALUES(?)");
    ins_front_ = prep(
        "INSERT INTO frontier(site_id,host,url,fetch_url,method,body,headers,kind,meta,depth,priority,"
        "redirects) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    upd_done_ = prep("UPDATE frontier SET state=? WHERE id=?");
    sel_window_ = prep(
        "SELECT id,site_id,url,fetch_url,method,body,headers,kind,meta,depth,priority,redirects FROM "
        "frontier WHERE host=? AND state=0 ORDER BY priority DESC, id LIMIT ?");
    ins_fetch_ = prep(
        "INSERT INTO fetch(frontier_id,portal_id,host,url,final_url,method,kind,status,content_type,charset,"
        "charset_source,bytes,warc_file,warc_offset,fetched_at,fetched_unix,depth,error_class,attempt,"
        "latency_ms,etag,last_modified,record_id,payload_digest,final) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    ins_host_ = prep("INSERT OR REPLACE INTO host_status VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    sel_host_ = prep("SELECT * FROM host_status WHERE host=?");
    ins_warc_ = prep("INSERT OR REPLACE INTO warc_file(name,committed_bytes) VALUES(?,?)");
    cnt_site_ = prep("SELECT count(*) FROM frontier WHERE site_id=? AND redirects=0");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void State::begin() { exec("BEGIN"); }
void State::commit() { exec("COMMIT"); }

std::int64_t State::enqueue(const FetchRequest& r, const std::string& host, const std::string& norm_url) {
  std::string key = r.method + " " + norm_url;
  if (!r.body.empty()) key += " #" + fnv_hex(r.body);
  // The same request with other cookies is another request (a spider re-issuing it after a
  // JS-cookie gate or an expired session, parsers/session_spider.h).
  for (const auto& [k, v] : r.headers)
    if (strcasecmp(k.c_str(), "Cookie") == 0) key += " cookie#" + fnv_hex(v);
  sqlite3_reset(ins_seen_);
  put(ins_seen_, 1, key);
  if (sqlite3_step(ins_seen_) != SQLITE_DONE)
    throw std::runtime_error(std::string("crawl state: ") + sqlite3_errmsg(db_));
  if (sqlite3_changes(db_) == 0) return -1;
  Job j;
  j.req = r;
  j.host = host;
  j.fetch_url = r.url;
  return enqueue_hop(j);
}

std::int64_t State::enqueue_hop(const Job& j) {
  auto* s = ins_front_;
  sqlite3_reset(s);
  put(s, 1, j.req.site_id);
  put(s, 2, j.host);
  put(s, 3, j.req.url);
  put(s, 4, j.fetch_url);
  put(s, 5, j.req.method);
  put(s, 6, j.req.body);
  put(s, 7, headers_json(j.req.headers));
  put(s, 8, j.req.kind);
  put(s, 9, j.req.meta);
  put(s, 10, j.req.depth);
  put(s, 11, j.req.priority);
  put(s, 12, j.redirects);
  if (sqlite3_step(s) != SQLITE_DONE)
    throw std::runtime_error(std::string("crawl state: ") + sqlite3_errmsg(db_));
  return sqlite3_last_insert_rowid(db_);
}

void State::mark_done(std::int64_t id, int state) {
  sqlite3_reset(upd_done_);
  put(upd_done_, 1, state);
  put(upd_done_, 2, id);
  sqlite3_step(upd_done_);
}

std::vector<Job> State::load_window(const std::string& host, int n, std::int64_t) {
  std::vector<Job> out;
  auto* s = sel_window_;
  sqlite3_reset(s);
  put(s, 1, host);
  put(s, 2, n);
  while (sqlite3_step(s) == SQLITE_ROW) {
    Job j;
    j.id = sqlite3_column_int64(s, 0);
    j.req.site_id = col_text(s, 1);
    j.req.url = col_text(s, 2);
    j.fetch_url = col_text(s, 3);
    j.req.method = col_text(s, 4);
    j.req.body = col_text(s, 5);
    j.req.headers = parse_headers_json(col_text(s, 6));
    j.req.kind = col_text(s, 7);
    j.req.meta = col_text(s, 8);
    j.req.depth = sqlite3_column_int(s, 9);
    j.req.priority = sqlite3_column_int(s, 10);
    j.redirects = sqlite3_column_int(s, 11);
    j.host = host;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> State::pending_hosts() {
  std::vector<std::pair<std::string, std::int64_t>> out;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "SELECT host, count(*) FROM frontier WHERE state=0 GROUP BY host", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) out.emplace_back(col_text(s, 0), sqlite3_column_int64(s, 1));
  sqlite3_finalize(s);
  return out;
}

std::int64_t State::pending_count() {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "SELECT count(*) FROM frontier WHERE state=0", -1, &s, nullptr);
  std::int64_t n = 0;
  if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

std::int64_t State::site_enqueued(const std::string& site_id) {
  sqlite3_reset(cnt_site_);
  put(cnt_site_, 1, site_id);
  return sqlite3_step(cnt_site_) == SQLITE_ROW ? sqlite3_column_int64(cnt_site_, 0) : 0;
}

bool State::site_started(const std::string& site_id) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "SELECT started FROM site WHERE site_id=?", -1, &s, nullptr);
  put(s, 1, site_id);
  bool started = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) != 0;
  sqlite3_finalize(s);
  return started;
}

void State::set_site_started(const std::string& site_id) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO site(site_id, started) VALUES(?, 1)", -1, &s, nullptr);
  put(s, 1, site_id);
  sqlite3_step(s);
  sqlite3_finalize(s);
}

std::int64_t State::add_fetch(const FetchRow& f) {
  auto* s = ins_fetch_;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (f.frontier_id >= 0) put(s, 1, f.frontier_id);
  put(s, 2, f.site_id);
  put(s, 3, f.host);
  put(s, 4, f.url);
  put(s, 5, f.final_url);
  put(s, 6, f.method);
  put(s, 7, f.kind);
  if (f.status > 0) put(s, 8, f.status);
  if (!f.content_type.empty()) put(s, 9, f.content_type);
  if (!f.charset.empty()) put(s, 10, f.charset);
  if (!f.charset_source.empty()) put(s, 11, f.charset_source);
  put(s, 12, f.bytes);
  if (!f.warc_file.empty()) {
    put(s, 13, f.warc_file);
    put(s, 14, f.warc_offset);
  }
  put(s, 15, iso_time(f.fetched_at));
  put(s, 16, f.fetched_at);
  put(s, 17, f.depth);
  if (!f.error_class.empty()) put(s, 18, f.error_class);
  put(s, 19, f.attempt);
  put(s, 20, f.latency_ms);
  if (!f.etag.empty()) put(s, 21, f.etag);
  if (!f.last_modified.empty()) put(s, 22, f.last_modified);
  if (!f.record_id.empty()) put(s, 23, f.record_id);
  if (!f.payload_digest.empty()) put(s, 24, f.payload_digest);
  put(s, 25, f.final ? 1 : 0);
  if (sqlite3_step(s) != SQLITE_DONE)
    throw std::runtime_error(std::string("crawl state: ") + sqlite3_errmsg(db_));
  return sqlite3_last_insert_rowid(db_);
}

void State::save_host(const HostRow& h) {
  auto* s = ins_host_;
  sqlite3_reset(s);
  put(s, 1, h.host);
  put(s, 2, h.site_id);
  put(s, 3, h.robots);
  sqlite3_bind_blob(s, 4, h.robots_body.data(), static_cast<int>(h.robots_body.size()), SQLITE_TRANSIENT);
  put(s, 5, h.robots_fetched_at);
  put(s, 6, h.r2xx);
  put(s, 7, h.r3xx);
  put(s, 8, h.r4xx);
  put(s, 9, h.r5xx);
  put(s, 10, h.rerr);
  put(s, 11, h.pages);
  put(s, 12, h.bytes);
  put(s, 13, h.retries);
  put(s, 14, h.throttled);
  put(s, 15, h.backoff_s);
  put(s, 16, h.latency_sum_ms);
  put(s, 17, h.latency_n);
  put(s, 18, h.paused ? 1 : 0);
  put(s, 19, h.paused_until);
  sqlite3_step(s);
}

std::optional<HostRow> State::load_host(const std::string& host) {
  auto* s = sel_host_;
  sqlite3_reset(s);
  put(s, 1, host);
  if (sqlite3_step(s) != SQLITE_ROW) return std::nullopt;
  HostRow h;
  h.host = col_text(s, 0);
  h.site_id = col_text(s, 1);
  h.robots = col_text(s, 2);
  h.robots_body =
      std::string(static_cast<const char*>(sqlite3_column_blob(s, 3)) ?: "", sqlite3_column_bytes(s, 3));
  h.robots_fetched_at = sqlite3_column_double(s, 4);
  h.r2xx = sqlite3_column_int64(s, 5);
  h.r3xx = sqlite3_column_int64(s, 6);
  h.r4xx = sqlite3_column_int64(s, 7);
  h.r5xx = sqlite3_column_int64(s, 8);
  h.rerr = sqlite3_column_int64(s, 9);
  h.pages = sqlite3_column_int64(s, 10);
  h.bytes = sqlite3_column_int64(s, 11);
  h.retries = sqlite3_column_int64(s, 12);
  h.throttled = sqlite3_column_int64(s, 13);
  h.backoff_s = sqlite3_column_double(s, 14);
  h.latency_sum_ms = sqlite3_column_double(s, 15);
  h.latency_n = sqlite3_column_int64(s, 16);
  h.paused = sqlite3_column_int(s, 17) != 0;
  h.paused_until = sqlite3_column_double(s, 18);
  return h;
}

int State::unpause_hosts() {
  exec("BEGIN");
  exec(
      "UPDATE fetch SET final=0 WHERE final=1 AND error_class='host-paused' AND host IN "
      "(SELECT host FROM host_status WHERE paused=1);"
      "UPDATE frontier SET state=0 WHERE state=2 AND host IN (SELECT host FROM host_status WHERE paused=1);");
  exec("UPDATE host_status SET paused=0 WHERE paused=1");
  int n = sqlite3_changes(db_);
  exec("COMMIT");
  return n;
}

void State::write_portal_status(const std::string& site_id, const std::string& origin) {
  // Prepared once: compiling this statement per site was a third of the CPU of a short 670-site crawl.
  if (!portal_status_) portal_status_ = prep(kPortalStatus);
  sqlite3_stmt* s = portal_status_;
  sqlite3_reset(s);
  put(s, 1, site_id);
  put(s, 2, origin);
  sqlite3_step(s);
  sqlite3_reset(s);
}

void State::set_warc_committed(const std::string& name, std::int64_t bytes) {
  sqlite3_reset(ins_warc_);
  put(ins_warc_, 1, name);
  put(ins_warc_, 2, bytes);
  sqlite3_step(ins_warc_);
}

std::vector<std::pair<std::string, std::int64_t>> State::warc_files() {
  std::vector<std::pair<std::string, std::int64_t>> out;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "SELECT name, committed_bytes FROM warc_file ORDER BY name", -1, &s, nullptr);
  while (sqlite3_step(s) == SQLITE_ROW) out.emplace_back(col_text(s, 0), sqlite3_column_int64(s, 1));
  sqlite3_finalize(s);
  return out;
}

std::string State::meta(const std::string& key) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key=?", -1, &s, nullptr);
  put(s, 1, key);
  std::string v = sqlite3_step(s) == SQLITE_ROW ? col_text(s, 0) : "";
  sqlite3_finalize(s);
  return v;
}

void State::set_meta(const std::string& key, const std::string& value) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &s, nullptr);
  put(s, 1, key);
  put(s, 2, value);
  sqlite3_step(s);
  sqlite3_finalize(s);
}

bool State::attach_previous(const std::string& dir) {
  auto path = (std::filesystem::path(dir) / "crawl.sqlite").string();
  if (!std::filesystem::exists(path)) return false;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db_, "ATTACH DATABASE ? AS prev", -1, &s, nullptr);
  std::string uri = path;
  put(s, 1, uri);
  bool ok = sqlite3_step(s) == SQLITE_DONE;
  sqlite3_finalize(s);
  if (!ok) return false;
  // The latest 200 of each URL that had a validator.
  sel_prev_ = prep(
      "SELECT etag, last_modified, record_id, final_url, fetched_at FROM prev.fetch WHERE final_url=? AND "
      "status=200 AND record_id IS NOT NULL AND (etag IS NOT NULL OR last_modified IS NOT NULL) "
      "ORDER BY fetch_id DESC LIMIT 1");
  has_prev_ = true;
  return true;
}

std::optional<PrevFetch> State::previous(const std::string& url) {
  if (!has_prev_) return std::nullopt;
  sqlite3_reset(sel_prev_);
  put(sel_prev_, 1, url);
  if (sqlite3_step(sel_prev_) != SQLITE_ROW) return std::nullopt;
  return PrevFetch{col_text(sel_prev_, 0), col_text(sel_prev_, 1), col_text(sel_prev_, 2),
                   col_text(sel_prev_, 3), col_text(sel_prev_, 4)};
}

}  // namespace odh::crawl
