// The engine's request policy and the sites.yaml overrides, as the servers see them: hostile
// requests (other schemes, out of scope, too long, loopback/private addresses, redirects there) open
// no connection at all — a raw listener counts accept()s — and each refusal is a recorded error
// class; `delay_ms`, `timeout_ms`, `max_pages` and `skip` change what the server receives.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <csignal>
#include <fstream>

#include "crawl_util.h"
#include "test_server.h"

using namespace odh;
using namespace odh::test;

namespace {

// A TCP listener on 127.0.0.1 that counts connections (answers each with a tiny 200).
class CountingListener {
 public:
  CountingListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 64);
    th_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        ++count_;
        const char kAnswer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        (void)!send(c, kAnswer, sizeof kAnswer - 1, MSG_NOSIGNAL);
        close(c);
      }
    });
  }
  ~CountingListener() {
    stop_ = true;
    th_.join();
    close(fd_);
  }
  int port() const { return port_; }
  int connections() const { return count_.load(); }

 private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> count_{0};
  std::thread th_;
};

// Asks for exactly the given URLs after the entry page (whatever their scheme, host or length).
class ListSpider : public Spider {
 public:
  ListSpider(std::string entry, std::vector<std::string> then) : entry_(std::move(entry)), then_(std::move(then)) {}
  std::vector<FetchRequest> start_requests() override {
    FetchRequest r;
    r.url = entry_;
    r.kind = "home";
    return {r};
  }
  SpiderOutput on_result(const FetchResult& r) override {
    SpiderOutput out;
    if (r.request.kind != "home") return out;
    for (auto& u : then_) {
      FetchRequest q;
      q.url = u;
      q.kind = "next";
      out.requests.push_back(q);
    }
    return out;
  }

 private:
  std::string entry_;
  std::vector<std::string> then_;
};

std::map<std::string, std::string> error_by_url(const std::string& dir) {
  std::map<std::string, std::string> m;
  for (auto& row : query(dir, "SELECT url, error_class FROM fetch WHERE final = 1 OR final IS NULL"))
    m[row[0]] = row[1];
  return m;
}

}  // namespace

TEST_CASE("hostile requests open no connection: scheme, scope, length, forbidden addresses, redirects") {
  CountingListener trap;
  const std::string p = std::to_string(trap.port());
  TestServer srv([&](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/to-loopback") {
      r.status = 302;
      r.set_header("Location", "http://localhost:" + p + "/via-redirect");
    } else if (q.path == "/to-ip") {
      r.status = 302;
      r.set_header("Location", "http://127.0.0.1:" + p + "/via-redirect");
    } else {
      r.set_content("<html><body>portal</body></html>", "text/html");
    }
  });
  CrawlOptions o;
  o.out_dir = temp_dir("hostile");
  o.delay_s = 0.02;
  o.jitter = 0;
  o.obey_robots = false;
  o.connect_timeout_s = 3;
  // Only the portal is mapped; localhost and the IP literals are not.
  o.connect_to = {"portal.test:80:127.0.0.1:" + std::to_string(srv.port())};
  const std::string long_url = "http://portal.test/" + std::string(5000, 'a');
  std::vector<std::string> hostile = {
      "ftp://portal.test/file",                     // bad-url
      "file:///etc/passwd",                         // bad-url
      "javascript:alert(1)",                        // bad-url
      "gopher://localhost:" + p + "/",              // bad-url
      long_url,                                     // url-too-long
      "http://evil.example:" + p + "/",             // out-of-scope
      "http://portal.test.evil.example:" + p + "/", // out-of-scope
      "http://127.0.0.1:" + p + "/",                // out-of-scope (not the site)
      "http://0x7f.1:" + p + "/hex",                // = 127.0.0.1, out-of-scope
      "http://10.1.2.3:" + p + "/",                 // in scope (listed), private literal
      "http://[::1]:" + p + "/",                    // in scope (listed), loopback literal
      "http://localhost:" + p + "/resolved",        // in scope (listed), resolves to loopback
      "http://portal.test/to-loopback",             // redirect into loopback
      "http://portal.test/to-ip",                   // redirect out of scope
  };
  // The site lists loopback names and private addresses among its URLs, so scope alone does not
  // refuse them: the address policy must.
  Site s = site("hostile", {"http://portal.test/", "http://localhost/", "http://10.1.2.3/", "http://[::1]/"});
  Crawler c(o, [&](const Site& st, const CrawlOptions&) {
    return std::make_unique<ListSpider>("http://portal.test/", hostile);
  });
  auto rep = c.run({s});
  REQUIRE(rep.ok);
  CHECK(trap.connections() == 0);
  auto err = error_by_url(o.out_dir);
  CHECK(err["http://portal.test/"] == "");
  CHECK(err["ftp://portal.test/file"] == "bad-url");
  CHECK(err["file:///etc/passwd"] == "bad-url");
  CHECK(err["javascript:alert(1)"] == "bad-url");
  CHECK(err["gopher://localhost:" + p + "/"] == "bad-url");
  CHECK(err[long_url] == "url-too-long");
  CHECK(err["http://evil.example:" + p + "/"] == "out-of-scope");
  CHECK(err["http://portal.test.evil.example:" + p + "/"] == "out-of-scope");
  CHECK(err["http://127.0.0.1:" + p + "/"] == "out-of-scope");
  CHECK(err["http://0x7f.1:" + p + "/hex"] == "out-of-scope");
  CHECK(err["http://10.1.2.3:" + p + "/"] == "forbidden-address");
  CHECK(err["http://[::1]:" + p + "/"] == "forbidden-address");
  CHECK(err["http://localhost:" + p + "/resolved"] == "forbidden-address");
  CHECK(err["http://portal.test/to-ip"] == "out-of-scope");
  // The redirect hop to localhost is refused at connect time, after resolution.
  auto hop = query(o.out_dir, "SELECT error_class FROM fetch WHERE final_url LIKE '%/via-redirect'");
  REQUIRE(hop.size() == 1);
  CHECK(hop[0][0] == "forbidden-address");
  // Refusals reach neither the network nor the frontier.
  CHECK(query(o.out_dir, "SELECT count(*) FROM frontier WHERE url LIKE '%evil%' OR url LIKE 'ftp%'")[0][0] == "0");

  SUBCASE("with robots.txt: a host on a forbidden address is refused as a whole, still no connection") {
    CrawlOptions o2 = o;
    o2.out_dir = temp_dir("hostile-robots");
    o2.obey_robots = true;
    Crawler c2(o2, [&](const Site&, const CrawlOptions&) {
      return std::make_unique<ListSpider>("http://portal.test/", hostile);
    });
    REQUIRE(c2.run({s}).ok);
    CHECK(trap.connections() == 0);
    auto e2 = error_by_url(o2.out_dir);
    CHECK(e2["http://localhost:" + p + "/resolved"] == "forbidden-address");
  }
}

