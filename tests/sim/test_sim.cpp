// Simulator tests: each family is requested over real HTTP on loopback and the answer is
// checked against the facts of ../shared/platforms/<family>.md (paths, keys, labels, paging),
// plus appendix-3 totals, determinism, and the fault-file behaviours.
#include <doctest/doctest.h>
#include <httplib.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "registry/registry.h"
#include "sim/sim.h"

using nlohmann::json;
using namespace odh;

namespace {

Site site(const std::string& id, const std::string& family, const std::string& url, const std::string& province = "广西壮族自治区",
          const std::string& city = "南宁市") {
  Site s;
  s.id = id;
  s.name = id + "数据开放平台";
  s.family = family;
  s.urls = {url};
  s.province = province;
  s.city = city;
  s.kind = family == "embedded-cms" ? "embedded" : "independent";
  return s;
}

std::string pool() { return std::string(ODH_SOURCE_DIR) + "/data/sim/pool.json"; }

// A small registry with one portal per family; counts come from a tiny appendix-3 file.
struct Fixture {
  std::shared_ptr<sim::World> world;
  std::unique_ptr<sim::Server> server;
  int port = 0;
  std::string dir;
  explicit Fixture(const std::string& faults_yaml = "", std::uint64_t seed = 7) {
    dir = (std::filesystem::temp_directory_path() / ("odh-sim-test-" + std::to_string(::getpid()) + "-" + std::to_string(seed) +
                                                    std::to_string(faults_yaml.size())))
              .string();
    std::filesystem::create_directories(dir);
    std::vector<Site> sites = {
        site("nn", "oportal", "https://nn.data.gxzf.gov.cn/nn/catalog/index"),
        site("sd", "oportal", "http://data.sd.gov.cn/portal/catalog/index", "山东省", ""),
        site("gz", "guizhou-api", "http://data.guizhou.gov.cn/", "贵州省", ""),
        site("gz-gy", "guizhou-api", "http://data.guizhou.gov.cn/", "贵州省", "贵阳市"),
        site("zj", "jdop", "http://data.zjzwfw.gov.cn/jdop_front/index.do", "浙江省", ""),
        site("yc", "odweb", "http://data.yinchuan.gov.cn/odweb/index.htm", "宁夏回族自治区", "银川市"),
        site("sx", "athena", "http://data.sx.gov.cn/kf/open/table", "浙江省", "绍兴市"),
        site("dy", "exchangeopengateway", "http://www.dysdsj.cn/", "四川省", "德阳市"),
        site("sz", "gd-opendata", "https://opendata.sz.gov.cn/", "广东省", "深圳市"),
        site("gd", "gd-opendata", "https://gddata.gd.gov.cn/", "广东省", ""),
        site("bj", "beijing", "https://data.beijing.gov.cn/", "北京市", ""),
        site("sh", "shanghai", "https://data.sh.gov.cn/", "上海市", ""),
        site("tj", "tianjin", "https://data.tj.gov.cn/", "天津市", ""),
        site("hn", "hainan", "https://data.hainan.gov.cn/", "海南省", ""),
        site("col", "embedded-cms", "http://www.example-county.gov.cn/col/col123/index.html", "江苏省", "南京市"),
        site("gone", "oportal", "http://gone.example.gov.cn/", "江苏省", "南京市"),
        site("lz", "portal-dataservice", "http://data.luzhou.cn/portal/index", "四川省", "泸州市"),
        site("yy", "hunan-webapp", "http://www.yueyang.gov.cn/webapp/yydsj/index.jsp", "湖南省", "岳阳市"),
        site("bb", "site-label", "http://www.bengbu.gov.cn/site/tpl/6611", "安徽省", "蚌埠市"),
        site("hs", "site-label", "http://www.huangshan.gov.cn/site/tpl/5421", "安徽省", "黄山市"),
        site("hf", "open-data-web", "https://www.hefei.gov.cn/open-data-web/index/index.do", "安徽省", "合肥市"),
    };
    sites[2].division_code = "520000";
    sites[3].division_code = "520100";
    std::ofstream a3(dir + "/appendix3.csv");
    a3 << "site_id,seq,name,datasets,apis,apps\n";
    for (const auto& s : sites)
      if (s.id != "gone") a3 << s.id << ",0," << s.name << ",23,7,2\n";
    a3.close();
    sim::Options o;
    o.pool_file = pool();
    o.appendix3_file = dir + "/appendix3.csv";
    o.appendix2_file = dir + "/none.yaml";
    o.seed = seed;
    o.threads = 8;
    o.log_file = dir + "/log.jsonl";
    if (!faults_yaml.empty()) {
      std::ofstream f(dir + "/faults.yaml");
      f << faults_yaml;
      o.faults_file = dir + "/faults.yaml";
    }
    world = std::make_shared<sim::World>(sites, o);
    server = std::make_unique<sim::Server>(world);
    port = server->start(0);
  }
  ~Fixture() {
    server->stop();
    std::filesystem::remove_all(dir);
  }
  const sim::Portal& portal(const std::string& id) const { return *world->by_id(id); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(5, 0);
    return c;
  }
  httplib::Result get(const std::string& host, const std::string& path, httplib::Headers h = {}) const {
    h.emplace("Host", host);
    return client().Get(path.c_str(), h);
  }
  httplib::Result post(const std::string& host, const std::string& path, const std::string& body, const std::string& ctype,
                       httplib::Headers h = {}) const {
    h.emplace("Host", host);
    return client().Post(path.c_str(), h, body, ctype.c_str());
  }
};

std::string enc(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') o += static_cast<char>(c);
    else o += '%', o += hex[c >> 4], o += hex[c & 15];
  }
  return o;
}

