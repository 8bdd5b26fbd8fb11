// The generic CMS extractor against hand-written fixtures modelled on the markup government CMSs
// serve (not produced by the simulator): Hanweb datastore + dataproxy.jsp, TRS createPageHTML, plain
// 下一页 lists, single-item lists, attachments linked from the list, and gaps in a paged list.
#include <map>
#include <set>

#include "parsers/cms.h"
#include "portal_pages.h"

using namespace testutil;

namespace {

// A Hanweb (大汉) column page: the first records inside <script type="text/xml">, the jpage
// parameters in the nextgroup link and in the pager script. No <totalrecord> on this page.
const char* kHanwebColumn = R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>数据开放 徐州市人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/col/col28201/index.html">数据开放</a></div>
<div class="bt-rig-cen-01">
<div id="4563791"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=58&path=/&columnid=28201&unitid=4563791&webname=%E5%BE%90%E5%B7%9E&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[
<li><a href="/art/2021/6/7/art_28201_2689001.html" target="_blank" title="徐州市2020年公共自行车站点信息">徐州市2020年公共自行车站点信息</a><span class="bt-data-time">2021-06-07</span></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2021/5/20/art_28201_2688123.html" target="_blank" title="徐州市医疗机构名录">徐州市医疗机构名录</a><span class="bt-data-time">2021-05-20</span></li>
]]></record>
<record><![CDATA[
<li><a href="/art/2021/4/2/art_28201_2687010.html" target="_blank" title="徐州市A级旅游景区">徐州市A级旅游景区</a><span class="bt-data-time">2021-04-02</span></li>
]]></record>
</recordset></datastore></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script>$(document).ready(function(){ $('#4563791').jpage({ dataStore: 'xml', perPage: 15, col: 1, appid: 1, webid: 58, path: '/', columnid: 28201, sourceContentType: 1, unitid: '4563791', webname: '徐州市人民政府', permissiontype: 0 }); });</script>
</div></div>
<div class="footer">版权所有：徐州市人民政府办公室 2021年1月1日</div></body></html>)";

std::string hanweb_proxy(int a, int b, int total) {
  static const char* titles[] = {"", "", "", "", "徐州市停车场信息", "徐州市学校名录", "徐州市公交线路", "徐州市文物保护单位"};
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<datastore><nextgroup><![CDATA[]]></nextgroup><recordset>\n";
  for (int k = a; k <= b && k <= total; ++k)
    x += "<record><![CDATA[\n<li><a href=\"/art/2021/3/" + std::to_string(k) + "/art_28201_26860" + std::to_string(k) +
         ".html\" target=\"_blank\" title=\"" + titles[k] + "\">" + titles[k] + "</a><span>2021-03-0" + std::to_string(k) +
         "</span></li>\n]]></record>\n";
  return x + "</recordset><totalrecord>" + std::to_string(total) + "</totalrecord><totalpage>1</totalpage></datastore>";
}

std::string article(const std::string& title, const std::string& date) {
  return "<html><head><meta name=\"ArticleTitle\" content=\"" + title + "\"><meta name=\"PubDate\" content=\"" + date +
         "\"></head><body><div class=\"main\"><h1>" + title + "</h1><p>附件：<a href=\"/module/download/downfile.jsp?filename=a.xlsx\">" +
         title + ".xlsx</a></p></div></body></html>";
}

}  // namespace

TEST_CASE("cms: Hanweb datastore column, dataproxy.jsp POST paging with the jpage form") {
  std::string base = "http://www.xz.gov.cn/col/col28201/index.html";
  std::vector<std::string> proxy_calls;
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url == base) return ok(kHanwebColumn);
    if (q.url.rfind("http://www.xz.gov.cn/module/web/jpage/dataproxy.jsp?", 0) == 0) {
      proxy_calls.push_back(q.url);
      CHECK(q.method == "POST");
      for (const char* kv : {"col=1", "appid=1", "webid=58", "columnid=28201", "sourceContentType=1", "unitid=4563791",
                             "permissiontype=0", "path=", "webname="})
        CHECK_MESSAGE(q.body.find(kv) != std::string::npos, q.body);
      int a = std::stoi(param(q.url, "startrecord")), b = std::stoi(param(q.url, "endrecord"));
      CHECK(param(q.url, "perpage") == "15");
      return ok(hanweb_proxy(a, b, 7));
    }
    if (q.url.find("/art/2021/") != std::string::npos) return ok(article("条目", "2021-03-01"));
    return not_found();
  };
  auto sink = crawl(site("xz", "embedded-cms", base), serve);
  // 3 records on the column page, then 4–6 (probe, learns totalrecord 7), then 7–7.
  REQUIRE(proxy_calls.size() == 2);
  CHECK(param(proxy_calls[0], "startrecord") == "4");
  CHECK(param(proxy_calls[0], "endrecord") == "6");
  CHECK(param(proxy_calls[1], "startrecord") == "7");
  CHECK(sink.datasets.size() == 7);
  CHECK(sink.issues.empty());
  // The parsed store itself.
  auto st = odh::hanweb_datastore(kHanwebColumn, base);
  REQUIRE(st.items.size() == 3);
  CHECK(st.items[1].title == "徐州市医疗机构名录");
  CHECK(st.items[1].url == "http://www.xz.gov.cn/art/2021/5/20/art_28201_2688123.html");
  CHECK(st.items[1].date == "2021-05-20");
  CHECK(st.total == -1);
  CHECK(st.params["webname"] == "%E5%BE%90%E5%B7%9E");  // first found: the nextgroup link's (already encoded)
  CHECK(odh::hanweb_datastore(hanweb_proxy(4, 6, 7), base).total == 7);
}

