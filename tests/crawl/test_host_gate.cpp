// Politeness is per host name: http, https and another port of one host share one queue gate.
// Resume gives a paused host a fresh chance after its pause backoff.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>

#include "crawl_util.h"
#include "sim/tls.h"
#include "test_server.h"

using namespace odh;
using namespace odh::test;

namespace {

std::vector<LoggedRequest> sorted_log(std::vector<LoggedRequest> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.t < b.t; });
  return v;
}

// The same handler behind a plain and a TLS listener; one log with the scheme in `method`.
struct TwoSchemeServer {
  std::mutex mu;
  std::vector<LoggedRequest> log;
  std::map<std::string, int> active, max_active;  // concurrent requests per host name
  std::unique_ptr<sim::TlsMaterial> tls = sim::make_tls({"a.test", "b.test"});
  httplib::Server plain;
  httplib::SSLServer secure{tls->cert, tls->key};
  std::thread t1, t2;
  int port = 0, tls_port = 0;

  TwoSchemeServer() {
    for (httplib::Server* s : {&plain, static_cast<httplib::Server*>(&secure)}) {
      bool is_tls = s == &secure;
      s->new_task_queue = [] { return new httplib::ThreadPool(16); };
      s->Get(".*", [this, is_tls](const httplib::Request& q, httplib::Response& r) {
        std::string host = q.get_header_value("Host");
        std::string port_part = host.find(':') == std::string::npos ? "" : host.substr(host.find(':'));
        host = host.substr(0, host.find(':'));
        double t = steady_s();
        {
          std::lock_guard<std::mutex> g(mu);
          max_active[host] = std::max(max_active[host], ++active[host]);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // overlap would show
        if (q.path == "/robots.txt") {
          r.status = 404;
        } else if (q.path == "/") {
          r.set_content(
              "<a href=\"/p1\">1</a><a href=\"/p2\">2</a><a href=\"/p3\">3</a>"
              "<a href=\"https://" +
                  host + "/s1\">s1</a><a href=\"http://" + host + ":8080/o1\">o1</a>",
              "text/html");
        } else {
          r.set_content("<html>" + q.path + "</html>", "text/html");
        }
        std::lock_guard<std::mutex> g(mu);
        --active[host];
        log.push_back(
            {t, host, is_tls ? "https" : "http" + port_part, q.path, r.status, "", "", "", q.remote_port});
      });
    }
    port = plain.bind_to_any_port("127.0.0.1");
    tls_port = secure.bind_to_any_port("127.0.0.1");
    t1 = std::thread([this] { plain.listen_after_bind(); });
    t2 = std::thread([this] { secure.listen_after_bind(); });
    while (!plain.is_running() || !secure.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TwoSchemeServer() {
    plain.stop();
    secure.stop();
    t1.join();
    t2.join();
  }
  std::vector<LoggedRequest> for_host(const std::string& h) {
    std::lock_guard<std::mutex> g(mu);
    std::vector<LoggedRequest> out;
    for (auto& r : log)
      if (r.host == h) out.push_back(r);
    return sorted_log(out);
  }
};

}  // namespace

TEST_CASE("one kept-alive connection per host, reused across its requests and never shared between hosts") {
  // Each host gate has its own curl connection cache (crawler/crawl_engine.cpp, Gate::share): all
  // hosts reach the same 127.0.0.1:port through --connect-to, and still each keeps its own connection.
  TestServer srv([](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt")
      r.status = 404;
    else if (q.path == "/")
      r.set_content("<a href=\"/p1\">1</a><a href=\"/p2\">2</a>", "text/html");
    else
      r.set_content("<html>" + host + q.path + "</html>", "text/html");
  });
  CrawlOptions o;
  o.out_dir = temp_dir("conn");
  o.delay_s = 0.05;
  o.jitter = 0;
  o.connect_to = {srv.connect_to()};
  Crawler c(o);
  auto rep =
      c.run({site("a", {"http://a.test/"}), site("b", {"http://b.test/"}), site("c", {"http://c.test/"})});
  REQUIRE(rep.ok);
  std::set<int> all;
  for (std::string h : {"a.test", "b.test", "c.test"}) {
    CAPTURE(h);
    auto log = srv.log_for(h);
    REQUIRE(log.size() == 4);  // robots + home + 2 pages: within the server's 5 requests per connection
    std::set<int> ports;
    for (auto& r : log) ports.insert(r.remote_port);
    CHECK(ports.size() == 1);
    all.insert(ports.begin(), ports.end());
  }
  CHECK(all.size() == 3);
  std::filesystem::remove_all(o.out_dir);
}

TEST_CASE("http, https and another port of one host share one politeness gap and one request in flight") {
  TwoSchemeServer srv;
  CrawlOptions o;
  o.out_dir = temp_dir("gate");
  o.delay_s = 0.15;
  o.jitter = 0;
  o.connect_timeout_s = 5;
  o.request_timeout_s = 20;
  // https (443) goes to the TLS listener, every other host:port to the plain one (first match wins).
  o.connect_to = {":443:127.0.0.1:" + std::to_string(srv.tls_port),
                  "::127.0.0.1:" + std::to_string(srv.port)};
  o.ca_file = o.out_dir + "-ca.pem";
  std::ofstream(o.ca_file) << srv.tls->cert_pem;
  Crawler c(o);
  double t0 = steady_s();
  auto rep = c.run({site("a", {"http://a.test/", "https://a.test/"}), site("b", {"http://b.test/"})});
  double wall = steady_s() - t0;
  REQUIRE(rep.ok);
  auto a = srv.for_host("a.test");
  // 3 origins of a.test: robots.txt for each (RFC 9309 is per origin), two home pages, p1-p3 once
  // (https and http homes link the same URLs per scheme: http p1-p3, https p1-p3), s1, o1.
  std::set<std::string> origins;
  int robots = 0;
  for (auto& r : a) {
    origins.insert(r.method);
    robots += r.path == "/robots.txt";
  }
  CHECK(origins == std::set<std::string>{"http", "http:8080", "https"});
  CHECK(robots == 3);
  REQUIRE(a.size() >= 10);
  double min_gap = 1e9;
  for (size_t i = 1; i < a.size(); ++i) min_gap = std::min(min_gap, a[i].t - a[i - 1].t);
  CAPTURE(min_gap);
  CHECK(min_gap >= 0.15);  // across schemes and ports, as the server saw them
  CHECK(srv.max_active["a.test"] == 1);
  // Other hosts are not held back by a.test's gate: b.test ran alongside.
  auto b = srv.for_host("b.test");
  REQUIRE(!b.empty());
  CHECK(b.front().t - t0 < 0.5);
  CHECK(wall < 0.15 * static_cast<double>(a.size()) + 2.0);
  // Counters stay per origin.
  CHECK(query1(o.out_dir, "SELECT count(*) FROM host_status WHERE host LIKE '%a.test%'") == "3");
}

TEST_CASE("resume gives a paused host a fresh chance once its pause backoff is over") {
  std::atomic<bool> healthy{false};
  TestServer srv([&](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt")
      r.status = 404;
    else if (q.path == "/")
      r.set_content(
          "<a href=\"/x1\">1</a><a href=\"/x2\">2</a><a href=\"/x3\">3</a><a href=\"/x4\">4</a>"
          "<a href=\"/x5\">5</a><a href=\"/x6\">6</a><a href=\"/x7\">7</a>",
          "text/html");
    else if (healthy)
      r.set_content("<html>ok</html>", "text/html");
    else
      r.status = 502;
  });
  CrawlOptions o;
  o.out_dir = temp_dir("unpause");
  o.delay_s = 0.02;
  o.jitter = 0;
  o.backoff_base_s = 0.1;  // pause backoff: base * 2^max_retries = 0.8 s
  o.connect_to = {srv.connect_to()};
  {
    Crawler c(o);
    auto rep = c.run({site("g", {"http://g.test/"})});
    REQUIRE(rep.ok);
    REQUIRE(rep.hosts.size() == 1);
    CHECK(rep.hosts[0].paused);
  }
  CHECK(query1(o.out_dir, "SELECT paused FROM host_status") == "1");
  CHECK(query1(o.out_dir, "SELECT count(*) FROM fetch WHERE error_class='host-paused' AND final=1") == "5");
  double paused_until = std::stod(query1(o.out_dir, "SELECT paused_until FROM host_status"));
  double wall_now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(paused_until > wall_now);
  healthy = true;
  size_t before = srv.log().size();
  double resume_steady = steady_s();
  o.resume = true;
  Crawler again(o);
  auto rep = again.run({site("g", {"http://g.test/"})});
  REQUIRE(rep.ok);
  auto log = srv.log();
  std::vector<LoggedRequest> run2(log.begin() + static_cast<long>(before), log.end());
  // x3..x7 (never tried: host-paused) are fetched now; x1, x2 had their retries and stay failed.
  REQUIRE(run2.size() == 5);
  for (auto& r : run2) CHECK(r.status != 502);
  // Not before the pause backoff ended (wall clock of paused_until mapped to the steady clock).
  CHECK(run2.front().t >= resume_steady + (paused_until - wall_now) - 0.05);
  CHECK(query1(o.out_dir, "SELECT paused FROM host_status") == "0");
  CHECK(query1(o.out_dir, "SELECT paused FROM portal_status") == "0");
  // One final row per URL: the host-paused rows were superseded.
  CHECK(query1(o.out_dir, "SELECT count(*) FROM fetch WHERE final=1 GROUP BY url HAVING count(*) > 1") == "");
  CHECK(query1(o.out_dir, "SELECT count(*) FROM fetch WHERE final=1 AND status=200 AND url LIKE '%/x%'") ==
        "5");
  CHECK(query1(o.out_dir, "SELECT count(*) FROM fetch WHERE final=1 AND error_class='http-5xx'") == "2");
}
