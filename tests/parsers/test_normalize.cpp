#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/core.h"
#include "parsers/normalize.h"

using nlohmann::json;
namespace fs = std::filesystem;

// A string member, "" when absent or null (the real records have nulls).
static std::string str(const json& r, const char* k) {
  auto it = r.find(k);
  return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
}

static json load_fixture(const std::string& rel) {
  return json::parse(odh::read_file(fs::path(ODH_SHARED_DIR) / "fixtures-real" / rel));
}

TEST_CASE("normalize_date: every shape portals publish") {
  CHECK(odh::normalize_date("2022-07-07") == "2022-07-07");
  CHECK(odh::normalize_date("2021-06-22 18:26:40") == "2021-06-22");  // nanning 2021 发布时间
  CHECK(odh::normalize_date("2022-6-27") == "2022-06-27");            // urumqi unpadded
  CHECK(odh::normalize_date("2020年12月31日") == "2020-12-31");       // beijing 资源出版日期
  CHECK(odh::normalize_date("2020-01-02T00:00:00.000+08:00") == "2020-01-02");
  CHECK(odh::normalize_date("20230801") == "2023-08-01");        // hefei cjsj
  CHECK(odh::normalize_date("20230801093015") == "2023-08-01");  // yyyyMMddHHmmss
  CHECK(odh::normalize_date("1686844800000") == "2023-06-16");   // guizhou epoch ms (local midnight)
  CHECK(odh::normalize_date("1686844800") == "2023-06-16");      // epoch s
  CHECK(odh::normalize_date("1686844800000.0") == "2023-06-16");
  CHECK(odh::normalize_date("2021/4/2") == "2021-04-02");
  CHECK(odh::normalize_date("２０２１－０４－０２") == "2021-04-02");  // full-width
  CHECK(odh::normalize_date("") == "");
  CHECK(odh::normalize_date("暂无") == "");
  CHECK(odh::normalize_date("2021-02-30") == "");
  CHECK(odh::normalize_date("99999999999999999999999") == "");
  CHECK(odh::normalize_date("2021-13-01") == "");
}

TEST_CASE("normalize_date: every date of the real yinchuan and nanning records") {
  int n = 0;
  for (auto& r : load_fixture("cn-odweb/yinchuan_odweb_normalized_2023.json")) {
    for (const char* k : {"发布时间", "最后更新"}) {
      std::string v = str(r, k);
      if (v.empty()) continue;
      std::string d = odh::normalize_date(v);
      CAPTURE(v);
      REQUIRE(d.size() == 10);
      // Same calendar date: compare the numbers, padding aside.
      int y, m, dd, y2, m2, d2;
      REQUIRE(std::sscanf(v.c_str(), "%d-%d-%d", &y, &m, &dd) == 3);
      REQUIRE(std::sscanf(d.c_str(), "%d-%d-%d", &y2, &m2, &d2) == 3);
      CHECK((y == y2 && m == m2 && dd == d2));
      ++n;
    }
  }
  CHECK(n > 1000);
  for (auto& line : {std::string("gxzf-nanning_2021_detail-labels.head60.jsonl")}) {
    std::ifstream in(fs::path(ODH_SHARED_DIR) / "fixtures-real/cn-oportal" / line);
    std::string l;
    int m = 0;
    while (std::getline(in, l)) {
      auto r = json::parse(l);
      std::string v = str(r["info"], "发布时间");
      if (v.empty()) continue;
      CHECK(odh::normalize_date(v) == v.substr(0, 10));
      ++m;
    }
    CHECK(m > 50);
  }
}

