// Scheduler rules against a loopback server with a request log: gaps, robots, Retry-After,
// backoff, retry budget, pausing, redirects, caps, host mapping, conditional GET.
#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <ctime>

#include "crawl_util.h"
#include "test_server.h"

using namespace odh;
using namespace odh::test;

namespace {

CrawlOptions fast_options(const TestServer& srv, const std::string& name) {
  CrawlOptions o;
  o.out_dir = temp_dir(name);
  o.delay_s = 0.05;
  o.jitter = 0;
  o.backoff_base_s = 0.05;
  o.connect_to = {srv.connect_to()};
  o.progress_interval_s = 0.2;
  o.connect_timeout_s = 5;
  o.request_timeout_s = 20;
  return o;
}

std::string links(std::initializer_list<std::string> hrefs) {
  std::string s = "<html><body>";
  for (auto& h : hrefs) s += "<a href=\"" + h + "\">x</a>";
  return s + "</body></html>";
}

std::vector<LoggedRequest> sorted(std::vector<LoggedRequest> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.t < b.t; });
  return v;
}

double min_gap(const std::vector<LoggedRequest>& v) {
  double g = 1e9;
  for (size_t i = 1; i < v.size(); ++i) g = std::min(g, v[i].t - v[i - 1].t);
  return g;
}

int count_path(const std::vector<LoggedRequest>& v, const std::string& prefix) {
  return static_cast<int>(
      std::count_if(v.begin(), v.end(), [&](auto& r) { return r.path.rfind(prefix, 0) == 0; }));
}

std::string gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string http_date(time_t t) {
  char buf[64];
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

TEST_CASE("hosts run in parallel; one host never sees two requests closer than the delay") {
  TestServer srv([](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.status = 404;
      return;
    }
    if (q.path == "/")
      r.set_content(links({"/p1", "/p2", "/p3", "/p4", "/p5", "/p6", "/p7", "/p8", "#frag", "/p1#dup"}),
                    "text/html");
    else
      r.set_content("<html>" + host + q.path + "</html>", "text/html; charset=utf-8");
  });
  auto o = fast_options(srv, "gap");
  o.delay_s = 0.1;
  o.jitter = 0.2;
  Crawler c(o);
  double t0 = steady_s();
  auto rep = c.run({site("a", {"http://a.test/"}), site("b", {"http://b.test/"})});
  double wall = steady_s() - t0;
  REQUIRE(rep.ok);
  for (std::string h : {"a.test", "b.test"}) {
    auto log = sorted(srv.log_for(h));
    REQUIRE(log.size() == 10);  // robots + home + 8 pages (fragment duplicates removed)
    CHECK(log[0].path == "/robots.txt");
    CHECK(min_gap(log) >= 0.1);
    for (auto& r : log) {
      CHECK(r.user_agent.rfind("odh/", 0) == 0);
      CHECK(r.accept_encoding == "gzip, deflate");
    }
  }
  CHECK(wall < 1.6);  // serial would need 2 × 9 × 0.1 s
  CHECK(rep.totals.pages == 18);
  // The WARC keeps the real URLs although every connection went to 127.0.0.1:port.
  auto warcs = read_warcs(o.out_dir);
  int responses = 0;
  for (auto& e : warcs) {
    CHECK((e.uri.rfind("http://a.test/", 0) == 0 || e.uri.rfind("http://b.test/", 0) == 0));
    if (e.type == "response" || e.type == "revisit") responses++;  // identical 404s are revisits
  }
  CHECK(responses == 20);
  CHECK(query1(o.out_dir, "SELECT count(*) FROM fetch WHERE warc_file IS NOT NULL") == "20");
  CHECK(query1(o.out_dir, "SELECT robots FROM host_status WHERE host='http://a.test:80'") == "none");
  auto ps = query(o.out_dir,
                  "SELECT reachable, error_class, robots, pages, requests_2xx, requests_4xx FROM "
                  "portal_status WHERE portal_id='a'");
  REQUIRE(ps.size() == 1);
  CHECK(ps[0] == std::vector<std::string>{"1", "", "none", "9", "9", "1"});
}

