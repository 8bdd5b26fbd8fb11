#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/core.h"
#include "store/store.h"

namespace fs = std::filesystem;

namespace {
std::string tmp_db(const char* name) {
  fs::path p = fs::temp_directory_path() /
               (std::string("odh_store_") + name + "_" + std::to_string(::getpid()) + ".sqlite");
  fs::remove(p);
  fs::remove(p.string() + "-wal");
  fs::remove(p.string() + "-shm");
  return p.string();
}

// A small store with one run, two portals and a few datasets.
void fill(odh::Store& s) {
  auto run = s.begin_run("test", "sim", "sites.yaml");
  odh::PortalRow p{"nanning",
                   "南宁市公共数据开放平台",
                   "广西壮族自治区",
                   "南宁市",
                   "",
                   "450100",
                   "地市级",
                   "华南",
                   "independent",
                   "oportal",
                   "https://nn.data.gxzf.gov.cn/nn/"};
  s.write_portal(run, p);
  p.portal_id = "yinchuan";
  p.family = "odweb";
  s.write_portal(run, p);
  odh::DatasetRow d;
  d.portal_id = "nanning";
  d.title = "联交所项目中标公告";
  d.publisher = "南宁市公共资源交易中心";
  d.modified = "2023-06-17";
  d.frequency = "每日";
  d.tags = {"所", "交"};
  d.record_count = 1299;
  d.fields = {{"来源部门", "南宁市公共资源交易中心", "department"},
              {"部门电话", "暂无", "telephone"},
              {"奇怪标签", "", ""}};
  d.distributions = {{"xls", "xls", "", {}}, {"csv", "csv", "", {}}};
  s.write_dataset(run, d);
  d.title = "学校名册";
  d.distributions = {{"pdf", "pdf", "", {}}};
  s.write_dataset(run, d);
  s.write_api(run, {"nanning", "a1", "接口", "", "", {}, {}});
  s.write_app(run, {"yinchuan", "应用", "移动APP", "", "", {"学校名册"}, {}});
  s.write_topic(run, "nanning", "医疗卫生", "卫生健康", 3);
  s.write_topic(run, "nanning", "医疗卫生", "卫生健康", {});
  // A home page linking to a list page (table link, migration 3).
  odh::FetchRow home;
  home.portal_id = "nanning";
  home.url = "https://nn.data.gxzf.gov.cn/nn/";
  home.kind = "home";
  home.status = 200;
  auto h = s.write_fetch(run, home);
  odh::FetchRow list = home;
  list.url = "https://nn.data.gxzf.gov.cn/nn/catalog/index?page=1";
  list.kind = "list";
  list.depth = 1;
  s.write_fetch(run, list);
  s.write_link(run, h, list.url);
  s.finish_run(run);
}
}  // namespace

TEST_CASE("store: open creates the schema, migrations are idempotent") {
  auto path = tmp_db("open");
  {
    auto s = odh::Store::open(path);
    CHECK(s->schema_version() == odh::Store::latest_version());
    CHECK(odh::Store::latest_version() >= 2);
    CHECK(s->query_text("PRAGMA journal_mode") == "wal");
    CHECK(s->query_text("SELECT COUNT(*) FROM schema_migration") ==
          std::to_string(odh::Store::latest_version()));
    fill(*s);
  }
  auto s = odh::Store::open(path);  // reopen: nothing re-applied, data kept
  CHECK(s->query_text("SELECT COUNT(*) FROM dataset") == "2");
  CHECK(s->query_text("SELECT COUNT(*) FROM dataset_field WHERE value = ''") == "2");
  CHECK(s->query_text("SELECT tags FROM dataset LIMIT 1") == "所;交");
  CHECK(s->query_text("SELECT description IS NULL FROM dataset LIMIT 1") == "1");
  CHECK(s->query_text("SELECT datasets FROM topic") == "3");
  CHECK(s->query_text("SELECT finished_at IS NOT NULL FROM run") == "1");
  auto counts = s->query("SELECT portal_id, datasets, apis, apps FROM v_portal_counts ORDER BY portal_id");
  REQUIRE(counts.size() == 2);
  CHECK(counts[0] == std::vector<std::string>{"nanning", "2", "1", "0"});
  CHECK(counts[1] == std::vector<std::string>{"yinchuan", "0", "0", "1"});
  CHECK(s->query_text("SELECT label || ':' || n FROM v_unknown_labels") == "奇怪标签:2");
  CHECK(s->query_text("SELECT datasets FROM v_portal_formats WHERE format='xls'") == "1");
  CHECK(s->query_text("SELECT datasets FROM v_field_usage WHERE canonical='department'") == "2");
}

