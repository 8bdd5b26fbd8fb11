// Out-links of a page (web/html_links.h): WHATWG resolution, <base href>, fragments, schemes, the
// page charset for queries, bounds.
#include <doctest/doctest.h>
#include <chrono>

#include <string>
#include <vector>

#include "web/html_links.h"

namespace {
std::vector<std::string> urls(const std::vector<odh::PageLink>& links) {
  std::vector<std::string> out;
  for (auto& l : links) out.push_back(l.url);
  return out;
}
std::vector<std::string> html_links(std::string_view html, std::string_view page, std::string_view charset) {
  return urls(odh::extract_links(html, page, charset));
}
}  // namespace

TEST_CASE("page links: a/area/frame targets resolved like the crawler, fragment dropped, http(s) only") {
  auto l = html_links(
      "<a href='../x/y.html#top'>1</a><a href=' /abs?q=1 '>2</a><a href='//other.example/p'>3</a>"
      "<a href='javascript:void(0)'>j</a><a href='mailto:a@b.cn'>m</a><a href='#frag'>f</a><a>none</a>"
      "<map><area href='HTTP://Data.Example.GOV.cn:80/area'></map><iframe src='frame.html'></iframe>"
      "<a href='ftp://f.example/x'>ftp</a><a href='http://[bad'>bad</a>",
      "http://data.example.gov.cn/a/b/index.html", "UTF-8");
  CHECK(l == std::vector<std::string>{"http://data.example.gov.cn/a/x/y.html",
                                      "http://data.example.gov.cn/abs?q=1", "http://other.example/p",
                                      "http://data.example.gov.cn/area",
                                      "http://data.example.gov.cn/a/b/frame.html"});
  // The first <base href> wins; a GBK page's query is percent-encoded in GBK, as browsers do.
  auto b = html_links(
      "<head><base href='http://cdn.example.cn/root/'><base href='http://no/'></head>"
      "<a href='list.jsp?q=数据'>x</a><a href='list.jsp?q=数据'>dup</a>",
      "http://www.example.gov.cn/", "GBK");
  CHECK(b == std::vector<std::string>{"http://cdn.example.cn/root/list.jsp?q=%CA%FD%BE%DD",
                                      "http://cdn.example.cn/root/list.jsp?q=%CA%FD%BE%DD"});
  odh::dedupe_links(&b);
  CHECK(b.size() == 1);
  // Bounded, and hostile nesting does not exhaust the stack.
  std::string many;
  for (int i = 0; i < 6000; ++i) many += "<a href='/p" + std::to_string(i) + "'>x</a>";
  CHECK(html_links(many, "http://h.example/", "").size() == odh::kMaxLinksPerPage);
  std::string deep(40000, '<');
  for (size_t i = 0; i < deep.size(); i += 5) deep.replace(i, 5, "<div>");
  deep += "<a href='/deep'>d</a>";
  CHECK(html_links(deep, "http://h.example/", "").size() == 1);
}

TEST_CASE("page links carry their words: anchor text (collapsed, no script), title, bounded") {
  auto l = odh::extract_links(
      "<a href='/a'>  用户\n  协议 <script>x()</script></a><a href='/b' title='法律 声明'><img></a>"
      "<iframe src='/f' title='框'></iframe><a href='/c'>" + std::string(5000, 'x') + "</a>",
      "http://h.example/", "");
  REQUIRE(l.size() == 4);
  CHECK(l[0].text == "用户 协议");
  CHECK(l[1].text.empty());
  CHECK(l[1].title == "法律 声明");
  CHECK(l[2].text.empty());
  CHECK(l[2].title == "框");
  CHECK(l[3].text.size() <= odh::kMaxLinkTextBytes + 1);
  CHECK(l[3].text.size() > 120);
}

TEST_CASE("bounded_html: hostile nesting is flattened at kMaxHtmlDepth, content kept, linear time") {
  std::string scratch;
  std::string flat = "<ul>" + std::string(3000, 'x') + "<li>a<li>b<p>c<p>d<br><img src=x></ul>";
  CHECK(odh::bounded_html(flat, &scratch) == flat);  // implied end tags and void elements do not deepen
  // 8 MB of <div>: cut at kMaxHtmlBytes, everything past depth 512 flattened.
  std::string deep;
  for (int i = 0; i < 1600000; ++i) deep += "<div>";
  auto t0 = std::chrono::steady_clock::now();
  std::string_view b = odh::bounded_html(deep, &scratch);
  CHECK(b.size() == 512 * 5);
  std::string nested;
  for (int i = 0; i < 2000; ++i) nested += "<div><b>";
  nested += "<a href='/inner'>in</a>";
  for (int i = 0; i < 2000; ++i) nested += "</b></div>";
  nested += "<a href='/after'>after</a>";
  auto links = html_links(nested, "http://h.example/", "");
  CHECK(links == std::vector<std::string>{"http://h.example/inner", "http://h.example/after"});
  std::string big;
  for (int i = 0; i < 300000; ++i) big += "<span><b><i><div>";  // 5.4 MB, Gumbo's slow path
  auto many = html_links(big + "<a href='/x'>x</a>", "http://h.example/", "");
  CHECK(many.size() == 1);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 20.0);
}
