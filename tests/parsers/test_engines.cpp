// Label dictionary, HTML selectors/extractors, the embedded-column engine, long-tail specs (YAML
// only) and hostile input.
#include <random>
#include <set>

#include "parsers/cms.h"
#include "parsers/labels.h"
#include "portal_pages.h"

using namespace testutil;

TEST_CASE("label dictionary: every label of the real records maps; overrides; standards file") {
  const auto& d = odh::LabelDictionary::shipped();
  CHECK(d.size() > 200);
  // All labels of the real normalized records except the crawler's own keys.
  std::set<std::string> crawler_keys = {"详情页网址", "数据格式"};
  for (const char* f :
       {"cn-oportal/gxzf-nanning_oportal_normalized_2023.json",
        "cn-odweb/yinchuan_odweb_normalized_2023.json", "cn-guizhou/guiyang_normalized_2023.json",
        "cn-open-data-web/hefei_open-data-web_normalized_2023.json"})
    for (json first = load_json(f)[0]; auto& el : first.items()) {
      std::string label = el.key();
      CAPTURE(label);
      CHECK(!d.canonical(label).empty());
    }
  for (auto& l : load_jsonl("cn-oportal/gxzf-nanning_2021_detail-labels.head60.jsonl"))
    for (auto& el : l["info"].items()) {
      // 5 rows of the 2021 scrape are shifted (value as key, next label as value): skip those.
      if (el.value().is_string() && !d.canonical(el.value().get<std::string>()).empty()) continue;
      CHECK_MESSAGE(!d.canonical(el.key()).empty(), el.key());
    }
  CHECK(d.canonical("来源部门") == "department");
  CHECK(d.canonical("来源部门：") == "department");  // trailing full-width colon
  CHECK(d.canonical(" 更新 频率 ") == "update_frequency");
  CHECK(d.canonical("联系方式") == "telephone");
  CHECK(d.canonical("联系方式", "shanghai") == "email");  // per-portal override (field_mapping ad-hoc)
  CHECK(d.canonical("发布日期", "yancheng") == "update_time");
  CHECK(d.canonical("完全没见过的标签") == "");
  // canonical_fields.json: every field has its standards; the report's 14 basic items are all there.
  auto cf = json::parse(odh::read_file(odh::data_dir() / "labels/canonical_fields.json"));
  std::set<std::string> basic;
  for (auto& [k, v] : cf["fields"].items()) {
    CHECK(d.is_field(k));
    if (v.contains("basic_item")) basic.insert(v["basic_item"]);
  }
  CHECK(basic.size() == 14);
  CHECK(cf["standards"]["zhinan"]["elements"].size() == 13);
  CHECK(cf["standards"]["gbt21063"]["elements"].size() == 12);
  CHECK(cf["standards"]["dc"]["elements"].size() == 15);
  CHECK(cf["standards"]["dcat"]["classes"].size() == 4);
}

TEST_CASE("selectors and pair extractors") {
  odh::HtmlDoc doc(
      "<div id=a class='x y'><ul><li data-k=v><span>来源部门：</span><b>市教育局</b></li>"
      "<li>更新频率：每年</li></ul><p class=y>p</p>"
      "<table><tr><th>标签</th><td>a,b</td><th>描述</th><td>d</td></tr><tr><td>数据量</td><td>1,299</td></"
      "tr></table>"
      "</div><div class=y>z<br>资源名称\t河湖<br/>资源摘要：说明：含冒号</div>");
  CHECK(doc.select("div.x.y > ul > li").size() == 2);
  CHECK(doc.select("#a li[data-k=v] b").size() == 1);
  CHECK(doc.select("#a li[data-k='v'] b")[0].text() == "市教育局");
  CHECK(doc.select(".y").size() == 3);
  CHECK(doc.select("div > p.y, table td").size() == 5);
  CHECK(doc.select("li:first-child").empty());  // unsupported pseudo-classes match nothing
  CHECK(doc.select("").empty());
  auto tp = odh::table_pairs(doc.select_one("table"));
  REQUIRE(tp.size() == 3);
  CHECK(tp[0] == std::pair<std::string, std::string>{"标签", "a,b"});
  CHECK(tp[2] == std::pair<std::string, std::string>{"数据量", "1,299"});
  auto ip = odh::item_pairs(doc.root(), "ul > li", "", "");
  REQUIRE(ip.size() == 2);
  CHECK(ip[0].first == "来源部门");
  CHECK(ip[0].second == "市教育局");
  CHECK(ip[1] == std::pair<std::string, std::string>{"更新频率", "每年"});
  auto lp = odh::line_pairs(doc.select("div.y").back().text(true), true);
  REQUIRE(lp.size() == 2);
  CHECK(lp[0] == std::pair<std::string, std::string>{"资源名称", "河湖"});
  CHECK(lp[1] == std::pair<std::string, std::string>{"资源摘要", "说明：含冒号"});
  CHECK(odh::resolve_url("http://a.gov.cn/x/y/index.html", "../detail/data.do?iid=1") ==
        "http://a.gov.cn/x/detail/data.do?iid=1");
  CHECK(odh::resolve_url("https://a.gov.cn/x/", "//b.gov.cn/z") == "https://b.gov.cn/z");
  CHECK(odh::resolve_url("https://a.gov.cn/x/", "javascript:void(0)") == "");
}