TEST_CASE("robots.txt: disallowed paths are never requested; Crawl-delay raises the gap") {
  TestServer srv([](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt")
      r.set_content("User-agent: *\nDisallow: /private\nCrawl-delay: 0.2\n", "text/plain");
    else if (q.path == "/")
      r.set_content(links({"/private/a", "/public/b", "/public/c"}), "text/html");
    else
      r.set_content("ok", "text/html");
  });
  auto o = fast_options(srv, "robots");
  Crawler c(o);
  auto rep = c.run({site("r", {"http://r.test/"})});
  REQUIRE(rep.ok);
  auto log = sorted(srv.log());
  CHECK(count_path(log, "/private") == 0);
  CHECK(count_path(log, "/public") == 2);
  CHECK(min_gap(log) >= 0.2);
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://r.test/private/a'") ==
        "robots-disallowed");
  CHECK(query1(o.out_dir, "SELECT robots FROM host_status") == "ok");
}

TEST_CASE("two registry portals with one URL: fetched once, for the first; the second says shared-url") {
  // Appendix 1 prints some counties with their city's address (e.g. Taizhou's four districts).
  TestServer srv([](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") r.status = 404;
    else r.set_content("<html><body>city</body></html>", "text/html");
  });
  auto o = fast_options(srv, "shared");
  Crawler c(o);
  auto rep = c.run({site("city", {"http://c.test/"}), site("county", {"http://c.test/"})});
  REQUIRE(rep.ok);
  CHECK(count_path(srv.log(), "/") == 2);  // robots.txt and the page, once
  CHECK(query1(o.out_dir, "SELECT reachable || ' ' || COALESCE(error_class, '') FROM portal_status WHERE "
                          "portal_id='city'") == "1 ");
  CHECK(query1(o.out_dir, "SELECT reachable || ' ' || error_class FROM portal_status WHERE portal_id='county'") ==
        "0 shared-url");
}

TEST_CASE("robots.txt 5xx means disallow all (after retries)") {
  TestServer srv([](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt")
      r.status = 503;
    else
      r.set_content("ok", "text/html");
  });
  auto o = fast_options(srv, "robots5xx");
  Crawler c(o);
  auto rep = c.run({site("r", {"http://r.test/"})});
  REQUIRE(rep.ok);
  auto log = srv.log();
  CHECK(count_path(log, "/robots.txt") == 4);  // 1 + 3 retries
  CHECK(count_path(log, "/") == 4);            // nothing but robots
  CHECK(query1(o.out_dir, "SELECT robots FROM host_status") == "unreachable");
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://r.test/'") == "robots-disallowed");
  CHECK(query1(o.out_dir, "SELECT reachable || ' ' || error_class || ' ' || robots FROM portal_status") ==
        "0 robots-disallowed unreachable");
}