TEST_CASE("store: batches commit and a bad path fails with the path named") {
  auto path = tmp_db("batch");
  {
    odh::StoreOptions o;
    o.batch = 3;
    auto s = odh::Store::open(path, o);
    auto run = s->begin_run("b", "replay", "");
    odh::DatasetRow d;
    d.portal_id = "p";
    for (int i = 0; i < 10; ++i) {
      d.title = "t" + std::to_string(i);
      s->write_dataset(run, d);
    }
    // A second connection sees the committed batches (3 × 3) before flush.
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(other, "SELECT COUNT(*) FROM dataset", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 0) == 9);
    sqlite3_finalize(st);
    sqlite3_close(other);
  }
  CHECK(odh::Store::open(path)->query_text("SELECT COUNT(*) FROM dataset") == "10");
  CHECK_THROWS_WITH_AS(odh::Store::open("/nonexistent-dir/x.sqlite"),
                       doctest::Contains("/nonexistent-dir/x.sqlite"), odh::Failure);
}

TEST_CASE("store: every example query of docs/schema.md runs") {
  auto path = tmp_db("docs");
  { fill(*odh::Store::open(path)); }
  std::string doc = odh::read_file(fs::path(ODH_SOURCE_DIR) / "docs/schema.md");
  std::regex block("```(sql|python)\\n([\\s\\S]*?)```");
  int sql_blocks = 0, py_blocks = 0;
  auto s = odh::Store::open(path);
  for (std::sregex_iterator it(doc.begin(), doc.end(), block), end; it != end; ++it) {
    std::string lang = (*it)[1], code = (*it)[2];
    if (lang == "sql") {
      ++sql_blocks;
      CAPTURE(code);
      std::vector<std::vector<std::string>> rows;
      CHECK_NOTHROW(rows = s->query(code));
      CHECK(!rows.empty());  // the small store answers every question
    } else {
      ++py_blocks;
      // Debian's python3-pandas (scripts/setup.sh) lives under /usr/bin/python3, whatever PATH says.
      REQUIRE_MESSAGE(std::system("/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1") == 0,
                      "python3-pandas missing: run scripts/setup.sh");
      fs::path script = fs::temp_directory_path() / ("odh_schema_doc_" + std::to_string(::getpid()) + ".py");
      std::ofstream(script) << "DB = " << '"' << path << '"' << "\n" << code;
      CHECK(std::system(("/usr/bin/python3 " + script.string() + " >/dev/null").c_str()) == 0);
      fs::remove(script);
    }
  }
  CHECK(sql_blocks >= 5);
  CHECK(py_blocks >= 1);
}

