// Download-link verdicts (parsers/links.h): one answer per class, as real portals give them — the
// phrases are those of Chinese portals' login, application and anti-bot pages.
#include <doctest/doctest.h>

#include "parsers/parsers.h"

using namespace odh;

namespace {

FetchResult answer(int status, std::string body, std::string type = "text/html; charset=UTF-8",
                   std::string method = "GET", std::string final_url = "https://data.example.gov.cn/files/a.csv") {
  FetchResult r;
  r.request.url = "https://data.example.gov.cn/files/a.csv";
  r.request.method = method;
  r.request.kind = method == "HEAD" ? "link" : "file";
  r.final_url = final_url;
  r.status = status;
  if (!type.empty()) r.response_headers.emplace_back("Content-Type", type);
  r.body = std::move(body);
  r.text = r.body;
  return r;
}

}  // namespace

TEST_CASE("classify_link: each class from its typical answer") {
  CHECK(classify_link(answer(200, "a,b\n1,2\n", "text/csv"), "csv").link_class == "ok");
  CHECK(*classify_link(answer(200, "a,b\n1,2\n", "text/csv"), "csv").live);
  CHECK(classify_link(answer(206, "a,b\n1,", "text/csv"), "csv").link_class == "ok");
  CHECK(classify_link(answer(404, "<html><h1>404</h1></html>"), "csv").link_class == "not-found");
  CHECK(classify_link(answer(410, ""), "csv").link_class == "not-found");
  CHECK(classify_link(answer(500, "<html>500</html>"), "csv").link_class == "server-error");
  CHECK(classify_link(answer(503, ""), "xls").link_class == "server-error");
  CHECK(classify_link(answer(403, "Forbidden", "text/plain"), "csv").link_class == "client-error");

  // Login walls: a redirect that ended on a login page, a 401, a page with a password field.
  auto login = answer(200, "<html><form><input type=\"password\" name=\"pwd\"></form></html>", "text/html",
                      "GET", "https://data.example.gov.cn/login?redirect=%2Ffiles%2Fa.csv");
  CHECK(classify_link(login, "csv").link_class == "login-wall");
  CHECK(classify_link(answer(401, ""), "csv").link_class == "login-wall");
  CHECK(classify_link(answer(200, "<html><div>请先登录后下载</div></html>"), "csv").link_class == "login-wall");
  // A portal page whose header merely links to 登录 is not a login wall: it is the wrong content.
  CHECK(classify_link(answer(200, "<html><a href=\"/login\">登录</a><p>文件正在生成</p></html>"), "csv").link_class ==
        "wrong-content");

  // Applications (有条件开放) and anti-bot gates.
  CHECK(classify_link(answer(200, "<html><p>该数据为有条件开放数据，请先提交申请</p></html>"), "xlsx").link_class ==
        "approval-required");
  CHECK(classify_link(answer(521, "<script>document.cookie='__jsl_clearance=1'</script>"), "csv").link_class ==
        "challenge");
  CHECK(classify_link(answer(200, "<html><div id=\"captcha\">请输入验证码</div></html>"), "csv").link_class ==
        "challenge");
  CHECK(classify_link(answer(403, "<html><title>安全验证</title><script src=/cdn-cgi/challenge></script></html>"),
                      "json")
            .link_class == "challenge");

  // An HTML page promised as a file is wrong content; promised as a web page, fine.
  CHECK(classify_link(answer(200, "<!DOCTYPE html><html><body>hi</body></html>", ""), "csv").link_class ==
        "wrong-content");
  CHECK(classify_link(answer(200, "<!DOCTYPE html><html><body>hi</body></html>"), "html").link_class == "ok");
  CHECK(classify_link(answer(200, "", "text/csv"), "csv").link_class == "wrong-content");  // empty body

  // Transport failures and requests never sent.
  FetchResult t;
  t.error_class = "timeout";
  CHECK(classify_link(t, "csv").link_class == "timeout");
  t.error_class = "connect";
  CHECK(classify_link(t, "csv").link_class == "unreachable");
  t.error_class = "robots-disallowed";
  t.request.url = "https://data.example.gov.cn/files/a.csv";
  t.final_url = "https://data.example.gov.cn/login?redirect=%2Ffiles%2Fa.csv";  // the hop robots forbid
  CHECK(classify_link(t, "csv").link_class == "login-wall");
  t.final_url = t.request.url;
  auto nc = classify_link(t, "csv");
  CHECK(nc.link_class == "not-checked");
  CHECK(!nc.live);
}

TEST_CASE("classify_link: a HEAD that cannot decide asks for a GET") {
  CHECK(classify_link(answer(200, "", "text/csv", "HEAD"), "csv").link_class == "ok");
  CHECK(!classify_link(answer(200, "", "text/csv", "HEAD"), "csv").needs_get);
  CHECK(classify_link(answer(200, "", "text/html", "HEAD"), "csv").needs_get);
  CHECK(classify_link(answer(200, "", "", "HEAD"), "csv").needs_get);
  CHECK(classify_link(answer(405, "", "", "HEAD"), "csv").needs_get);
  CHECK(!classify_link(answer(404, "", "", "HEAD"), "csv").needs_get);
  auto redirected = answer(200, "", "text/html", "HEAD", "https://data.example.gov.cn/sso/login?service=x");
  CHECK(classify_link(redirected, "csv").link_class == "login-wall");
  CHECK(!classify_link(redirected, "csv").needs_get);
}
