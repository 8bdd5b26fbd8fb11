// Crash safety end to end: `odh crawl` as a child process, SIGKILLed at random points, then
// `--resume`d; the archived URLs and fetch rows must equal those of an uninterrupted crawl, and no
// URL may be archived twice.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "crawl_util.h"
#include "test_server.h"

using namespace odh;
using namespace odh::test;

namespace {

const int kHosts = 4, kPages = 20;

std::string write_sites(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::string path = dir + "/sites.yaml";
  std::ofstream f(path);
  f << "sites:\n";
  for (int i = 0; i < kHosts; ++i)
    f << "  - id: k" << i << "\n    seq: 0\n    name: \"测试平台" << i << "\"\n    province: \"北京市\"\n"
      << "    city: \"\"\n    county: \"\"\n    division_code: \"110000\"\n    level: 省级\n    region: "
         "华北\n"
      << "    kind: independent\n    family: unknown\n    urls:\n      - \"http://k" << i << ".test/\"\n"
      << "    overrides: {}\n";
  return path;
}

// Runs odh with args; returns its pid (not waited for).
pid_t spawn(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(ODH_BINARY));
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(ODH_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

std::vector<std::string> crawl_args(const std::string& sites, const std::string& out, int port) {
  return {"crawl",   "--sites", sites,     "--out",        out,
          "--delay", "0.03",    "--quiet", "--connect-to", "::127.0.0.1:" + std::to_string(port)};
}

// url -> number of response/revisit records.
std::map<std::string, int> archived(const std::string& dir) {
  std::map<std::string, int> m;
  for (auto& e : read_warcs(dir))
    if (e.type == "response" || e.type == "revisit") m[e.uri]++;
  return m;
}

std::multiset<std::string> final_rows(const std::string& dir) {
  std::multiset<std::string> s;
  for (auto& r : query(dir, "SELECT url, status, ifnull(error_class,'') FROM fetch WHERE final=1"))
    s.insert(r[0] + " " + r[1] + " " + r[2]);
  return s;
}

}  // namespace

TEST_CASE("kill -9 at random points + --resume == an uninterrupted crawl") {
  TestServer srv([](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.set_content("User-agent: *\nDisallow: /private\n", "text/plain");
      return;
    }
    std::string body = "<html><body>" + host + q.path;
    if (q.path == "/") {
      for (int i = 0; i < kPages; ++i) body += "<a href=\"/p" + std::to_string(i) + "\">p</a>";
      body += "<a href=\"/private/x\">no</a>";
    } else if (q.path.rfind("/p", 0) == 0) {
      body += "<a href=\"/q" + q.path.substr(2) + "\">q</a>";
    }
    r.set_content(body + "</body></html>", "text/html");
  });
  std::string base = temp_dir("resume");
  std::string sites = write_sites(base);
  std::string ref = base + "/ref", killed = base + "/killed";

  REQUIRE(wait_exit(spawn(crawl_args(sites, ref, srv.port()))) == 0);
  auto ref_arch = archived(ref);
  auto ref_rows = final_rows(ref);
  // robots + home + 20 p + 20 q per host are archived; /private/x is refused (a fetch row, no record)
  REQUIRE(ref_arch.size() == static_cast<size_t>(kHosts * (2 + 2 * kPages)));
  REQUIRE(ref_rows.size() == static_cast<size_t>(kHosts * (3 + 2 * kPages)));  // + the refused /private/x

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> ms(50, 450);
  int kills = 0;
  for (int round = 0; round < 5; ++round) {
    auto args = crawl_args(sites, killed, srv.port());
    if (round > 0) args.push_back("--resume");
    pid_t pid = spawn(args);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
    if (kill(pid, SIGKILL) == 0) kills++;
    wait_exit(pid);
  }
  auto args = crawl_args(sites, killed, srv.port());
  args.push_back("--resume");
  REQUIRE(wait_exit(spawn(args)) == 0);
  CHECK(kills >= 3);