TEST_CASE("Retry-After in seconds and as an HTTP-date is honoured; 429 does not use the retry budget") {
  std::atomic<int> n429{0}, n503{0}, nthrottle{0};
  TestServer srv([&](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.status = 404;
    } else if (q.path == "/") {
      r.set_content(links({"/ra"}), "text/html");
    } else if (host == "secs.test") {
      if (n429++ == 0) {
        r.status = 429;
        r.set_header("Retry-After", "1");
      } else {
        r.set_content("ok", "text/html");
      }
    } else if (host == "date.test") {
      if (n503++ == 0) {
        r.status = 503;
        r.set_header("Retry-After", http_date(time(nullptr) + 2));
      } else {
        r.set_content("ok", "text/html");
      }
    } else {  // throttle.test: 429 five times without Retry-After, then 200
      if (nthrottle++ < 5)
        r.status = 429;
      else
        r.set_content("ok", "text/html");
    }
  });
  auto o = fast_options(srv, "retryafter");
  o.max_retries = 3;
  Crawler c(o);
  auto rep = c.run({site("s", {"http://secs.test/"}), site("d", {"http://date.test/"}),
                    site("t", {"http://throttle.test/"})});
  REQUIRE(rep.ok);
  auto secs = sorted(srv.log_for("secs.test"));
  REQUIRE(count_path(secs, "/ra") == 2);
  CHECK(secs.back().t - secs[secs.size() - 2].t >= 1.0);
  auto date = sorted(srv.log_for("date.test"));
  REQUIRE(count_path(date, "/ra") == 2);
  CHECK(date.back().t - date[date.size() - 2].t >= 0.9);  // HTTP-date has 1 s resolution
  auto thr = srv.log_for("throttle.test");
  CHECK(count_path(thr, "/ra") == 6);
  CHECK(query1(o.out_dir, "SELECT status FROM fetch WHERE url='http://throttle.test/ra' AND final=1") ==
        "200");
  CHECK(query1(o.out_dir, "SELECT status FROM fetch WHERE url='http://date.test/ra' AND final=1") == "200");
  CHECK(query1(o.out_dir, "SELECT throttled FROM host_status WHERE host='http://throttle.test:80'") == "5");
}

TEST_CASE("5xx: exponential backoff and at most 3 retries") {
  TestServer srv([&](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt")
      r.status = 404;
    else if (q.path == "/")
      r.set_content(links({"/fail"}), "text/html");
    else
      r.status = 500;
  });
  auto o = fast_options(srv, "backoff");
  o.backoff_base_s = 0.1;
  Crawler c(o);
  auto rep = c.run({site("e", {"http://e.test/"})});
  REQUIRE(rep.ok);
  auto log = sorted(srv.log());
  std::vector<double> t;
  for (auto& r : log)
    if (r.path == "/fail") t.push_back(r.t);
  REQUIRE(t.size() == 4);
  CHECK(t[1] - t[0] >= 0.1);
  CHECK(t[2] - t[1] >= 0.2);
  CHECK(t[3] - t[2] >= 0.4);
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://e.test/fail' AND final=1") ==
        "http-5xx");
  CHECK(query1(o.out_dir, "SELECT count(*) FROM fetch WHERE url='http://e.test/fail'") == "4");
  CHECK(query1(o.out_dir, "SELECT retries FROM host_status") == "3");
}

TEST_CASE("a host is paused after 5 consecutive failures; the rest is recorded, not fetched") {
  TestServer srv([&](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt")
      r.status = 404;
    else if (q.path == "/")
      r.set_content(links({"/x1", "/x2", "/x3", "/x4", "/x5", "/x6", "/x7", "/x8"}), "text/html");
    else
      r.status = 502;
  });
  auto o = fast_options(srv, "pause");
  o.backoff_base_s = 0.02;
  Crawler c(o);
  auto rep = c.run({site("g", {"http://g.test/"})});
  REQUIRE(rep.ok);
  auto log = srv.log();
  CHECK(count_path(log, "/x") == 5);
  CHECK(query1(o.out_dir, "SELECT paused FROM host_status") == "1");
  CHECK(query1(o.out_dir, "SELECT paused || ' ' || requests_5xx || ' ' || retries FROM portal_status") ==
        "1 5 3");
  CHECK(query1(o.out_dir, "SELECT count(*) FROM fetch WHERE error_class='host-paused'") == "6");  // x3..x8
  REQUIRE(rep.hosts.size() == 1);
  CHECK(rep.hosts[0].paused);
}