int count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("appendix-3 totals at scale 1 match the report; scale 0.01 keeps non-zero counts >= 1") {
  Registry reg = load_registry(std::string(ODH_SOURCE_DIR) + "/sites.yaml");
  REQUIRE(reg.sites.size() == 670);
  sim::Options o;
  o.pool_file = pool();
  o.appendix3_file = std::string(ODH_SOURCE_DIR) + "/data/reference/appendix3.csv";
  o.appendix2_file = std::string(ODH_SOURCE_DIR) + "/data/reference/appendix2.yaml";
  sim::World w(reg.sites, o);
  auto t = w.totals(true);
  CHECK(t.portals == 156);
  CHECK(t.datasets == 482464);
  CHECK(t.apis == 224234);
  CHECK(t.apps == 2159);
  const auto* bj = w.by_id("data-beijing");
  REQUIRE(bj);
  CHECK(bj->n_datasets == 11091);
  CHECK(bj->n_apis == 10917);
  CHECK(bj->n_apps == 105);
  CHECK(bj->topics.size() == 20);  // appendix 2
  o.scale = 0.01;
  sim::World small(reg.sites, o);
  for (const auto& p : small.portals) {
    const auto* big = w.by_id(p.site.id);
    REQUIRE(big);
    CHECK((big->n_datasets > 0) == (p.n_datasets > 0));
    CHECK((big->n_apis > 0) == (p.n_apis > 0));
    CHECK(p.n_datasets <= std::max<std::int64_t>(1, big->n_datasets));
  }
  CHECK(small.by_id("data-beijing")->n_datasets == 111);
  // Outside appendix 3: some unreachable in every way, some empty.
  std::map<sim::Reach, int> reach;
  for (const auto& p : w.portals) ++reach[p.reach];
  for (auto r : {sim::Reach::kDns, sim::Reach::kRefused, sim::Reach::kTimeout, sim::Reach::kHttpError,
                 sim::Reach::kRedirectHome, sim::Reach::kEmpty})
    CHECK(reach[r] > 0);
}

TEST_CASE("generation is deterministic for a seed and differs across seeds") {
  std::vector<Site> s = {site("a", "oportal", "http://a.example.gov.cn/oportal/catalog/index")};
  auto a3 = std::filesystem::temp_directory_path() / ("odh-sim-a3-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(a3) << "site_id,name,datasets,apis,apps\na,x,40,3,1\n";
  sim::Options o;
  o.pool_file = pool();
  o.appendix3_file = a3.string();
  o.appendix2_file = "/nonexistent";
  sim::World w1(s, o), w2(s, o);
  o.seed = 99;
  sim::World w3(s, o);
  REQUIRE(w1.portals[0].n_datasets > 0);
  auto d1 = w1.portals[0].dataset(2), d2 = w2.portals[0].dataset(2), d3 = w3.portals[0].dataset(2);
  CHECK(d1.id == d2.id);
  CHECK(d1.title == d2.title);
  CHECK(d1.updated == d2.updated);
  CHECK(d1.files.size() == d2.files.size());
  CHECK(d1.id != d3.id);
  CHECK(w1.portals[0].dataset_index(d1.id) == std::optional<std::int64_t>(2));
  CHECK_FALSE(w1.portals[0].dataset_index(d3.id).has_value());
  std::filesystem::remove(a3);
}

TEST_CASE("oportal: /{prefix}/catalog/index?page=N from 1, 10 per page, div.top-title span, detail labels") {
  Fixture f;
  const auto& p = f.portal("nn");
  std::int64_t total = p.n_datasets + p.n_apis;  // APIs are entries of the same catalogue (接口)
  auto r = f.get("nn.data.gxzf.gov.cn", "/nn/catalog/index?page=1");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.find("<div class=\"top-title\">") != std::string::npos);
  CHECK(r->body.find("<span>" + std::to_string(total) + "</span>") != std::string::npos);
  CHECK(count(r->body, "<div class=\"cata-title\">") == 10);
  CHECK(r->body.find("<div class=\"file-type\">") != std::string::npos);
  auto last = f.get("nn.data.gxzf.gov.cn", "/nn/catalog/index?page=3");
  CHECK(count(last->body, "<div class=\"cata-title\">") == total - 20);
  CHECK(last->body.find("接口") != std::string::npos);
  auto past = f.get("nn.data.gxzf.gov.cn", "/nn/catalog/index?page=9");
  CHECK(past->status == 200);  // a valid page with an empty list past the end
  CHECK(count(past->body, "cata-title") == 0);
  // Detail of the first item, by its href.
  std::smatch m;
  REQUIRE(std::regex_search(r->body, m, std::regex("href=\"(/nn/catalog/([0-9a-f]{32}))\"")));
  auto d = p.dataset(0);
  CHECK(m[2].str() == d.id);
  auto det = f.get("nn.data.gxzf.gov.cn", m[1].str());
  REQUIRE(det->status == 200);
  CHECK(det->body.find("<ul class=\"d-title pull-left\"><h4>") != std::string::npos);
  for (const char* label : {"来源部门：", "重点领域：", "发布时间：", "更新时间：", "开放条件："})
    CHECK(det->body.find(label) != std::string::npos);
  CHECK(det->body.find("<li name=\"basicinfo\">") != std::string::npos);
  CHECK(det->body.find(">部门电话</td><td>暂无</td>") != std::string::npos);
  if (d.tags.size() > 1) CHECK(det->body.find("</span>\r\n\t<span>") != std::string::npos);
  CHECK(det->body.find("id=\"rootPath\" value=\"/nn\"") != std::string::npos);
  auto res = f.get("nn.data.gxzf.gov.cn", "/nn/catalog/getResourceWithFormat?cataId=" + d.id + "&pageNum=1&pageSize=100&fileFormat=");
  auto j = json::parse(res->body);
  REQUIRE(j["object"]["records"].size() == d.files.size());
  if (!d.files.empty()) {
    CHECK(j["object"]["records"][0]["fileFormat"] == d.files[0].format);
    auto file = f.get("nn.data.gxzf.gov.cn", "/nn/catalog/download?cataId=" + d.id + "&cataName=x&idInRc=" +
                                                j["object"]["records"][0]["idInRc"].get<std::string>());
    if (d.files[0].state == "dead") CHECK(file->status == 404);
    else if (d.files[0].state == "login") CHECK(file->status == 302);
    else CHECK((file->status == 200 && !file->body.empty()));
  }
  // Shandong: formats encoded as the li's CSS class; prefix `portal`.
  auto sd = f.get("data.sd.gov.cn", "/portal/catalog/index?page=1");
  CHECK(std::regex_search(sd->body, std::regex("<li class=\"(xls|csv|json|xml|rdf|xlsx)\"")));
  auto sdd = f.get("data.sd.gov.cn", "/portal/catalog/" + f.portal("sd").dataset(0).id);
  CHECK(sdd->body.find("开放类型：") != std::string::npos);
}

