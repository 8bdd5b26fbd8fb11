// Helpers for the pipeline tests: a query over the run's odh.sqlite read back as a map from the first
// column to the second (both as text, "NULL" for NULL). Shared by tests/pipeline files that check what
// a simulated `odh run` stored.
#pragma once
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <string>

namespace odh::test {

// Rows of `sql` on an open database: column 0 -> column 1.
inline std::map<std::string, std::string> query_map(sqlite3* db, const std::string& sql) {
  std::map<std::string, std::string> m;
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    auto t = [&](int c) {
      auto p = sqlite3_column_text(st, c);
      return p ? std::string(reinterpret_cast<const char*>(p)) : std::string("NULL");
    };
    m[t(0)] = t(1);
  }
  sqlite3_finalize(st);
  return m;
}

// The same on the database file db_path, opened read-only for this one query.
inline std::map<std::string, std::string> query_map(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto m = query_map(db, sql);
  sqlite3_close(db);
  return m;
}

}  // namespace odh::test
