// Download-link verdicts (parsers/links.h): one class per probe answer.
#include <strings.h>

#include <array>

#include "parsers/parsers.h"
#include "web/url.h"

namespace odh {
namespace {

constexpr std::size_t kScan = 64 * 1024;  // bytes of a body read for phrases: the verdict is near the top

std::string lower_ascii(std::string_view s) {
  std::string o(s);
  for (auto& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

std::string header(const FetchResult& r, const char* name) {
  for (const auto& [k, v] : r.response_headers)
    if (strcasecmp(k.c_str(), name) == 0) return v;
  return "";
}

// The first phrase of `phrases` found in `text`, or nullptr.
template <std::size_t N>
const char* find_any(std::string_view text, const std::array<const char*, N>& phrases) {
  for (const char* p : phrases)
    if (text.find(p) != std::string_view::npos) return p;
  return nullptr;
}

// Anti-bot gates: CAPTCHAs, slider checks, JS-cookie challenges (open-data-web.md's 521 gate, Aliyun
// and Cloudflare WAF pages). Lower-case ASCII or Chinese.
const std::array<const char*, 12> kChallenge = {"captcha",       "验证码",       "滑动验证",   "人机验证",
                                                "安全验证",      "访问验证",     "__jsl_clearance", "acw_sc__v2",
                                                "cdn-cgi/challenge", "请开启javascript", "请启用javascript", "geetest"};
// Login walls: strong signals only — every portal page has a 登录 link in its header.
const std::array<const char*, 8> kLogin = {"type=\"password\"", "type='password'", "type=password", "请先登录",
                                           "请登录后",           "登录后下载",      "登录后才能",    "用户未登录"};
const std::array<const char*, 9> kApproval = {"提交申请", "请先申请", "需要申请", "需申请", "申请后",
                                              "审核通过", "申请使用", "有条件开放", "申请下载"};
const std::array<const char*, 9> kLoginPath = {"/login", "login.", "signin", "/sso", "/cas/",
                                               "passport", "/auth/", "/oauth", "logon"};

bool html_typed(const FetchResult& r, std::string_view head) {
  std::string ct = lower_ascii(header(r, "Content-Type"));
  if (ct.find("html") != std::string::npos) return true;
  if (!ct.empty() && ct.find("text/plain") == std::string::npos) return false;
  auto h = lower_ascii(head.substr(0, 512));
  std::size_t i = h.find_first_not_of(" \t\r\n\xef\xbb\xbf");
  if (i == std::string::npos) return false;
  std::string_view t(h.data() + i, h.size() - i);
  return t.rfind("<!doctype html", 0) == 0 || t.rfind("<html", 0) == 0 || t.rfind("<head", 0) == 0 ||
         t.rfind("<body", 0) == 0 || t.rfind("<script", 0) == 0 || t.rfind("<meta", 0) == 0;
}

LinkVerdict verdict(const char* cls, bool live, std::string evidence) {
  LinkVerdict v;
  v.link_class = cls;
  v.live = live;
  if (evidence.size() > 200) evidence.resize(200);
  v.evidence = std::move(evidence);
  return v;
}

}  // namespace

LinkVerdict classify_link(const FetchResult& r, std::string_view declared) {
  const std::string& err = r.error_class;
  if (r.status == 0) {
    if (err == "timeout" || err == "connect-timeout") return verdict("timeout", false, err);
    if (err == "dns" || err == "connect" || err == "reset" || err == "tls" || err == "protocol" ||
        err == "network" || err == "truncated" || err == "redirect-loop" || err == "too-many-redirects")
      return verdict("unreachable", false, err);
    // A redirect to a login page the crawler may not follow (robots often disallow /login): the
    // target says enough.
    if (!r.final_url.empty() && r.final_url != r.request.url) {
      std::string to = lower_ascii(r.final_url);
      if (auto u = Url::parse(r.final_url)) to = lower_ascii(u->pathname() + u->search());
      if (find_any(to, kLoginPath)) return verdict("login-wall", false, err + " at " + r.final_url);
    }
    LinkVerdict v;  // never sent (robots, scope, address policy, not in the snapshot…)
    v.link_class = "not-checked";
    v.evidence = err.substr(0, 200);
    return v;
  }
  const bool head = r.request.method == "HEAD";
  const std::string final_url = r.final_url.empty() ? r.request.url : r.final_url;
  std::string where = lower_ascii(final_url);
  if (auto u = Url::parse(final_url)) where = lower_ascii(u->pathname() + u->search());
  std::string location = lower_ascii(header(r, "Location"));
  const std::string status = "HTTP " + std::to_string(r.status);

  const std::string_view raw = r.text.empty() ? std::string_view(r.body) : std::string_view(r.text);
  const std::string_view head_bytes = raw.substr(0, kScan);
  const bool html = !head && html_typed(r, head_bytes);
  std::string low = html ? lower_ascii(head_bytes) : std::string();

  // Challenge pages first: they answer 200, 403, 503 or 521 and may contain anything else.
  if (html) {
    if (const char* p = find_any(low, kChallenge)) return verdict("challenge", false, status + ": " + p);
  }
  if (r.status == 521) return verdict("challenge", false, status);
  if (r.status == 401) return verdict("login-wall", false, status);
  if (find_any(where, kLoginPath) && (html || r.status >= 300 || head))
    return verdict("login-wall", false, status + " at " + final_url);
  if (r.status >= 300 && r.status < 400) {
    if (const char* p = find_any(location, kLoginPath)) return verdict("login-wall", false, status + " → " + location);
  }
  if (html) {
    if (const char* p = find_any(low, kLogin)) return verdict("login-wall", false, status + ": " + p);
    if (const char* p = find_any(low, kApproval)) return verdict("approval-required", false, status + ": " + p);
  }
  if (r.status == 404 || r.status == 410) return verdict("not-found", false, status);
  if (r.status >= 500) return verdict("server-error", false, status);
  if (head && (r.status == 405 || r.status == 501 || r.status == 400 || r.status == 403)) {
    LinkVerdict v = verdict("client-error", false, status + " to HEAD");
    v.needs_get = true;
    return v;
  }
  if (r.status >= 400) return verdict("client-error", false, status);
  if (r.status >= 300) return verdict("unreachable", false, status + " not followed" + (location.empty() ? "" : " → " + location));
  // 2xx.
  const bool html_promised = declared == "html" || declared == "htm" || declared == "link" || declared == "网页";
  if (head) {
    std::string ct = lower_ascii(header(r, "Content-Type"));
    if (!html_promised && (ct.empty() || ct.find("html") != std::string::npos)) {
      LinkVerdict v = verdict("ok", true, status + (ct.empty() ? " without a type" : " " + ct));
      v.needs_get = true;
      return v;
    }
    return verdict("ok", true, status + (ct.empty() ? "" : " " + ct));
  }
  if (html && !html_promised) return verdict("wrong-content", false, status + ": an HTML page where a file was promised");
  if (raw.empty() && r.status != 204 && header(r, "Content-Range").empty())
    return verdict("wrong-content", false, status + ": empty body");
  return verdict("ok", true, status);
}

}  // namespace odh
