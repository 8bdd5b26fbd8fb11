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
  for (auto& [url, n] : got) {
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