TEST_CASE("normalize_frequency: words, codes, and every real value") {
  CHECK(odh::normalize_frequency("每天") == "每日");
  CHECK(odh::normalize_frequency("即时") == "实时");  // shanghai 更新频度
  CHECK(odh::normalize_frequency("一年") == "每年");
  CHECK(odh::normalize_frequency("每两年") == "不定期");  // hefei gxpl 8
  CHECK(odh::normalize_frequency("每半年") == "每半年");
  CHECK(odh::normalize_frequency("每季度") == "每季度");
  CHECK(odh::normalize_frequency("不更新") == "不更新");
  CHECK(odh::normalize_frequency("按月更新") == "每月");
  CHECK(odh::normalize_frequency("") == "");
  CHECK(odh::normalize_frequency("R/P1Y") == "每年");
  std::map<std::string, std::string> guizhou = {{"0", "每年"},   {"1", "每季度"}, {"2", "每月"},
                                                {"3", "每周"},   {"4", "每天"},   {"5", "实时"},
                                                {"6", "每半年"}, {"7", "每年"}};
  CHECK(odh::normalize_frequency("4", guizhou) == "每日");
  CHECK(odh::normalize_frequency("6", guizhou) == "每半年");
  static const std::set<std::string> canon = {"实时",   "每日", "每周",   "每月",  "每季度",
                                              "每半年", "每年", "不定期", "不更新"};
  int n = 0;
  for (const char* f :
       {"cn-guizhou/guiyang_normalized_2023.json", "cn-odweb/yinchuan_odweb_normalized_2023.json",
        "cn-oportal/gxzf-nanning_oportal_normalized_2023.json",
        "cn-open-data-web/hefei_open-data-web_normalized_2023.json"})
    for (auto& r : load_fixture(f)) {
      std::string v = str(r, "更新频率");
      if (v.empty()) continue;
      CAPTURE(v);
      CHECK(canon.count(odh::normalize_frequency(v)) == 1);
      ++n;
    }
  CHECK(n > 4000);
}

TEST_CASE("parse_count") {
  CHECK(odh::parse_count("1,299") == 1299);  // nanning 数据量
  CHECK(odh::parse_count("66") == 66);
  CHECK(odh::parse_count(" 411 ") == 411);
  CHECK(odh::parse_count("暂无") == std::nullopt);
  CHECK(odh::parse_count("") == std::nullopt);
  CHECK(odh::parse_count("-") == std::nullopt);
  CHECK(odh::parse_count("1.2万") == 12000);
  CHECK(odh::parse_count("66条") == 66);
  CHECK(odh::parse_count("１２３") == 123);
  CHECK(odh::parse_count("99999999999999999999999") == std::nullopt);
  for (auto& r : load_fixture("cn-oportal/gxzf-nanning_oportal_normalized_2023.json")) {
    std::string v = str(r, "数据量");
    std::string digits;
    for (char c : v)
      if (c != ',') digits += c;
    CAPTURE(v);
    if (!digits.empty()) CHECK(odh::parse_count(v) == std::stoll(digits));
  }
}

TEST_CASE("formats: codes, extensions, icon classes, lists") {
  CHECK(odh::normalize_format("XLS") == "xls");
  CHECK(odh::normalize_format(".csv") == "csv");
  CHECK(odh::normalize_format("icon-json") == "json");
  CHECK(odh::normalize_format("fa fa-file-excel-o") == "xls");
  CHECK(odh::normalize_format("接口") == "api");
  CHECK(odh::normalize_format("链接") == "link");
  CHECK(odh::normalize_format("text/csv") == "csv");
  CHECK(odh::normalize_format("application/vnd.ms-excel") == "xls");
  CHECK(odh::normalize_format("<script>") == "");
  CHECK(odh::split_formats("XLS CSV") == std::vector<std::string>{"xls", "csv"});  // hefei fjhzm
  CHECK(odh::split_formats("XLS,CSV") == std::vector<std::string>{"xls", "csv"});  // shenzhen sourceSuffix
  std::map<std::string, std::string> odweb = {{"1", "xls"}, {"2", "xml"}, {"3", "json"}, {"4", "csv"}};
  CHECK(odh::split_formats("1,2,3,4,", odweb) == std::vector<std::string>{"xls", "xml", "json", "csv"});
  CHECK(odh::format_from_name("绿色学校、绿色社区信息_0.rdf") == "rdf");
  CHECK(odh::format_from_name("http://x.gov.cn/a/b.XLSX?id=1") == "xlsx");
  CHECK(odh::format_from_name("http://x.gov.cn/a/b.htm?x.pdf") == "");  // html is not a file format we list
  // The real 数据格式 lists of nanning/yinchuan ("['xls', 'xml', 'json', 'csv', 'rdf']").
  for (auto& r : load_fixture("cn-oportal/gxzf-nanning_oportal_normalized_2023.json")) {
    std::string v = str(r, "数据格式");
    for (auto& f : odh::split_formats(v))
      CHECK(std::set<std::string>{"xls", "xml", "json", "csv", "rdf", "api"}.count(f));
  }
}