  auto got = archived(killed);
  CHECK(got.size() == ref_arch.size());
  for (auto& url_n : got) {
    auto& url = url_n.first;  // not a structured binding: doctest captures it
    auto& n = url_n.second;
    CAPTURE(url);
    CHECK(n == 1);  // archived exactly once despite the kills
    CHECK(ref_arch.count(url) == 1);
  }
  CHECK(final_rows(killed) == ref_rows);
  // Every fetch row that names a WARC record points at a record that exists.
  CHECK(query1(killed, "SELECT count(*) FROM fetch WHERE warc_file IS NOT NULL") == std::to_string([&] {
          int n = 0;
          for (auto& e : read_warcs(killed)) n += e.type == "response" || e.type == "revisit";
          return n;
        }()));
}

namespace {
// What the parsers see of a crawl: every archived answer (URL, status line, payload digest), read
// back from the WARC files alone. Equal sets = equal input to `odh parse --replay`.
std::multiset<std::string> warc_pages(const std::string& dir) {
  std::multiset<std::string> out;
  std::vector<std::string> files;
  for (auto& e : std::filesystem::directory_iterator(dir + "/warc")) files.push_back(e.path().string());
  for (auto& f : files) {
    warc::WarcReader r(f);
    warc::Record rec;
    while (r.next(&rec))
      if ((rec.type() == "response" || rec.type() == "revisit") && rec.is_http())
        // A payload seen before in the same run is a revisit record (same payload digest), so
        // which copy is full depends on the run: compare URL, status and payload digest.
        out.insert(std::string(rec.target_uri()) + " " + rec.http().start_line + " " +
                   std::string(warc::find_field(rec.headers, "WARC-Payload-Digest")));
  }
  return out;
}
}  // namespace

TEST_CASE("kill -9 at exact commit boundaries + --resume == an uninterrupted crawl") {
  TestServer srv([](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.set_content("User-agent: *\nDisallow: /private\n", "text/plain");
      return;
    }
    std::string body = "<html><body>" + host + q.path;
    if (q.path == "/")
      for (int i = 0; i < 8; ++i) body += "<a href=\"/p" + std::to_string(i) + "\">p</a>";
    r.set_content(body + "</body></html>", "text/html");
  });
  std::string base = temp_dir("seams");
  std::string sites = write_sites(base);
  std::string ref = base + "/ref";
  REQUIRE(run_odh(crawl_args(sites, ref, srv.port()), "") == 0);
  size_t ref_requests = srv.log().size();
  auto ref_arch = archived(ref);
  auto ref_rows = final_rows(ref);
  auto ref_pages = warc_pages(ref);
  REQUIRE(ref_arch.size() == static_cast<size_t>(kHosts * 10));  // robots + home + 8 pages

  // Each boundary of the completion path (crawler/crawl_seams.h), at a pass in mid-crawl.
  for (std::string point :
       {"warc-written:3", "flushed:1", "in-transaction:4", "committed:5", "mid-record:6"}) {
    CAPTURE(point);
    std::string out = base + "/" + point.substr(0, point.find(':')) + point.substr(point.find(':') + 1);
    size_t before = srv.log().size();
    CHECK(run_odh(crawl_args(sites, out, srv.port()), point) == -SIGKILL);
    auto args = crawl_args(sites, out, srv.port());
    args.push_back("--resume");
    REQUIRE(run_odh(args, "") == 0);
    size_t requests = srv.log().size() - before;
    // Re-fetched: only what was in flight or not yet committed at the kill — at most one
    // request per host (chunks of completions never hold two of one host).
    CHECK(requests >= ref_requests);
    CHECK(requests <= ref_requests + kHosts);
    auto got = archived(out);
    CHECK(got.size() == ref_arch.size());
    for (auto& url_n : got) {
      auto& url = url_n.first;  // not a structured binding: doctest captures it
      auto& n = url_n.second;
      CAPTURE(url);
      CHECK(n == 1);
      CHECK(ref_arch.count(url) == 1);
    }
    CHECK(final_rows(out) == ref_rows);
    CHECK(warc_pages(out) == ref_pages);
    CHECK(query1(out, "SELECT count(*) FROM frontier WHERE state=0") == "0");
  }
}
