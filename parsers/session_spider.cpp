#include "parsers/session_spider.h"

#include <openssl/evp.h>
#include <strings.h>

#include <map>
#include <nlohmann/json.hpp>

#include "parsers/parsers.h"

namespace odh {
namespace {

std::string hex_digest(const std::string& algo, const std::string& text) {
  const EVP_MD* md = algo == "md5"      ? EVP_md5()
                     : algo == "sha1"   ? EVP_sha1()
                     : algo == "sha256" ? EVP_sha256()
                                        : nullptr;
  if (!md) return "";
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(text.data(), text.size(), out, &n, md, nullptr) != 1) return "";
  static const char* hex = "0123456789abcdef";
  std::string h;
  for (unsigned i = 0; i < n; ++i) h += hex[out[i] >> 4], h += hex[out[i] & 15];
  return h;
}

std::optional<GateCookie> name_value(const std::string& assignment) {
  std::string nv = assignment.substr(0, assignment.find(';'));
  auto eq = nv.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  auto trim = [](std::string s) {
    size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
  };
  return GateCookie{trim(nv.substr(0, eq)), trim(nv.substr(eq + 1))};
}

std::optional<GateCookie> solve_go(const std::string& body, size_t at) {
  size_t open = body.find('{', at);
  if (open == std::string::npos) return std::nullopt;
  // The object ends at the matching brace (strings in it hold no braces in practice; bounded scan).
  int depth = 0;
  size_t end = std::string::npos;
  for (size_t i = open; i < body.size() && i < open + 65536; ++i) {
    if (body[i] == '{') ++depth;
    if (body[i] == '}' && --depth == 0) {
      end = i;
      break;
    }
  }
  if (end == std::string::npos) return std::nullopt;
  auto j = nlohmann::json::parse(body.substr(open, end - open + 1), nullptr, false);
  if (!j.is_object() || !j.contains("bts") || !j["bts"].is_array() || j["bts"].size() != 2)
    return std::nullopt;
  if (!j["bts"][0].is_string() || !j["bts"][1].is_string()) return std::nullopt;
  std::string chars = j.value("chars", ""), ct = j.value("ct", ""), ha = j.value("ha", "");
  std::string b0 = j["bts"][0].get<std::string>(), b1 = j["bts"][1].get<std::string>();
  if (chars.empty() || chars.size() > 256 || ct.empty()) return std::nullopt;
  for (char c1 : chars)
    for (char c2 : chars) {
      std::string cand = b0 + c1 + c2 + b1;
      if (hex_digest(ha, cand) == ct)
        return GateCookie{j.value("tn", std::string("__jsl_clearance_s")), cand};
    }
  return std::nullopt;
}

std::optional<GateCookie> solve_expression(const std::string& body, size_t at) {
  size_t end = body.find(";location", at);
  if (end == std::string::npos) end = body.find("</script>", at);
  if (end == std::string::npos || end - at > 65536) return std::nullopt;
  std::string expr = body.substr(at, end - at), out;
  // Concatenation of quoted literals: keep the text inside '…' or "…", in order.
  for (size_t i = 0; i < expr.size(); ++i) {
    char q = expr[i];
    if (q != '\'' && q != '"') continue;
    size_t close = expr.find(q, i + 1);
    if (close == std::string::npos) return std::nullopt;
    out += expr.substr(i + 1, close - i - 1);
    i = close;
  }
  return name_value(out);
}

class SessionSpider : public Spider {
 public:
  SessionSpider(std::unique_ptr<Spider> inner, int max_retries)
      : inner_(std::move(inner)), max_(max_retries) {}

  std::vector<FetchRequest> start_requests() override { return decorate(inner_->start_requests()); }

  // A gate answer is retried here (the inner spider never sees it); anything else goes to the inner
  // spider, whose links are the page's.
  SpiderOutput on_result(const FetchResult& r) override {
    // Whether the request carried the jar as it is now (a new session's Set-Cookie counts as current).
    bool current = sent_cookie(r.request) == jar_cookie();
    for (const auto& [k, v] : r.response_headers)
      if (strcasecmp(k.c_str(), "Set-Cookie") == 0) absorb(v), current = true;
    if (r.status == 521 || r.status == 503 || r.status == 403) {
      const std::string& body = r.text.empty() ? r.body : r.text;
      if (auto c = solve_js_cookie_gate(body)) {
        std::string key = r.request.method + " " + r.request.url + " " + r.request.body;
        if (tries_[key]++ < max_) {
          // A request sent with older cookies than the jar holds now is first retried with the
          // jar (another request may have passed the gate meanwhile); otherwise answer the gate.
          if (current) jar_[c->name] = c->value;
          FetchRequest again = r.request;
          again.priority += 100;  // before the queue, so the answer is used while it is fresh
          SpiderOutput out;
          out.requests = decorate({again});
          return out;
        }
      }
    }
    SpiderOutput out = inner_->on_result(r);
    out.requests = decorate(std::move(out.requests));
    return out;
  }

 private:
  void absorb(const std::string& set_cookie) {
    auto c = name_value(set_cookie);
    if (!c) return;
    std::string lower = set_cookie;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (c->value.empty() || lower.find("max-age=0") != std::string::npos)
      jar_.erase(c->name);
    else
      jar_[c->name] = c->value;
  }
  static std::string sent_cookie(const FetchRequest& q) {
    for (const auto& [k, v] : q.headers)
      if (strcasecmp(k.c_str(), "Cookie") == 0) return v;
    return "";
  }
  std::string jar_cookie() const {
    std::string cookie;
    for (const auto& [k, v] : jar_) cookie += (cookie.empty() ? "" : "; ") + k + "=" + v;
    return cookie;
  }
  std::vector<FetchRequest> decorate(std::vector<FetchRequest> reqs) const {
    if (jar_.empty()) return reqs;
    const std::string cookie = jar_cookie();
    for (auto& q : reqs) {
      bool set = false;
      for (auto& [k, v] : q.headers)
        if (strcasecmp(k.c_str(), "Cookie") == 0) v = cookie, set = true;
      if (!set) q.headers.emplace_back("Cookie", cookie);
    }
    return reqs;
  }

  std::unique_ptr<Spider> inner_;
  int max_;
  std::map<std::string, std::string> jar_;
  std::map<std::string, int> tries_;
};

}  // namespace

std::optional<GateCookie> solve_js_cookie_gate(const std::string& body) {
  if (body.size() > (4u << 20)) return std::nullopt;
  try {
    if (size_t g = body.find("go({"); g != std::string::npos) return solve_go(body, g + 3);
    if (size_t c = body.find("cookie=");
        c != std::string::npos && body.find("<script", 0) != std::string::npos)
      return solve_expression(body, c + 7);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::unique_ptr<Spider> make_session_spider(std::unique_ptr<Spider> inner, int max_retries) {
  return std::make_unique<SessionSpider>(std::move(inner), max_retries);
}

}  // namespace odh