// Real TRS pages pass variables: createPageHTML(countPage, currentPage, …) after `var countPage = 13`.
TEST_CASE("cms: TRS createPageHTML paging; a list page that fails is a gap, later pages still come") {
  // 13 pages of 2 items; page 11 (index_10.html) answers 500 (the fetcher's retries exhausted).
  std::string base = "http://www.example.gov.cn/zwgk/sjkf/";
  int failures = 0;
  auto list = [&](int cur) {
    std::string h = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body>"
                    "<div class=\"list\"><ul>";
    for (int k = 0; k < 2; ++k) {
      int i = cur * 2 + k;
      h += "<li><span class=\"date\">2021-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10) +
           "</span><a href=\"./202106/t20210607_" + std::to_string(100 + i) + ".html\" title=\"数据集" + std::to_string(i) +
           "\">数据集" + std::to_string(i) + "</a></li>";
    }
    return h + "</ul></div><div class=\"page\"><script language=\"JavaScript\">\nvar currentPage = " + std::to_string(cur) +
           ";//所在页从0开始\nvar countPage = 13//共多少页\ncreatePageHTML(countPage, currentPage, \"index\", \"html\");\n"
           "</script></div></body></html>";
  };
  auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
    if (q.url == base) return ok(list(0));
    for (int c = 1; c < 13; ++c)
      if (q.url == base + "index_" + std::to_string(c) + ".html") {
        if (c == 10) {
          ++failures;
          odh::FetchResult r;
          r.status = 500;
          r.error_class = "http-5xx";
          return r;
        }
        return ok(list(c));
      }
    if (q.url.find("/202106/t20210607_") != std::string::npos) return ok(article("数据集", "2021-06-07"));
    return not_found();
  };
  auto sink = crawl(site("trs", "embedded-cms", base), serve);
  CHECK(failures == 1);
  CHECK(sink.datasets.size() == 24);  // 26 items, the 2 of page 11 missing
  std::set<std::string> urls;
  for (auto& d : sink.datasets) urls.insert(d.url);
  CHECK(urls.count(base + "202106/t20210607_" + std::to_string(100 + 25) + ".html"));  // page 13
  CHECK(!urls.count(base + "202106/t20210607_" + std::to_string(100 + 20) + ".html"));
  REQUIRE(sink.issues.size() == 1);
  CHECK(sink.issues[0].find("list-gap: list page 11 failed") == 0);
}