TEST_CASE("open condition") {
  CHECK(odh::normalize_open_condition("无条件开放") == "无条件");
  CHECK(odh::normalize_open_condition("有条件开放") == "有条件");
  CHECK(odh::normalize_open_condition("依申请开放") == "有条件");
  CHECK(odh::normalize_open_condition("不予开放") == "不予开放");
  CHECK(odh::normalize_open_condition("普遍开放") == "无条件");                  // fuzhou openMode
  CHECK(odh::normalize_open_condition("1", {{"1", "有条件开放"}}) == "有条件");  // guizhou openAttribute
  CHECK(odh::normalize_open_condition("") == "");
  int n = 0;
  for (auto& r : load_fixture("cn-guizhou/guiyang_normalized_2023.json")) {
    std::string v = str(r, "开放属性");
    CHECK(odh::normalize_open_condition(v) == v.substr(0, v.size() - std::string("开放").size()));
    ++n;
  }
  CHECK(n == 2469);
}

TEST_CASE("tags: every separator portals use") {
  CHECK(odh::split_tags("所\r\n\t交\r\n\t公告") == std::vector<std::string>{"所", "交", "公告"});  // nanning
  CHECK(odh::split_tags("月报、地表水、信息、环境质量") ==
        std::vector<std::string>{"月报", "地表水", "信息", "环境质量"});                     // jdop
  CHECK(odh::split_tags("水务；河湖水情") == std::vector<std::string>{"水务", "河湖水情"});  // beijing
  CHECK(odh::split_tags("教育,代课教师,统计") == std::vector<std::string>{"教育", "代课教师", "统计"});
  CHECK(odh::split_tags("a，b; c  a") == std::vector<std::string>{"a", "b", "c"});
  CHECK(odh::split_tags("open data, maps", false) == std::vector<std::string>{"open data", "maps"});
  CHECK(odh::split_tags("").empty());
  // Real yinchuan 标签: comma-joined; splitting and re-joining gives the same tags.
  for (auto& r : load_fixture("cn-odweb/yinchuan_odweb_normalized_2023.json")) {
    std::string v = str(r, "标签");
    auto tags = odh::split_tags(v, false);
    for (auto& t : tags) CHECK(t.find(',') == std::string::npos);
  }
}

TEST_CASE("topics map to the 16 unified themes") {
  CHECK(odh::unified_themes().size() == 16);
  CHECK(odh::map_theme("医疗卫生") == "医疗卫生");
  CHECK(odh::map_theme("文化、体育") == "文体休闲");
  CHECK(odh::map_theme("城建住房") == "城建住房");
  CHECK(odh::map_theme("教育文化") == "教育科技");
  CHECK(odh::map_theme("其他") == "");
  CHECK(odh::map_theme("默认主题") == "");
  CHECK(odh::map_theme("") == "");
  std::set<std::string> themes(odh::unified_themes().begin(), odh::unified_themes().end());
  // Every real topic name maps into the 16 themes or is deliberately unmapped; most are mapped.
  int mapped = 0, total = 0;
  for (auto [f, k] : std::vector<std::pair<const char*, const char*>>{
           {"cn-odweb/yinchuan_odweb_normalized_2023.json", "所属主题"},
           {"cn-oportal/gxzf-nanning_oportal_normalized_2023.json", "重点领域"},
           {"cn-open-data-web/hefei_open-data-web_normalized_2023.json", "所属领域"}})
    for (auto& r : load_fixture(f)) {
      std::string t = odh::map_theme(str(r, k));
      if (!t.empty()) {
        CHECK(themes.count(t) == 1);
        ++mapped;
      }
      ++total;
    }
  CHECK(mapped > total * 8 / 10);
}