TEST_CASE("embedded column: list detection, TRS pagination, item page with attachments") {
  // A government CMS column built from real nanning titles, dates and departments.
  auto recs = load_json("cn-oportal/gxzf-nanning_oportal_normalized_2023.json");
  const std::string base = "http://www.example.gov.cn/sjkf/";
  const size_t per = 15, n = 40;
  auto list_page = [&](size_t page) {
    std::string h =
        "<html><body><ul class='nav'><li><a href='/'>首页</a></li><li><a href='/zwgk/'>政务公开</a></li></ul>"
        "<div class='list'><ul>";
    for (size_t i = page * per; i < std::min(n, (page + 1) * per); ++i)
      h += "<li><a href='./t" + std::to_string(i) + ".html' title='" + esc(str(recs[i], "标题")) + "'>" +
           esc(str(recs[i], "标题").substr(0, 12)) + "</a><span>" + str(recs[i], "发布时间") + "</span></li>";
    h += "</ul></div><script>createPageHTML(" + std::to_string((n + per - 1) / per) + ", " +
         std::to_string(page) + ", \"index\", \"html\");</script></body></html>";
    return h;
  };
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url == base) return ok(list_page(0));
    for (size_t p = 1; p < 3; ++p)
      if (q.url == base + "index_" + std::to_string(p) + ".html") return ok(list_page(p));
    for (size_t i = 0; i < n; ++i)
      if (q.url == base + "t" + std::to_string(i) + ".html")
        return ok("<html><head><meta name='ArticleTitle' content='" + esc(str(recs[i], "标题")) +
                  "'><meta name='ContentSource' content='" + esc(str(recs[i], "来源部门")) +
                  "'></head><body><h1>x</h1><div>发布时间：" + str(recs[i], "发布时间") +
                  "</div><p>附件：<a href='/files/" + std::to_string(i) +
                  ".xlsx'>数据.xlsx</a> <a href='/files/" + std::to_string(i) +
                  ".pdf'>说明</a></p></body></html>");
    return not_found();
  };
  size_t reqs = 0;
  auto sink = crawl(site("example", "embedded-cms", base), serve, &reqs);
  CHECK(reqs == 3 + n);
  REQUIRE(sink.datasets.size() == n);
  for (size_t i = 0; i < n; ++i) {
    const odh::DatasetRow* d = nullptr;
    for (auto& x : sink.datasets)
      if (x.url == base + "t" + std::to_string(i) + ".html") d = &x;
    REQUIRE(d);
    CHECK(d->title == str(recs[i], "标题"));
    CHECK(d->publisher == str(recs[i], "来源部门"));
    CHECK(d->issued == str(recs[i], "发布时间"));
    CHECK(formats_of(*d) == std::vector<std::string>{"xlsx", "pdf"});
    CHECK(d->distributions[0].url == "http://www.example.gov.cn/files/" + std::to_string(i) + ".xlsx");
  }
  // "下一页" links and per-site selectors.
  odh::HtmlDoc doc(
      "<div class='pages'><a href='list_3.html'>下一页</a></div><table class='t'>"
      "<tr class='r'><td><a href='a.html'>A</a></td><td>2021/6/7</td></tr></table>");
  CHECK(odh::cms_next_page(doc, "", "http://x.gov.cn/c/list_2.html") == "http://x.gov.cn/c/list_3.html");
  auto items = odh::cms_list_items(doc, "http://x.gov.cn/c/", "tr.r");
  REQUIRE(items.size() == 1);
  CHECK(items[0].date == "2021-06-07");
}