TEST_CASE("redirects: followed hop by hop, at most 10, only inside the site") {
  TestServer srv([&](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.status = 404;
    } else if (q.path == "/") {
      r.set_content(links({"/loop/0", "/out", "/r1", "http://www.h.test/sub"}), "text/html");
    } else if (q.path.rfind("/loop/", 0) == 0) {
      r.status = 302;
      r.set_header("Location", "/loop/" + std::to_string(std::stoi(q.path.substr(6)) + 1));
    } else if (q.path == "/out") {
      r.status = 302;
      r.set_header("Location", "http://elsewhere.example/x");
    } else if (q.path == "/r1") {
      r.status = 301;
      r.set_header("Location", "http://h.test/final");
    } else {
      r.set_content("final", "text/html");
    }
  });
  auto o = fast_options(srv, "redirect");
  o.delay_s = 0.01;
  Crawler c(o);
  auto rep = c.run({site("h", {"http://h.test/"})});
  REQUIRE(rep.ok);
  auto log = srv.log();
  CHECK(count_path(log, "/loop/") == 11);
  CHECK(srv.log_for("elsewhere.example").empty());
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://h.test/loop/0' AND final=1") ==
        "redirect-limit");
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://h.test/out' AND final=1") ==
        "out-of-scope");
  auto r1 = query(o.out_dir, "SELECT status, final_url FROM fetch WHERE url='http://h.test/r1' AND final=1");
  REQUIRE(r1.size() == 1);
  CHECK(r1[0][0] == "200");
  CHECK(r1[0][1] == "http://h.test/final");
  // Each hop is archived.
  int r1_resp = 0;
  for (auto& e : read_warcs(o.out_dir))
    if (e.type == "response" && e.uri == "http://h.test/r1") r1_resp++;
  CHECK(r1_resp == 1);
}

TEST_CASE("caps: an oversized body and a gzip bomb end in a recorded error class") {
  std::string big(3 << 20, 'x');
  std::string bomb = gzip(std::string(40 << 20, '\0'));
  TestServer srv([&](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.status = 404;
    } else if (q.path == "/") {
      r.set_content(links({"/big", "/bomb", "/ok-gz"}), "text/html");
    } else if (q.path == "/big") {
      r.set_content(big, "application/octet-stream");  // not compressible for httplib
    } else if (q.path == "/bomb") {
      r.set_content(bomb, "application/octet-stream");
      r.set_header("Content-Encoding", "gzip");
    } else if (q.path == "/ok-gz") {
      // httplib gzips text/html itself when asked (we send Accept-Encoding: gzip, deflate)
      r.set_content(links({"/from-gz"}) + std::string(5000, ' '), "text/html");
    } else {
      r.set_content("leaf", "text/html");
    }
  });
  auto o = fast_options(srv, "caps");
  o.delay_s = 0.01;
  o.max_wire_bytes = 1 << 20;
  o.max_decoded_bytes = 2 << 20;
  Crawler c(o);
  auto rep = c.run({site("i", {"http://i.test/"})});
  REQUIRE(rep.ok);
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://i.test/big'") == "too-large");
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://i.test/bomb'") ==
        "too-large-decoded");
  CHECK(query1(o.out_dir, "SELECT status FROM fetch WHERE url='http://i.test/ok-gz'") == "200");
  CHECK(count_path(srv.log(), "/from-gz") == 1);  // the link inside the gzip body was found
}

TEST_CASE("connect-to values are validated") {
  CHECK(check_connect_to("a.gov.cn:80:127.0.0.1:8080") == "");
  CHECK(check_connect_to("::127.0.0.1:8080") == "");
  CHECK(check_connect_to("a:80:[::1]:8080") == "");
  CHECK(check_connect_to("a:80:127.0.0.1") != "");
  CHECK(check_connect_to("a:http:127.0.0.1:80") != "");
  CrawlOptions o;
  o.out_dir = temp_dir("badmap");
  o.connect_to = {"nonsense"};
  Crawler c(o);
  auto rep = c.run({site("x", {"http://x.test/"})});
  CHECK_FALSE(rep.ok);
  CHECK(rep.message.find("connect-to") != std::string::npos);
}