TEST_CASE("cms: a 下一页 list whose page fails goes on at the page its URL numbers; else it is incomplete") {
  // 6 pages of 2 items, each linking the next with 下一页 only (no page count anywhere).
  auto list = [](const std::string& next_href, int n) {
    std::string h = "<html><body><ul class=\"list\">";
    for (int k = 0; k < 2; ++k)
      h += "<li><a href=\"/art/t2021_" + std::to_string(n * 2 + k) + ".html\">数据集" + std::to_string(n * 2 + k) +
           "</a><span>2021-06-0" + std::to_string(1 + k) + "</span></li>";
    h += "</ul><div class=\"page\">";
    if (n < 5) h += "<a href=\"" + next_href + "\">下一页</a>";
    return h + "</div></body></html>";
  };
  auto fail = [] {
    odh::FetchResult r;
    r.status = 500;
    r.error_class = "http-5xx";
    return r;
  };
  auto count_issues = [](const odh::MemorySink& s, const std::string& kind) {
    return std::count_if(s.issues.begin(), s.issues.end(), [&](auto& i) { return i.rfind(kind + ":", 0) == 0; });
  };
  SUBCASE("?page=N, page 3 fails: pages 4–6 still come") {
    std::string base = "http://www.example.gov.cn/sjkf/list.jsp";
    auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
      for (int n = 0; n < 6; ++n)
        if (q.url == (n == 0 ? base : base + "?page=" + std::to_string(n + 1)))
          return n == 2 ? fail() : ok(list("list.jsp?page=" + std::to_string(n + 2), n));
      if (q.url.find("/art/t2021_") != std::string::npos) return ok(article("数据集", "2021-06-01"));
      return not_found();
    };
    auto sink = crawl(site("np", "embedded-cms", base), serve);
    CHECK(sink.datasets.size() == 10);  // 12 items, the 2 of page 3 missing
    CHECK(count_issues(sink, "list-gap") == 1);
    CHECK(sink.issues[0].find("list page 3 failed") != std::string::npos);
    CHECK(count_issues(sink, "list-incomplete") == 0);
  }
  SUBCASE("index_N.html, pages 3 and 4 fail: one guess, then the list is reported incomplete") {
    std::string base = "http://www.example.gov.cn/sjkf/";
    auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
      for (int n = 0; n < 6; ++n)
        if (q.url == (n == 0 ? base : base + "index_" + std::to_string(n + 1) + ".html"))
          return n == 2 || n == 3 ? fail() : ok(list("index_" + std::to_string(n + 2) + ".html", n));
      if (q.url.find("/art/t2021_") != std::string::npos) return ok(article("数据集", "2021-06-01"));
      return not_found();
    };
    auto sink = crawl(site("ni", "embedded-cms", base), serve);
    CHECK(sink.datasets.size() == 4);
    CHECK(count_issues(sink, "list-gap") == 2);
    REQUIRE(count_issues(sink, "list-incomplete") == 1);
  }
  SUBCASE("a page whose URL numbers nothing: incomplete at once") {
    std::string base = "http://www.example.gov.cn/sjkf/";
    auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
      if (q.url == base) return ok(list("more.html", 0));
      if (q.url == base + "more.html") return fail();
      if (q.url.find("/art/t2021_") != std::string::npos) return ok(article("数据集", "2021-06-01"));
      return not_found();
    };
    auto sink = crawl(site("nm", "embedded-cms", base), serve);
    CHECK(sink.datasets.size() == 2);
    CHECK(count_issues(sink, "list-incomplete") == 1);
  }
}

TEST_CASE("cms: single-item list, 下一页 list, attachments linked from the list, GBK meta-only page") {
  SUBCASE("one item") {
    odh::HtmlDoc doc("<html><body><div class=\"nav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"/zwgk/\">政务公开</a></li></ul></div>"
                     "<div class=\"news_list\"><ul><li><a href=\"./t20200312_55.html\" title=\"2019年全市财政预算数据\">2019年全市财政预算数据</a>"
                     "<span>2020-03-12</span></li></ul></div><div class=\"page\">共1条 第1/1页</div></body></html>");
    auto items = odh::cms_list_items(doc, "http://czj.example.gov.cn/sjkf/");
    REQUIRE(items.size() == 1);
    CHECK(items[0].url == "http://czj.example.gov.cn/sjkf/t20200312_55.html");
    CHECK(items[0].date == "2020-03-12");
  }
  SUBCASE("下一页 and direct attachments") {
    std::string base = "http://tjj.example.gov.cn/tjsj/";
    auto page = [&](int n) {
      std::string h = "<html><body><table class=\"list\">";
      for (int k = 0; k < 3; ++k) {
        std::string ext = k == 0 ? "xls" : k == 1 ? "pdf" : "docx";
        h += "<tr><td><a href=\"/uploadfiles/2021/" + std::to_string(n * 3 + k) + "." + ext + "\">统计月报" +
             std::to_string(n * 3 + k) + "</a></td><td>2021年" + std::to_string(n + 1) + "月5日</td></tr>";
      }
      h += "</table><div class=\"fy\">";
      if (n == 0) h += "<a href=\"index.html?page=2\">下一页</a>";
      return h + "</div></body></html>";
    };
    auto serve = [&](const odh::FetchRequest& q) -> odh::FetchResult {
      if (q.url == base) return ok(page(0));
      if (q.url == base + "index.html?page=2") return ok(page(1));
      return not_found();  // attachments are not fetched by the list walk
    };
    auto sink = crawl(site("tjj", "embedded-cms", base), serve);
    REQUIRE(sink.datasets.size() == 6);
    std::map<std::string, std::string> fmt;
    for (auto& d : sink.datasets) fmt[d.title] = formats_of(d).at(0);
    CHECK(fmt["统计月报0"] == "xls");
    CHECK(fmt["统计月报4"] == "pdf");
    CHECK(fmt["统计月报5"] == "docx");
  }
}
