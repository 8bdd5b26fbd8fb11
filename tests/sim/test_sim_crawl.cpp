// The simulator through the real crawler: the open-data-web JS-cookie gate with sessions that
// expire (the session spider re-acquires the cookies), and every transport fault of the fault file
// ending in its recorded error class without a crash.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "crawl/crawl_util.h"
#include "sim/sim_run.h"
#include "harvest/harvest.h"
#include "parsers/html.h"
#include "parsers/session_spider.h"
#include "sim/sim.h"
#include "store/store.h"

using nlohmann::json;
using namespace odh;
using test::SimRun;

namespace {

Site hefei() {
  Site s;
  s.id = "hefei";
  s.name = "合肥市数据资源开放平台";
  s.province = "安徽省";
  s.city = "合肥市";
  s.kind = "independent";
  s.level = "地市级";
  s.region = "华东";
  s.division_code = "340100";
  s.family = "open-data-web";
  s.urls = {"http://www.hefei.gov.cn/open-data-web/index/index.do"};
  return s;
}

// Requests a fixed list of URLs and keeps what the crawler hands back.
class ListSpider : public Spider {
 public:
  ListSpider(std::string site, std::vector<std::string> urls, std::map<std::string, FetchResult>* out)
      : site_(std::move(site)), urls_(std::move(urls)), out_(out) {}
  std::vector<FetchRequest> start_requests() override {
    std::vector<FetchRequest> v;
    for (auto& u : urls_) {
      FetchRequest q;
      q.site_id = site_;
      q.url = u;
      q.kind = "test";
      v.push_back(q);
    }
    return v;
  }
  SpiderOutput on_result(const FetchResult& r) override {
    (*out_)[r.request.url] = r;
    return {};
  }

 private:
  std::string site_;
  std::vector<std::string> urls_;
  std::map<std::string, FetchResult>* out_;
};

}  // namespace

TEST_CASE("gate solver: both stages of the simulator's Hefei gate; non-gate pages are left alone") {
  SimRun s({hefei()}, "hosts:\n  www.hefei.gov.cn: {reach: ok}\n", 0.05);
  httplib::Client c("127.0.0.1", s.port);
  auto r1 =
      c.Get("/open-data-web/kfzy/queryKfZyPage.do?zylxdm=1&currentPageNo=1", {{"Host", "www.hefei.gov.cn"}});
  REQUIRE(r1);
  auto k1 = solve_js_cookie_gate(r1->body);
  REQUIRE(k1);
  CHECK(k1->name == "__jsl_clearance_s");
  std::string sid = r1->get_header_value("Set-Cookie");
  sid = sid.substr(0, sid.find(';'));
  auto r2 = c.Get("/open-data-web/kfzy/queryKfZyPage.do?zylxdm=1&currentPageNo=1",
                  {{"Host", "www.hefei.gov.cn"}, {"Cookie", sid + "; __jsl_clearance_s=" + k1->value}});
  REQUIRE(r2);
  REQUIRE(r2->body.find("go({") != std::string::npos);
  auto k2 = solve_js_cookie_gate(r2->body);
  REQUIRE(k2);
  CHECK(k2->value != k1->value);
  auto r3 = c.Get("/open-data-web/kfzy/queryKfZyPage.do?zylxdm=1&currentPageNo=1",
                  {{"Host", "www.hefei.gov.cn"}, {"Cookie", sid + "; __jsl_clearance_s=" + k2->value}});
  REQUIRE(r3);
  CHECK(r3->status == 200);
  CHECK(json::parse(r3->body)["data"].contains("totalPageCount"));
  CHECK_FALSE(solve_js_cookie_gate("<html><body>cookie policy</body></html>"));
  CHECK_FALSE(
      solve_js_cookie_gate(";go({\"bts\":[\"a\",\"b\"],\"chars\":\"xy\",\"ct\":\"00\",\"ha\":\"md5\"})"));
  CHECK_FALSE(solve_js_cookie_gate(";go({\"bts\":[\"a\"],\"chars\":\"xy\"})"));
  CHECK_FALSE(solve_js_cookie_gate(std::string(100000, '{')));
}