TEST_CASE("re-crawl sends conditional GETs; 304 becomes a WARC revisit record") {
  TestServer srv([&](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.status = 404;
    } else if (q.get_header_value("If-None-Match") == "\"v1\"") {
      r.status = 304;
      r.set_header("ETag", "\"v1\"");
    } else {
      r.set_header("ETag", "\"v1\"");
      r.set_content(links({"/a"}), "text/html");
    }
  });
  auto o1 = fast_options(srv, "cond1");
  {
    Crawler c(o1);
    REQUIRE(c.run({site("c", {"http://c.test/"})}).ok);
  }
  auto o2 = fast_options(srv, "cond2");
  o2.previous_dir = o1.out_dir;
  {
    Crawler c(o2);
    REQUIRE(c.run({site("c", {"http://c.test/"})}).ok);
  }
  int conditional = 0;
  for (auto& r : srv.log())
    if (r.if_none_match == "\"v1\"") conditional++;
  // The home page and /a: the spider got the home page's earlier body with the 304 (read from the
  // first crawl's WARC), so it followed /a again, as it would have on a 200.
  CHECK(conditional == 2);
  int revisits = 0;
  for (auto& e : read_warcs(o2.out_dir))
    if (e.type == "revisit" && (e.uri == "http://c.test/" || e.uri == "http://c.test/a")) revisits++;
  CHECK(revisits == 2);
}

TEST_CASE("an existing crawl directory needs --resume") {
  TestServer srv([&](const std::string&, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt")
      r.status = 404;
    else
      r.set_content("x", "text/html");
  });
  auto o = fast_options(srv, "exists");
  {
    Crawler c(o);
    REQUIRE(c.run({site("z", {"http://z.test/"})}).ok);
  }
  Crawler again(o);
  auto rep = again.run({site("z", {"http://z.test/"})});
  CHECK_FALSE(rep.ok);
  CHECK(rep.message.find("--resume") != std::string::npos);
  o.resume = true;
  Crawler resumed(o);
  auto rep2 = resumed.run({site("z", {"http://z.test/"})});
  CHECK(rep2.ok);
  CHECK(srv.log().size() == 2);  // nothing fetched twice
}

TEST_CASE("offline mode: an unmapped host fails as dns without any request; mapped hosts are crawled") {
  TestServer srv([](const std::string&, const httplib::Request& q, httplib::Response& r) {
    r.set_content(q.path == "/robots.txt" ? "" : "<html><body>ok</body></html>", "text/html");
  });
  auto o = fast_options(srv, "offline");
  o.connect_to = {"mapped.test::127.0.0.1:" + srv.connect_to().substr(srv.connect_to().rfind(':') + 1)};
  o.mapped_only = true;
  CHECK(connect_to_matches(o.connect_to, "mapped.test", "80"));
  CHECK(connect_to_matches(o.connect_to, "MAPPED.test", "8080"));
  CHECK_FALSE(connect_to_matches(o.connect_to, "elsewhere.test", "80"));
  Crawler c(o);
  auto rep = c.run({site("m", {"http://mapped.test/"}), site("u", {"http://unmapped.test/"})});
  REQUIRE(rep.ok);
  for (auto& r : srv.log()) CHECK(r.host.find("unmapped") == std::string::npos);
  CHECK(query1(o.out_dir, "SELECT error_class FROM fetch WHERE url='http://unmapped.test/'") == "dns");
  CHECK(query1(o.out_dir, "SELECT status FROM fetch WHERE url='http://mapped.test/'") == "200");
  // Every host has its counters row, the never-contacted one included.
  CHECK(query1(o.out_dir, "SELECT count(*) FROM host_status") == "2");
  CHECK(query1(o.out_dir,
               "SELECT requests_2xx || ' ' || robots || ' ' || (latency_n > 0) FROM host_status WHERE "
               "host='http://mapped.test:80'") == "2 ok 1");
  CHECK(query1(o.out_dir,
               "SELECT (requests_2xx + requests_err) || ' ' || ifnull(robots, '-') FROM host_status "
               "WHERE host='http://unmapped.test:80'") == "0 ");
}
