// The link graph and replay fidelity:
//  - click depth: a hand-made portal crawled through the recording spider; the metrics' BFS over
//    the `link` table from the home fetch gives the known depths (not the spider's list depth);
//  - live == replay: `odh sim` serves portals of several families (JSON and HTML lists, APIs,
//    category stage, an embedded GBK column), `odh parse --live` crawls them into WARC + a database,
//    `odh parse --replay` rebuilds a second database from the WARC alone, and every row of datasets,
//    fields, distributions, APIs, apps, topics and links is the same (ids and timestamps aside).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "core/core.h"
#include "metrics/metrics.h"
#include "parsers/parsers.h"
#include "harvest/harvest.h"
#include "store/store.h"

extern char** environ;

namespace {
namespace fs = std::filesystem;

odh::FetchResult page(const std::string& html) {
  odh::FetchResult r;
  r.status = 200;
  r.body = html;
  r.response_headers = {{"Content-Type", "text/html; charset=utf-8"}};
  return r;
}

std::vector<std::string> rows(odh::Store& s, const std::string& sql) {
  std::vector<std::string> out;
  for (auto& r : s.query(sql)) {
    std::string line;
    for (auto& c : r) line += c + "\x1f";
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("click depth: BFS over recorded links from the home fetch equals the known depth") {
  fs::path dir = fs::temp_directory_path() / ("odh-depth-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto store = odh::Store::open((dir / "d.sqlite").string());
  odh::Site site;
  site.id = "t";
  site.family = "t";
  site.urls = {"http://t.example.gov.cn/"};
  odh::FamilySpec spec;
  spec.name = "t";
  odh::ListSpec l;
  l.request.url = "{base}/list?page={page}";
  l.items = "li";
  l.pages = "span.pages";
  spec.lists.push_back(l);
  spec.detail.request.url = "{link}";
  spec.detail.title = "h1";
  // home → list p1 (derived request) → d1, d2 and p2 (a[href] "next") → d3, d4; home also
  // features d4 directly. Depths: d1 2, d2 2, d3 3, d4 1 (the list-based depth of d4 would be 3).
  const std::string b = "http://t.example.gov.cn";
  std::map<std::string, std::string> pages = {
      {b + "/", "<a href='/about#x'>about</a> <a href='d/4.html'>精选</a> <a href='mailto:a@b'>m</a>"},
      {b + "/list?page=1",
       "<span class=pages>2</span><ul><li><a href='/d/1.html'>1</a></li><li><a "
       "href='/d/2.html'>2</a></li></ul>"
       "<a href='?page=2'>下一页</a>"},
      {b + "/list?page=2",
       "<span class=pages>2</span><ul><li><a href='/d/3.html'>3</a></li><li><a "
       "href='/d/4.html'>4</a></li></ul>"},
      {b + "/d/1.html", "<h1>数据一</h1>"},
      {b + "/d/2.html", "<h1>数据二</h1>"},
      {b + "/d/3.html", "<h1>数据三</h1>"},
      {b + "/d/4.html", "<h1>数据四</h1>"}};
  auto run = store->begin_run("t", "live", "");
  store->write_portal(
      run, {"t", "测试", "北京市", "", "", "110000", "省级", "华北", "independent", "t", b + "/", 1});
  odh::StoreSink sink(*store, run);
  auto spider = odh::recording_spider(odh::make_spider(site, spec, sink), *store, run, nullptr, &site);
  odh::drive(*spider, [&](const odh::FetchRequest& q) {
    auto it = pages.find(q.url);
    if (it == pages.end()) {
      odh::FetchResult r;
      r.status = 404;
      return r;
    }
    return page(it->second);
  });
  store->finish_run(run);
  CHECK(sink.datasets == 4);
  CHECK(store->query_text("SELECT COUNT(*) FROM fetch WHERE kind='home'") == "1");
  // Home's links: its a[href] (fragment dropped, mailto skipped) and the spider's entry request.
  CHECK(rows(*store,
             "SELECT l.to_url FROM link l JOIN fetch f ON f.fetch_id=l.from_fetch_id WHERE f.kind='home'") ==
        std::vector<std::string>{b + "/about\x1f", b + "/d/4.html\x1f", b + "/list?page=1\x1f"});
  auto ref = odh::metrics::load_reference(odh::data_dir());
  store->flush();
  auto reader = odh::StoreReader::open(store->path());
  auto ind = odh::metrics::compute_network(*reader, static_cast<int>(run), ref);
  std::map<std::string, double> got;
  for (auto& r : ind)
    if (r.scope == "portal" && r.scope_key == "t" && r.value) got[r.indicator] = *r.value;
  CHECK(got["findability.click_depth_mean"] == doctest::Approx(2.0));
  CHECK(got["findability.click_depth_max"] == doctest::Approx(3.0));
  store.reset();
  fs::remove_all(dir);
}

namespace {

// Starts `odh sim` in the background; stdout goes to `out`.
pid_t spawn_sim(const std::vector<std::string>& args, const fs::path& out) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

}  // namespace

TEST_CASE("live == replay: odh parse --live on the simulator, then --replay of its WARC") {
  fs::path dir = fs::temp_directory_path() / ("odh-live-replay-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string odh = ODH_BINARY, sites = std::string(ODH_SOURCE_DIR) + "/sites.yaml";
  // One portal per kind of source: oportal (HTML list/detail), odweb (offset POST JSON + HTML
  // detail), hainan (two JSON lists incl. APIs), exchangeopengateway (JSON), jdop (HTML in JSON),
  // hunan-webapp (category stage), embedded CMS (GBK mislabelled as UTF-8). All reachable in the
  // simulator's plan at scale 0.01, seed 2021.
  // bjhd has no engine (family unknown): live and replay both run the crawler's link spider on it.
  const std::vector<std::string> ids = {"data-harbin",    "data-yinchuan", "data-hainan", "data-gxj-xz",
                                        "data-jx-zjzwfw", "czs",           "xiaogan",     "bjhd"};
  pid_t sim = spawn_sim({odh, "sim", "--sites", sites, "--port", "0", "--scale", "0.01", "--seed", "2021",
                         "--threads", "8", "--duration", "120", "--connect-map", (dir / "map.txt").string(), "--tls-ca", (dir / "ca.pem").string()},
                        dir / "sim.out");
  REQUIRE(sim > 0);
  std::string port;
  for (int i = 0; i < 600 && port.empty(); ++i) {  // up to 60 s on a loaded machine
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream in(dir / "sim.out");
    std::string l;
    if (std::getline(in, l) && !l.empty() && fs::exists(dir / "map.txt") && fs::exists(dir / "ca.pem")) port = l;
  }
  REQUIRE(!port.empty());
  std::string live = odh + " parse --live " + (dir / "crawl").string() + " --db " +
                     (dir / "live.sqlite").string() + " --sites " + sites + " --offline --delay 0 --json --ca-file " + (dir / "ca.pem").string();  // Jiaxing is https
  std::string replay = odh + " parse --replay " + (dir / "crawl").string() + " --db " +
                       (dir / "replay.sqlite").string() + " --sites " + sites + " --json";
  for (auto& id : ids) live += " --site " + id, replay += " --site " + id;
  {
    std::ifstream m(dir / "map.txt");
    std::string l;
    while (std::getline(m, l))
      if (!l.empty()) live += " --connect-to " + l;
  }
  int rc_live = std::system((live + " > " + (dir / "live.json").string() + " 2>&1").c_str());
  kill(sim, SIGTERM);
  waitpid(sim, nullptr, 0);
  REQUIRE(rc_live == 0);
  int rc_replay = std::system((replay + " > " + (dir / "replay.json").string() + " 2>&1").c_str());
  REQUIRE(rc_replay == 0);
  // The same replay on one thread (the default uses two parser threads and one writer): every row
  // of every table, ids included, is the same.
  std::string replay1 = replay + " --threads 1";
  replay1.replace(replay1.find("replay.sqlite"), 13, "replay1.sqlite");
  REQUIRE(std::system((replay1 + " > " + (dir / "replay1.json").string() + " 2>&1").c_str()) == 0);
  {
    auto r2 = odh::Store::open((dir / "replay.sqlite").string());
    auto r1 = odh::Store::open((dir / "replay1.sqlite").string());
    for (const char* t : {"portal", "fetch", "dataset", "dataset_field", "distribution", "api", "app",
                          "app_dataset", "topic", "terms", "parse_issue", "link"}) {
      CAPTURE(t);
      auto all = std::string("SELECT * FROM ") + t + " ORDER BY rowid";
      auto x = r1->query(all), y = r2->query(all);
      CHECK(x.size() == y.size());
      CHECK(x == y);
    }
    CHECK(r1->query("SELECT name FROM sqlite_master WHERE type='index' ORDER BY name") ==
          r2->query("SELECT name FROM sqlite_master WHERE type='index' ORDER BY name"));
  }

  auto a = odh::Store::open((dir / "live.sqlite").string());
  auto b = odh::Store::open((dir / "replay.sqlite").string());
  // Rows without run ids, primary keys and timestamps; a fetch id is replaced by its request.
  const std::map<std::string, std::string> queries = {
      {"dataset",
       "SELECT d.portal_id, d.source_id, d.url, d.title, d.description, d.publisher, d.topic_raw, d.theme, "
       "d.issued, "
       "d.modified, d.frequency_raw, d.frequency, d.open_condition, d.tags, d.views, d.downloads, "
       "d.record_count, "
       "d.field_count, d.rating, d.rating_count, d.comment_count, d.depth, f.method, f.url, f.kind "
       "FROM dataset d LEFT JOIN fetch f ON f.fetch_id = d.fetch_id"},
      {"dataset_field",
       "SELECT d.portal_id, d.source_id, d.title, x.label, x.value, x.canonical FROM dataset_field x "
       "JOIN dataset d ON d.dataset_pk = x.dataset_pk"},
      {"distribution",
       "SELECT d.portal_id, d.source_id, d.title, x.format_raw, x.format, x.url, x.byte_size FROM "
       "distribution x "
       "JOIN dataset d ON d.dataset_pk = x.dataset_pk"},
      {"api",
       "SELECT x.portal_id, x.source_id, x.title, x.publisher, x.url, d.source_id, f.url FROM api x "
       "LEFT JOIN dataset d ON d.dataset_pk = x.dataset_pk LEFT JOIN fetch f ON f.fetch_id = x.fetch_id"},
      {"app", "SELECT x.portal_id, x.title, x.app_kind, x.developer, x.url FROM app x"},
      {"topic", "SELECT portal_id, name_raw, theme, datasets FROM topic"},
      {"link",
       "SELECT f.portal_id, f.method, f.url, f.kind, l.to_url FROM link l JOIN fetch f ON f.fetch_id = "
       "l.from_fetch_id"},
      {"fetch",
       // A download probe that got no answer (timeout, reset) leaves no WARC record: the replay cannot
       // know it was made (harvest/file_stage.cpp), so only answered probes are compared.
       "SELECT portal_id, method, url, kind, status, content_type, charset, bytes, depth FROM fetch "
       "WHERE NOT (kind IN ('file', 'link') AND status IS NULL)"},
      {"parse_issue", "SELECT portal_id, url, kind, message FROM parse_issue"},
  };
  for (auto& table_sql : queries) {
    auto& table = table_sql.first;  // not a structured binding: doctest captures it
    auto& sql = table_sql.second;
    CAPTURE(table);
    auto x = rows(*a, sql), y = rows(*b, sql);
    CHECK(x.size() == y.size());
    CHECK(x == y);
    if (x != y) {  // the first difference, to read in the log
      auto [i, j] = std::mismatch(x.begin(), x.end(), y.begin(), y.end());
      if (i != x.end()) MESSAGE("live only: " << *i);
      if (j != y.end()) MESSAGE("replay only: " << *j);
    }
  }
  // Every portal produced rows of its kind; the graph is rooted at each portal's home fetch.
  for (auto& id : ids) {
    CAPTURE(id);
    if (id != "bjhd")
      CHECK(std::stoll(a->query_text("SELECT COUNT(*) FROM dataset WHERE portal_id='" + id + "'")) > 0);
    CHECK(a->query_text("SELECT COUNT(*) FROM fetch WHERE kind='home' AND portal_id='" + id + "'") == "1");
    CHECK(std::stoll(a->query_text("SELECT COUNT(*) FROM link l JOIN fetch f ON f.fetch_id=l.from_fetch_id "
                                   "WHERE f.portal_id='" +
                                   id + "'")) > 0);
  }
  CHECK(std::stoll(a->query_text("SELECT COUNT(*) FROM api")) > 0);
  a.reset();
  b.reset();
  fs::remove_all(dir);
}
