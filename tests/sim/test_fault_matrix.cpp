// The fault matrix: every fault the simulator injects and every error class of the crawler is produced
// here through the real crawler, and the recorded class (fetch.error_class of the request's final row)
// is asserted. The table of docs/reliability.md is generated from this test: it fails when the document
// differs from what the matrix says; ODH_UPDATE_DOCS=1 rewrites it.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "crawl/crawl_util.h"
#include "crawl/test_server.h"
#include "harvest/harvest.h"
#include "sim/sim.h"

using namespace odh;
using namespace odh::test;

namespace {

struct Row {
  std::string source, fault, how, expected;
};

std::vector<Row>& matrix() {
  static std::vector<Row> rows;
  return rows;
}

// Asserts one cell and keeps it for the table. `expected` may list alternatives with " or ".
void cell(const std::string& source, const std::string& fault, const std::string& how, const std::string& expected,
          const std::string& observed) {
  INFO(source << " " << fault << ": " << how);
  bool ok = expected.empty() && observed.empty();
  std::stringstream alts(expected);
  for (std::string e; std::getline(alts, e, '|');) ok = ok || e == observed;
  CHECK_MESSAGE(ok, "observed '" << observed << "', expected '" << expected << "'");
  std::string shown = expected;
  for (std::size_t p; (p = shown.find('|')) != std::string::npos;) shown.replace(p, 1, "` or `");
  matrix().push_back({source, fault, how, shown.empty() ? "(none: the page is fine)" : "`" + shown + "`"});
}

// Requests a fixed list of URLs.
class ListSpider : public Spider {
 public:
  explicit ListSpider(std::vector<std::string> urls) : urls_(std::move(urls)) {}
  std::vector<FetchRequest> start_requests() override {
    std::vector<FetchRequest> v;
    for (auto& u : urls_) {
      FetchRequest q;
      q.url = u;
      q.kind = "test";
      v.push_back(q);
    }
    return v;
  }
  SpiderOutput on_result(const FetchResult& r) override {
    if (r.final_url.find("crash-me") != std::string::npos && r.error_class != "spider-crash") std::abort();
    return {};
  }

 private:
  std::vector<std::string> urls_;
};

std::map<std::string, std::string> final_classes(const std::string& dir) {
  std::map<std::string, std::string> m;
  for (auto& row : query(dir, "SELECT url, error_class FROM fetch WHERE final = 1 ORDER BY fetch_id")) m[row[0]] = row[1];
  return m;
}

Site sim_site(const std::string& id, const std::string& url) {
  Site s;
  s.id = id;
  s.name = id;
  s.kind = "independent";
  s.level = "地市级";
  s.region = "华东";
  s.province = "江苏省";
  s.division_code = "320100";
  s.family = "unknown";
  s.urls = {url};
  return s;
}

// A raw TCP server on 127.0.0.1 with one behaviour per connection (for what HTTP servers refuse to do).
class RawServer {
 public:
  enum Mode { kCloseAtOnce, kGarbage, kFullBacklog };
  explicit RawServer(Mode mode) : mode_(mode) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, mode == kFullBacklog ? 0 : 16);
    if (mode == kFullBacklog) {
      // Fill the accept queue and never accept: later SYNs are dropped, connects time out.
      for (int i = 0; i < 4; ++i) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
        fillers_.push_back(c);
      }
      return;
    }
    th_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        if (mode_ == kGarbage) {
          char buf[4096];
          (void)!recv(c, buf, sizeof buf, 0);
          const char kJunk[] = "SSH-2.0-OpenSSH_9.2\r\n\r\nthis is not HTTP\r\n";
          (void)!send(c, kJunk, sizeof kJunk - 1, MSG_NOSIGNAL);
        }
        close(c);
      }
    });
  }
  ~RawServer() {
    stop_ = true;
    if (th_.joinable()) th_.join();
    for (int c : fillers_) close(c);
    close(fd_);
  }
  int port() const { return port_; }

 private:
  Mode mode_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread th_;
  std::vector<int> fillers_;
};

