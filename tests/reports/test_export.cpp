#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/reports.h"

using odh::metrics::IndicatorRow;

namespace {
std::vector<IndicatorRow> sample() {
  std::vector<IndicatorRow> v;
  v.push_back({"national", "", "platform.portals", 670.0, "", "portals", 670});
  v.push_back({"level", "省级", "platform.portals", 25.0, "", "portals", 25});
  v.push_back({"portal", "evil", "data.datasets", std::nullopt, "<script>alert(1)</script>|x\ny", "", 0});
  v.push_back({"national", "", "data.topics", 3.5, "a,\"b\"", "topics", 2});
  return v;
}
odh::reports::Rows ptrs(const std::vector<IndicatorRow>& v) {
  odh::reports::Rows r;
  for (auto& x : v) r.push_back(&x);
  return r;
}
}  // namespace

TEST_CASE("markdown cells escape hostile portal text and are bounded") {
  CHECK(odh::reports::markdown_cell("<b>a|b</b>\nc") == "&lt;b&gt;a\\|b&lt;/b&gt; c");
  std::string long_title(500, 'x');
  CHECK(odh::reports::markdown_cell(long_title, 10) == "xxxxxxxxxx…");
  // Cut counts code points, never splitting a UTF-8 sequence.
  CHECK(odh::reports::markdown_cell("数据开放平台", 2) == "数据…");
}

TEST_CASE("CSV has a BOM, RFC 4180 quoting and empty cells for NULL") {
  auto v = sample();
  std::ostringstream s;
  odh::reports::write_csv(s, 7, ptrs(v));
  std::string out = s.str();
  CHECK(out.rfind("\xEF\xBB\xBFrun,scope,scope_key,indicator,value,value_text,unit,n\n", 0) == 0);
  CHECK(out.find("7,national,,platform.portals,670,,portals,670\n") != std::string::npos);
  CHECK(out.find("7,portal,evil,data.datasets,,\"<script>alert(1)</script>|x\ny\",,0\n") !=
        std::string::npos);
  CHECK(out.find("\"a,\"\"b\"\"\"") != std::string::npos);
}

TEST_CASE("JSON keeps null values and round-trips") {
  auto v = sample();
  std::ostringstream s;
  odh::reports::write_json(s, 7, ptrs(v));
  auto j = nlohmann::json::parse(s.str());
  REQUIRE(j.size() == 4);
  CHECK(j[0]["value"] == 670);
  CHECK(j[2]["value"].is_null());
  CHECK(j[2]["value_text"] == "<script>alert(1)</script>|x\ny");
}

TEST_CASE("Markdown report has national and level sections and no raw markup") {
  auto v = sample();
  std::ostringstream s;
  odh::reports::write_markdown(s, "odh <run>", 7, ptrs(v));
  std::string md = s.str();
  CHECK(md.find("# odh &lt;run&gt;") == 0);
  CHECK(md.find("## National") != std::string::npos);
  CHECK(md.find("| platform.portals | 670 | portals | 670 |") != std::string::npos);
  CHECK(md.find("## By admin level") != std::string::npos);
  CHECK(md.find("| 省级 |") != std::string::npos);
  CHECK(md.find("<script>") == std::string::npos);
}