TEST_CASE("a --connect-to rule lets the operator map a host onto loopback") {
  CountingListener target;
  CrawlOptions o;
  o.out_dir = temp_dir("mapped");
  o.obey_robots = false;
  o.delay_s = 0.02;
  o.connect_to = {"portal.test:80:127.0.0.1:" + std::to_string(target.port())};
  Crawler c(o, [&](const Site&, const CrawlOptions&) {
    return std::make_unique<ListSpider>("http://portal.test/", std::vector<std::string>{});
  });
  REQUIRE(c.run({site("mapped", {"http://portal.test/"})}).ok);
  CHECK(target.connections() == 1);
  CHECK(error_by_url(o.out_dir)["http://portal.test/"] == "");
}

TEST_CASE("sites.yaml overrides take effect: delay_ms, timeout_ms, max_pages, skip (seen by the server)") {
  std::atomic<int> slow_calls{0};
  TestServer srv([&](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (host == "timeout.test" && q.path == "/" && slow_calls++ == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // far longer than timeout_ms
    }
    std::string body = "<html><body>";
    if (q.path == "/")
      for (int i = 0; i < 10; ++i) body += "<a href=\"/p" + std::to_string(i) + "\">p</a>";
    r.set_content(body + "</body></html>", "text/html");
  });
  CrawlOptions o;
  o.out_dir = temp_dir("overrides");
  o.delay_s = 0.02;
  o.jitter = 0;
  o.obey_robots = false;
  o.backoff_base_s = 0.05;
  o.request_timeout_s = 20;
  o.connect_to = {srv.connect_to()};
  Site delay = site("delay", {"http://delay.test/"});
  delay.overrides["delay_ms"] = "5000";
  delay.overrides["max_pages"] = "2";  // home + one page: one gap, a short test
  Site pages = site("pages", {"http://pages.test/"});
  pages.overrides["max_pages"] = "4";
  Site skip = site("skip", {"http://skip.test/"});
  skip.overrides["skip"] = "true";
  Site timeout = site("timeout", {"http://timeout.test/"});
  timeout.overrides["timeout_ms"] = "400";
  timeout.overrides["max_pages"] = "1";
  Crawler c(o);
  auto t0 = steady_s();
  REQUIRE(c.run({delay, pages, skip, timeout}).ok);
  const double took = steady_s() - t0;

  auto d = srv.log_for("delay.test");
  REQUIRE(d.size() == 2);
  CHECK(d[1].t - d[0].t >= 5.0);
  CHECK(d[1].t - d[0].t < 6.0);
  CHECK(srv.log_for("pages.test").size() == 4);  // home + 3 of its 10 links
  CHECK(srv.log_for("skip.test").empty());
  CHECK(error_by_url(o.out_dir)["http://skip.test/"] == "skipped");
  // The first answer would take 2.5 s; the 400 ms timeout cut it and the retry came early.
  auto t = srv.log_for("timeout.test");
  REQUIRE(t.size() == 2);
  CHECK(t[1].t - t[0].t < 1.5);
  CHECK(took < 8.0);
}