TEST_CASE("long tail: portals described by YAML only") {
  auto recs = load_json("cn-oportal/gxzf-nanning_oportal_normalized_2023.json");
  SUBCASE("chuzhou: full metadata in the list, 0-based pages, sharetype codes") {
    auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
      if (q.url.rfind("https://www.chuzhou.gov.cn/data/api/OpenDirectory/select?", 0) != 0)
        return not_found();
      size_t page = std::stoul(param(q.url, "page"));
      json out = {{"totalElements", 25}, {"content", json::array()}};
      for (size_t i = page * 10; i < std::min<size_t>(25, page * 10 + 10); ++i)
        out["content"].push_back({{"id", i},
                                  {"name", recs[i]["标题"]},
                                  {"companys", {{"title", recs[i]["来源部门"]}}},
                                  {"fields", {{"title", recs[i]["重点领域"]}}},
                                  {"createtime", recs[i]["发布时间"]},
                                  {"updatetime", recs[i]["更新时间"]},
                                  {"sharetype", "2"}});
      return ok(out.dump());
    };
    auto sink = crawl(site("chuzhou", "lt-anhui-chuzhou", "https://www.chuzhou.gov.cn/"), serve);
    REQUIRE(sink.datasets.size() == 25);
    for (size_t i = 0; i < 25; ++i) {
      auto& d = sink.datasets[i];
      CHECK(d.title == str(recs[i], "标题"));
      CHECK(d.publisher == str(recs[i], "来源部门"));
      CHECK(d.topic_raw == str(recs[i], "重点领域"));
      CHECK(d.modified == str(recs[i], "更新时间"));
      CHECK(d.open_condition == "无条件");
    }
  }
  SUBCASE("shaanxi: top-level array [0].result") {
    auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
      int page = std::stoi(param(q.url, "page.pageNo"));  // the request spec's parameter
      json res = json::array();
      if (page == 1)
        for (size_t i = 0; i < 7; ++i)
          res.push_back({{"id", "s" + std::to_string(i)},
                         {"sdataName", recs[i]["标题"]},
                         {"sorgName", recs[i]["来源部门"]},
                         {"sdataTopic", recs[i]["重点领域"]},
                         {"spubDate", recs[i]["发布时间"]},
                         {"sdataFormats", "xls,csv"}});
      return ok(json::array({{{"result", res}}}).dump());
    };
    auto sink = crawl(site("shaanxi", "lt-shaanxi", "http://www.sndata.gov.cn/"), serve);
    REQUIRE(sink.datasets.size() == 7);
    CHECK(sink.datasets[3].title == str(recs[3], "标题"));
    CHECK(sink.datasets[3].issued == str(recs[3], "发布时间"));
    CHECK(formats_of(sink.datasets[3]) == std::vector<std::string>{"xls", "csv"});
  }
  SUBCASE("xianning: one static array, Chinese dates") {
    json arr = json::array();
    for (size_t i = 0; i < 5; ++i) {
      std::string d = str(recs[i], "更新时间");
      arr.push_back({{"title", recs[i]["标题"]},
                     {"link", "http://www.xianning.gov.cn/x/" + std::to_string(i) + ".html"},
                     {"update", d.substr(0, 4) + "年" + d.substr(5, 2) + "月" + d.substr(8, 2) + "日"},
                     {"department", recs[i]["来源部门"]},
                     {"theme", recs[i]["重点领域"]},
                     {"chnldesc", "数据集"}});
    }
    auto sink = crawl(site("xianning", "lt-hubei-xianning", "http://www.xianning.gov.cn/"),
                      [&](const odh::FetchRequest& q) {
                        return q.url == "http://www.xianning.gov.cn/cysjdy/sjmljson/sjml.json"
                                   ? ok(arr.dump())
                                   : not_found();
                      });
    REQUIRE(sink.datasets.size() == 5);
    CHECK(sink.datasets[1].modified == str(recs[1], "更新时间"));
    CHECK(sink.datasets[1].url == "http://www.xianning.gov.cn/x/1.html");
    bool raw = false;  // the unknown key is kept raw, with no canonical field
    for (auto& f : sink.datasets[1].fields)
      raw |= f.label == "chnldesc" && f.value == "数据集" && f.canonical.empty();
    CHECK(raw);
  }
  SUBCASE("wuhu: a quoted JSON string body") {
    json inner = {{"allPage", 1}, {"smcDataSetList", json::array()}};
    for (size_t i = 0; i < 4; ++i)
      inner["smcDataSetList"].push_back(
          {{"id", i}, {"title", recs[i]["标题"]}, {"orgName", recs[i]["来源部门"]}});
    std::string quoted = json(inner.dump()).dump();  // "{\"allPage\":1,…}"
    auto sink = crawl(site("wuhu", "lt-anhui-wuhu", "http://data.wuhu.cn/"), [&](const odh::FetchRequest& q) {
      return q.url == "http://data.wuhu.cn/datagov-ops/data/getDataSetByWhere" ? ok(quoted) : not_found();
    });
    REQUIRE(sink.datasets.size() == 4);
    CHECK(sink.datasets[2].publisher == str(recs[2], "来源部门"));
  }
  SUBCASE("nantong and huaian: list + JSON detail, undocumented keys kept raw") {
    auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
      if (q.url.find("findResourceByPage") != std::string::npos) {
        json c = json::array();
        if (param(q.url, "page") == "0")
          for (int i = 0; i < 3; ++i) c.push_back({{"id", "n" + std::to_string(i)}});
        return ok(json{{"data", {{"totalPages", 1}, {"content", c}}}}.dump());
      }
      if (q.url.find("getResourceById?id=n") != std::string::npos) {
        int i = q.url.back() - '0';
        return ok(json{{"data", {{"resourceName", recs[i]["标题"]}, {"xyzCode", "A-1"}}}}.dump());
      }
      return not_found();
    };
    auto sink = crawl(site("nantong", "lt-jiangsu-nantong", "http://data.nantong.gov.cn/"), serve);
    REQUIRE(sink.datasets.size() == 3);
    CHECK(sink.datasets[0].title == str(recs[0], "标题"));  // resourceName is in the dictionary
    CHECK(sink.datasets[0].fields[1].label == "xyzCode");
    CHECK(sink.datasets[0].fields[1].canonical == "");
    CHECK_NOTHROW(odh::load_family("lt-jiangsu-huaian"));
  }
}