TEST_CASE("store: a write log applied later gets real ids wherever its own ids come back") {
  auto path = tmp_db("log");
  auto s = odh::Store::open(path);
  auto run = s->begin_run("log", "replay", "sites.yaml");
  odh::FetchRow f0;
  f0.portal_id = "p";
  f0.url = "https://p.test/before";
  s->write_fetch(run, f0);  // real fetch id 1: the log's ids must not collide with it
  auto log = odh::Store::open_log();
  odh::FetchRow f;
  f.portal_id = "p";
  f.url = "https://p.test/list";
  auto fid = log->write_fetch(run, f);
  CHECK(fid == 1);
  odh::DatasetRow d;
  d.portal_id = "p";
  d.title = "一";
  d.fetch_id = fid;
  d.fields = {{"数据提供方", "市统计局", "publisher"}};
  auto pk = log->write_dataset(run, d);
  odh::ApiRow a;
  a.portal_id = "p";
  a.title = "接口";
  a.dataset_pk = pk;
  a.fetch_id = fid;
  log->write_api(run, a);
  log->write_link(run, fid, "https://p.test/detail/1");
  log->write_terms(run, "p", "https://p.test/terms", "free_use", "保障", "可以使用", fid);
  log->write_terms(run, "p", "https://p.test/none", "licence", "未提及", "", -1);
  log->write_topic(run, "p", "经济", "经济建设", std::nullopt);
  log->write_issue(run, "p", "https://p.test/x", "bad-json", "not JSON");
  CHECK_THROWS_AS(log->query("SELECT 1"), odh::Failure);
  s->append_log(*log, run);
  s->flush();
  std::string real_fetch = s->query_text("SELECT fetch_id FROM fetch WHERE url='https://p.test/list'");
  CHECK(real_fetch == "2");
  CHECK(s->query_text("SELECT fetch_id FROM dataset WHERE title='一'") == real_fetch);
  CHECK(s->query_text("SELECT a.fetch_id || '/' || d.title FROM api a JOIN dataset d USING(dataset_pk)") ==
        real_fetch + "/一");
  CHECK(s->query_text("SELECT from_fetch_id FROM link") == real_fetch);
  CHECK(s->query_text("SELECT fetch_id FROM terms WHERE aspect='free_use'") == real_fetch);
  CHECK(s->query_text("SELECT COUNT(*) FROM terms WHERE aspect='licence' AND fetch_id IS NULL") == "1");
  CHECK(s->query_text("SELECT value FROM dataset_field") == "市统计局");
  CHECK(s->query_text("SELECT COUNT(*) FROM topic") == "1");
  CHECK(s->query_text("SELECT COUNT(*) FROM parse_issue") == "1");
  // The log is empty afterwards: applying it again adds nothing.
  s->append_log(*log, run);
  CHECK(s->query_text("SELECT COUNT(*) FROM fetch") == "2");
}

TEST_CASE("store: bulk load drops and recreates indexes, only on a fresh database, and survives a crash") {
  auto path = tmp_db("bulk");
  auto indexes = [](odh::Store& s) {
    return s.query("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL ORDER BY name");
  };
  std::vector<std::vector<std::string>> all;
  {
    auto s = odh::Store::open(path);
    all = indexes(*s);
    CHECK(all.size() >= 10);
    auto run = s->begin_run("bulk", "replay", "");
    REQUIRE(s->begin_bulk_load());
    CHECK(indexes(*s).size() < all.size());
    CHECK(s->query_text("SELECT COUNT(*) FROM sqlite_master WHERE name='dataset_field_label'") == "0");
    odh::DatasetRow d;
    d.portal_id = "p";
    d.title = "t";
    d.fields = {{"标签", "a;b", "tags"}};
    s->write_dataset(run, d);
    s->end_bulk_load();
    CHECK(indexes(*s) == all);
    // Not fresh any more: a second bulk load does nothing.
    CHECK_FALSE(s->begin_bulk_load());
    CHECK(indexes(*s) == all);
  }
  auto path2 = tmp_db("bulk_crash");
  {
    auto s = odh::Store::open(path2);
    REQUIRE(s->begin_bulk_load());
    // The process "dies" here: no end_bulk_load().
  }
  auto s = odh::Store::open(path2);
  CHECK(indexes(*s) == all);
  CHECK(s->query_text("SELECT COUNT(*) FROM store_pending_index") == "0");
}
