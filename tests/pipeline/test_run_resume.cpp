// `odh run` resumes: a simulated main job stopped by SIGINT during the harvest (exit 1, stage
// "harvest", no finished run for `odh metrics`), then SIGKILLed in its resumed harvest, then run again
// on the same --out, finishes the same run: the datasets of its finished run and its indicators equal
// those of an uninterrupted job.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kIds = {"data-yq", "data-shenyang", "bjhd"};

pid_t start_run(const fs::path& out) {
  std::vector<std::string> args = {ODH_BINARY, "run", "--simulate", "--quiet", "--delay", "0.3", "--out",
                                   out.string(), "--sites", std::string(ODH_SOURCE_DIR) + "/sites.yaml"};
  for (auto& id : kIds) {
    args.push_back("--only");
    args.push_back(id);
  }
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open((out.string() + ".log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(ODH_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

// Waits until the job's crawl has started (its state db exists), then `ms` more.
void wait_crawling(const fs::path& out, int ms) {
  for (int i = 0; i < 3000; ++i) {
    std::error_code ec;
    for (auto& e : fs::directory_iterator(out / "runs", ec))
      if (fs::exists(e.path() / "crawl" / "crawl.sqlite")) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        return;
      }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int wait_exit(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

std::string stage_of(const fs::path& out) {
  for (auto& e : fs::directory_iterator(out / "runs")) {
    std::ifstream f(e.path() / "job.stage");
    std::string s;
    if (f >> s) return s;
  }
  return "";
}

std::map<std::string, std::string> query_map(const fs::path& db_path, const std::string& sql) {
  std::map<std::string, std::string> m;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
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
  sqlite3_close(db);
  return m;
}

// Datasets per portal and indicator values of the newest finished run.
std::map<std::string, std::string> finished_results(const fs::path& out) {
  const fs::path db = out / "odh.sqlite";
  auto run = query_map(db, "SELECT 'run', max(run_id) FROM run WHERE finished_at IS NOT NULL")["run"];
  auto m = query_map(db, "SELECT 'datasets ' || portal_id, count(*) FROM dataset WHERE run_id = " + run +
                             " GROUP BY portal_id");
  for (auto& [k, v] : query_map(db, "SELECT scope || ' ' || scope_key || ' ' || indicator, "
                                    "coalesce(value, value_text) FROM indicator WHERE run_id = " + run +
                                    " AND scope <> 'dataset'"))
    m[k] = v;
  return m;
}

}  // namespace

TEST_CASE("odh run: SIGINT and SIGKILL during the harvest, then the same --out finishes the same run") {
  const fs::path base = fs::temp_directory_path() / ("odh-run-resume-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base);
  const fs::path whole = base / "whole", broken = base / "broken";

  REQUIRE(wait_exit(start_run(whole)) == 0);
  CHECK(stage_of(whole) == "done");

  pid_t pid = start_run(broken);
  wait_crawling(broken, 1000);
  kill(pid, SIGINT);
  CHECK(wait_exit(pid) == 1);
  REQUIRE(stage_of(broken) == "harvest");  // stopped inside the harvest (else the test proves nothing)
  // The interrupted harvest's run is not finished: metrics refuse it by default.
  CHECK(query_map(broken / "odh.sqlite", "SELECT 'n', count(*) FROM run WHERE finished_at IS NOT NULL")["n"] == "0");

  pid = start_run(broken);  // resumes on its own (no --resume needed); killed hard this time
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the crawl state exists already
  kill(pid, SIGKILL);
  CHECK(wait_exit(pid) == -SIGKILL);

  REQUIRE(wait_exit(start_run(broken)) == 0);
  CHECK(stage_of(broken) == "done");
  int runs = 0;
  for (auto& e : fs::directory_iterator(broken / "runs")) runs += e.is_directory();
  CHECK(runs == 1);  // the same run directory throughout

  auto a = finished_results(whole), b = finished_results(broken);
  CHECK(a.size() > 10);
  // Year-over-year change indicators compare with the store's previous run, and the interrupted run
  // is one (StoreReader::previous_run does not ask for a finished run: noted for the metrics side).
  auto change = [](const std::string& k) {
    for (const char* c : {"platform.cancelled_portals", "platform.new_portals", "platform.to_embedded",
                          "platform.to_independent", "platform.changed", "platform.previous"})
      if (k.find(c) != std::string::npos) return true;
    return false;
  };
  std::erase_if(a, [&](auto& kv) { return change(kv.first); });
  std::erase_if(b, [&](auto& kv) { return change(kv.first); });
  for (auto& k_v : b) {
    const auto& k = k_v.first;  // not a structured binding: doctest captures it
    INFO(k);
    CHECK(a.count(k) == 1);
  }
  CHECK(a == b);
  int shown = 0;  // the first differences, so a failure says which indicators moved
  for (auto& [k, v] : a)
    if (auto it = b.find(k); (it == b.end() || it->second != v) && shown++ < 10)
      MESSAGE(k << ": uninterrupted " << v << ", resumed " << (it == b.end() ? "(none)" : it->second));
  fs::remove_all(base);
}