TEST_CASE("hostile content never crashes and is reported") {
  std::mt19937 rng(42);
  std::vector<std::string> bodies = {"",
                                     "{",
                                     "[]",
                                     "null",
                                     "\"x\"",
                                     "{\"data\":{\"content\":7}}",
                                     "<html><<<>>>",
                                     std::string(100000, '<'),
                                     std::string(50000, '{'),
                                     "\xff\xfe\x00garbage"};
  for (int i = 0; i < 30; ++i) {  // random bytes and deep nesting
    std::string s;
    for (int k = 0; k < 2000; ++k) s += static_cast<char>(rng() % 256);
    bodies.push_back(s);
  }
  std::string deep;
  for (int i = 0; i < 8000; ++i) deep += "<div>";  // Gumbo is quadratic in depth: 8000 keeps the test fast
  bodies.push_back(deep);
  for (const auto& fam : odh::family_names()) {
    for (const auto& b : bodies) {
      odh::MemorySink sink;
      odh::Site s = site("x", fam, "http://x.gov.cn/");
      auto sp = odh::make_spider(s, sink);
      auto reqs = sp->start_requests();
      REQUIRE(!reqs.empty());
      odh::FetchResult r = ok(b);
      r.request = reqs[0];
      odh::SpiderOutput more;
      CHECK_NOTHROW(more = sp->on_result(r));
      r.request.kind = "detail";
      r.request.meta = b;  // hostile meta too
      CHECK_NOTHROW(sp->on_result(r));
    }
  }
  for (const auto& b : bodies) {
    odh::MemorySink sink;
    auto sp = odh::make_cms_spider(site("x", "embedded-cms", "http://x.gov.cn/"), sink);
    odh::FetchResult r = ok(b);
    r.request = sp->start_requests()[0];
    CHECK_NOTHROW(sp->on_result(r));
    for (const char* k : {"ckan", "dcat-rdf", "dcat-jsonld", "datajson", "socrata", "ods"})
      CHECK_NOTHROW(odh::records_from_document(k, b));
  }
}
