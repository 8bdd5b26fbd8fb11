// Poison pages through the real crawler (issue 17 item 2): `odh crawl --spiders family` on three
// registry sites served by a loopback server — an embedded column whose list page nests 250,000
// elements deep and carries a 200,000-digit page count, a JSON portal whose list answer nests
// 1,000,000 arrays deep, and an ordinary column — then `odh parse --replay` of what it archived.
// Each poison page must be handled within a bound (the crawl and the replay finish, with the poison
// recorded as a parse issue), and the ordinary host must keep its politeness gap while the spiders
// chew on the poison, as the server sees it: the spiders run on the crawl's only event-loop thread.
#include <doctest/doctest.h>

#include <string>

#include "crawl_util.h"
#include "store/store.h"
#include "test_server.h"

using namespace odh;
using namespace odh::test;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr double kSlowdown = 4;  // ASan builds run the parsers several times slower
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kSlowdown = 4;
#else
constexpr double kSlowdown = 1;
#endif
#else
constexpr double kSlowdown = 1;
#endif

std::string deep_html() {
  std::string s = "<html><head><meta charset=\"utf-8\"><title>数据</title></head><body>";
  s.reserve(3'000'000);
  for (int i = 0; i < 250'000; ++i) s += "<div>";
  s += "<ul><li><a href=\"/n7498/n9920260/c1.html\">人口数据</a><span>2021-03-01</span></li></ul>";
  s += "<script>createPageHTML(" + std::string(200'000, '9') + ", 0, \"index\", \"html\");</script>";
  return s + "</body></html>";
}

std::string ordinary_list() {
  std::string s = "<html><head><meta charset=\"utf-8\"><title>数据发布</title></head><body><ul class=\"list\">";
  for (int i = 1; i <= 12; ++i) {
    std::string n = (i < 10 ? "0" : "") + std::to_string(i);
    s += "<li><a href=\"/ftq/sjfb/t202101" + n + "_1.shtml\">丰台区统计数据第" + std::to_string(i) +
         "期</a><span>2021-01-" + n + "</span></li>";
  }
  return s + "</ul></body></html>";
}

}  // namespace

TEST_CASE("poison pages are bounded: the crawl and the replay finish, the other host keeps its gap") {
  const std::string html_poison = deep_html();
  const std::string json_poison = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  const std::string list = ordinary_list();
  TestServer srv([&](const std::string& host, const httplib::Request& q, httplib::Response& r) {
    if (q.path == "/robots.txt") {
      r.status = 404;
      return;
    }
    if (host == "www.bjdch.gov.cn") {
      r.set_content(q.path == "/n7498/n9920260/index.html" ? html_poison : "<html><body>详情</body></html>",
                    "text/html; charset=utf-8");
    } else if (host == "data.hainan.gov.cn") {
      if (q.method == "POST") r.set_content(json_poison, "application/json");
      else r.set_content("<html><body><a href=\"/sjj/1.htm\">数据集</a></body></html>", "text/html; charset=utf-8");
    } else if (host == "www.bjft.gov.cn") {
      if (q.path == "/ftq/sjfb/sjfb.shtml") r.set_content(list, "text/html; charset=utf-8");
      else
        r.set_content("<html><head><meta charset=\"utf-8\"><title>丰台区统计数据</title></head><body><h1>丰台区统计数据</h1>"
                      "<p>发布日期：2021-01-05</p><p>来源：丰台区统计局</p></body></html>",
                      "text/html; charset=utf-8");
    } else {
      r.status = 404;
    }
  });

  const std::string base = temp_dir("poison-pages");
  std::filesystem::create_directories(base);
  const std::string sites = std::string(ODH_SOURCE_DIR) + "/sites.yaml";
  const double delay = 0.3;
  const auto t0 = steady_s();
  REQUIRE(run_odh({"crawl", "--spiders", "family", "--sites", sites, "--only", "bjdch,data-hainan,bjft", "--offline",
                   "--delay", std::to_string(delay), "--quiet", "--connect-to", srv.connect_to(), "--out",
                   base + "/crawl"},
                  "", base + "/crawl.log") == 0);
  const double crawl_s = steady_s() - t0;
  MESSAGE("crawl " << crawl_s << " s");
  CHECK(crawl_s < 20 * kSlowdown);

  // Each poison page was fetched, and the ordinary column's list and items were all asked for.
  CHECK(!srv.log_for("www.bjdch.gov.cn").empty());
  int posts = 0;
  for (auto& r : srv.log_for("data.hainan.gov.cn")) posts += r.method == "POST";
  CHECK(posts > 0);
  auto ordinary = srv.log_for("www.bjft.gov.cn");
  REQUIRE(ordinary.size() >= 13);  // robots, the list, its 12 items
  double worst = 0, shortest = 1e9;
  for (size_t i = 1; i < ordinary.size(); ++i) {
    worst = std::max(worst, ordinary[i].t - ordinary[i - 1].t);
    shortest = std::min(shortest, ordinary[i].t - ordinary[i - 1].t);
  }
  MESSAGE("ordinary host: gaps " << shortest << " .. " << worst << " s (delay " << delay << " s)");
  CHECK(shortest >= delay - 0.01);
  CHECK(worst < delay + 0.7 * kSlowdown);

  // The replay parses the same pages again, outside the crawl: bounded too, the poison recorded.
  const std::string db = base + "/odh.sqlite";
  const auto t1 = steady_s();
  REQUIRE(run_odh({"parse", "--replay", base + "/crawl", "--db", db, "--sites", sites, "--site", "bjdch", "--site",
                   "data-hainan", "--site", "bjft"},
                  "", base + "/replay.log") == 0);
  MESSAGE("replay " << steady_s() - t1 << " s");
  CHECK(steady_s() - t1 < 20 * kSlowdown);
  auto store = Store::open(db);
  auto count = [&](const std::string& sql) { return store->query(sql).at(0).at(0); };
  for (auto& r : store->query("SELECT portal_id, kind, substr(coalesce(message,''), 1, 120) FROM parse_issue"))
    MESSAGE("parse issue: " << r.at(0) << " " << r.at(1) << " " << r.at(2));
  CHECK(count("SELECT count(*) FROM parse_issue WHERE portal_id='data-hainan' AND kind='bad-json'") != "0");
  CHECK(count("SELECT count(*) FROM parse_issue WHERE portal_id='bjdch'") != "0");
  CHECK(count("SELECT count(*) FROM dataset WHERE portal_id='bjft'") == "12");
  std::filesystem::remove_all(base);
}
