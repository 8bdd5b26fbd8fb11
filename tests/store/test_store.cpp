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
