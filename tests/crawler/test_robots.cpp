// robots.txt: unit tests and the google/robotstxt-spec-test conformance data (400
// expectations, read at run time from ODH_SHARED_DIR).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crawler/robots.h"
#include "textproto.h"

using namespace odh;
namespace fs = std::filesystem;

TEST_CASE("robots: groups, longest match, allow wins ties") {
  auto r = RobotsTxt::parse(
      "User-agent: *\nDisallow: /private\nCrawl-delay: 3\n\n"
      "User-agent: odh\nUser-agent: other\nDisallow: /a\nAllow: /a/b\nDisallow: /x$\n"
      "Sitemap: https://e.gov.cn/sitemap.xml\n"
      "User-agent: ODH\nAllow: /tie\nDisallow: /tie\nDisallow: /*.pdf$\n");
  CHECK(r.allowed("odh", "https://e.gov.cn/private"));  // specific group replaces *
  CHECK_FALSE(r.allowed("somebot", "https://e.gov.cn/private/x"));
  CHECK_FALSE(r.allowed("odh", "https://e.gov.cn/a/c"));
  CHECK(r.allowed("odh", "https://e.gov.cn/a/b/c"));
  CHECK_FALSE(r.allowed("ODH", "/x"));
  CHECK(r.allowed("odh", "/x/y"));
  CHECK(r.allowed("odh", "/tie"));
  CHECK_FALSE(r.allowed("odh", "/d/report.pdf"));
  CHECK(r.allowed("odh", "/d/report.pdf?download=1"));
  CHECK(r.crawl_delay("somebot") == 3.0);
  CHECK_FALSE(r.crawl_delay("odh").has_value());
  REQUIRE(r.sitemaps().size() == 1);
  CHECK(r.sitemaps()[0] == "https://e.gov.cn/sitemap.xml");
}

TEST_CASE("robots: empty disallow, percent-encoding, product token") {
  auto r =
      RobotsTxt::parse("User-agent: *\nDisallow:\n\nUser-agent: odh\nDisallow: /数据\nDisallow: /%7efoo\n");
  CHECK(r.allowed("bot", "/anything"));
  CHECK_FALSE(r.allowed("odh", "/%E6%95%B0%E6%8D%AE/1"));
  CHECK(r.allowed("odh", "/~foo"));  // escapes are compared, not decoded (spec-test)
  CHECK_FALSE(r.allowed("odh", "/%7Efoo/x"));
  CHECK(robots_product_token("odh/0.1 (+https://example.org/odh)") == "odh");
  CHECK(robots_pattern_matches("/a/b/c.html", "/a/*/c"));
  CHECK_FALSE(robots_pattern_matches("/a/b/c.html", "/a/*/c$"));
  CHECK(robots_pattern_matches("/a/b/c", "/a/*/c$"));
  CHECK(robots_pattern_matches("/", ""));
}

TEST_CASE("robots: policy from fetch outcome, cache") {
  auto ok = RobotsPolicy::from_fetch(200, "User-agent: *\nDisallow: /\n", 0);
  CHECK(ok.kind() == RobotsPolicy::Kind::kRules);
  CHECK_FALSE(ok.allowed("odh", "http://a/b"));
  CHECK(ok.allowed("odh", "http://a/robots.txt"));
  CHECK(RobotsPolicy::from_fetch(404, "", 0).allowed("odh", "http://a/b"));
  CHECK(RobotsPolicy::from_fetch(301, "", 6).allowed("odh", "http://a/b"));
  CHECK_FALSE(RobotsPolicy::from_fetch(503, "", 0).allowed("odh", "http://a/b"));
  CHECK_FALSE(RobotsPolicy::from_fetch(0, "", 0).allowed("odh", "http://a/b"));
  CHECK(std::string(RobotsPolicy::from_fetch(500, "", 0).kind_name()) == "disallow-all");

  CHECK(RobotsCache::key_for("HTTPS://Data.GD.gov.cn/x?y") == "https://data.gd.gov.cn:443");
  CHECK(RobotsCache::key_for("http://u:p@h:8080/") == "http://h:8080");
  CHECK(RobotsCache::key_for("ftp://h/") == "");
  RobotsCache cache(std::chrono::hours(24));
  auto t0 = RobotsCache::Clock::now();
  cache.put("http://h:80", RobotsPolicy::disallow_all(), t0);
  CHECK(cache.get("http://h:80", t0 + std::chrono::hours(23)).has_value());
  CHECK_FALSE(cache.get("http://h:80", t0 + std::chrono::hours(25)).has_value());
  CHECK(cache.size() == 0);
}

TEST_CASE("robots: bounded input") {
  std::string big = "User-agent: *\n";
  while (big.size() < 2 * kRobotsMaxBytes) big += "Disallow: /zzzzzzzzzzzzzzzzzzzz\n";
  big += "Disallow: /late\n";
  auto r = RobotsTxt::parse(big);
  CHECK(r.allowed("odh", "/late"));  // beyond the limit: ignored
  CHECK_FALSE(r.allowed("odh", "/zzzzzzzzzzzzzzzzzzzz"));
  std::string stars(10000, '*');
  auto r2 = RobotsTxt::parse("User-agent: *\nDisallow: /" + stars + "a$\n");
  CHECK(r2.allowed("odh", "/" + std::string(3000, 'b')));
}

TEST_CASE("robots: robotstxt-spec-test conformance (400 expectations)") {
  fs::path root = fs::path(ODH_SHARED_DIR) / "peer-tests" / "robotstxt-spec-test";
  REQUIRE(fs::is_directory(root));
  int total = 0, std_pass = 0, std_fail = 0, g_pass = 0, g_fail = 0;
  for (const char* sub : {"correctness", "stress"}) {
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(root / sub))
      if (e.path().extension() == ".textproto") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      auto spec = textproto::Parser(ss.str()).parse();
      for (const auto* test : spec.messages("tests")) {
        auto robots = RobotsTxt::parse(test->get("robotstxt"));
        for (const auto* ex : test->messages("test_expectations")) {
          ++total;
          bool want = ex->get("expected_outcome") == "ALLOWED";
          bool google = ex->get("test_type") == "GOOGLE_SPECIFIC";
          bool got = robots.allowed(ex->get("useragent"), ex->get("testurl"));
          if (got == want) {
            ++(google ? g_pass : std_pass);
          } else {
            ++(google ? g_fail : std_fail);
            std::string msg = f.filename().string() + ": url=" + ex->get("testurl") +
                              " ua=" + ex->get("useragent") + " want=" + ex->get("expected_outcome");
            if (google)
              MESSAGE("GOOGLE_SPECIFIC mismatch: " << msg);
            else
              FAIL_CHECK("mismatch: " << msg << "\n" << test->get("robotstxt"));
          }
        }
      }
    }
  }
  MESSAGE("robotstxt-spec-test: " << total << " expectations; standard " << std_pass << "/"
                                  << std_pass + std_fail << " pass; GOOGLE_SPECIFIC " << g_pass << "/"
                                  << g_pass + g_fail << " pass");
  CHECK(total == 400);
  CHECK(std_fail == 0);
}