TEST_CASE("guizhou-api: JSON POST list by divisionId (pageIndex from 1), detail epoch-ms and codes") {
  Fixture f;
  std::string body = R"({"orderBy":0,"topicId":[],"orgId":[],"divisionId":"520100","pageSize":12,"scenarioId":"","resourceType":"","resourceFormats":[],"searchText":[],"pageIndex":2})";
  auto r = f.post("data.guizhou.gov.cn", "/api/search/data/getDataDirectoryListByParams", body, "application/json;charset=UTF-8");
  REQUIRE(r->status == 200);
  auto j = json::parse(r->body);
  const auto& gy = f.portal("gz-gy");
  CHECK(j["total"] == gy.n_datasets);
  REQUIRE(j["data"].size() == static_cast<std::size_t>(gy.n_datasets - 12));
  std::string id = j["data"][0]["id"];
  CHECK(std::regex_match(id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")));
  CHECK(id == gy.dataset(12).id);
  CHECK(j["data"][0]["resourceFormats"].is_array());
  auto d = f.post("data.guizhou.gov.cn", "/api/search/data/getDataDetailByDataId", json{{"id", id}}.dump(), "application/json");
  auto dj = json::parse(d->body)["data"];
  for (const char* k : {"name", "description", "orgName", "topicName", "industryName", "createTime", "updateTime", "openAttribute", "frequency"})
    CHECK(dj.contains(k));
  CHECK(dj["createTime"].is_number_integer());
  CHECK(dj["createTime"].get<std::int64_t>() > 1400000000000LL);
  CHECK(dj["name"] == gy.dataset(12).title);
  // Province: no divisionId.
  auto pr = f.post("data.guizhou.gov.cn", "/api/search/data/getDataDirectoryListByParams", R"({"pageIndex":1,"pageSize":12})", "application/json");
  CHECK(json::parse(pr->body)["total"] == f.portal("gz").n_datasets);
}

TEST_CASE("jdop: form POST with X-Requested-With returns JSON whose data is an HTML fragment") {
  Fixture f;
  const auto& p = f.portal("zj");
  std::string form = "pageNumber=1&pageSize=10&sceneId=0&type=1&domainId=0&deptId=&regionId=&keyword=&content=&searchString=&orderDefault=&isDownload=1&dimensionId=0";
  auto r = f.post("data.zjzwfw.gov.cn", "/jdop_front/channal/datapubliclist.do", form, "application/x-www-form-urlencoded",
                  {{"X-Requested-With", "XMLHttpRequest"}, {"Referer", "http://data.zjzwfw.gov.cn/jdop_front/channal/data_public.do"}});
  auto j = json::parse(r->body);
  REQUIRE(j["data"].is_string());
  std::string html = j["data"];
  CHECK(html.find("<span class=\"onColor\">" + std::to_string(p.n_datasets) + "</span>") != std::string::npos);
  CHECK(count(html, "<div class=\"search_result\">") == 10);
  std::smatch m;
  REQUIRE(std::regex_search(html, m, std::regex("href=\"\\.\\./detail/data\\.do\\?iid=(\\d+)&searchString=\"")));
  auto d = f.get("data.zjzwfw.gov.cn", "/jdop_front/detail/data.do?iid=" + m[1].str() + "&searchString=");
  CHECK(d->body.find("<span class=\"sjxqTit1\">" ) != std::string::npos);
  CHECK(d->body.find("<div class=\"box1\">") != std::string::npos);
  for (const char* label : {"摘要：", "标签：", "更新周期：", "数源单位：", "发布日期：", "开放条件：", "资源格式：", "数据量："})
    CHECK(d->body.find(label) != std::string::npos);
  // Without the AJAX header the server answers the page, not JSON.
  auto plain = f.post("data.zjzwfw.gov.cn", "/jdop_front/channal/datapubliclist.do", form, "application/x-www-form-urlencoded");
  CHECK(json::parse(plain->body, nullptr, false).is_discarded());
}

TEST_CASE("odweb: offset paging (start/length=6), format codes, tags attribute") {
  Fixture f;
  const auto& p = f.portal("yc");
  auto r = f.post("data.yinchuan.gov.cn", "/odweb/catalog/catalog.do?method=GetCatalog",
                  "group_id=&org_code=&ind_id=&start=6&length=6&pageLength=6&region_code=&cata_type=&keywords=&_order=1:b",
                  "application/x-www-form-urlencoded; charset=UTF-8", {{"X-Requested-With", "XMLHttpRequest"}});
  auto j = json::parse(r->body);
  CHECK(j["recordsTotal"] == p.n_datasets);
  REQUIRE(j["data"].size() == 6);
  CHECK(j["data"][0]["cata_id"] == p.dataset(6).id);
  std::string codes = j["data"][0]["conf_catalog_format"];
  CHECK(std::regex_match(codes, std::regex("([1-4],)+")));
  auto d = f.get("data.yinchuan.gov.cn", "/odweb/catalog/catalogDetail.htm?cata_id=" + p.dataset(6).id);
  CHECK(d->body.find("<span class=\"detail-title\">") != std::string::npos);
  CHECK(d->body.find("<div class=\"info-header\">所属主题</div>") != std::string::npos);
  CHECK(d->body.find("tags=\"") != std::string::npos);
}

TEST_CASE("athena: JSON page (data.total/rows[].iid), getDetails keys, interface list uses `list`") {
  Fixture f;
  const auto& p = f.portal("sx");
  auto r = f.post("data.sx.gov.cn", "/athena/catalog/page", R"({"pageNum":1,"pageSize":10,"deptId":"","orderField":"2"})",
                  "application/json;charset=UTF-8", {{"X-Requested-With", "XMLHttpRequest"}});
  auto j = json::parse(r->body);
  CHECK(j["data"]["total"] == p.n_datasets);
  REQUIRE(j["data"]["rows"].size() == 10);
  auto iid = j["data"]["rows"][0]["iid"];
  auto d = json::parse(f.get("data.sx.gov.cn", "/athena/catalog/getDetails?dataId=" + iid.dump())->body)["data"];
  for (const char* k : {"title", "content", "keywords", "createDate", "dataUpdateDate", "domainStr", "deptName", "openCond",
                        "dataCount", "updateFreq"})
    CHECK(d.contains(k));
  CHECK(d["downloadDataInfo"].contains("themeName"));
  CHECK((d["updateFreq"].get<int>() >= 1 && d["updateFreq"].get<int>() <= 8));
  auto a = json::parse(f.post("data.sx.gov.cn", "/athena/interface/getInterfaceDataByPage", "useOn=&deptId=&domainId=&orderField=2&uncode=&pageNum=1&pageSize=10",
                              "application/x-www-form-urlencoded")->body);
  CHECK(a["data"]["total"] == p.n_apis);
  CHECK(a["data"]["list"].size() == static_cast<std::size_t>(p.n_apis));
  auto ad = json::parse(f.post("data.sx.gov.cn", "/athena/interface/getApiData", "baseDataId=" + a["data"]["list"][0]["iid"].dump(),
                               "application/x-www-form-urlencoded")->body);
  CHECK(ad["data"].contains("source"));
}

TEST_CASE("exchangeopengateway: mlbh with '/', epoch-ms strings, backslash formats, appCode required") {
  Fixture f;
  const auto& p = f.portal("dy");
  auto r = f.post("www.dysdsj.cn", "/exchangeopengateway/v1.0/mh/sjml/getMlxxList",
                  R"({"pageNo":1,"pageSize":10,"zylx":["01"],"ssbmId":["00"],"mlmc":"","gxsjPx":2})", "application/json;charset=UTF-8");
  auto j = json::parse(r->body);
  CHECK(j["data"]["totalPage"] == (p.n_datasets + 9) / 10);
  std::string mlbh = j["data"]["rows"][0]["mlbh"];
  CHECK(mlbh.find('/') != std::string::npos);
  auto both = json::parse(f.post("www.dysdsj.cn", "/exchangeopengateway/v1.0/mh/sjml/getMlxxList", R"({"pageNo":1,"pageSize":50,"zylx":["01","02"]})",
                                 "application/json")->body);
  CHECK(both["data"]["rows"].size() == static_cast<std::size_t>(p.n_datasets + p.n_apis));
  auto d = json::parse(f.get("www.dysdsj.cn", "/exchangeopengateway/v1.0/mlxx/getSjmlxq?mlbh=" + enc(mlbh) +
                                                  "&appCode=482188fc0000000000000000000000aa")->body)["data"];
  CHECK(d["fbrq"].is_string());
  CHECK(std::regex_match(d["fbrq"].get<std::string>(), std::regex("\\d{13}")));
  CHECK((d["kflx"] == "01" || d["kflx"] == "02"));
  CHECK(d["zygs"].get<std::string>() == [&] {
    std::string s;
    for (auto& x : p.dataset(0).formats) s += (s.empty() ? "" : "\\") + x;
    return s;
  }());
  auto noapp = json::parse(f.get("www.dysdsj.cn", "/exchangeopengateway/v1.0/mlxx/getSjmlxq?mlbh=" + enc(mlbh))->body);
  CHECK(noapp["data"].is_null());
}

TEST_CASE("gd-opendata: Shenzhen dataList is a JSON string; Guangdong data.page; detail sourceSuffix") {
  Fixture f;
  const auto& p = f.portal("sz");
  auto r = f.post("opendata.sz.gov.cn", "/data/dataSet/findPage", "pageNo=1&pageSize=6&sortType=DESC&sourceTypeArray=",
                  "application/x-www-form-urlencoded", {{"X-Requested-With", "XMLHttpRequest"}});
  auto j = json::parse(r->body);
  REQUIRE(j["dataList"].is_string());
  auto inner = json::parse(j["dataList"].get<std::string>());
  CHECK(inner["otherData"]["cityCount"].get<int>() + inner["otherData"]["countyCount"].get<int>() == p.n_datasets);
  REQUIRE(inner["list"].size() == 6);
  std::string resId = inner["list"][0]["resId"];
  auto d = json::parse(f.post("opendata.sz.gov.cn", "/data/catalog/selectDataCatalogByResId", "resId=" + resId,
                              "application/x-www-form-urlencoded")->body);
  CHECK(d["resTitle"] == p.dataset(0).title);
  std::string suffix = d["sourceSuffix"];
  CHECK(std::regex_match(suffix, std::regex("[A-Z]+(,[A-Z]+)*")));
  auto apis = json::parse(f.post("opendata.sz.gov.cn", "/data/api/findPageByParams", "pageNo=1&pageSize=6", "application/x-www-form-urlencoded")->body);
  CHECK(apis["apiList"].is_string());
  auto g = json::parse(f.post("gddata.gd.gov.cn", "/backOpen/open/data/data/openCatalog/findPageBySearch",
                              R"({"pageSize":8,"pageNo":1,"officeCode":"","sourceType":"1"})", "application/json")->body);
  CHECK(g["data"]["page"]["pages"] == (f.portal("gd").n_datasets + 7) / 8);
  CHECK(g["data"]["page"]["list"][0].contains("resId"));
}

TEST_CASE("beijing: /cms/web/search docs[].url, detail text lines in div#zydtCont1") {
  Fixture f;
  const auto& p = f.portal("bj");
  auto j = json::parse(f.post("data.beijing.gov.cn", "/cms/web/search", "orderFiled=publishDate&orderMethod=desc&pageSize=10&curPage=1",
                              "application/x-www-form-urlencoded", {{"X-Requested-With", "XMLHttpRequest"}})->body);
  CHECK(j["page"]["countPage"] == (p.n_datasets + 9) / 10);
  std::string url = j["object"]["docs"][0]["url"];
  std::smatch m;
  REQUIRE(std::regex_match(url, m, std::regex("https://data\\.beijing\\.gov\\.cn(/zyml/ajg/[^/]+/[0-9a-f]{32}\\.htm)")));
  auto d = f.get("data.beijing.gov.cn", m[1].str());
  CHECK(d->status == 200);
  CHECK(d->body.find("资源名称\t") != std::string::npos);
  CHECK(std::regex_search(d->body, std::regex("资源出版日期\t\\d{4}年\\d{2}月\\d{2}日<br/>")));
  CHECK(d->body.find("资源类型\t表格") != std::string::npos);
}

TEST_CASE("shanghai: raw JSON body with a form content type; detail needs the Referer; docType[].file_type") {
  Fixture f;
  const auto& p = f.portal("sh");
  std::string body = R"({"appScenarios":"","dataDomain":"","datasetKeyword":"","fieldListKeyword":"","openResType":"","openType":"","orgId":"","pageNum":1,"pageSize":10,"generalScore":"","resourceKeyword":"","sort":"","isHighQuality":""})";
  auto j = json::parse(f.post("data.sh.gov.cn", "/zq/api/data_set/search/", body, "application/x-www-form-urlencoded")->body);
  CHECK(j["data"]["totalPageNum"] == (p.n_datasets + 9) / 10);
  std::string id = j["data"]["content"][0]["datasetId"];
  auto no_ref = f.get("data.sh.gov.cn", "/zq/api/data_set/" + id + "/");
  CHECK(no_ref->status == 403);
  auto d = json::parse(f.get("data.sh.gov.cn", "/zq/api/data_set/" + id + "/",
                             {{"Referer", "https://data.sh.gov.cn/view/detail/index.html?type=cp&id=" + id}})->body)["data"];
  CHECK(d["dataset_name"] == p.dataset(0).title);
  CHECK(std::regex_match(d["update_date"].get<std::string>(), std::regex("\\d{4}-\\d{2}-\\d{2}T.*")));
  REQUIRE(d["docType"].is_array());
  if (!d["docType"].empty()) {
    CHECK(d["docType"][0]["file_type"].is_array());
    auto dl = f.get("data.sh.gov.cn", "/zq/api/download_file_pro/?path=" + enc(d["docType"][0]["path"].get<std::string>()) +
                                          "&sort=0&file_type=" + d["docType"][0]["file_type"][0].get<std::string>());
    CHECK((dl->status == 200 || dl->status == 404 || dl->status == 302));
  }
}

TEST_CASE("tianjin: whole catalogue in /common/sjj.json; conditional detail answers 304") {
  Fixture f;
  const auto& p = f.portal("tj");
  auto j = json::parse(f.get("data.tj.gov.cn", "/common/sjj.json")->body);
  CHECK(j["dataList"].size() == static_cast<std::size_t>(p.n_datasets));
  CHECK(json::parse(f.get("data.tj.gov.cn", "/common/sjjk.json")->body)["dataList"].size() == static_cast<std::size_t>(p.n_apis));
  std::string href = j["dataList"][0]["href"];
  std::string path = href.substr(href.find("/sjj/"));
  auto d = f.get("data.tj.gov.cn", path);
  CHECK(d->body.find("<div class=\"title f-cb mg-b4\">") != std::string::npos);
  CHECK(d->body.find("<div class=\"slidecont\">") != std::string::npos);
  auto c = f.get("data.tj.gov.cn", path, {{"If-None-Match", d->get_header_value("ETag")}});
  CHECK(c->status == 304);
}

TEST_CASE("hainan: curPage from 0, empty content past the end, th→td detail with span.tag2") {
  Fixture f;
  const auto& p = f.portal("hn");
  auto j = json::parse(f.post("data.hainan.gov.cn", "/search/data/list", "curPage=0&pageSize=10&deptName=&openValue=", "application/x-www-form-urlencoded")->body);
  CHECK(j["data"]["totalPages"] == (p.n_datasets + 9) / 10);
  CHECK(j["data"]["content"][0]["id"].dump() == p.dataset(0).id);
  auto past = json::parse(f.post("data.hainan.gov.cn", "/search/data/list", "curPage=99&pageSize=10", "application/x-www-form-urlencoded")->body);
  CHECK(past["data"]["content"].empty());
  auto d = f.get("data.hainan.gov.cn", "/sjj/" + p.dataset(0).id + ".htm");
  CHECK(d->body.find("<div class=\"gp-column1\">") != std::string::npos);
  CHECK(d->body.find("<th>目录发布时间</th>") != std::string::npos);
  CHECK(d->body.find("<span class=\"tag2\">") != std::string::npos);
  auto a = json::parse(f.post("data.hainan.gov.cn", "/search/interface/list", "curPage=0&pageSize=10", "application/x-www-form-urlencoded")->body);
  CHECK(a["data"]["content"].size() == static_cast<std::size_t>(p.n_apis));
}

TEST_CASE("embedded-cms: Hanweb column at /col/colN/index.html, datastore records, dataproxy.jsp POST paging, articles") {
  Fixture f;
  const auto& p = f.portal("col");
  auto r = f.get("www.example-county.gov.cn", "/col/col123/index.html");
  REQUIRE(r->status == 200);
  CHECK(r->body.find("<script type=\"text/xml\">") != std::string::npos);
  CHECK(r->body.find("<record><![CDATA[") != std::string::npos);
  std::string ct = r->get_header_value("Content-Type");
  if (p.charset == "GBK-unlabelled") CHECK(ct == "text/html");
  std::int64_t total = p.n_datasets + p.n_apis;
  CHECK(count(r->body, "<record>") == std::min<std::int64_t>(total, 45));
  CHECK(r->body.find("<totalrecord>" + std::to_string(total) + "</totalrecord>") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(r->body, m, std::regex("href=\"(/col/col123/t\\d{8}_\\d+\\.html)\"")));
  CHECK(f.get("www.example-county.gov.cn", m[1].str())->status == 200);
  std::smatch w, u;
  REQUIRE(std::regex_search(r->body, w, std::regex("webid:(\\d+)")));
  REQUIRE(std::regex_search(r->body, u, std::regex("unitid:(\\d+)")));
  std::string form = "col=1&appid=1&webid=" + w[1].str() + "&path=/&columnid=123&sourceContentType=1&unitid=" + u[1].str() +
                     "&webname=x&permissiontype=0";
  auto x = f.post("www.example-county.gov.cn", "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage=15", form,
                  "application/x-www-form-urlencoded");
  REQUIRE(x->status == 200);
  CHECK(count(x->body, "<record>") == std::min<std::int64_t>(total, 2));
  auto bad = f.post("www.example-county.gov.cn", "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage=15",
                    "columnid=123", "application/x-www-form-urlencoded");
  CHECK(bad->status == 400);
}

TEST_CASE("common pages: terms with rights clauses, robots.txt, apps listing, home") {
  Fixture f;
  const auto& p = f.portal("nn");
  REQUIRE(!p.terms.empty());
  auto t = f.get("nn.data.gxzf.gov.cn", p.terms[0].path);
  CHECK(t->status == 200);
  CHECK(t->body.find(p.terms[0].kind) != std::string::npos);
  CHECK(t->body.find(p.terms[0].clauses[0]) != std::string::npos);
  auto apps = f.get("nn.data.gxzf.gov.cn", "/apps/index.html");
  CHECK(count(apps->body, "class=\"app-item\"") == p.n_apps);
  auto home = f.get("nn.data.gxzf.gov.cn", "/");
  CHECK(home->body.find(p.terms[0].path) != std::string::npos);
  auto robots = f.get("nn.data.gxzf.gov.cn", "/robots.txt");
  CHECK((robots->status == 200 || robots->status == 404));
  auto unknown = f.get("no-such-host.example", "/");
  CHECK(unknown->status == 421);
}

TEST_CASE("faults: 429 + Retry-After, 503, robots variants, redirect loop, truncate, reset, reach overrides, log") {
  std::string faults = R"(hosts:
  data.sd.gov.cn:
    robots: {disallow: [/portal/catalog/], crawl_delay: 3}
    rules:
      - {path: /portal/catalog/index, fault: "429", first: 1, retry_after: 7}
      - {path: "/portal/catalog/index?page=2", fault: "503", retry_after: 2}
  data.guizhou.gov.cn:
    robots: "500"
  data.beijing.gov.cn:
    rules:
      - {path: /loop, fault: redirect-loop}
      - {path: /cut, fault: truncate}
      - {path: /reset, fault: reset}
      - {path: /slowpage, fault: slow, bytes: 20000}
      - {path: /bomb, fault: gzip-bomb, bytes: 2097152}
      - {path: /, fault: spider-trap}
  data.sh.gov.cn:
    reach: dns
  data.tj.gov.cn:
    reach: http-error
    http_status: 502
)";
  Fixture f(faults);
  auto r1 = f.get("data.sd.gov.cn", "/portal/catalog/index?page=1");
  CHECK(r1->status == 429);
  CHECK(r1->get_header_value("Retry-After") == "7");
  auto r2 = f.get("data.sd.gov.cn", "/portal/catalog/index?page=1");
  CHECK(r2->status == 200);  // `first: 1` → only the first request fails
  auto r3 = f.get("data.sd.gov.cn", "/portal/catalog/index?page=2");
  CHECK(r3->status == 503);
  auto robots = f.get("data.sd.gov.cn", "/robots.txt");
  CHECK(robots->body.find("Disallow: /portal/catalog/") != std::string::npos);
  CHECK(robots->body.find("Crawl-delay: 3") != std::string::npos);
  CHECK(f.get("data.guizhou.gov.cn", "/robots.txt")->status == 500);
  auto loop = f.get("data.beijing.gov.cn", "/loop");
  CHECK(loop->status == 302);
  auto loop2 = f.get("data.beijing.gov.cn", loop->get_header_value("Location"));
  CHECK(loop2->get_header_value("Location") == "/loop");
  auto cut = f.get("data.beijing.gov.cn", "/cut");  // declared length, half the bytes, then close
  CHECK((!cut || cut->body.empty() || cut->status != 200 || cut.error() != httplib::Error::Success));
  auto reset = f.get("data.beijing.gov.cn", "/reset");
  CHECK(!reset);
  auto trap = f.get("data.beijing.gov.cn", "/calendar/2021/06/");
  CHECK(trap->status == 200);
  CHECK(trap->body.find("/calendar/2021/07/") != std::string::npos);
  auto bomb = f.get("data.beijing.gov.cn", "/bomb");
  CHECK(bomb->get_header_value("Content-Encoding") == "gzip");
  CHECK(bomb->body.size() == 2097152);  // the client inflated a small gzip body to 2 MiB of zeros
  CHECK(bomb->body.find_first_not_of('\0') == std::string::npos);
  // Reach overrides: dns host left out of the connect map, http-error host answers 502 everywhere.
  auto map = f.world->connect_to(f.port, f.server->refused_port());
  bool sh = false;
  for (const auto& l : map) sh = sh || l.rfind("data.sh.gov.cn:", 0) == 0;
  CHECK_FALSE(sh);
  CHECK(f.get("data.tj.gov.cn", "/common/sjj.json")->status == 502);
  // The request log has one JSON line per request with host, path, status, bytes.
  f.server->stop();
  std::ifstream log(f.dir + "/log.jsonl");
  std::string line;
  int lines = 0, r429 = 0;
  while (std::getline(log, line)) {
    auto j = json::parse(line);
    CHECK(j.contains("t"));
    CHECK(j.contains("bytes"));
    if (j["host"] == "data.sd.gov.cn" && j["status"] == 429) ++r429;
    ++lines;
  }
  CHECK(lines >= 12);
  CHECK(r429 == 1);
}

TEST_CASE("portal-dataservice: getPage result.rows/pages, service_detail markup") {
  Fixture f;
  const auto& p = f.portal("lz");
  auto j = json::parse(f.post("data.luzhou.cn", "/portal/dataservice/getPage", "codeId=0123456789abcdef0123456789abcdef&searchOrder=0&page=1&rows=10&organId=&serviceType=0,3",
                              "application/x-www-form-urlencoded; charset=UTF-8", {{"X-Requested-With", "XMLHttpRequest"}})->body);
  CHECK(j["result"]["pages"] == (p.n_datasets + 9) / 10);
  std::string id = j["result"]["rows"][0]["id"];
  CHECK(j["result"]["rows"][0].contains("openType"));
  auto d = f.get("data.luzhou.cn", "/portal/service_detail?id=" + id + "&type=opendata&orgId=");
  CHECK(d->body.find("<h2 class=\"dt-name\"><p>") != std::string::npos);
  CHECK(d->body.find("<ul class=\"desc-list-info clearfix\">") != std::string::npos);
  CHECK(d->body.find("提供方：") != std::string::npos);
  CHECK(d->body.find("table table-striped table-bordered table-advance table-hover") != std::string::npos);
}

TEST_CASE("hunan-webapp: categories, 6-per-page offset frames with n/N页, detail table") {
  Fixture f;
  const auto& p = f.portal("yy");
  auto l = f.get("www.yueyang.gov.cn", "/webapp/yydsj/dataList.jsp?data=zt");
  CHECK(l->body.find("list-group-item-action") != std::string::npos);
  CHECK(l->body.find("onclick=\"fn(1,0)\"") != std::string::npos);
  auto fr = f.get("www.yueyang.gov.cn", "/webapp/yydsj/dataListIframe.jsp?type=1&id=0&sort=1&formId=&dataInfo.offset=6&dataInfo.desc=false");
  CHECK(count(fr->body, "<div class=\"szkf-box-list\">") == std::min<std::int64_t>(6, p.n_datasets - 6));
  CHECK(std::regex_search(fr->body, std::regex("<span class=\"current\">2</span> 2/\\d+页")));
  std::smatch m;
  REQUIRE(std::regex_search(fr->body, m, std::regex("href=\"(/webapp/yydsj/dataDetail\\.jsp\\?id=[0-9a-f]+)\"")));
  auto d = f.get("www.yueyang.gov.cn", m[1].str());
  CHECK(d->body.find("<h1 class=\"content-title\">") != std::string::npos);
  CHECK(std::regex_search(d->body, std::regex("首次发布时间：</td><td>\\d{4}/\\d{2}/\\d{2}")));
}

TEST_CASE("site-label: Bengbu fragment with 共(n)条数据 from pageIndex 0; Huangshan JSON detail") {
  Fixture f;
  const auto& bb = f.portal("bb");
  auto l = f.get("www.bengbu.gov.cn", "/site/label/8888?siteId=6795621&pageSize=10&pageIndex=0&labelName=dataOpenResourcePageList&resourceType=download",
                 {{"X-Requested-With", "XMLHttpRequest"}});
  CHECK(l->body.find("共(" + std::to_string(bb.n_datasets) + ")条数据") != std::string::npos);
  std::smatch m;
  REQUIRE(std::regex_search(l->body, m, std::regex("href=\"(/site/tpl/6621\\?resourceId=\\d+)\"")));
  auto d = f.get("www.bengbu.gov.cn", m[1].str());
  CHECK(d->body.find("<div class=\"data_newtitle\"><h1 class=\"tit\">") != std::string::npos);
  CHECK(d->body.find("<span class=\"tit\">下载格式：</span>") != std::string::npos);
  const auto& hs = f.portal("hs");
  auto h = f.get("www.huangshan.gov.cn", "/site/label/8888?labelName=dataOpenResourceCatalogList&isPage=1&pageSize=8&pageIndex=1");
  CHECK(h->body.find("pageCount:" + std::to_string((hs.n_datasets + 7) / 8) + ",") != std::string::npos);
  auto hd = json::parse(f.get("www.huangshan.gov.cn", "/site/label/8888?labelName=dataOpenResourceCatDetail&resourceId=" + hs.dataset(0).id +
                                                          "&dateFormat=yyyy-MM-dd&isJson=true")->body);
  for (const char* k : {"name", "publishDate", "refreshDate", "dataCounts", "updateCycle", "resourceAbstract"}) CHECK(hd.contains(k));
}

TEST_CASE("open-data-web: three-stage JS cookie gate (521 cookie expr, 521 go({...}), session), then list and detail") {
  Fixture f;
  const auto& p = f.portal("hf");
  std::string list = "/open-data-web/kfzy/queryKfZyPage.do?zylxdm=1&currentPageNo=1&pageSize=10&rtcode=03&rcid=&flag=0&sortSign=&_=1690000000000";
  // Stage 1 (notes: "First response body contains JS with cookie=<expr>;location"): 521 + a session cookie.
  auto gate = f.get("www.hefei.gov.cn", list);
  CHECK(gate->status == 521);
  std::string sid = gate->get_header_value("Set-Cookie");
  REQUIRE(sid.rfind("__jsluid_s=", 0) == 0);
  sid = sid.substr(0, sid.find(';'));
  std::smatch m;
  REQUIRE(std::regex_search(gate->body, m, std::regex("cookie=\\(([^)]*)\\).*;location")));
  std::string cookie;  // evaluate the string concatenation
  std::string expr = m[1].str();
  static const std::regex quoted("'([^']*)'");
  for (std::sregex_iterator it(expr.begin(), expr.end(), quoted), end; it != end; ++it) cookie += (*it)[1].str();
  CHECK(cookie.rfind("__jsl_clearance_s=", 0) == 0);
  // Without the session cookie the first clearance is worth nothing: stage 1 again.
  CHECK(f.get("www.hefei.gov.cn", list, {{"Cookie", cookie}})->body.find("go({") == std::string::npos);
  // Stage 2 (notes: ";go({...}) with bts (2 strings), chars, ct (hex digest), ha (md5|sha1|sha256)").
  auto g2 = f.get("www.hefei.gov.cn", list, {{"Cookie", sid + "; " + cookie}});
  CHECK(g2->status == 521);
  auto at = g2->body.find(";go(");
  REQUIRE(at != std::string::npos);
  auto go = json::parse(g2->body.substr(at + 4, g2->body.rfind(')') - at - 4));
  REQUIRE(go["bts"].size() == 2);
  std::string ha = go["ha"], chars = go["chars"], ct = go["ct"];
  CHECK((ha == "md5" || ha == "sha1" || ha == "sha256"));
  const EVP_MD* md = ha == "md5" ? EVP_md5() : ha == "sha1" ? EVP_sha1() : EVP_sha256();
  std::string clearance;  // "bts[0] + c1 + c2 + bts[1] for the pair of characters from chars whose hash equals ct"
  for (char c1 : chars)
    for (char c2 : chars) {
      std::string cand = go["bts"][0].get<std::string>() + c1 + c2 + go["bts"][1].get<std::string>();
      unsigned char out[EVP_MAX_MD_SIZE];
      unsigned n = 0;
      EVP_Digest(cand.data(), cand.size(), out, &n, md, nullptr);
      std::string hex;
      for (unsigned i = 0; i < n; ++i) hex += "0123456789abcdef"[out[i] >> 4], hex += "0123456789abcdef"[out[i] & 15];
      if (hex == ct) clearance = cand;
    }
  REQUIRE(!clearance.empty());
  // Stage 3: the real JSON with the session and the solved clearance.
  std::string jar = sid + "; __jsl_clearance_s=" + clearance;
  auto j = json::parse(f.get("www.hefei.gov.cn", list, {{"Cookie", jar}})->body);
  CHECK(j["data"]["totalPageCount"] == (p.n_datasets + 9) / 10);
  auto r0 = j["data"]["result"][0];
  CHECK(r0["id"] != r0["zyId"]);
  auto d = json::parse(f.post("www.hefei.gov.cn", "/open-data-web/kfzy/getKfzyDetail.do",
                              "id=" + r0["id"].get<std::string>() + "&zyId=" + r0["zyId"].get<std::string>() + "&zylx=1&czlx=1",
                              "application/x-www-form-urlencoded", {{"Cookie", jar}})->body)["data"];
  CHECK(std::regex_match(d["cjsj"].get<std::string>(), std::regex("\\d{14}")));
  CHECK(d["zy"] == p.dataset(0).title);
  CHECK(std::regex_match(d["fjhzm"].get<std::string>(), std::regex("[A-Z]+( [A-Z]+)*")));
}

TEST_CASE("https portals are served on the TLS port with a certificate naming them") {
  Fixture f;
  REQUIRE(f.server->tls_port() > 0);
  CHECK(f.server->tls_ca_pem().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  bool mapped = false;
  for (const auto& l : f.world->connect_to(f.port, f.server->refused_port(), f.server->tls_port()))
    mapped = mapped || l == "data.sh.gov.cn:443:127.0.0.1:" + std::to_string(f.server->tls_port());
  CHECK(mapped);
  httplib::SSLClient c("127.0.0.1", f.server->tls_port());
  c.enable_server_certificate_verification(false);
  c.set_read_timeout(5, 0);
  auto r = c.Get("/common/sjj.json", {{"Host", "data.tj.gov.cn"}});
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body)["dataList"].size() == static_cast<std::size_t>(f.portal("tj").n_datasets));
}

TEST_CASE("one address, several registry entries: later ones share it unless a fact selects their own catalogue") {
  sim::Options o;
  o.pool_file = pool();
  std::vector<Site> sites = {site("city", "embedded-cms", "http://www.example-city.gov.cn/opendata/", "江苏省", "泰州市"),
                             site("county", "embedded-cms", "http://www.example-city.gov.cn/opendata/", "江苏省", "泰州市"),
                             site("gz", "guizhou-api", "http://data.guizhou.gov.cn/", "贵州省", ""),
                             site("gz-gy", "guizhou-api", "http://data.guizhou.gov.cn/", "贵州省", "贵阳市")};
  sites[1].county = "海陵区";
  sites[3].division_code = "520100";
  sim::World w(sites, o);
  CHECK(w.by_id("city")->shared_with.empty());
  CHECK(w.by_id("county")->shared_with == "city");
  CHECK(w.by_id("county")->n_datasets == 0);
  CHECK(w.by_id("gz-gy")->shared_with.empty());  // divisionId 520100 selects Guiyang's catalogue
  CHECK(w.by_id("gz-gy")->fact("divisionId") == "520100");
}
