// core/sql.h — the one SQLite statement wrapper of odh, shared by the store, the crawl state and the
// WARC index. Every prepare, bind and step result is checked: a failure throws odh::Failure naming
// the SQL (shortened) and SQLite's message, so no write is lost silently.
//
// Parameters bind by position (bind(i, …), 1-based) or in sequence (arg_…(), the next parameter).
// A Statement belongs to one connection and is used by one thread at a time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace odh::sql {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);  // prepares; throws Failure
  ~Statement();
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Positional binding (1-based). Absent optionals and non-finite doubles bind NULL.
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, long long v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, std::optional<std::int64_t> v);
  Statement& bind(int i, std::optional<double> v);
  Statement& bind_null(int i);
  Statement& bind_blob(int i, std::string_view bytes);

  // Sequential binding: each call binds the next parameter (reset() starts again at 1).
  Statement& arg_text(std::string_view v);     // "" binds NULL (absent)
  Statement& arg_raw(std::string_view v);      // "" stays '' (published but empty)
  Statement& arg(std::optional<std::int64_t> v);
  Statement& arg(std::optional<double> v);
  Statement& arg(std::int64_t v) { return arg(std::optional<std::int64_t>(v)); }
  Statement& arg(int v) { return arg(std::optional<std::int64_t>(v)); }
  Statement& arg(long long v) { return arg(std::optional<std::int64_t>(v)); }
  Statement& arg(double v) { return arg(std::optional<double>(v)); }

  // Steps once: true while a row is available, false when done; throws Failure on any error.
  bool step();
  // Steps to the end, then resets (bindings cleared); returns the connection's last insert rowid.
  std::int64_t run();
  // Ready to step again with new bindings.
  void reset();

  // Columns of the current row (0-based).
  bool is_null(int c) const;
  std::int64_t i64(int c) const;
  double f64(int c) const;
  std::string text(int c) const;      // NULL → ""
  std::string_view view(int c) const;  // valid until the next step/reset
  std::optional<double> opt_f64(int c) const;
  std::optional<std::int64_t> opt_i64(int c) const;
  std::string blob(int c) const;  // NULL → ""

  sqlite3_stmt* raw() const { return st_; }

 private:
  [[noreturn]] void fail(const char* what) const;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* st_ = nullptr;
  int next_ = 0;  // last sequentially bound parameter
};

// The current row of a statement, read-only: what a store read hands its callback (columns numbered
// as the read documents them). Valid during the callback only.
class Row {
 public:
  explicit Row(const Statement& s) : s_(s) {}
  bool is_null(int c) const { return s_.is_null(c); }
  // Has a value: a number, or text/blob of at least one byte.
  bool filled(int c) const;
  std::int64_t i64(int c) const { return s_.i64(c); }
  double f64(int c) const { return s_.f64(c); }
  std::string text(int c) const { return s_.text(c); }
  std::string_view view(int c) const { return s_.view(c); }
  std::optional<double> opt_f64(int c) const { return s_.opt_f64(c); }
  std::optional<std::int64_t> opt_i64(int c) const { return s_.opt_i64(c); }

 private:
  const Statement& s_;
};

// Process-wide SQLite settings, before the first connection opens (later calls do nothing): no memory
// statistics, which would take a global mutex on every allocation of every connection.
void configure_process();

// Rows changed by the connection's last INSERT, UPDATE or DELETE.
int changes(sqlite3* db);
// Runs one or more statements without results; throws Failure naming the SQL.
void exec(sqlite3* db, std::string_view sql);
// True when the database has a table of that name.
bool has_table(sqlite3* db, std::string_view name);

}  // namespace odh::sql
