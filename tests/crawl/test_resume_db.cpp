// Crash safety of the extracted database: `odh crawl --spiders family` (the parsers' family spiders,
// as `odh parse --live` runs them) against the simulator, SIGKILLed at seam boundaries and at one
// seeded random point, then `--resume`d; `odh parse --replay` of each killed+resumed crawl must give
// the same dataset, dataset_field and distribution rows as the replay of an uninterrupted crawl.
// The second case kills chains of resumes in a faulty world (issue 17 item 9): at least 20 kills
// (100 with ODH_TEST_LONG=1, scripts/run-tests.sh --long) over every write/commit seam, the repair
// and random moments; the WARC set, the store and the indicators must equal an uninterrupted run,
// and warcio.js must read every resumed WARC file.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
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


// `odh sim` at scale 0.01, seed 2021 (optionally with a fault file) as a child process; its
// --connect-to lines once it listens. Stopped when the object goes (also when a REQUIRE fails).
struct SimWorld {
  pid_t pid = -1;
  std::vector<std::string> connect_to;
  SimWorld(const std::string& base, const std::string& sites, const std::string& faults) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    std::string out = base + "/sim.out";
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = {
        ODH_BINARY, "sim",  "--sites",   sites, "--port",     "0",   "--scale",       "0.01",
        "--seed",   "2021", "--threads", "4",   "--duration", "600", "--connect-map", base + "/map.txt"};
    if (!faults.empty()) args.insert(args.end(), {"--faults", faults});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; pid > 0 && i < 600 && connect_to.empty(); ++i) {  // up to 60 s on a loaded machine
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::ifstream port(base + "/sim.out"), map(base + "/map.txt");
      std::string l;
      if (!std::getline(port, l) || l.empty()) continue;
      while (std::getline(map, l))
        if (!l.empty()) connect_to.push_back(l);
    }
    REQUIRE(pid > 0);
    REQUIRE(!connect_to.empty());
  }
  ~SimWorld() {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;
};

}  // namespace

