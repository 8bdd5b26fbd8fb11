// hunan-webapp end to end: the simulator serves Yueyang, Chenzhou and Yiyang (registry entries of
// sites.yaml, overrides included) from real records of data/sim/pool.json; the spec-driven spider
// walks category page → per-category list frames → details over real HTTP on loopback, and every
// dataset must equal, field by field after normalization, the record the simulator generated it from.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/core.h"
#include "parsers/parsers.h"
#include "parsers/normalize.h"
#include "harvest/harvest.h"
#include "registry/registry.h"
#include "sim/sim.h"

namespace {

std::string date_only(const std::string& dt) { return dt.substr(0, 10); }

// HTML text: whitespace runs read as one space.
std::string squash(const std::string& s) {
  std::string o;
  for (char c : s) {
    bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (ws && (o.empty() || o.back() == ' ')) continue;
    o += ws ? ' ' : c;
  }
  while (!o.empty() && o.back() == ' ') o.pop_back();
  return o;
}

}  // namespace

TEST_CASE(
    "hunan-webapp: category stage, per-category offset lists, detail tables → the simulator's records") {
  namespace fs = std::filesystem;
  auto reg = odh::load_registry(std::string(ODH_SOURCE_DIR) + "/sites.yaml");
  std::vector<odh::Site> sites;
  for (const char* id : {"yueyang", "czs", "yiyang"}) {
    REQUIRE(reg.find(id));
    sites.push_back(*reg.find(id));
    CHECK(sites.back().family == "hunan-webapp");
  }
  fs::path dir = fs::temp_directory_path() / ("odh-hunan-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream a3(dir / "appendix3.csv");
    a3 << "site_id,seq,name,datasets,apis,apps\n";
    int n = 0;
    for (auto& s : sites) a3 << s.id << ",0," << s.name << "," << (13 + 7 * n++) << ",0,0\n";
  }
  odh::sim::Options o;
  o.pool_file = std::string(ODH_SOURCE_DIR) + "/data/sim/pool.json";
  o.appendix3_file = (dir / "appendix3.csv").string();
  o.appendix2_file = (dir / "none.yaml").string();
  o.threads = 4;
  auto world = std::make_shared<odh::sim::World>(sites, o);
  odh::sim::Server server(world);
  int port = server.start(0);

  // Answers a spider request over HTTP: the host goes in the Host header (the simulator's vhosts).
  auto fetch = [&](const odh::FetchRequest& q) {
    odh::FetchResult r;
    auto s = q.url.find("://");
    auto p = q.url.find('/', s + 3);
    std::string host = q.url.substr(s + 3, p - s - 3), path = q.url.substr(p);
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    auto res = c.Get(path.c_str(), httplib::Headers{{"Host", host}});
    if (!res) {
      r.error_class = "connect";
      return r;
    }
    r.status = res->status;
    r.final_url = q.url;
    r.body = res->body;
    for (auto& [k, v] : res->headers) r.response_headers.emplace_back(k, v);
    return r;
  };

  for (auto& s : sites) {
    CAPTURE(s.id);
    const odh::sim::Portal& p = *world->by_id(s.id);
    REQUIRE(p.reach == odh::sim::Reach::kOk);
    REQUIRE(p.n_datasets > 6);  // more than one list page
    odh::MemorySink sink;
    auto spider = odh::make_site_spider(s, sink);
    std::vector<std::string> urls;
    size_t n = odh::drive(*spider, [&](const odh::FetchRequest& q) {
      urls.push_back(q.url);
      return fetch(q);
    });
    for (auto& i : sink.issues) MESSAGE(i);
    CHECK(sink.issues.empty());
    REQUIRE(sink.datasets.size() == static_cast<size_t>(p.n_datasets));  // every record exactly once
    // Requests: 1 category page, per category ceil(members/6) list pages (≥ 1), one detail each.
    std::map<std::string, std::int64_t> members;
    for (std::int64_t i = 0; i < p.n_datasets; ++i) members[p.dataset(i).topic]++;
    size_t want = 1 + static_cast<size_t>(p.n_datasets);
    want += std::max<std::int64_t>(1, (p.n_datasets + 5) / 6);  // 全部
    for (auto& t : p.topics) want += std::max<std::int64_t>(1, (members[t] + 5) / 6);
    CHECK(n == want);
    if (n != want)
      for (auto& u : urls) MESSAGE(u);
    std::map<std::string, const odh::DatasetRow*> by_id;
    for (auto& d : sink.datasets) by_id[d.source_id] = &d;
    for (std::int64_t i = 0; i < p.n_datasets; ++i) {
      odh::sim::Dataset want_d = p.dataset(i);
      CAPTURE(want_d.id);
      auto it = by_id.find(want_d.id);
      REQUIRE(it != by_id.end());
      const odh::DatasetRow& d = *it->second;
      CHECK(d.title == squash(want_d.title));
      CHECK(d.publisher == squash(want_d.dept));
      CHECK(d.topic_raw == want_d.topic);
      CHECK(d.description == squash(want_d.desc));
      CHECK(d.issued == date_only(want_d.published));
      CHECK(d.modified == date_only(want_d.updated));
      CHECK(d.frequency == odh::normalize_frequency(want_d.freq));
      CHECK(d.open_condition == odh::normalize_open_condition(want_d.open));
      auto joined = [](const std::vector<std::string>& v) {
        std::string o;
        for (auto& x : v) o += x + "|";
        return o;
      };
      // The page shows the tags comma-joined; some real tags hold 、 or ，, which the normalizer splits.
      std::string shown;
      for (auto& t : want_d.tags) shown += (shown.empty() ? "" : ",") + t;
      CHECK(joined(d.tags) == joined(odh::split_tags(shown)));
      std::set<std::string> got_f, want_f;
      for (auto& x : d.distributions) got_f.insert(x.format);
      for (auto& f : want_d.formats) want_f.insert(odh::normalize_format(f));
      CHECK(got_f == want_f);
      CHECK(d.url ==
            "http://" + p.host +
                (s.id == "yueyang" ? "/webapp/yydsj/" : p.entry_path.substr(0, p.entry_path.rfind('/') + 1)) +
                "dataDetail.jsp?id=" + want_d.id);
    }
  }
  server.stop();
  fs::remove_all(dir);
}
