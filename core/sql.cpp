#include "core/sql.h"

#include <sqlite3.h>

#include <cmath>

#include "core/core.h"

namespace odh::sql {
namespace {

std::string shorten(std::string_view sql) {
  return std::string(sql.substr(0, 200)) + (sql.size() > 200 ? "…" : "");
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr) != SQLITE_OK)
    throw Failure(std::string("sqlite: ") + sqlite3_errmsg(db) + " in: " + shorten(sql));
}

Statement::~Statement() {
  if (st_) sqlite3_finalize(st_);
}

Statement::Statement(Statement&& o) noexcept : db_(o.db_), st_(o.st_), next_(o.next_) { o.st_ = nullptr; }

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (st_) sqlite3_finalize(st_);
    db_ = o.db_;
    st_ = o.st_;
    next_ = o.next_;
    o.st_ = nullptr;
  }
  return *this;
}

void Statement::fail(const char* what) const {
  const char* sql = st_ ? sqlite3_sql(st_) : nullptr;
  throw Failure(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_) +
                (sql ? " in: " + shorten(sql) : std::string()));
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) fail("bind");
  return *this;
}
Statement& Statement::bind(int i, double v) {
  if ((std::isfinite(v) ? sqlite3_bind_double(st_, i, v) : sqlite3_bind_null(st_, i)) != SQLITE_OK)
    fail("bind");
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail("bind");
  return *this;
}
Statement& Statement::bind(int i, std::optional<std::int64_t> v) { return v ? bind(i, *v) : bind_null(i); }
Statement& Statement::bind(int i, std::optional<double> v) { return v ? bind(i, *v) : bind_null(i); }
Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(st_, i) != SQLITE_OK) fail("bind");
  return *this;
}

Statement& Statement::bind_blob(int i, std::string_view v) {
  if (sqlite3_bind_blob(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail("bind");
  return *this;
}

Statement& Statement::arg_text(std::string_view v) {
  ++next_;
  return v.empty() ? bind_null(next_) : bind(next_, v);
}
Statement& Statement::arg_raw(std::string_view v) { return bind(++next_, v); }
Statement& Statement::arg(std::optional<std::int64_t> v) { return bind(++next_, v); }
Statement& Statement::arg(std::optional<double> v) { return bind(++next_, v); }

bool Statement::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail("step");
}

std::int64_t Statement::run() {
  int rc;
  while ((rc = sqlite3_step(st_)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    std::string err = std::string("sqlite: step: ") + sqlite3_errmsg(db_);
    const char* s = sqlite3_sql(st_);
    if (s) err += " in: " + shorten(s);
    reset();
    throw Failure(err);
  }
  reset();
  return sqlite3_last_insert_rowid(db_);
}

void Statement::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
  next_ = 0;
}

bool Statement::is_null(int c) const { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
std::int64_t Statement::i64(int c) const { return sqlite3_column_int64(st_, c); }
double Statement::f64(int c) const { return sqlite3_column_double(st_, c); }
std::string Statement::text(int c) const { return std::string(view(c)); }
std::string_view Statement::view(int c) const {
  auto p = sqlite3_column_text(st_, c);
  return p ? std::string_view(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st_, c))
           : std::string_view();
}
std::string Statement::blob(int c) const {
  auto p = static_cast<const char*>(sqlite3_column_blob(st_, c));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, c))) : std::string();
}
std::optional<double> Statement::opt_f64(int c) const {
  if (is_null(c)) return std::nullopt;
  return f64(c);
}
std::optional<std::int64_t> Statement::opt_i64(int c) const {
  if (is_null(c)) return std::nullopt;
  return i64(c);
}

bool Row::filled(int c) const {
  sqlite3_stmt* st = s_.raw();
  switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      return true;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      return sqlite3_column_bytes(st, c) > 0;
    default:
      return false;
  }
}

void configure_process() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE when SQLite is already initialised
    return true;
  }();
  (void)done;
}

int changes(sqlite3* db) { return sqlite3_changes(db); }

void exec(sqlite3* db, std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw Failure("sqlite: " + m + " in: " + shorten(sql));
  }
}

bool has_table(sqlite3* db, std::string_view name) {
  Statement s(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  s.bind(1, name);
  return s.step();
}

}  // namespace odh::sql