namespace {
// Crashes the process (abort) on every page whose path holds "poison"; links every other page's
// /pN targets. Runs in a forked child so the crash is a real one.
class CrashingSpider : public Spider {
 public:
  std::vector<FetchRequest> start_requests() override {
    FetchRequest r;
    r.url = "http://poison.test/";
    return {r};
  }
  SpiderOutput on_result(const FetchResult& r) override {
    if (r.final_url == "http://poison.test/poison" && r.error_class != "spider-crash") std::abort();
    SpiderOutput out;
    if (r.request.url == "http://poison.test/")
      for (const char* p : {"/a", "/poison", "/b"}) {
        FetchRequest q;
        q.url = std::string("http://poison.test") + p;
        out.requests.push_back(q);
      }
    return out;
  }
};

int crawl_in_child(const CrawlOptions& o, const Site& s) {
  pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGABRT, SIG_DFL);  // die as the page says, without the test framework's report
    Crawler c(o, [](const Site&, const CrawlOptions&) { return std::make_unique<CrashingSpider>(); });
    auto rep = c.run({s});
    _exit(rep.ok ? 0 : 1);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}
}  // namespace

TEST_CASE("a page that crashes the spider is retried once on resume, then recorded as spider-crash") {
  TestServer srv([](const std::string&, const httplib::Request& q, httplib::Response& r) {
    r.set_content("<html><body>" + q.path + "</body></html>", "text/html");
  });
  CrawlOptions o;
  o.out_dir = temp_dir("poison");
  o.delay_s = 0.01;
  o.jitter = 0;
  o.obey_robots = false;
  o.connect_to = {srv.connect_to()};
  Site s = site("poison", {"http://poison.test/"});
  CHECK(crawl_in_child(o, s) == -SIGABRT);  // first crash
  o.resume = true;
  CHECK(crawl_in_child(o, s) == -SIGABRT);  // the resume meets it again
  CHECK(crawl_in_child(o, s) == 0);         // the second resume skips it
  auto err = error_by_url(o.out_dir);
  CHECK(err["http://poison.test/poison"] == "spider-crash");
  CHECK(err["http://poison.test/a"] == "");
  CHECK(err["http://poison.test/b"] == "");
  CHECK(query(o.out_dir, "SELECT count(*) FROM frontier WHERE state = 0")[0][0] == "0");
}

TEST_CASE("WARC files the crawl state does not know stop the start; nothing is deleted") {
  TestServer srv([](const std::string&, const httplib::Request&, httplib::Response& r) {
    r.set_content("<html></html>", "text/html");
  });
  CrawlOptions o;
  o.out_dir = temp_dir("foreign-warc");
  o.obey_robots = false;
  o.delay_s = 0.01;
  o.connect_to = {srv.connect_to()};
  std::filesystem::create_directories(o.out_dir + "/warc");
  { std::ofstream(o.out_dir + "/warc/someone-else.warc.gz") << "precious"; }
  Crawler c(o);
  auto rep = c.run({site("w", {"http://w.test/"})});
  CHECK_FALSE(rep.ok);
  CHECK(rep.message.find("someone-else.warc.gz") != std::string::npos);
  CHECK(std::filesystem::exists(o.out_dir + "/warc/someone-else.warc.gz"));
  // Moved away, the crawl runs (the refused start left its state: --resume); its own files are known
  // to the next resume.
  std::filesystem::remove(o.out_dir + "/warc/someone-else.warc.gz");
  o.resume = true;
  REQUIRE(Crawler(o).run({site("w", {"http://w.test/"})}).ok);
  auto again = Crawler(o).run({site("w", {"http://w.test/"})});
  CHECK(again.ok);
  CHECK(again.message == "");
}
