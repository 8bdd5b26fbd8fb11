// The fixture's story. Run 1 (2026-11-01): portals a (embedded), b, e. Run 2 (2026-12-01, crawl date):
//   a  省级 华东 independent 浙江省 — 3 datasets, 1 API, 2 apps, terms (licence 保障), topics T1 T2 T3
//   b  地市级 华东 embedded 杭州市 (新一线) — 1 dataset, no API, no app, terms (licence 未提及)
//   c  县区级 华南 embedded 广州市天河区 — reachable, no datasets
//   d  地市级 华南 independent 珠海市 (二线) — unreachable (dns)
// So in run 2: c, d are new, e cancelled, a converted embedded → independent.
#include "fixture.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>

#include "core/core.h"

namespace fx {

Db::Db() {
  static int serial = 0;
  std::filesystem::create_directories(std::string(ODH_TEST_OUT_DIR) + "/metrics");
  path = std::string(ODH_TEST_OUT_DIR) + "/metrics/fixture-" + std::to_string(::getpid()) + "-" +
         std::to_string(serial++) + ".sqlite";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  // The store's migrations in order: schema.sql is 1, then store/migrations/NNN_*.sql.
  exec(odh::read_file(std::string(ODH_SOURCE_DIR) + "/store/schema.sql"));
  std::vector<std::filesystem::path> m;
  for (auto& e : std::filesystem::directory_iterator(std::string(ODH_SOURCE_DIR) + "/store/migrations"))
    if (e.path().extension() == ".sql") m.push_back(e.path());
  std::sort(m.begin(), m.end());
  for (auto& p : m) exec(odh::read_file(p));
  exec("PRAGMA journal_mode=WAL; PRAGMA user_version=" + std::to_string(m.size() + 1));
}
Db::~Db() {
  reader_.reset();
  store_.reset();
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
odh::StoreReader& Db::reader() {
  if (!reader_) reader_ = odh::StoreReader::open(path);
  return *reader_;
}
odh::Store& Db::store() {
  if (!store_) store_ = odh::Store::open(path);
  return *store_;
}
void Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string m = err ? err : "";
  sqlite3_free(err);
  REQUIRE_MESSAGE(rc == SQLITE_OK, m);
}

odh::metrics::Reference reference() {
  auto ref = odh::metrics::load_reference(std::string(ODH_SOURCE_DIR) + "/data");
  ref.units_by_level = {{"省级", 2}, {"副省级", 1}, {"地市级", 4}, {"县区级", 10}};
  ref.city_tier = {{"广州市", "一线"}, {"杭州市", "新一线"}, {"宁波市", "新一线"}, {"珠海市", "二线"}};
  ref.tier_sizes = {{"一线", 1}, {"新一线", 2}, {"二线", 1}};
  ref.themes = {"教育科技", "民生服务", "道路交通"};
  return ref;
}

void fill(Db& d) {
  d.exec(R"SQL(
INSERT INTO run VALUES (1,'2026-11','2026-11-01T00:00:00Z','2026-11-01T01:00:00Z','sim',NULL,NULL);
INSERT INTO run VALUES (2,'2026-12','2026-12-01T08:00:00Z',NULL,'sim',NULL,NULL);
INSERT INTO portal VALUES (1,'a',1,'A省平台','浙江省','','','330000','省级','华东','embedded','x','http://a.example/');
INSERT INTO portal VALUES (1,'b',2,'B市平台','浙江省','杭州市','','330100','地市级','华东','embedded','x','http://b.example/');
INSERT INTO portal VALUES (1,'e',3,'E市平台','辽宁省','沈阳市','','210100','地市级','东北','independent','x','http://e.example/');
INSERT INTO portal VALUES (2,'a',1,'A省平台','浙江省','','','330000','省级','华东','independent','x','http://a.example/');
INSERT INTO portal VALUES (2,'b',2,'B市平台','浙江省','杭州市','','330100','地市级','华东','embedded','x','http://b.example/');
INSERT INTO portal VALUES (2,'c',3,'C区平台','广东省','广州市','天河区','440106','县区级','华南','embedded','x','http://c.example/');
INSERT INTO portal VALUES (2,'d',4,'D市平台','广东省','珠海市','','440400','地市级','华南','independent','x','http://d.example/');
INSERT INTO portal_status(run_id,portal_id,reachable,error_class) VALUES (2,'a',1,NULL),(2,'b',1,NULL),(2,'c',1,NULL),(2,'d',0,'dns');

INSERT INTO fetch(fetch_id,run_id,portal_id,url,kind,status,content_type,warc_file,warc_offset,depth) VALUES
 (10,2,'a','http://a.example/','home',200,'text/html','r2.warc.gz',0,0),
 (11,2,'a','http://a.example/list','list',200,'text/html','r2.warc.gz',1000,1),
 (12,2,'a','http://a.example/d/1','detail',200,'text/html','r2.warc.gz',2000,9),
 (13,2,'a','http://a.example/f/1.csv','file',200,'text/csv','r2.warc.gz',3000,3),
 (14,2,'a','http://a.example/d/2','detail',404,'text/html','r2.warc.gz',4000,5);
INSERT INTO link VALUES (2,10,'http://a.example/list'),(2,11,'http://a.example/d/1'),(2,11,'http://elsewhere.example/');

INSERT INTO dataset(dataset_pk,run_id,portal_id,title,description,publisher,topic_raw,theme,issued,modified,
  frequency_raw,frequency,open_condition,tags,views,downloads,record_count,field_count,rating,rating_count,comment_count,fetch_id,depth) VALUES
 (1,2,'a','Dataset A1','desc','DeptX','T1','教育科技','2026-11-28','2026-11-30','每月','每月','无条件','x;y',100,10,100,5,NULL,0,0,12,NULL),
 (2,2,'a','Dataset A2',NULL,'DeptX','T2','教育科技','2026-06-01','2026-06-01','一年','每年',NULL,'y',50,40,NULL,NULL,NULL,NULL,NULL,14,NULL),
 (3,2,'a','Dataset A3',NULL,'DeptY','T1',NULL,NULL,NULL,NULL,NULL,NULL,'',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,1),
 (4,2,'b','Dataset B1',NULL,'DeptZ','T9','民生服务','2025-01-01','2026-10-20','每日','每日',NULL,'x',0,0,1000000,200,NULL,NULL,NULL,NULL,NULL),
 (5,1,'a','Old A1',NULL,'DeptY','T1',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),
 (6,1,'a','Old A2',NULL,'DeptY','T1',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),
 (7,1,'a','Old A3',NULL,'DeptX','T1',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO dataset_field VALUES (1,'数据提供方','DeptX','publisher'),(4,'来源部门','DeptZ','publisher'),
 (1,'数据大小','12','byte_size'),(2,'数据大小','3MB','byte_size'),(1,'评分·准确性','4','rating.accuracy');
INSERT INTO distribution(distribution_pk,dataset_pk,format_raw,format,url,byte_size,rows,columns,sniffed_format,live,fetch_id) VALUES
 (1,1,'CSV','csv','http://a.example/f/1.csv',NULL,10,3,'csv',1,13),
 (2,1,'PDF','pdf','http://a.example/f/1.pdf',NULL,NULL,NULL,NULL,NULL,NULL),
 (3,2,'XLS','xls','http://a.example/f/2.xls',NULL,NULL,NULL,NULL,0,NULL),
 (4,4,'JSON','json','ftp://b.example/4.json',NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO api(run_id,portal_id,title) VALUES (2,'a','API 1');
INSERT INTO app(app_pk,run_id,portal_id,title,app_kind) VALUES (1,2,'a','App 1','移动APP'),(2,2,'a','App 2','小程序');
INSERT INTO app_dataset VALUES (1,NULL,'Dataset A3');
INSERT INTO topic VALUES (2,'a','T1','教育科技',2),(2,'a','T2','教育科技',1),(2,'a','T3','道路交通',0);
INSERT INTO terms(run_id,portal_id,aspect,verdict,evidence) VALUES
 (2,'a','licence','保障','本网站授予用户使用数据的许可。'),(2,'b','licence','未提及',NULL),
 (2,'a','non_discrimination','保障','对所有用户同等开放。');
)SQL");
}

const odh::metrics::IndicatorRow* find(const std::vector<odh::metrics::IndicatorRow>& rows,
                                       const std::string& scope, const std::string& key,
                                       const std::string& id) {
  const odh::metrics::IndicatorRow* hit = nullptr;
  for (auto& r : rows)
    if (r.scope == scope && r.scope_key == key && r.indicator == id) {
      REQUIRE_MESSAGE(hit == nullptr, "duplicate row " << id << " " << scope << " " << key);
      hit = &r;
    }
  return hit;
}
std::optional<double> val(const std::vector<odh::metrics::IndicatorRow>& rows, const std::string& scope,
                          const std::string& key, const std::string& id) {
  auto* r = find(rows, scope, key, id);
  REQUIRE_MESSAGE(r != nullptr, "no row " << id << " " << scope << " '" << key << "'");
  return r->value;
}
std::string text(const std::vector<odh::metrics::IndicatorRow>& rows, const std::string& scope,
                 const std::string& key, const std::string& id) {
  auto* r = find(rows, scope, key, id);
  REQUIRE_MESSAGE(r != nullptr, "no row " << id << " " << scope << " '" << key << "'");
  return r->value_text;
}

}  // namespace fx