TEST_CASE("kill -9 + --resume with the family spiders: odh parse --replay gives the same database") {
  std::string base = temp_dir("resume-db");
  fs::create_directories(base);
  const std::string sites = std::string(ODH_SOURCE_DIR) + "/sites.yaml";
  // An HTML list/detail portal, a JSON portal with APIs, an embedded GBK column (see
  // tests/replay/test_live_replay.cpp): all served by the simulator at scale 0.01, seed 2021.
  const std::vector<std::string> ids = {"data-harbin", "data-hainan", "xiaogan"};

  SimWorld world(base, sites, "");
  const std::vector<std::string>& connect_to = world.connect_to;

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
    for (auto& table_sql : kTables) {
      auto& table = table_sql.first;  // not a structured binding: doctest captures it
      auto& sql = table_sql.second;
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

namespace {

// Indicator rows of the newest run in `db` (scope, key, indicator, value), sorted: what `odh metrics`
// computed from a replayed store.
std::vector<std::string> indicator_rows(const std::string& db) {
  return sorted_rows(db,
                     "SELECT scope, scope_key, indicator, coalesce(value, value_text), n FROM indicator WHERE "
                     "run_id = (SELECT max(run_id) FROM run)");
}

// warcio.js (tools/warc-validate.mjs, not odh's reader) on one WARC file: "" when every record parsed
// and every digest matched, else its output.
std::string warcio_problems(const std::string& file) {
  std::string cmd = "node '" + std::string(ODH_SOURCE_DIR) + "/tools/warc-validate.mjs' '" + file + "' 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "popen failed";
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = pclose(p);
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (rc == 0 && !j.is_discarded() && j.value("ok", false) && !j["records"].empty()) return "";
  if (j.is_discarded()) return "rc " + std::to_string(rc) + ", not JSON: …" + out.substr(out.size() > 1500 ? out.size() - 1500 : 0);
  return "rc " + std::to_string(rc) + ": " + j["errors"].dump().substr(0, 2000);
}

}  // namespace

TEST_CASE("kill -9 chains over every seam, the repair and random moments in a faulty world") {
  REQUIRE_MESSAGE(fs::exists(std::string(ODH_SOURCE_DIR) + "/tools/node_modules/warcio"),
                  "tools/node_modules/warcio missing: run scripts/setup.sh");
  const bool long_run = getenv("ODH_TEST_LONG") != nullptr;
  const int want_kills = long_run ? 100 : 20;
  std::string base = temp_dir("kill-chains");
  fs::create_directories(base);
  const std::string sites = std::string(ODH_SOURCE_DIR) + "/sites.yaml";
  const std::vector<std::string> ids = {"data-harbin", "data-hainan", "xiaogan"};
  // Faults that answer the same way on every request (so an uninterrupted run is the reference): a
  // list page and a detail page that always fail (retried, then recorded), bodies cut short or reset,
  // a slow page, a 404, broken HTML and a gzip bomb.
  const std::string faults = base + "/faults.yaml";
  std::ofstream(faults) << R"(hosts:
  data.harbin.gov.cn:
    rules:
      - {path: "/oportal/catalog/index?page=3", fault: status, status: 500}
      - {path: /oportal/catalog/0a74cf2045281d2d80c8e4bcce6252e6, fault: reset}
      - {path: /oportal/catalog/1468699bdc99b117b1855e3fec8aaf70, fault: latency, latency_ms: 150}
      - {path: /oportal/catalog/152d88e85a248315ee838e55ec8aaf76, fault: malformed}
  data.hainan.gov.cn:
    rules:
      - {path: /sjj/200003.htm, fault: status, status: 503}
      - {path: /sjjk/800004.htm, fault: status, status: 404}
      - {path: /sjj/200005.htm, fault: gzip-bomb, bytes: 16777216}
  www.xiaogan.gov.cn:
    rules:
      - {path: /t20190110_58254.html, fault: truncate}
)";
  SimWorld world(base, sites, faults);

  auto crawl_args = [&](const std::string& out, bool resume) {
    std::string only;
    for (auto& id : ids) only += (only.empty() ? "" : ",") + id;
    std::vector<std::string> a = {"crawl",   "--spiders", "family", "--sites",   sites, "--only",    only,
                                  "--offline", "--delay", "0",      "--retries", "2",   "--backoff", "0.05",
                                  "--quiet",   "--out",   out};
    // No download probes here: their per-site budgets start again from zero in a resumed session (the
    // file stage's counts are not crawl state), so a chain of kills may sample more files than the
    // uninterrupted run and its capacity differ (docs/files.md). The first test case keeps them.
    a.insert(a.end(), {"--files-per-site", "0", "--links-per-site", "0"});
    for (auto& c : world.connect_to) a.insert(a.end(), {"--connect-to", c});
    if (resume) a.push_back("--resume");
    return a;
  };
  // Replay into a store, then the indicators of that run.
  auto rebuild = [&](const std::string& dir, const std::string& db) {
    std::vector<std::string> a = {"parse", "--replay", dir, "--db", db, "--sites", sites};
    for (auto& id : ids) a.insert(a.end(), {"--site", id});
    REQUIRE(run_odh(a, "", db + ".log") == 0);
    REQUIRE(run_odh({"metrics", "--db", db, "--format", "csv"}, "", db + ".log") == 0);
  };

  const std::string ref = base + "/ref";
  REQUIRE(run_odh(crawl_args(ref, false), "", ref + ".log") == 0);
  rebuild(ref, ref + ".sqlite");
  std::map<std::string, std::vector<std::string>> want;
  for (auto& [table, sql] : kTables) want[table] = sorted_rows(ref + ".sqlite", sql);
  const auto want_indicators = indicator_rows(ref + ".sqlite");
  const auto ref_arch = archived_urls(ref);
  REQUIRE(want["dataset"].size() >= 20);
  REQUIRE(want_indicators.size() > 100);
  // The faults happened (else this is the fault-free test again).
  CHECK(query1(ref, "SELECT count(*) FROM fetch WHERE error_class='http-5xx'") != "0");
  CHECK(query1(ref, "SELECT count(*) FROM fetch WHERE error_class IN ('truncated','reset')") != "0");

  // Chains: one crawl killed, its resume killed, … until a run finishes; then the next chain. The
  // first chain passes every seam in turn (a mid-record cut at the 20th exchange, so after a committed
  // chunk, then a kill inside the repair of that file); later ones draw seams, pass numbers and random moments from a
  // seed (ODH_TEST_SEED=<seed> repeats a failing run).
  std::uint64_t seed = std::random_device{}();
  if (const char* v = getenv("ODH_TEST_SEED")) seed = std::stoull(v);
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  const std::vector<std::string> first_chain = {"flushed:1",   "warc-written:1", "in-transaction:1", "committed:1",
                                                "mid-record:20", "repair:1",      "timed:40"};
  const std::vector<std::string> seams = {"warc-written", "flushed", "in-transaction", "committed", "mid-record"};
  std::map<std::string, int> kills_at;  // seam -> kills that happened there
  int kills = 0, chains = 0;
  while (kills < want_kills && chains < want_kills) {
    const std::string out = base + "/chain" + std::to_string(chains++);
    int step = 0;
    std::string previous;
    for (;; ++step) {
      std::string spec;
      if (chains == 1 && step < static_cast<int>(first_chain.size())) spec = first_chain[step];
      else if (step < 6 && previous.rfind("mid-record", 0) == 0 && rng() % 2 == 0) spec = "repair:1";
      else if (step < 6 && rng() % 4 == 0) spec = "timed:" + std::to_string(20 + rng() % 400);
      else if (step < 6) {
        // mid-record counts exchanges, the others chunks (of up to 16 exchanges)
        std::string seam = seams[rng() % seams.size()];
        spec = seam + ":" + std::to_string(1 + rng() % (seam == "mid-record" ? 24 : 2));
      }
      CAPTURE(out);
      CAPTURE(spec);
      int rc;
      if (spec.rfind("timed:", 0) == 0) {  // a kill at a moment, not at a seam
        pid_t pid = fork();
        if (pid == 0) {
          auto a = crawl_args(out, step > 0);
          std::vector<char*> argv{const_cast<char*>(ODH_BINARY)};
          for (auto& s : a) argv.push_back(const_cast<char*>(s.c_str()));
          argv.push_back(nullptr);
          int fd = open((out + ".log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
          dup2(fd, 1);
          dup2(fd, 2);
          execv(ODH_BINARY, argv.data());
          _exit(127);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(spec.substr(6))));
        kill(pid, SIGKILL);
        int st = 0;
        waitpid(pid, &st, 0);
        rc = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
      } else {
        rc = run_odh(crawl_args(out, step > 0), spec, out + ".log");
      }
      if (rc == 0) break;  // the seam was not reached again: this run finished the crawl
      REQUIRE(rc == -SIGKILL);
      ++kills;
      kills_at[spec.substr(0, spec.find(':'))]++;
      previous = spec;
      REQUIRE(step < 40);
    }
    CAPTURE(out);
    CHECK(query1(out, "SELECT count(*) FROM frontier WHERE state=0") == "0");
    // The same URLs archived, each as often as in the uninterrupted crawl (retries included).
    auto got_arch = archived_urls(out);
    CHECK(got_arch == ref_arch);
    if (got_arch != ref_arch)
      for (auto& url_n : ref_arch)
        if (got_arch[url_n.first] != url_n.second)
          MESSAGE(url_n.first << ": uninterrupted " << url_n.second << ", killed+resumed " << got_arch[url_n.first]);
    for (auto& f : fs::directory_iterator(out + "/warc")) {
      CAPTURE(f.path().string());
      CHECK(warcio_problems(f.path().string()) == "");
    }
    rebuild(out, out + ".sqlite");
    for (auto& table_sql : kTables) {
      auto& table = table_sql.first;  // not a structured binding: doctest captures it
      auto& sql = table_sql.second;
      CAPTURE(table);
      CHECK(sorted_rows(out + ".sqlite", sql) == want[table]);
    }
    auto got_indicators = indicator_rows(out + ".sqlite");
    CHECK(got_indicators == want_indicators);
    if (got_indicators != want_indicators) {
      auto [i, j] = std::mismatch(want_indicators.begin(), want_indicators.end(), got_indicators.begin(),
                                  got_indicators.end());
      if (i != want_indicators.end()) MESSAGE("uninterrupted only: " << *i);
      if (j != got_indicators.end()) MESSAGE("killed+resumed only: " << *j);
    }
  }
  std::string per_seam;
  for (auto& [seam, n] : kills_at) per_seam += " " + seam + "=" + std::to_string(n);
  MESSAGE(kills << " kills in " << chains << " chains:" << per_seam);
  CHECK(kills >= want_kills);
  for (std::string seam : {"warc-written", "flushed", "in-transaction", "committed", "mid-record", "repair", "timed"}) {
    CAPTURE(seam);
    CHECK(kills_at[seam] > 0);
  }
  fs::remove_all(base);
}
