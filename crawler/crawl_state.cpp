#include "crawler/crawl_state.h"

#include <strings.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/core.h"

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
-- the failed attempts of a pending request (non-final rows: few), so a resume keeps counting its retries
CREATE INDEX IF NOT EXISTS fetch_attempts ON fetch(frontier_id) WHERE final=0;
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

// portal_status of one site from its fetch rows and the status of its entry host (?1 site, ?2 origin,
// ?3 'shared-url' when an earlier site has the same entry URL, else NULL).
const char* kPortalStatus = R"sql(
INSERT OR REPLACE INTO portal_status
SELECT ?1,
  coalesce((SELECT status BETWEEN 200 AND 299 FROM fetch WHERE portal_id=?1 AND kind='home' AND final=1
            ORDER BY fetch_id LIMIT 1), 0),
  CASE WHEN EXISTS (SELECT 1 FROM fetch WHERE portal_id=?1 AND kind='home' AND final=1)
  THEN (SELECT CASE WHEN status BETWEEN 200 AND 299 THEN NULL
                    ELSE coalesce(error_class, 'http-' || status) END
          FROM fetch WHERE portal_id=?1 AND kind='home' AND final=1 ORDER BY fetch_id LIMIT 1)
  ELSE ?3 END,
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
  stmts_.reset();  // statements before the connection
  sel_prev_.reset();
  if (db_) sqlite3_close(db_);
}

void State::exec(const char* sql) { sql::exec(db_, sql); }

std::string State::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  auto path = (std::filesystem::path(dir) / "crawl.sqlite").string();
  existed_ = std::filesystem::exists(path);
  sql::configure_process();
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return "cannot open " + path;
  try {
    sqlite3_busy_timeout(db_, 5000);
    // WAL + NORMAL: a commit survives a killed process (not a power cut unless fsync is on).
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16000;");
    exec(kSchema);
    // A state db from before paused_until existed.
    bool has_paused_until = false;
    sql::Statement cols(db_, "SELECT 1 FROM pragma_table_info('host_status') WHERE name='paused_until'");
    has_paused_until = cols.step();
    if (!has_paused_until) exec("ALTER TABLE host_status ADD COLUMN paused_until REAL");
    stmts_ = std::make_unique<Stmts>(db_);
    // Retries and throttles already spent by pending requests (committed non-final exchanges of the
    // current hop: a redirect hop is a new frontier row), so a kill between attempts does not reset
    // them. Read once here: empty on a fresh crawl, a handful of rows on a resume.
    sql::Statement spent(db_,
                         "SELECT f.frontier_id, sum(coalesce(f.status,0)<>429), sum(f.status=429) FROM fetch f "
                         "JOIN frontier q ON q.id=f.frontier_id AND q.state=0 WHERE f.final=0 GROUP BY f.frontier_id");
    while (spent.step())
      spent_attempts_[spent.i64(0)] = {static_cast<int>(spent.i64(1)), static_cast<int>(spent.i64(2))};
  } catch (const std::exception& e) {
    return "crawl state " + path + ": " + e.what();
  }
  return "";
}

