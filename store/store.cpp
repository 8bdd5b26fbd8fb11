#include "store/store.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <string_view>
#include <utility>
#include <variant>

#include "core/core.h"
#include "core/sql.h"

namespace odh::store_detail {
std::vector<std::pair<std::string_view, std::string_view>> embedded_migrations();
}

namespace odh {
namespace {

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// RAII prepared statement with positional binders that map empty strings/absent values to NULL.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw Failure(std::string("store: prepare: ") + sqlite3_errmsg(db) + " in: " + sql);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt& text(const std::string& v) {
    ++i_;
    if (v.empty())
      sqlite3_bind_null(s_, i_);
    else
      sqlite3_bind_text(s_, i_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& raw(const std::string& v) {  // "" stays '' (published but empty)
    sqlite3_bind_text(s_, ++i_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& i64(std::optional<std::int64_t> v) {
    ++i_;
    if (v)
      sqlite3_bind_int64(s_, i_, *v);
    else
      sqlite3_bind_null(s_, i_);
    return *this;
  }
  Stmt& real(std::optional<double> v) {
    ++i_;
    if (v)
      sqlite3_bind_double(s_, i_, *v);
    else
      sqlite3_bind_null(s_, i_);
    return *this;
  }
  // Executes and resets; returns last insert rowid.
  std::int64_t run() {
    int rc = sqlite3_step(s_);
    i_ = 0;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw Failure(std::string("store: ") + sqlite3_errmsg(db_));
    return sqlite3_last_insert_rowid(db_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int i_ = 0;
};

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) {
    if (t.empty()) continue;
    if (!out.empty()) out += ';';
    out += t;
  }
  return out;
}

}  // namespace

struct Store::Stmts {
  Stmt portal, fetch, dataset, field, dist, api, app, app_ds, topic, terms, issue, link;
  explicit Stmts(sqlite3* db)
      : portal(db,
               "INSERT OR REPLACE INTO portal(run_id,portal_id,seq,name,province,city,county,division_code,"
               "level,region,kind,family,url) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"),
        fetch(db,
              "INSERT INTO fetch(run_id,portal_id,url,method,kind,status,content_type,charset,charset_source,"
              "bytes,warc_file,warc_offset,fetched_at,depth,error_class) "
              "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
        dataset(
            db,
            "INSERT INTO dataset(run_id,portal_id,source_id,url,title,description,publisher,topic_raw,theme,"
            "issued,modified,frequency_raw,frequency,open_condition,tags,views,downloads,record_count,"
            "field_count,rating,rating_count,comment_count,fetch_id,depth) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
        field(db, "INSERT INTO dataset_field(dataset_pk,label,value,canonical) VALUES(?,?,?,?)"),
        dist(db, "INSERT INTO distribution(dataset_pk,format_raw,format,url,byte_size) VALUES(?,?,?,?,?)"),
        api(db,
            "INSERT INTO api(run_id,portal_id,source_id,title,publisher,url,dataset_pk,fetch_id) "
            "VALUES(?,?,?,?,?,?,?,?)"),
        app(db,
            "INSERT INTO app(run_id,portal_id,title,app_kind,developer,url,fetch_id) VALUES(?,?,?,?,?,?,?)"),
        app_ds(db, "INSERT INTO app_dataset(app_pk,dataset_pk,dataset_title) VALUES(?,NULL,?)"),
        topic(db,
              "INSERT INTO topic(run_id,portal_id,name_raw,theme,datasets) VALUES(?,?,?,?,?) "
              "ON CONFLICT(run_id,portal_id,name_raw) DO UPDATE SET theme=excluded.theme,"
              "datasets=COALESCE(excluded.datasets,topic.datasets)"),
        terms(
            db,
            "INSERT INTO terms(run_id,portal_id,url,aspect,verdict,evidence,fetch_id) VALUES(?,?,?,?,?,?,?)"),
        issue(db, "INSERT INTO parse_issue(run_id,portal_id,url,kind,message) VALUES(?,?,?,?,?)"),
        link(db, "INSERT INTO link(run_id,from_fetch_id,to_url) VALUES(?,?,?)") {}
};

// ---- write logs (open_log / append_log) -------------------------------------------------------

namespace {
struct TopicOp {
  std::string portal_id, name_raw, theme;
  std::optional<std::int64_t> datasets;
};
struct TermsOp {
  std::string portal_id, url, aspect, verdict, evidence;
  std::int64_t fetch_id;
};
struct IssueOp {
  std::string portal_id, url, kind, message;
};
struct LinkOp {
  std::int64_t from_fetch_id;
  std::string to_url;
};
}  // namespace

struct Store::Log {
  using Op = std::variant<PortalRow, FetchRow, DatasetRow, ApiRow, AppRow, TopicOp, TermsOp, IssueOp, LinkOp>;
  std::deque<Op> ops;  // a deque: rows are not moved as it grows
  std::int64_t fetches = 0, datasets = 0, apis = 0, apps = 0;
};

std::unique_ptr<Store> Store::open_log() {
  std::unique_ptr<Store> s(new Store());
  s->path_ = "(write log)";
  s->log_ = std::make_unique<Log>();
  return s;
}

void Store::append_log(Store& log, std::int64_t run_id) {
  if (!log.log_ || log_) throw Failure("store: append_log needs a log and a database");
  Log& l = *log.log_;
  std::vector<std::int64_t> fetch(static_cast<size_t>(l.fetches)), dataset(static_cast<size_t>(l.datasets));
  auto map = [](const std::vector<std::int64_t>& m, std::int64_t id) {
    return id >= 1 && id <= static_cast<std::int64_t>(m.size()) ? m[static_cast<size_t>(id - 1)] : id;
  };
  auto map_opt = [&](const std::vector<std::int64_t>& m, std::optional<std::int64_t>& id) {
    if (id) id = map(m, *id);
  };
  std::int64_t nf = 0, nd = 0;
  for (auto& op : l.ops) {
    if (auto* f = std::get_if<FetchRow>(&op)) {
      fetch[static_cast<size_t>(nf++)] = write_fetch(run_id, *f);
    } else if (auto* d = std::get_if<DatasetRow>(&op)) {
      map_opt(fetch, d->fetch_id);
      dataset[static_cast<size_t>(nd++)] = write_dataset(run_id, *d);
    } else if (auto* a = std::get_if<ApiRow>(&op)) {
      map_opt(fetch, a->fetch_id);
      map_opt(dataset, a->dataset_pk);
      write_api(run_id, *a);
    } else if (auto* a = std::get_if<AppRow>(&op)) {
      map_opt(fetch, a->fetch_id);
      write_app(run_id, *a);
    } else if (auto* k = std::get_if<LinkOp>(&op)) {
      write_link(run_id, map(fetch, k->from_fetch_id), k->to_url);
    } else if (auto* t = std::get_if<TopicOp>(&op)) {
      write_topic(run_id, t->portal_id, t->name_raw, t->theme, t->datasets);
    } else if (auto* t = std::get_if<TermsOp>(&op)) {
      write_terms(run_id, t->portal_id, t->url, t->aspect, t->verdict, t->evidence, map(fetch, t->fetch_id));
    } else if (auto* i = std::get_if<IssueOp>(&op)) {
      write_issue(run_id, i->portal_id, i->url, i->kind, i->message);
    } else if (auto* p = std::get_if<PortalRow>(&op)) {
      write_portal(run_id, *p);
    }
  }
  log.log_ = std::make_unique<Log>();
}

std::unique_ptr<Store> Store::open(const std::string& path, const StoreOptions& options) {
  std::unique_ptr<Store> s(new Store());
  s->path_ = path;
  s->batch_ = options.batch > 0 ? options.batch : 1;
  int flags = options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &s->db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = s->db_ ? sqlite3_errmsg(s->db_) : "out of memory";
    throw Failure("store: cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(s->db_, 5000);
  if (options.read_only) return s;
  s->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;");
  s->exec(
      "CREATE TABLE IF NOT EXISTS schema_migration(version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
      " applied_at TEXT NOT NULL)");
  int have = s->schema_version();
  auto migs = store_detail::embedded_migrations();
  for (int v = have + 1; v <= static_cast<int>(migs.size()); ++v) {
    const auto& [name, sql] = migs[v - 1];
    s->exec("BEGIN");
    try {
      s->exec(std::string(sql));
      s->exec("INSERT INTO schema_migration VALUES(" + std::to_string(v) + ",'" + std::string(name) + "','" +
              now_iso() + "'); PRAGMA user_version=" + std::to_string(v));
      s->exec("COMMIT");
    } catch (...) {
      sqlite3_exec(s->db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  s->create_pending_indexes();  // after a bulk load that did not finish
  s->st_ = std::make_unique<Stmts>(s->db_);
  return s;
}

void Store::create_pending_indexes() {
  if (query_text("SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='store_pending_index'") !=
      "1")
    return;
  for (auto& row : query("SELECT name, sql FROM store_pending_index ORDER BY name")) {
    if (query_text("SELECT COUNT(*) FROM sqlite_master WHERE type='index' AND name='" + row[0] + "'") == "0")
      exec(row[1]);
  }
  exec("DELETE FROM store_pending_index");
}

bool Store::begin_bulk_load() {
  if (log_ || bulk_) return false;
  static const char* kTables[] = {"fetch", "dataset", "dataset_field", "distribution", "link"};
  for (const char* t : kTables)
    if (query_text(std::string("SELECT EXISTS(SELECT 1 FROM ") + t + ")") != "0") return false;
  std::string in;
  for (const char* t : kTables) in += std::string(in.empty() ? "'" : ",'") + t + "'";
  auto idx =
      query("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN (" +
            in + ")");
  exec("CREATE TABLE IF NOT EXISTS store_pending_index(name TEXT PRIMARY KEY, sql TEXT NOT NULL)");
  exec("BEGIN");
  try {
    for (auto& row : idx) {
      Stmt ins(db_, "INSERT OR REPLACE INTO store_pending_index VALUES(?,?)");
      ins.raw(row[0]).raw(row[1]).run();
      exec("DROP INDEX \"" + row[0] + "\"");
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  exec("PRAGMA synchronous=OFF; PRAGMA cache_size=-65536");  // 64 MiB: index builds sort in memory
  bulk_ = true;
  return true;
}

void Store::end_bulk_load() {
  if (!bulk_) return;
  bulk_ = false;
  flush();
  exec("BEGIN");
  try {
    create_pending_indexes();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  exec("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-2000");
}

Store::~Store() {
  try {
    flush();
  } catch (...) {
  }
  st_.reset();
  sqlite3_close(db_);
}

int Store::schema_version() const {
  sqlite3_stmt* s = nullptr;
  int v = 0;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

int Store::latest_version() { return static_cast<int>(store_detail::embedded_migrations().size()); }

void Store::exec(const std::string& sql) {
  if (log_) throw Failure("store: exec on a write log");
  if (in_tx_ && st_) flush();
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    throw Failure("store: " + path_ + ": " + msg);
  }
}

std::vector<std::vector<std::string>> Store::query(const std::string& sql) {
  if (log_) throw Failure("store: query on a write log");
  flush();
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    throw Failure(std::string("store: ") + sqlite3_errmsg(db_));
  std::vector<std::vector<std::string>> rows;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(s); ++i) {
      auto* t = sqlite3_column_text(s, i);
      row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) throw Failure(std::string("store: ") + sqlite3_errmsg(db_));
  return rows;
}

std::string Store::query_text(const std::string& sql) {
  auto rows = query(sql);
  return rows.empty() || rows[0].empty() ? "" : rows[0][0];
}

void Store::begin_if_needed() {
  if (in_tx_) return;
  char* err = nullptr;
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    throw Failure("store: begin: " + msg);
  }
  in_tx_ = true;
}

void Store::wrote() {
  if (++pending_ >= batch_) flush();
}

void Store::flush() {
  if (!in_tx_) return;
  in_tx_ = false;
  pending_ = 0;
  char* err = nullptr;
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    throw Failure("store: commit: " + msg);
  }
}

std::int64_t Store::begin_run(const std::string& label, const std::string& source,
                              const std::string& sites_file) {
  if (log_) throw Failure("store: begin_run on a write log");
  flush();
  Stmt s(db_, "INSERT INTO run(label,started_at,source,sites_file,odh_version) VALUES(?,?,?,?,?)");
  return s.text(label).text(now_iso()).text(source).text(sites_file).text(version_string()).run();
}

std::int64_t Store::latest_run(bool finished) {
  if (log_) throw Failure("store: latest_run on a write log");
  flush();
  sql::Statement s(db_, finished ? "SELECT max(run_id) FROM run WHERE finished_at IS NOT NULL"
                                 : "SELECT max(run_id) FROM run");
  return s.step() && !s.is_null(0) ? s.i64(0) : 0;
}

std::map<std::string, std::int64_t> Store::datasets_by_portal(std::int64_t run_id) {
  if (log_) throw Failure("store: datasets_by_portal on a write log");
  flush();
  std::map<std::string, std::int64_t> out;
  sql::Statement s(db_, "SELECT portal_id, COUNT(*) FROM dataset WHERE run_id=? GROUP BY portal_id");
  s.bind(1, run_id);
  while (s.step()) out[s.text(0)] = s.i64(1);
  return out;
}

void Store::finish_run(std::int64_t run_id) {
  if (log_) throw Failure("store: finish_run on a write log");
  flush();
  Stmt s(db_, "UPDATE run SET finished_at=? WHERE run_id=?");
  s.text(now_iso()).i64(run_id).run();
}

void Store::write_portal(std::int64_t run_id, const PortalRow& p) {
  if (log_) return log_->ops.emplace_back(p), void();
  begin_if_needed();
  st_->portal.i64(run_id)
      .text(p.portal_id)
      .i64(p.seq)
      .text(p.name)
      .text(p.province)
      .text(p.city)
      .text(p.county)
      .text(p.division_code)
      .text(p.level)
      .text(p.region)
      .text(p.kind)
      .text(p.family)
      .text(p.url)
      .run();
  wrote();
}

std::int64_t Store::write_fetch(std::int64_t run_id, const FetchRow& f) {
  if (log_) return log_->ops.emplace_back(f), ++log_->fetches;
  begin_if_needed();
  auto id = st_->fetch.i64(run_id)
                .text(f.portal_id)
                .text(f.url)
                .text(f.method)
                .text(f.kind)
                .i64(f.status ? std::optional<std::int64_t>(f.status) : std::nullopt)
                .text(f.content_type)
                .text(f.charset)
                .text(f.charset_source)
                .i64(f.bytes)
                .text(f.warc_file)
                .i64(f.warc_offset >= 0 ? std::optional<std::int64_t>(f.warc_offset) : std::nullopt)
                .text(f.fetched_at)
                .i64(f.depth)
                .text(f.error_class)
                .run();
  wrote();
  return id;
}

std::int64_t Store::write_dataset(std::int64_t run_id, const DatasetRow& d) {
  if (log_) return log_->ops.emplace_back(d), ++log_->datasets;
  begin_if_needed();
  auto pk = st_->dataset.i64(run_id)
                .text(d.portal_id)
                .text(d.source_id)
                .text(d.url)
                .text(d.title)
                .text(d.description)
                .text(d.publisher)
                .text(d.topic_raw)
                .text(d.theme)
                .text(d.issued)
                .text(d.modified)
                .text(d.frequency_raw)
                .text(d.frequency)
                .text(d.open_condition)
                .text(join_tags(d.tags))
                .i64(d.views)
                .i64(d.downloads)
                .i64(d.record_count)
                .i64(d.field_count)
                .real(d.rating)
                .i64(d.rating_count)
                .i64(d.comment_count)
                .i64(d.fetch_id)
                .i64(d.depth >= 0 ? std::optional<std::int64_t>(d.depth) : std::nullopt)
                .run();
  for (const auto& f : d.fields) {
    // value "" is a published-but-empty value: keep it as '' (not NULL) so presence is measurable.
    st_->field.i64(pk).raw(f.label).raw(f.value).text(f.canonical).run();
  }
  for (const auto& x : d.distributions)
    st_->dist.i64(pk).text(x.format_raw).text(x.format).text(x.url).i64(x.byte_size).run();
  wrote();
  return pk;
}

std::int64_t Store::write_api(std::int64_t run_id, const ApiRow& a) {
  if (log_) return log_->ops.emplace_back(a), ++log_->apis;
  begin_if_needed();
  auto id = st_->api.i64(run_id)
                .text(a.portal_id)
                .text(a.source_id)
                .text(a.title)
                .text(a.publisher)
                .text(a.url)
                .i64(a.dataset_pk)
                .i64(a.fetch_id)
                .run();
  wrote();
  return id;
}

std::int64_t Store::write_app(std::int64_t run_id, const AppRow& a) {
  if (log_) return log_->ops.emplace_back(a), ++log_->apps;
  begin_if_needed();
  auto id = st_->app.i64(run_id)
                .text(a.portal_id)
                .text(a.title)
                .text(a.app_kind)
                .text(a.developer)
                .text(a.url)
                .i64(a.fetch_id)
                .run();
  for (const auto& t : a.dataset_titles) st_->app_ds.i64(id).text(t).run();
  wrote();
  return id;
}

void Store::write_topic(std::int64_t run_id, const std::string& portal_id, const std::string& name_raw,
                        const std::string& theme, std::optional<std::int64_t> datasets) {
  if (log_) return log_->ops.emplace_back(TopicOp{portal_id, name_raw, theme, datasets}), void();
  begin_if_needed();
  st_->topic.i64(run_id).text(portal_id).text(name_raw).text(theme).i64(datasets).run();
  wrote();
}

void Store::write_terms(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                        const std::string& aspect, const std::string& verdict, const std::string& evidence,
                        std::int64_t fetch_id) {
  if (log_)
    return log_->ops.emplace_back(TermsOp{portal_id, url, aspect, verdict, evidence, fetch_id}), void();
  begin_if_needed();
  st_->terms.i64(run_id)
      .text(portal_id)
      .text(url)
      .text(aspect)
      .text(verdict)
      .text(evidence)
      .i64(fetch_id >= 0 ? std::optional<std::int64_t>(fetch_id) : std::nullopt)
      .run();
  wrote();
}

void Store::write_issue(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                        const std::string& kind, const std::string& message) {
  if (log_) return log_->ops.emplace_back(IssueOp{portal_id, url, kind, message}), void();
  begin_if_needed();
  st_->issue.i64(run_id).text(portal_id).text(url).text(kind).text(message.substr(0, 500)).run();
  wrote();
}

void Store::write_link(std::int64_t run_id, std::int64_t from_fetch_id, const std::string& to_url) {
  if (log_) return log_->ops.emplace_back(LinkOp{from_fetch_id, to_url}), void();
  begin_if_needed();
  st_->link.i64(run_id).i64(from_fetch_id).text(to_url).run();
  wrote();
}

}  // namespace odh
