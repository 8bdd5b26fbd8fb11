#include "store/store.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <algorithm>
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
  sql::Statement portal, fetch, dataset, field, dist, api, app, app_ds, topic, terms, issue, link, file_check;
  explicit Stmts(sqlite3* db)
      : portal(db,
               "INSERT OR REPLACE INTO portal(run_id,portal_id,seq,name,province,city,county,division_code,"
               "level,region,kind,family,url) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)"),
        fetch(db,
              "INSERT INTO fetch(run_id,portal_id,url,method,kind,status,content_type,charset,charset_source,"
              "bytes,warc_file,warc_offset,fetched_at,depth,error_class,revisit_of_file,revisit_of_offset) "
              "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
        dataset(
            db,
            "INSERT INTO dataset(run_id,portal_id,source_id,url,title,description,publisher,topic_raw,theme,"
            "issued,modified,frequency_raw,frequency,open_condition,tags,views,downloads,record_count,"
            "field_count,rating,rating_count,comment_count,fetch_id,depth,list_stamp,carried_from) "
            "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
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
        link(db, "INSERT INTO link(run_id,from_fetch_id,to_url) VALUES(?,?,?)"),
        file_check(db,
                   "UPDATE distribution SET live=?,link_class=?,link_evidence=?,sniffed_format=?,mime=?,"
                   "machine_readable=?,stars=?,format_matches=?,rows=?,columns=?,rows_lower_bound=?,encoding=?,"
                   "fetch_id=? WHERE url=? AND dataset_pk IN "
                   "(SELECT dataset_pk FROM dataset WHERE run_id=? AND portal_id=?)") {}
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
struct FileCheckOp {
  std::string portal_id, url;
  FileCheck check;
};
}  // namespace

struct Store::Log {
  using Op = std::variant<PortalRow, FetchRow, DatasetRow, ApiRow, AppRow, TopicOp, TermsOp, IssueOp, LinkOp, FileCheckOp>;
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
    } else if (auto* c = std::get_if<FileCheckOp>(&op)) {
      c->check.fetch_id = map(fetch, c->check.fetch_id);
      write_file_check(run_id, c->portal_id, c->url, c->check);
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
  sql::configure_process();
  // No per-call connection mutex: a Store is used by one thread at a time.
  int flags = (options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) |
              SQLITE_OPEN_NOMUTEX;
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
      sql::Statement ins(db_, "INSERT OR REPLACE INTO store_pending_index VALUES(?,?)");
      ins.arg_raw(row[0]).arg_raw(row[1]).run();
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
  sql::Statement s(db_, "INSERT INTO run(label,started_at,source,sites_file,odh_version) VALUES(?,?,?,?,?)");
  return s.arg_text(label).arg_text(now_iso()).arg_text(source).arg_text(sites_file).arg_text(version_string()).run();
}

std::int64_t Store::latest_run(bool finished) {
  if (log_) throw Failure("store: latest_run on a write log");
  flush();
  sql::Statement s(db_, finished ? "SELECT max(run_id) FROM run WHERE finished_at IS NOT NULL"
                                 : "SELECT max(run_id) FROM run");
  return s.step() && !s.is_null(0) ? s.i64(0) : 0;
}

bool Store::run_finished(std::int64_t run_id) {
  if (log_) throw Failure("store: run_finished on a write log");
  sql::Statement s(db_, "SELECT finished_at IS NOT NULL FROM run WHERE run_id=?");
  s.bind(1, run_id);
  return s.step() && s.i64(0) != 0;
}

std::map<std::string, std::pair<std::int64_t, std::string>> Store::list_stamps(std::int64_t run_id,
                                                                                const std::string& portal_id) {
  if (log_) throw Failure("store: list_stamps on a write log");
  std::map<std::string, std::pair<std::int64_t, std::string>> out;
  sql::Statement s(db_,
                   "SELECT source_id, dataset_pk, list_stamp FROM dataset WHERE run_id=? AND portal_id=? AND "
                   "source_id IS NOT NULL AND list_stamp IS NOT NULL ORDER BY dataset_pk");
  s.bind(1, run_id).bind(2, portal_id);
  while (s.step()) out.try_emplace(s.text(0), s.i64(1), s.text(2));
  return out;
}

std::optional<DatasetRow> Store::dataset_row(std::int64_t dataset_pk) {
  if (log_) throw Failure("store: dataset_row on a write log");
  sql::Statement s(db_,
                   "SELECT portal_id,source_id,url,title,description,publisher,topic_raw,theme,issued,modified,"
                   "frequency_raw,frequency,open_condition,tags,views,downloads,record_count,field_count,rating,"
                   "rating_count,comment_count,fetch_id,depth,list_stamp,carried_from FROM dataset WHERE dataset_pk=?");
  s.bind(1, dataset_pk);
  if (!s.step()) return std::nullopt;
  DatasetRow d;
  std::string* text[] = {&d.portal_id, &d.source_id, &d.url, &d.title, &d.description, &d.publisher,
                         &d.topic_raw, &d.theme, &d.issued, &d.modified, &d.frequency_raw, &d.frequency,
                         &d.open_condition};
  for (int i = 0; i < 13; ++i) *text[i] = s.text(i);
  std::string tags = s.text(13);
  for (size_t i = 0; i < tags.size();) {
    size_t e = tags.find(';', i);
    if (e == std::string::npos) e = tags.size();
    if (e > i) d.tags.push_back(tags.substr(i, e - i));
    i = e + 1;
  }
  d.views = s.opt_i64(14);
  d.downloads = s.opt_i64(15);
  d.record_count = s.opt_i64(16);
  d.field_count = s.opt_i64(17);
  d.rating = s.opt_f64(18);
  d.rating_count = s.opt_i64(19);
  d.comment_count = s.opt_i64(20);
  d.fetch_id = s.opt_i64(21);
  d.depth = s.is_null(22) ? -1 : static_cast<int>(s.i64(22));
  d.list_stamp = s.text(23);
  d.carried_from = s.opt_i64(24);
  sql::Statement f(db_, "SELECT label, value, canonical FROM dataset_field WHERE dataset_pk=? ORDER BY rowid");
  f.bind(1, dataset_pk);
  while (f.step()) d.fields.push_back({f.text(0), f.text(1), f.text(2)});
  sql::Statement x(db_,
                   "SELECT format_raw, format, url, byte_size FROM distribution WHERE dataset_pk=? ORDER BY "
                   "distribution_pk");
  x.bind(1, dataset_pk);
  while (x.step()) d.distributions.push_back({x.text(0), x.text(1), x.text(2), x.opt_i64(3)});
  return d;
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
  sql::Statement s(db_, "UPDATE run SET finished_at=? WHERE run_id=?");
  s.arg_text(now_iso()).arg(run_id).run();
}

void Store::set_run_started_at(std::int64_t run_id, const std::string& started_at) {
  if (log_) throw Failure("store: set_run_started_at on a write log");
  flush();
  sql::Statement s(db_, "UPDATE run SET started_at=? WHERE run_id=?");
  s.arg_text(started_at).arg(run_id).run();
}

void Store::write_portal(std::int64_t run_id, const PortalRow& p) {
  if (log_) return log_->ops.emplace_back(p), void();
  begin_if_needed();
  st_->portal.arg(run_id)
      .arg_text(p.portal_id)
      .arg(p.seq)
      .arg_text(p.name)
      .arg_text(p.province)
      .arg_text(p.city)
      .arg_text(p.county)
      .arg_text(p.division_code)
      .arg_text(p.level)
      .arg_text(p.region)
      .arg_text(p.kind)
      .arg_text(p.family)
      .arg_text(p.url)
      .run();
  wrote();
}

std::int64_t Store::write_fetch(std::int64_t run_id, const FetchRow& f) {
  if (log_) return log_->ops.emplace_back(f), ++log_->fetches;
  begin_if_needed();
  auto id = st_->fetch.arg(run_id)
                .arg_text(f.portal_id)
                .arg_text(f.url)
                .arg_text(f.method)
                .arg_text(f.kind)
                .arg(f.status ? std::optional<std::int64_t>(f.status) : std::nullopt)
                .arg_text(f.content_type)
                .arg_text(f.charset)
                .arg_text(f.charset_source)
                .arg(f.bytes)
                .arg_text(f.warc_file)
                .arg(f.warc_offset >= 0 ? std::optional<std::int64_t>(f.warc_offset) : std::nullopt)
                .arg_text(f.fetched_at)
                .arg(f.depth)
                .arg_text(f.error_class)
                .arg_text(f.revisit_of_file)
                .arg(f.revisit_of_offset >= 0 ? std::optional<std::int64_t>(f.revisit_of_offset) : std::nullopt)
                .run();
  wrote();
  return id;
}

std::int64_t Store::write_dataset(std::int64_t run_id, const DatasetRow& d) {
  if (log_) return log_->ops.emplace_back(d), ++log_->datasets;
  begin_if_needed();
  auto pk = st_->dataset.arg(run_id)
                .arg_text(d.portal_id)
                .arg_text(d.source_id)
                .arg_text(d.url)
                .arg_text(d.title)
                .arg_text(d.description)
                .arg_text(d.publisher)
                .arg_text(d.topic_raw)
                .arg_text(d.theme)
                .arg_text(d.issued)
                .arg_text(d.modified)
                .arg_text(d.frequency_raw)
                .arg_text(d.frequency)
                .arg_text(d.open_condition)
                .arg_text(join_tags(d.tags))
                .arg(d.views)
                .arg(d.downloads)
                .arg(d.record_count)
                .arg(d.field_count)
                .arg(d.rating)
                .arg(d.rating_count)
                .arg(d.comment_count)
                .arg(d.fetch_id)
                .arg(d.depth >= 0 ? std::optional<std::int64_t>(d.depth) : std::nullopt)
                .arg_text(d.list_stamp)
                .arg(d.carried_from)
                .run();
  for (const auto& f : d.fields) {
    // value "" is a published-but-empty value: keep it as '' (not NULL) so presence is measurable.
    st_->field.arg(pk).arg_raw(f.label).arg_raw(f.value).arg_text(f.canonical).run();
  }
  for (const auto& x : d.distributions)
    st_->dist.arg(pk).arg_text(x.format_raw).arg_text(x.format).arg_text(x.url).arg(x.byte_size).run();
  wrote();
  return pk;
}

std::int64_t Store::write_api(std::int64_t run_id, const ApiRow& a) {
  if (log_) return log_->ops.emplace_back(a), ++log_->apis;
  begin_if_needed();
  auto id = st_->api.arg(run_id)
                .arg_text(a.portal_id)
                .arg_text(a.source_id)
                .arg_text(a.title)
                .arg_text(a.publisher)
                .arg_text(a.url)
                .arg(a.dataset_pk)
                .arg(a.fetch_id)
                .run();
  wrote();
  return id;
}

std::int64_t Store::write_app(std::int64_t run_id, const AppRow& a) {
  if (log_) return log_->ops.emplace_back(a), ++log_->apps;
  begin_if_needed();
  auto id = st_->app.arg(run_id)
                .arg_text(a.portal_id)
                .arg_text(a.title)
                .arg_text(a.app_kind)
                .arg_text(a.developer)
                .arg_text(a.url)
                .arg(a.fetch_id)
                .run();
  for (const auto& t : a.dataset_titles) st_->app_ds.arg(id).arg_text(t).run();
  wrote();
  return id;
}

void Store::write_topic(std::int64_t run_id, const std::string& portal_id, const std::string& name_raw,
                        const std::string& theme, std::optional<std::int64_t> datasets) {
  if (log_) return log_->ops.emplace_back(TopicOp{portal_id, name_raw, theme, datasets}), void();
  begin_if_needed();
  st_->topic.arg(run_id).arg_text(portal_id).arg_text(name_raw).arg_text(theme).arg(datasets).run();
  wrote();
}

void Store::write_terms(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                        const std::string& aspect, const std::string& verdict, const std::string& evidence,
                        std::int64_t fetch_id) {
  if (log_)
    return log_->ops.emplace_back(TermsOp{portal_id, url, aspect, verdict, evidence, fetch_id}), void();
  begin_if_needed();
  st_->terms.arg(run_id)
      .arg_text(portal_id)
      .arg_text(url)
      .arg_text(aspect)
      .arg_text(verdict)
      .arg_text(evidence)
      .arg(fetch_id >= 0 ? std::optional<std::int64_t>(fetch_id) : std::nullopt)
      .run();
  wrote();
}

void Store::write_file_check(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                             const FileCheck& c) {
  if (log_) return log_->ops.emplace_back(FileCheckOp{portal_id, url, c}), void();
  begin_if_needed();
  st_->file_check.arg(c.live)
      .arg_text(c.link_class)
      .arg_text(c.link_evidence.substr(0, 300))
      .arg_text(c.sniffed_format)
      .arg_text(c.mime)
      .arg(c.machine_readable)
      .arg(c.stars)
      .arg(c.format_matches)
      .arg(c.rows)
      .arg(c.columns)
      .arg(c.rows_lower_bound)
      .arg_text(c.encoding)
      .arg(c.fetch_id >= 0 ? std::optional<std::int64_t>(c.fetch_id) : std::nullopt)
      .arg_text(url)
      .arg(run_id)
      .arg_text(portal_id)
      .run();
  wrote();
}

void Store::carry_file_checks(std::int64_t to_pk, std::int64_t from_pk) {
  if (log_) throw Failure("store: carry_file_checks on a write log");
  begin_if_needed();
  sql::Statement(db_,
                 "UPDATE distribution SET (live, link_class, link_evidence, sniffed_format, mime, machine_readable, "
                 "stars, format_matches, rows, columns, rows_lower_bound, encoding, fetch_id) = (SELECT o.live, "
                 "o.link_class, o.link_evidence, o.sniffed_format, o.mime, o.machine_readable, o.stars, "
                 "o.format_matches, o.rows, o.columns, o.rows_lower_bound, o.encoding, o.fetch_id FROM distribution o "
                 "WHERE o.dataset_pk = ?1 AND o.url = distribution.url AND o.link_class IS NOT NULL LIMIT 1) "
                 "WHERE dataset_pk = ?2 AND url IS NOT NULL AND EXISTS (SELECT 1 FROM distribution o WHERE "
                 "o.dataset_pk = ?1 AND o.url = distribution.url AND o.link_class IS NOT NULL)")
      .bind(1, from_pk)
      .bind(2, to_pk)
      .run();
  wrote();
}

void Store::write_issue(std::int64_t run_id, const std::string& portal_id, const std::string& url,
                        const std::string& kind, const std::string& message) {
  if (log_) return log_->ops.emplace_back(IssueOp{portal_id, url, kind, message}), void();
  begin_if_needed();
  st_->issue.arg(run_id).arg_text(portal_id).arg_text(url).arg_text(kind).arg_text(message.substr(0, 500)).run();
  wrote();
}

void Store::write_link(std::int64_t run_id, std::int64_t from_fetch_id, const std::string& to_url) {
  if (log_) return log_->ops.emplace_back(LinkOp{from_fetch_id, to_url}), void();
  begin_if_needed();
  st_->link.arg(run_id).arg(from_fetch_id).arg_text(to_url).run();
  wrote();
}

// ---- portal status and metrics ------------------------------------------------------------------

void Store::write_portal_status(std::int64_t run_id, const std::vector<PortalCounters>& counters) {
  if (log_) throw Failure("store: write_portal_status on a write log");
  flush();
  exec("BEGIN");
  try {
    // Reachable = at least one 2xx answer; otherwise the most frequent error class (or http-NNN).
    sql::Statement(db_,
                   "INSERT OR REPLACE INTO portal_status(run_id, portal_id, reachable, error_class, pages, bytes, "
                   "requests_2xx, requests_3xx, requests_4xx, requests_5xx, requests_err) "
                   "SELECT p.run_id, p.portal_id, "
                   " COALESCE(MAX(f.status BETWEEN 200 AND 299), 0), NULL, "
                   " COALESCE(SUM(f.status BETWEEN 200 AND 299), 0), COALESCE(SUM(CASE WHEN f.status BETWEEN 200 "
                   "   AND 299 THEN f.bytes END), 0), "
                   " COALESCE(SUM(f.status BETWEEN 200 AND 299), 0), COALESCE(SUM(f.status BETWEEN 300 AND 399), 0), "
                   " COALESCE(SUM(f.status BETWEEN 400 AND 499), 0), COALESCE(SUM(f.status >= 500), 0), "
                   " COALESCE(SUM(f.status IS NULL OR f.status = 0), 0) "
                   "FROM portal p LEFT JOIN fetch f ON f.run_id = p.run_id AND f.portal_id = p.portal_id "
                   "WHERE p.run_id = ? GROUP BY p.portal_id")
        .bind(1, run_id)
        .run();
    sql::Statement(db_,
                   "UPDATE portal_status SET error_class = COALESCE("
                   " (SELECT f.error_class FROM fetch f WHERE f.run_id = portal_status.run_id AND "
                   "  f.portal_id = portal_status.portal_id AND f.error_class IS NOT NULL AND f.error_class <> '' "
                   "  GROUP BY f.error_class ORDER BY COUNT(*) DESC, f.error_class LIMIT 1),"
                   " (SELECT 'http-' || f.status FROM fetch f WHERE f.run_id = portal_status.run_id AND "
                   "  f.portal_id = portal_status.portal_id AND f.status >= 300 "
                   "  GROUP BY f.status ORDER BY COUNT(*) DESC, f.status LIMIT 1), "
                   // Appendix 1 prints some counties with their city's address: the page is fetched once,
                   // for the portal listed first, and the others say so rather than "not crawled".
                   " (SELECT 'shared-url' FROM portal me JOIN portal q ON q.run_id = me.run_id AND q.url = me.url "
                   "  AND q.portal_id <> me.portal_id WHERE me.run_id = portal_status.run_id AND "
                   "  me.portal_id = portal_status.portal_id AND EXISTS (SELECT 1 FROM fetch f WHERE "
                   "  f.run_id = q.run_id AND f.portal_id = q.portal_id) LIMIT 1), 'not-crawled') "
                   "WHERE run_id = ? AND reachable = 0")
        .bind(1, run_id)
        .run();
    sql::Statement up(db_,
                      "UPDATE portal_status SET robots=?, retries=?, backoff_s=?, mean_latency_ms=?, paused=? "
                      "WHERE run_id=? AND portal_id=?");
    for (const auto& c : counters)
      up.bind(1, c.robots)
          .bind(2, c.retries)
          .bind(3, c.backoff_s)
          .bind(4, c.mean_latency_ms)
          .bind(5, c.paused ? 1 : 0)
          .bind(6, run_id)
          .bind(7, c.portal_id)
          .run();
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Store::begin_metrics(std::int64_t) {
  if (log_) throw Failure("store: begin_metrics on a write log");
  flush();
  // RESERVED lets the readers go on (WAL); with cache_spill off the dirty pages stay in memory until
  // COMMIT, so a long dataset_quality write never waits for them.
  // A large page cache for the million-row table (and no spill, see above).
  exec("PRAGMA cache_spill=OFF; PRAGMA cache_size=-262144; PRAGMA mmap_size=4294967296");
  exec("BEGIN IMMEDIATE");
  in_metrics_ = true;
}

void Store::write_dataset_quality(std::int64_t run_id, const std::vector<DatasetQualityRow>& rows) {
  const bool own = !in_metrics_;
  if (own) begin_metrics(run_id);
  sql::Statement(db_, "DELETE FROM dataset_quality WHERE run_id=?").bind(1, run_id).run();
  // Rows in dataset_pk (= rowid) order: every insert appends to the table's B-tree.
  sql::Statement ins(db_,
                     "INSERT OR REPLACE INTO dataset_quality(dataset_pk, run_id, findability, accessibility, "
                     "interoperability, reusability, contextuality, total, band) VALUES (?,?,?,?,?,?,?,?,?)");
  for (auto& d : rows)
    ins.bind(1, d.dataset_pk)
        .bind(2, run_id)
        .bind(3, d.findability)
        .bind(4, d.accessibility)
        .bind(5, d.interoperability)
        .bind(6, d.reusability)
        .bind(7, d.contextuality)
        .bind(8, d.total())
        .bind(9, d.band)
        .run();
  if (own) commit_metrics(run_id, {}, false);
}

void Store::commit_metrics(std::int64_t run_id, const std::vector<IndicatorRow>& rows, bool indicators) {
  if (!in_metrics_) begin_metrics(run_id);
  try {
    if (indicators) {
      sql::Statement(db_, "DELETE FROM indicator WHERE run_id=?").bind(1, run_id).run();
      // In primary-key order: each insert appends to the key's B-tree instead of splitting pages all over.
      std::vector<const IndicatorRow*> sorted;
      sorted.reserve(rows.size());
      for (auto& r : rows) sorted.push_back(&r);
      std::stable_sort(sorted.begin(), sorted.end(), [](const IndicatorRow* a, const IndicatorRow* b) {
        if (int c = a->scope.compare(b->scope)) return c < 0;
        if (int c = a->scope_key.compare(b->scope_key)) return c < 0;
        return a->indicator < b->indicator;
      });
      sql::Statement ins(db_,
                         "INSERT OR REPLACE INTO indicator(run_id, scope, scope_key, indicator, value, value_text, "
                         "unit, n) VALUES (?,?,?,?,?,?,?,?)");
      for (const IndicatorRow* r : sorted) {
        ins.bind(1, run_id).bind(2, r->scope).bind(3, r->scope_key).bind(4, r->indicator).bind(5, r->value);
        if (r->value_text.empty())
          ins.bind_null(6);
        else
          ins.bind(6, r->value_text);
        ins.bind(7, r->unit).bind(8, r->n).run();
      }
    }
    exec("COMMIT");
    in_metrics_ = false;
    exec("PRAGMA cache_spill=ON; PRAGMA cache_size=-2000");
  } catch (...) {
    abort_metrics();
    throw;
  }
}

void Store::abort_metrics() {
  if (!in_metrics_) return;
  in_metrics_ = false;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_exec(db_, "PRAGMA cache_spill=ON; PRAGMA cache_size=-2000", nullptr, nullptr, nullptr);
}

}  // namespace odh