State::Stmts::Stmts(sqlite3* db)
    : ins_seen(db, "INSERT OR IGNORE INTO seen(key) VALUES(?)"),
      ins_front(db,
                "INSERT INTO frontier(site_id,host,url,fetch_url,method,body,headers,kind,meta,depth,priority,"
                "redirects) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"),
      upd_done(db, "UPDATE frontier SET state=? WHERE id=?"),
      sel_window(db,
                 "SELECT id,site_id,url,fetch_url,method,body,headers,kind,meta,depth,priority,redirects FROM "
                 "frontier WHERE host=? AND state=0 ORDER BY priority DESC, id LIMIT ?"),
      ins_fetch(db,
                "INSERT INTO fetch(frontier_id,portal_id,host,url,final_url,method,kind,status,content_type,charset,"
                "charset_source,bytes,warc_file,warc_offset,fetched_at,fetched_unix,depth,error_class,attempt,"
                "latency_ms,etag,last_modified,record_id,payload_digest,final) "
                "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
      ins_host(db, "INSERT OR REPLACE INTO host_status VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
      sel_host(db, "SELECT * FROM host_status WHERE host=?"),
      ins_warc(db, "INSERT OR REPLACE INTO warc_file(name,committed_bytes) VALUES(?,?)"),
      cnt_site(db, "SELECT count(*) FROM frontier WHERE site_id=? AND redirects=0"),
      // Prepared once: compiling this statement per site was a third of the CPU of a short 670-site crawl.
      portal_status(db, kPortalStatus) {}

void State::begin() { exec("BEGIN"); }
void State::commit() { exec("COMMIT"); }

std::int64_t State::enqueue(const FetchRequest& r, const std::string& host, const std::string& norm_url) {
  std::string key = r.method + " " + norm_url;
  if (!r.body.empty()) key += " #" + fnv_hex(r.body);
  // The same request with other cookies is another request (a spider re-issuing it after a
  // JS-cookie gate or an expired session, parsers/session_spider.h).
  for (const auto& [k, v] : r.headers)
    if (strcasecmp(k.c_str(), "Cookie") == 0) key += " cookie#" + fnv_hex(v);
  stmts_->ins_seen.bind(1, key).run();
  if (sql::changes(db_) == 0) return -1;
  Job j;
  j.req = r;
  j.host = host;
  j.fetch_url = r.url;
  return enqueue_hop(j);
}

std::int64_t State::enqueue_hop(const Job& j) {
  return stmts_->ins_front.bind(1, j.req.site_id)
      .bind(2, j.host)
      .bind(3, j.req.url)
      .bind(4, j.fetch_url)
      .bind(5, j.req.method)
      .bind(6, j.req.body)
      .bind(7, headers_json(j.req.headers))
      .bind(8, j.req.kind)
      .bind(9, j.req.meta)
      .bind(10, j.req.depth)
      .bind(11, j.req.priority)
      .bind(12, j.redirects)
      .run();
}

void State::mark_done(std::int64_t id, int state) { stmts_->upd_done.bind(1, state).bind(2, id).run(); }

std::vector<Job> State::load_window(const std::string& host, int n, std::int64_t) {
  std::vector<Job> out;
  auto& s = stmts_->sel_window;
  s.bind(1, host).bind(2, n);
  while (s.step()) {
    Job j;
    j.id = s.i64(0);
    j.req.site_id = s.text(1);
    j.req.url = s.text(2);
    j.fetch_url = s.text(3);
    j.req.method = s.text(4);
    j.req.body = s.text(5);
    j.req.headers = parse_headers_json(s.text(6));
    j.req.kind = s.text(7);
    j.req.meta = s.text(8);
    j.req.depth = static_cast<int>(s.i64(9));
    j.req.priority = static_cast<int>(s.i64(10));
    j.redirects = static_cast<int>(s.i64(11));
    if (auto it = spent_attempts_.find(j.id); it != spent_attempts_.end()) {
      j.retries = it->second.first;
      j.throttles = it->second.second;
    }
    j.host = host;
    out.push_back(std::move(j));
  }
  s.reset();
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> State::pending_hosts() {
  std::vector<std::pair<std::string, std::int64_t>> out;
  sql::Statement s(db_, "SELECT host, count(*) FROM frontier WHERE state=0 GROUP BY host");
  while (s.step()) out.emplace_back(s.text(0), s.i64(1));
  return out;
}

std::int64_t State::pending_count() {
  sql::Statement s(db_, "SELECT count(*) FROM frontier WHERE state=0");
  return s.step() ? s.i64(0) : 0;
}

std::int64_t State::site_enqueued(const std::string& site_id) {
  auto& s = stmts_->cnt_site;
  s.bind(1, site_id);
  std::int64_t n = s.step() ? s.i64(0) : 0;
  s.reset();
  return n;
}

bool State::site_started(const std::string& site_id) {
  sql::Statement s(db_, "SELECT started FROM site WHERE site_id=?");
  s.bind(1, site_id);
  return s.step() && s.i64(0) != 0;
}

void State::set_site_started(const std::string& site_id) {
  sql::Statement(db_, "INSERT OR REPLACE INTO site(site_id, started) VALUES(?, 1)").bind(1, site_id).run();
}

std::int64_t State::add_fetch(const FetchLogRow& f) {
  auto& s = stmts_->ins_fetch;
  if (f.frontier_id >= 0) s.bind(1, f.frontier_id);
  s.bind(2, f.site_id).bind(3, f.host).bind(4, f.url).bind(5, f.final_url).bind(6, f.method).bind(7, f.kind);
  if (f.status > 0) s.bind(8, f.status);
  if (!f.content_type.empty()) s.bind(9, f.content_type);
  if (!f.charset.empty()) s.bind(10, f.charset);
  if (!f.charset_source.empty()) s.bind(11, f.charset_source);
  s.bind(12, f.bytes);
  if (!f.warc_file.empty()) s.bind(13, f.warc_file).bind(14, f.warc_offset);
  s.bind(15, iso_time(f.fetched_at)).bind(16, f.fetched_at).bind(17, f.depth);
  if (!f.error_class.empty()) s.bind(18, f.error_class);
  s.bind(19, f.attempt).bind(20, f.latency_ms);
  if (!f.etag.empty()) s.bind(21, f.etag);
  if (!f.last_modified.empty()) s.bind(22, f.last_modified);
  if (!f.record_id.empty()) s.bind(23, f.record_id);
  if (!f.payload_digest.empty()) s.bind(24, f.payload_digest);
  return s.bind(25, f.final ? 1 : 0).run();
}

void State::save_host(const HostRow& h) {
  stmts_->ins_host.bind(1, h.host)
      .bind(2, h.site_id)
      .bind(3, h.robots)
      .bind_blob(4, h.robots_body)
      .bind(5, h.robots_fetched_at)
      .bind(6, h.r2xx)
      .bind(7, h.r3xx)
      .bind(8, h.r4xx)
      .bind(9, h.r5xx)
      .bind(10, h.rerr)
      .bind(11, h.pages)
      .bind(12, h.bytes)
      .bind(13, h.retries)
      .bind(14, h.throttled)
      .bind(15, h.backoff_s)
      .bind(16, h.latency_sum_ms)
      .bind(17, h.latency_n)
      .bind(18, h.paused ? 1 : 0)
      .bind(19, h.paused_until)
      .run();
}

std::optional<HostRow> State::load_host(const std::string& host) {
  auto& s = stmts_->sel_host;
  s.bind(1, host);
  if (!s.step()) {
    s.reset();
    return std::nullopt;
  }
  HostRow h;
  h.host = s.text(0);
  h.site_id = s.text(1);
  h.robots = s.text(2);
  h.robots_body = s.blob(3);
  h.robots_fetched_at = s.f64(4);
  h.r2xx = s.i64(5);
  h.r3xx = s.i64(6);
  h.r4xx = s.i64(7);
  h.r5xx = s.i64(8);
  h.rerr = s.i64(9);
  h.pages = s.i64(10);
  h.bytes = s.i64(11);
  h.retries = s.i64(12);
  h.throttled = s.i64(13);
  h.backoff_s = s.f64(14);
  h.latency_sum_ms = s.f64(15);
  h.latency_n = s.i64(16);
  h.paused = s.i64(17) != 0;
  h.paused_until = s.f64(18);
  s.reset();
  return h;
}

int State::unpause_hosts() {
  exec("BEGIN");
  exec(
      "UPDATE fetch SET final=0 WHERE final=1 AND error_class='host-paused' AND host IN "
      "(SELECT host FROM host_status WHERE paused=1);"
      "UPDATE frontier SET state=0 WHERE state=2 AND host IN (SELECT host FROM host_status WHERE paused=1);");
  exec("UPDATE host_status SET paused=0 WHERE paused=1");
  int n = sql::changes(db_);
  exec("COMMIT");
  return n;
}

void State::write_portal_status(const std::string& site_id, const std::string& origin,
                                const std::string& shared_with) {
  auto& st = stmts_->portal_status.bind(1, site_id).bind(2, origin);
  if (!shared_with.empty()) st.bind(3, "shared-url");
  st.run();
}

void State::set_warc_committed(const std::string& name, std::int64_t bytes) {
  stmts_->ins_warc.bind(1, name).bind(2, bytes).run();
}

std::vector<std::pair<std::string, std::int64_t>> State::warc_files() {
  std::vector<std::pair<std::string, std::int64_t>> out;
  sql::Statement s(db_, "SELECT name, committed_bytes FROM warc_file ORDER BY name");
  while (s.step()) out.emplace_back(s.text(0), s.i64(1));
  return out;
}

std::string State::meta(const std::string& key) {
  sql::Statement s(db_, "SELECT value FROM meta WHERE key=?");
  s.bind(1, key);
  return s.step() ? s.text(0) : "";
}

std::vector<std::pair<std::string, std::string>> State::meta_with_prefix(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  sql::Statement s(db_, "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ? ORDER BY key");
  s.bind(1, static_cast<std::int64_t>(prefix.size())).bind(2, prefix);
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

void State::set_meta(const std::string& key, const std::string& value) {
  sql::Statement(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)").bind(1, key).bind(2, value).run();
}

bool State::attach_previous(const std::string& dir) {
  auto path = (std::filesystem::path(dir) / "crawl.sqlite").string();
  if (!std::filesystem::exists(path)) return false;
  try {
    sql::Statement(db_, "ATTACH DATABASE ? AS prev").bind(1, path).run();
    // The latest 200 of each URL that had a validator.
    sel_prev_ = std::make_unique<sql::Statement>(
        db_,
        "SELECT etag, last_modified, record_id, final_url, fetched_at, warc_file, warc_offset FROM prev.fetch "
        "WHERE final_url=? AND status=200 AND record_id IS NOT NULL AND warc_file IS NOT NULL AND "
        "(etag IS NOT NULL OR last_modified IS NOT NULL) "
        "ORDER BY fetch_id DESC LIMIT 1");
  } catch (const Failure&) {
    return false;
  }
  return true;
}

std::optional<PrevFetch> State::previous(const std::string& url) {
  if (!sel_prev_) return std::nullopt;
  auto& s = *sel_prev_;
  s.bind(1, url);
  std::optional<PrevFetch> out;
  if (s.step()) out = PrevFetch{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.i64(6)};
  s.reset();
  return out;
}

std::optional<std::pair<std::string, std::int64_t>> State::previous_record(const std::string& record_id) {
  if (!sel_prev_ || record_id.empty()) return std::nullopt;
  sql::Statement s(db_, "SELECT warc_file, warc_offset FROM prev.fetch WHERE record_id=? AND warc_file IS NOT NULL LIMIT 1");
  s.bind(1, record_id);
  if (!s.step()) return std::nullopt;
  return std::make_pair(s.text(0), s.i64(1));
}

}  // namespace odh::crawl
