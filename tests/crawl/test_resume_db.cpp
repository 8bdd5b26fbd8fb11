// Crash safety of the extracted database: `odh crawl --spiders family` (the parsers' family spiders,
// as `odh parse --live` runs them) against the simulator, SIGKILLed at seam boundaries and at one
// seeded random point, then `--resume`d; `odh parse --replay` of each killed+resumed crawl must give
// the same dataset, dataset_field and distribution rows as the replay of an uninterrupted crawl.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "crawl_util.h"
#include "store/store.h"

extern char** environ;

using namespace odh;
using namespace odh::test;

namespace {

namespace fs = std::filesystem;

// Rows of `sql` in `db`, one string per row, sorted.
std::vector<std::string> sorted_rows(const std::string& db, const std::string& sql) {
  auto s = Store::open(db);
  std::vector<std::string> out;
  for (auto& r : s->query(sql)) {
    std::string line;
    for (auto& c : r) line += c + "\x1f";
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The extracted database without run ids, primary keys and timestamps (a fetch id is replaced by
// its request), as in tests/replay/test_live_replay.cpp.
const std::map<std::string, std::string> kTables = {
    {"dataset",
     "SELECT d.portal_id, d.source_id, d.url, d.title, d.description, d.publisher, d.topic_raw, d.theme, "
     "d.issued, d.modified, d.frequency_raw, d.frequency, d.open_condition, d.tags, d.views, d.downloads, "
     "d.record_count, d.field_count, d.rating, d.rating_count, d.comment_count, d.depth, f.method, f.url, "
     "f.kind FROM dataset d LEFT JOIN fetch f ON f.fetch_id = d.fetch_id"},
    {"dataset_field",
     "SELECT d.portal_id, d.source_id, d.title, x.label, x.value, x.canonical FROM dataset_field x "
     "JOIN dataset d ON d.dataset_pk = x.dataset_pk"},
    {"distribution",
     "SELECT d.portal_id, d.source_id, d.title, x.format_raw, x.format, x.url, x.byte_size FROM "
     "distribution x JOIN dataset d ON d.dataset_pk = x.dataset_pk"},
};

// url -> number of response/revisit records (POSTs to one URL with different bodies count apart).
std::map<std::string, int> archived_urls(const std::string& dir) {
  std::map<std::string, int> m;
  for (auto& e : read_warcs(dir))
    if (e.type == "response" || e.type == "revisit") m[e.uri]++;
  return m;
}

}  // namespace

TEST_CASE("kill -9 + --resume with the family spiders: odh parse --replay gives the same database") {
  std::string base = temp_dir("resume-db");
  fs::create_directories(base);
  const std::string sites = std::string(ODH_SOURCE_DIR) + "/sites.yaml";
  // An HTML list/detail portal, a JSON portal with APIs, an embedded GBK column (see
  // tests/replay/test_live_replay.cpp): all served by the simulator at scale 0.01, seed 2021.
  const std::vector<std::string> ids = {"data-harbin", "data-hainan", "xiaogan"};

  pid_t sim = -1;
  {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    std::string out = base + "/sim.out";
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = {
        ODH_BINARY, "sim",  "--sites",   sites, "--port",     "0",   "--scale",       "0.01",
        "--seed",   "2021", "--threads", "4",   "--duration", "120", "--connect-map", base + "/map.txt"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&sim, argv[0], &fa, nullptr, argv.data(), environ) != 0) sim = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  REQUIRE(sim > 0);
  struct StopSim {  // also when a REQUIRE fails
    pid_t pid;
    ~StopSim() {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  } stop_sim{sim};
  std::vector<std::string> connect_to;
  for (int i = 0; i < 600 && connect_to.empty(); ++i) {  // up to 60 s on a loaded machine
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream port(base + "/sim.out"), map(base + "/map.txt");
    std::string l;
    if (!std::getline(port, l) || l.empty()) continue;
    while (std::getline(map, l))
      if (!l.empty()) connect_to.push_back(l);
  }
  REQUIRE(!connect_to.empty());

  auto crawl_args = [&](const std::string& out) {
    std::string only;
    for (auto& id : ids) only += (only.empty() ? "" : ",") + id;
    std::vector<std::string> a = {"crawl",     "--spiders", "family", "--sites", sites,   "--only", only,
                                  "--offline", "--delay",   "0",      "--quiet", "--out", out};
    for (auto& c : connect_to) a.insert(a.end(), {"--connect-to", c});
    return a;
  };
  auto replay = [&](const std::string& dir, const std::string& db) {
    std::vector<std::string> a = {"parse", "--replay", dir, "--db", db, "--sites", sites};
    for (auto& id : ids) a.insert(a.end(), {"--site", id});
    return run_odh(a, "", db + ".log");
  };

  const std::string ref = base + "/ref";
  REQUIRE(run_odh(crawl_args(ref), "", ref + ".log") == 0);
  REQUIRE(replay(ref, ref + ".sqlite") == 0);
  std::map<std::string, std::vector<std::string>> want;
  for (auto& [table, sql] : kTables) want[table] = sorted_rows(ref + ".sqlite", sql);
  // Not an empty comparison: every portal has datasets, and fields and distributions exist.
  for (auto& id : ids) {
    CAPTURE(id);
    CHECK(sorted_rows(ref + ".sqlite", "SELECT 1 FROM dataset WHERE portal_id='" + id + "'").size() > 0);
  }
  REQUIRE(want["dataset"].size() >= 20);
  REQUIRE(want["dataset_field"].size() > 0);
  REQUIRE(want["distribution"].size() > 0);
  auto ref_arch = archived_urls(ref);
  // Completion chunks hold at most 16 exchanges, so every seam is passed at least fetches/16 times.
  int passes = std::max(
      1, static_cast<int>(query(ref, "SELECT 1 FROM fetch WHERE warc_file IS NOT NULL").size()) / 16);

  // Fixed seams plus one seeded random point (ODH_TEST_SEED=<seed> repeats a failing run).
  std::uint64_t seed = std::random_device{}();
  if (const char* s = getenv("ODH_TEST_SEED")) seed = std::stoull(s);
  std::mt19937_64 rng(seed);
  const std::vector<std::string> points = {"warc-written", "flushed", "in-transaction", "committed",
                                           "mid-record"};
  std::string random_point = points[rng() % points.size()];
  int random_n = random_point == "flushed" ? 1 : 1 + static_cast<int>(rng() % passes);
  std::vector<std::string> kills = {"warc-written:2", "in-transaction:" + std::to_string(std::min(3, passes)),
                                    "mid-record:" + std::to_string(std::min(2, passes)),
                                    random_point + ":" + std::to_string(random_n)};
  for (size_t k = 0; k < kills.size(); ++k) {
    CAPTURE(seed);
    CAPTURE(kills[k]);
    std::string out = base + "/killed" + std::to_string(k);
    CHECK(run_odh(crawl_args(out), kills[k], out + ".log") == -SIGKILL);
    // The early fixed kills cut the crawl short (<= 3 chunks of 16 of its ~80 exchanges; the
    // largest portal alone needs ~47 in sequence): that WARC alone (when it has one) gives fewer
    // rows, so the comparison after the resume is not between two complete crawls by accident. The
    // random kill may fall after the last dataset page, so it is not checked here.
    if (k + 1 < kills.size() && fs::exists(out + "/warc") && replay(out, out + "-partial.sqlite") == 0)
      CHECK(sorted_rows(out + "-partial.sqlite", kTables.at("dataset_field")).size() <
            want["dataset_field"].size());
    auto args = crawl_args(out);
    args.push_back("--resume");
    REQUIRE(run_odh(args, "", out + ".log") == 0);
    CHECK(query1(out, "SELECT count(*) FROM frontier WHERE state=0") == "0");
    // The same URLs archived, none more often than in the uninterrupted crawl.
    CHECK(archived_urls(out) == ref_arch);
    REQUIRE(replay(out, out + ".sqlite") == 0);
    for (auto& [table, sql] : kTables) {
      CAPTURE(table);
      auto got = sorted_rows(out + ".sqlite", sql);
      CHECK(got.size() == want[table].size());
      CHECK(got == want[table]);
      if (got != want[table]) {
        auto [i, j] = std::mismatch(want[table].begin(), want[table].end(), got.begin(), got.end());
        if (i != want[table].end()) MESSAGE("uninterrupted only: " << *i);
        if (j != got.end()) MESSAGE("killed+resumed only: " << *j);
      }
    }
  }
  fs::remove_all(base);
}