TEST_CASE(
    "open-data-web through the crawler: the gate is answered, expired sessions are re-acquired, all records "
    "harvested") {
  // Sessions expire after 3 answers: a harvest of n datasets needs several new sessions.
  SimRun s({hefei()}, "hosts:\n  www.hefei.gov.cn: {reach: ok, session_requests: 3}\n", 0.2);
  const sim::Portal& p = *s.world->by_id("hefei");
  REQUIRE(p.n_datasets >= 3);
  auto db = test::temp_dir("simcrawl-db");
  std::filesystem::create_directories(db);
  auto store = Store::open(db + "/odh.sqlite");
  HarvestOptions h;
  h.crawl = s.crawl_options();
  auto sum = harvest_live({hefei()}, h, *store);
  CHECK(sum.datasets == p.n_datasets);
  auto titles = store->query("SELECT title FROM dataset WHERE run_id=" + std::to_string(sum.run_id) +
                             " ORDER BY title");
  std::vector<std::string> want;
  for (std::int64_t i = 0; i < p.n_datasets; ++i) want.push_back(p.dataset(i).title);
  std::sort(want.begin(), want.end());
  REQUIRE(titles.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(titles[i][0] == want[i]);
  // The simulator's log: many sessions (Set-Cookie answers), every 521 followed by success.
  int gates = 0, ok = 0;
  for (auto& e : s.log()) {
    if (e["path"].get<std::string>().rfind("/open-data-web/", 0) != 0) continue;
    if (e["status"] == 521) ++gates;
    if (e["status"] == 200) ++ok;
  }
  CHECK(ok >= p.n_datasets + 1);
  CHECK(gates >= 2 * (ok / 3));  // each expired session costs two gate answers
  // The crawler did not treat the gate as a failing server.
  CHECK(test::query1(h.crawl.out_dir, "SELECT paused FROM host_status") == "0");
  std::filesystem::remove_all(db);
}

TEST_CASE(
    "faults through the crawler: slow, oversize, gzip bomb, truncated, reset, latency, malformed — recorded, "
    "no crash") {
  Site g;
  g.id = "faulty";
  g.name = "故障测试平台";
  g.kind = "independent";
  g.level = "地市级";
  g.region = "华东";
  g.province = "江苏省";
  g.division_code = "320100";
  g.family = "unknown";
  g.urls = {"http://faulty.example.gov.cn/"};
  SimRun s({g},
           "hosts:\n  faulty.example.gov.cn:\n    reach: ok\n    robots: allow\n    rules:\n"
           "      - {path: \"/?f=slow\", fault: slow, bytes: 200}\n"
           "      - {path: \"/?f=oversize\", fault: oversize, bytes: 4194304}\n"
           "      - {path: \"/?f=bomb\", fault: gzip-bomb, bytes: 67108864}\n"
           "      - {path: \"/?f=truncate\", fault: truncate}\n"
           "      - {path: \"/?f=reset\", fault: reset}\n"
           "      - {path: \"/?f=latency\", fault: latency, latency_ms: 700}\n"
           "      - {path: \"/?f=malformed\", fault: malformed}\n",
           1.0);
  const std::vector<std::string> kinds = {"slow",  "oversize", "bomb",     "truncate",
                                          "reset", "latency",  "malformed"};
  std::vector<std::string> urls;
  for (auto& k : kinds) urls.push_back("http://faulty.example.gov.cn/?f=" + k);
  CrawlOptions o = s.crawl_options();
  o.max_retries = 1;
  o.pause_after_failures = 100;
  o.low_speed_bytes_per_s = 1000;  // the slow body (200 B/s) is cut after 1 s
  o.low_speed_time_s = 1;
  o.max_wire_bytes = 1 << 20;
  o.max_decoded_bytes = 512 << 10;  // the bomb decodes to >= 1 MiB (its size is fixed by the first use)
  std::map<std::string, FetchResult> got;
  Crawler c(o, [&](const Site& site, const CrawlOptions&) {
    return std::make_unique<ListSpider>(site.id, urls, &got);
  });
  auto rep = c.run({g});
  REQUIRE(rep.ok);
  auto cls = [&](const std::string& k) { return got.at("http://faulty.example.gov.cn/?f=" + k).error_class; };
  CHECK(cls("slow") == "timeout");
  CHECK(cls("oversize") == "too-large");
  CHECK_MESSAGE(cls("bomb") == "too-large-decoded",
                got.at("http://faulty.example.gov.cn/?f=bomb").status
                    << " " << got.at("http://faulty.example.gov.cn/?f=bomb").body.size());
  CHECK(cls("truncate") == "truncated");
  // RST right after the headers: curl reports a reset or, with the length already known, a short body.
  CHECK((cls("reset") == "reset" || cls("reset") == "truncated"));
  CHECK(cls("latency") == "");
  CHECK(got.at("http://faulty.example.gov.cn/?f=latency").status == 200);
  CHECK(std::stod(test::query1(o.out_dir, "SELECT MAX(latency_ms) FROM fetch WHERE url LIKE '%f=latency'")) >=
        650);
  // Malformed HTML arrives whole and parses (bounded) with its links.
  const FetchResult& m = got.at("http://faulty.example.gov.cn/?f=malformed");
  CHECK(m.status == 200);
  HtmlDoc doc(m.body);
  CHECK(!doc.root().select("a").empty());
  // The simulator logged each fault it injected.
  std::set<std::string> injected;
  for (auto& e : s.log())
    if (e.contains("fault")) injected.insert(e["fault"].get<std::string>());
  for (const char* f : {"slow", "oversize", "gzip-bomb", "truncate", "reset", "malformed"})
    CHECK_MESSAGE(injected.count(f) == 1, std::string(f));
}
