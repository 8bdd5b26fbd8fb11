// Helpers for crawl tests: temp dirs, sites, reading the crawl state and the WARC files back.
#pragma once
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "crawler/crawl.h"
#include "warc/warc.h"
#include "registry/registry.h"

namespace odh::test {

// Runs the odh binary with args in a child process, ODH_CRAWL_KILL_AT=kill_at unless empty, stdout and
// stderr appended to `log`; returns its exit code, or -signal when killed (-9: SIGKILL).
inline int run_odh(const std::vector<std::string>& args, const std::string& kill_at,
                   const std::string& log = "/dev/null") {
  pid_t pid = fork();
  if (pid == 0) {
    if (!kill_at.empty()) setenv("ODH_CRAWL_KILL_AT", kill_at.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(ODH_BINARY));
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execv(ODH_BINARY, argv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

inline std::string temp_dir(const std::string& name) {
  static std::mt19937_64 rng(std::random_device{}());
  auto p = std::filesystem::temp_directory_path() /
           ("odh-crawl-" + name + "-" + std::to_string(rng() % 1000000000));
  std::filesystem::remove_all(p);
  return p.string();
}

inline Site site(const std::string& id, std::vector<std::string> urls) {
  Site s;
  s.id = id;
  s.name = id;
  s.urls = std::move(urls);
  s.family = "unknown";
  return s;
}

// Rows of a query against <dir>/crawl.sqlite, each column as text ("" for NULL).
inline std::vector<std::vector<std::string>> query(const std::string& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::vector<std::string>> out;
  if (sqlite3_open_v2((dir + "/crawl.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    return out;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        auto p = sqlite3_column_text(s, i);
        row.push_back(p ? reinterpret_cast<const char*>(p) : "");
      }
      out.push_back(std::move(row));
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

inline std::string query1(const std::string& dir, const std::string& sql) {
  auto r = query(dir, sql);
  return r.empty() || r[0].empty() ? "" : r[0][0];
}

struct WarcEntry {
  std::string type, uri, status_line;
};
// Every request/response/revisit record of <dir>/warc/*, in file then offset order.
inline std::vector<WarcEntry> read_warcs(const std::string& dir) {
  std::vector<std::string> files;
  for (auto& e : std::filesystem::directory_iterator(dir + "/warc")) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<WarcEntry> out;
  for (auto& f : files) {
    warc::WarcReader r(f);
    warc::Record rec;
    while (r.next(&rec)) {
      std::string type(rec.type());
      if (type == "warcinfo") continue;
      WarcEntry e{type, std::string(rec.target_uri()), ""};
      if (rec.is_http()) e.status_line = rec.http().start_line;
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace odh::test