std::string gzip_garbage() { return std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + "garbage!"; }

}  // namespace

TEST_CASE("fault matrix: every simulator fault and every crawler error class, recorded as such") {
  // ---- The simulator's faults (its fault file), through the crawler ----
  {
    std::vector<Site> sites = {sim_site("faults", "http://faults.example.gov.cn/")};
    std::string faults =
        "timeout_hold_s: 3\nhosts:\n  faults.example.gov.cn:\n    reach: ok\n    robots: allow\n    rules:\n"
        "      - {path: \"/?f=latency\", fault: latency, latency_ms: 300}\n"
        "      - {path: \"/?f=429\", fault: \"429\", retry_after: 0}\n"
        "      - {path: \"/?f=503\", fault: \"503\", retry_after: 0}\n"
        "      - {path: \"/?f=reset\", fault: reset}\n"
        "      - {path: \"/?f=timeout\", fault: timeout}\n"
        "      - {path: \"/?f=truncate\", fault: truncate}\n"
        "      - {path: \"/?f=slow\", fault: slow, bytes: 200}\n"
        "      - {path: \"/?f=oversize\", fault: oversize, bytes: 4194304}\n"
        "      - {path: \"/?f=bomb\", fault: gzip-bomb, bytes: 67108864}\n"
        "      - {path: \"/?f=malformed\", fault: malformed}\n"
        "      - {path: \"/r\", fault: redirect-loop}\n"
        "      - {path: \"/?f=status404\", fault: status, status: 404}\n"
        "      - {path: \"/?f=status500\", fault: status, status: 500}\n";
    const std::vector<std::pair<std::string, std::string>> reach = {
        {"dns", "dns"},           {"refused", "connect"}, {"timeout", "timeout"},
        {"http-error", "http-4xx|http-5xx"}, {"redirect-home", "|out-of-scope"}, {"empty", ""}};
    for (auto& [r, cls] : reach) {
      std::string host = "reach-" + r + ".example.gov.cn";
      sites.push_back(sim_site("reach-" + r, "http://" + host + "/"));
      faults += "  " + host + ": {reach: " + r + ", robots: allow}\n";
    }
    std::string dir = temp_dir("matrix-sim");
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/faults.yaml") << faults;
    sim::Options so;
    so.pool_file = std::string(ODH_SOURCE_DIR) + "/data/sim/pool.json";
    so.appendix3_file = dir + "/none.csv";
    so.appendix2_file = dir + "/none.yaml";
    so.faults_file = dir + "/faults.yaml";
    so.scale = 0.05;
    auto world = std::make_shared<sim::World>(sites, so);
    sim::Server server(world);
    int port = server.start(0);
    CrawlOptions o;
    o.out_dir = dir + "/crawl";
    o.connect_to = world->connect_to(port, server.refused_port(), server.tls_port());
    o.mapped_only = true;
    o.delay_s = 0;
    o.jitter = 0;
    o.connect_timeout_s = 2;
    o.request_timeout_s = 2;
    o.backoff_base_s = 0.02;
    o.max_retries = 1;
    o.max_throttle_retries = 1;
    o.pause_after_failures = 1000;
    o.low_speed_bytes_per_s = 1000;
    o.low_speed_time_s = 1;
    o.max_wire_bytes = 1 << 20;
    o.max_decoded_bytes = 512 << 10;
    o.max_redirects = 3;
    o.obey_robots = false;  // a host-wide fault would otherwise show as robots-disallowed (RFC 9309)
    const std::string f = "http://faults.example.gov.cn/?f=";
    std::vector<std::string> urls;
    for (const char* k : {"latency", "429", "503", "reset", "timeout", "truncate", "slow", "oversize", "bomb",
                          "malformed", "status404", "status500"})
      urls.push_back(f + k);
    urls.push_back("http://faults.example.gov.cn/r");
    Crawler c(o, [&](const Site& s, const CrawlOptions&) -> std::unique_ptr<Spider> {
      if (s.id == "faults") return std::make_unique<ListSpider>(urls);
      return std::make_unique<ListSpider>(std::vector<std::string>{s.urls[0]});
    });
    REQUIRE(c.run(sites).ok);
    auto got = final_classes(o.out_dir);
    const std::string sim = "simulator";
    cell(sim, "`latency` 300 ms", "rule on a path", "", got[f + "latency"]);
    cell(sim, "`429` (always)", "Retry-After 0, throttle budget 1", "http-429", got[f + "429"]);
    cell(sim, "`503` (always)", "Retry-After 0, 1 retry", "http-5xx", got[f + "503"]);
    cell(sim, "`reset`", "RST after the headers", "reset|truncated", got[f + "reset"]);
    cell(sim, "`timeout`", "never answers; request timeout 2 s", "timeout", got[f + "timeout"]);
    cell(sim, "`truncate`", "half the announced body, then close", "truncated", got[f + "truncate"]);
    cell(sim, "`slow` 200 B/s", "low-speed limit 1000 B/s for 1 s", "timeout", got[f + "slow"]);
    cell(sim, "`oversize` 4 MiB", "max_wire_bytes 1 MiB", "too-large", got[f + "oversize"]);
    cell(sim, "`gzip-bomb` 64 MiB", "max_decoded_bytes 512 KiB", "too-large-decoded", got[f + "bomb"]);
    cell(sim, "`malformed` HTML", "unclosed/stray tags", "", got[f + "malformed"]);
    cell(sim, "`redirect-loop`", "/r → /r?loop=1 → …, 3 hops allowed", "redirect-limit|redirect-loop",
         got["http://faults.example.gov.cn/r"]);
    cell(sim, "`status` 404", "rule on a path", "http-4xx", got[f + "status404"]);
    cell(sim, "`status` 500", "rule on a path, 1 retry", "http-5xx", got[f + "status500"]);
    for (auto& [r, cls] : reach)
      cell(sim, "`reach: " + r + "`", "the portal's whole host", cls,
           got["http://reach-" + r + ".example.gov.cn/"]);
    server.stop();
    std::filesystem::remove_all(dir);
  }

  // ---- The crawler's other classes, each from a server that misbehaves that way ----
  TestServer srv([](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      if (host == "robots.test") r.set_content("User-agent: *\nDisallow: /\n", "text/plain");
      else r.status = 404;
    } else if (q.path == "/404") {
      r.status = 404;
    } else if (q.path == "/429") {
      r.status = 429;
      r.set_header("Retry-After", "0");
    } else if (q.path == "/500") {
      r.status = 500;
    } else if (q.path == "/bad-redirect") {
      r.status = 302;
      r.set_header("Location", "http://[::1");
    } else if (q.path == "/ftp-redirect") {
      r.status = 302;
      r.set_header("Location", "ftp://c.test/file");
    } else if (q.path == "/away") {
      r.status = 302;
      r.set_header("Location", "http://elsewhere.example/");
    } else if (q.path.rfind("/hop", 0) == 0) {
      r.status = 302;
      r.set_header("Location", "/hop" + std::to_string(std::atoi(q.path.c_str() + 4) + 1));
    } else if (q.path == "/corrupt-gzip") {
      r.set_header("Content-Encoding", "gzip");
      r.set_content(gzip_garbage(), "application/octet-stream");  // a text type httplib would gzip again
    } else if (q.path == "/unknown-coding") {
      r.set_header("Content-Encoding", "zstd-x");
      r.set_content("abc", "text/html");
    } else {
      r.set_content("<html>ok</html>", "text/html");
    }
  });
  RawServer closer(RawServer::kCloseAtOnce), garbage(RawServer::kGarbage), backlog(RawServer::kFullBacklog);
  CrawlOptions o;
  o.out_dir = temp_dir("matrix-crawler");
  o.delay_s = 0.01;
  o.jitter = 0;
  o.backoff_base_s = 0.02;
  o.max_retries = 1;
  o.max_throttle_retries = 1;
  o.max_redirects = 3;
  o.connect_timeout_s = 1;
  o.request_timeout_s = 5;
  o.pause_after_failures = 2;
  o.obey_robots = false;  // the raw servers cannot answer robots.txt (robots.test has its own crawl below)
  const std::string sp = std::to_string(srv.port());
  o.connect_to = {"c.test:80:127.0.0.1:" + sp,
                  "robots.test:80:127.0.0.1:" + sp,
                  "paused.test:80:127.0.0.1:" + sp,
                  "c.test:443:127.0.0.1:" + sp,  // https onto a plain HTTP port: the handshake fails
                  "closer.c.test:80:127.0.0.1:" + std::to_string(closer.port()),
                  "garbage.c.test:80:127.0.0.1:" + std::to_string(garbage.port()),
                  "backlog.c.test:80:127.0.0.1:" + std::to_string(backlog.port()),
                  "refused.c.test:80:127.0.0.1:1"};
  o.mapped_only = true;
  const std::string long_url = "http://c.test/" + std::string(5000, 'x');
  std::vector<std::string> urls = {"http://c.test/404",          "http://c.test/429",
                                   "http://c.test/bad-redirect",
                                   "http://c.test/ftp-redirect", "http://c.test/away",
                                   "http://c.test/hop0",         "http://c.test/corrupt-gzip",
                                   "http://c.test/unknown-coding", "https://c.test/tls",
                                   "http://closer.c.test/",      "http://garbage.c.test/",
                                   "http://backlog.c.test/",     "http://refused.c.test/",
                                   "http://unmapped.c.test/",    "ftp://c.test/x",
                                   long_url,                     "http://other.example/",
                                   "http://10.0.0.1/",           "http://c.test/crash-me"};
  Site main_site = site("c", {"http://c.test/", "http://10.0.0.1/"});
  Site robots_site = site("r", {"http://robots.test/"});
  Site paused_site = site("p", {"http://paused.test/"});
  Site skipped_site = site("s", {"http://skipped.test/"});
  skipped_site.overrides["skip"] = "true";
  auto factory = [&](const Site& s, const CrawlOptions&) -> std::unique_ptr<Spider> {
    if (s.id == "c") return std::make_unique<ListSpider>(urls);
    if (s.id == "p")
      return std::make_unique<ListSpider>(std::vector<std::string>{"http://paused.test/500", "http://paused.test/a",
                                                                    "http://paused.test/b"});
    return std::make_unique<ListSpider>(std::vector<std::string>{s.urls[0]});
  };
  const std::vector<Site> sites = {main_site, skipped_site};
  // /crash-me aborts the spider: a forked crawl dies twice on it, the third run records it and finishes.
  auto crawl_in_child = [&](bool resume) {
    pid_t pid = fork();
    if (pid == 0) {
      std::signal(SIGABRT, SIG_DFL);  // die as the page says, without the test framework's report
      CrawlOptions oc = o;
      oc.resume = resume;
      Crawler c(oc, factory);
      _exit(c.run(sites).ok ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
  };
  CHECK(crawl_in_child(false) == -SIGABRT);
  CHECK(crawl_in_child(true) == -SIGABRT);
  REQUIRE(crawl_in_child(true) == 0);
  auto got = final_classes(o.out_dir);
  const std::string cr = "crawler";
  cell(cr, "DNS failure", "offline mode, host not mapped", "dns", got["http://unmapped.c.test/"]);
  cell(cr, "connection refused", "mapped to a closed port", "connect", got["http://refused.c.test/"]);
  cell(cr, "no connect in time", "listener with a full accept queue, connect timeout 1 s", "connect-timeout",
       got["http://backlog.c.test/"]);
  cell(cr, "closed without an answer", "accept, then close", "reset", got["http://closer.c.test/"]);
  cell(cr, "not HTTP", "an SSH banner", "protocol", got["http://garbage.c.test/"]);
  cell(cr, "TLS failure", "https onto a plain HTTP port", "tls", got["https://c.test/tls"]);
  cell(cr, "final 4xx", "404", "http-4xx", got["http://c.test/404"]);
  cell(cr, "final 429", "429 every time, throttle budget 1", "http-429", got["http://c.test/429"]);
  cell(cr, "bad redirect", "Location: http://[::1", "bad-redirect", got["http://c.test/bad-redirect"]);
  cell(cr, "redirect to another scheme", "Location: ftp://…", "bad-redirect", got["http://c.test/ftp-redirect"]);
  cell(cr, "redirect out of scope", "Location: another site", "out-of-scope", got["http://c.test/away"]);
  cell(cr, "too many redirects", "/hop0 → /hop1 → …, 3 hops allowed", "redirect-limit", got["http://c.test/hop0"]);
  cell(cr, "corrupt gzip body", "Content-Encoding: gzip, not gzip", "content-decoding",
       got["http://c.test/corrupt-gzip"]);
  cell(cr, "unknown coding", "Content-Encoding: zstd-x", "content-encoding-unsupported",
       got["http://c.test/unknown-coding"]);
  {
    CrawlOptions orb = o;
    orb.out_dir = temp_dir("matrix-robots");
    orb.obey_robots = true;
    REQUIRE(Crawler(orb, factory).run({robots_site, paused_site}).ok);  // one run: a resume unpauses
    auto g2 = final_classes(orb.out_dir);
    cell(cr, "robots.txt disallows", "Disallow: /", "robots-disallowed", g2["http://robots.test/"]);
    cell(cr, "final 5xx", "500 every time, 1 retry", "http-5xx", g2["http://paused.test/500"]);
    cell(cr, "host paused", "2 consecutive 5xx, then the host's other URLs", "host-paused",
         g2["http://paused.test/b"]);
  }
  cell(cr, "not http(s)", "a spider asks for ftp://", "bad-url", got["ftp://c.test/x"]);
  cell(cr, "URL too long", "5,000-byte path", "url-too-long", got[long_url]);
  cell(cr, "out of scope", "a spider asks for another site", "out-of-scope", got["http://other.example/"]);
  cell(cr, "forbidden address", "a listed private IP literal", "forbidden-address", got["http://10.0.0.1/"]);
  cell(cr, "site skipped", "overrides.skip: true", "skipped", got["http://skipped.test/"]);
  cell(cr, "poison page", "the spider aborts on it (twice)", "spider-crash", got["http://c.test/crash-me"]);

  // ---- docs/reliability.md: the table is this matrix ----
  std::ostringstream t;
  t << "| source | fault | how the test produces it | recorded error class |\n|---|---|---|---|\n";
  for (auto& r : matrix()) t << "| " << r.source << " | " << r.fault << " | " << r.how << " | " << r.expected << " |\n";
  const std::string kBegin = "<!-- fault matrix: generated by tests/sim/test_fault_matrix.cpp -->\n";
  const std::string kEnd = "<!-- end of fault matrix -->\n";
  const std::string doc_path = std::string(ODH_SOURCE_DIR) + "/docs/reliability.md";
  std::stringstream ss;
  ss << std::ifstream(doc_path).rdbuf();
  std::string doc = ss.str();
  auto b = doc.find(kBegin), e = doc.find(kEnd);
  std::string want = kBegin + t.str() + kEnd;
  if (const char* u = std::getenv("ODH_UPDATE_DOCS"); u && *u == '1' && b != std::string::npos && e != std::string::npos) {
    doc = doc.substr(0, b) + want + doc.substr(e + kEnd.size());
    std::ofstream(doc_path) << doc;
  } else {
    REQUIRE(b != std::string::npos);
    REQUIRE(e != std::string::npos);
    CHECK_MESSAGE(doc.substr(b, e + kEnd.size() - b) == want,
                  "docs/reliability.md is not the fault matrix: run test_sim with ODH_UPDATE_DOCS=1");
  }
}
