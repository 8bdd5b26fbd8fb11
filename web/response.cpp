// The response rules of web/fetch.h, one implementation for the crawler and the WARC snapshot.
#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "web/content_decoding.h"
#include "web/fetch.h"
#include "web/url.h"

namespace odh {

std::string status_error_class(int status) {
  if (status < 400) return "";
  if (status == 429) return "http-429";
  return status >= 500 ? "http-5xx" : "http-4xx";
}

std::string remove_content_encoding(std::string_view encoding, std::string* body, std::int64_t max_decoded) {
  if (encoding.empty() || encoding == "identity") return "";
  if (!ContentDecoder::supported(encoding)) return "content-encoding-unsupported";
  ContentDecoder dec(encoding, static_cast<std::size_t>(max_decoded));
  std::string out;
  if (dec.feed(*body, &out) && dec.finish(&out)) {
    *body = std::move(out);
    return "";
  }
  return dec.status().code == "too-large" ? "too-large-decoded" : "content-decoding";
}

bool in_site_scope(std::string_view url, const std::vector<std::string>& site_urls) {
  auto u = Url::parse(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->hostname().empty()) return false;
  if (same_site_scope(*u, site_urls)) return true;
  const std::string host = u->hostname();
  const std::string reg = registrable_domain(host);
  for (const auto& s : site_urls) {
    auto su = Url::parse(s);
    if (!su || su->hostname().empty()) continue;
    const std::string sh = su->hostname();
    const std::string sreg = registrable_domain(sh);
    if (sh == host || sh == reg || sreg == host || sreg == reg) return true;
  }
  return false;
}

std::string request_refusal(std::string_view url, const std::vector<std::string>& site_urls,
                            std::size_t max_url_bytes) {
  auto u = Url::parse(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->hostname().empty()) return "bad-url";
  if (u->href(true).size() > max_url_bytes) return "url-too-long";
  if (!site_urls.empty() && !in_site_scope(url, site_urls)) return "out-of-scope";
  return "";
}

namespace {
bool forbidden_v4(const unsigned char* a) {
  const unsigned b0 = a[0], b1 = a[1], b2 = a[2];
  return b0 == 0 || b0 == 10 || b0 == 127 ||                   // this network, private, loopback
         (b0 == 100 && (b1 & 0xC0) == 64) ||                   // 100.64/10 shared (CGNAT)
         (b0 == 169 && b1 == 254) ||                           // link-local
         (b0 == 172 && (b1 & 0xF0) == 16) ||                   // 172.16/12
         (b0 == 192 && b1 == 168) ||                           // 192.168/16
         (b0 == 192 && b1 == 0 && (b2 == 0 || b2 == 2)) ||     // IETF protocol, TEST-NET-1
         (b0 == 198 && (b1 & 0xFE) == 18) ||                   // 198.18/15 benchmarking
         (b0 == 198 && b1 == 51 && b2 == 100) ||               // TEST-NET-2
         (b0 == 203 && b1 == 0 && b2 == 113) ||                // TEST-NET-3
         b0 >= 224;                                            // multicast, reserved, broadcast
}
}  // namespace

bool is_forbidden_address(std::string_view ip) {
  std::string s(ip);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (auto pct = s.find('%'); pct != std::string::npos) s.resize(pct);  // zone id: link-local anyway
  unsigned char a[16];
  if (inet_pton(AF_INET, s.c_str(), a) == 1) return forbidden_v4(a);
  if (inet_pton(AF_INET6, s.c_str(), a) != 1) return true;  // not an address: never connect
  static const unsigned char zero[16] = {};
  if (std::memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1)) return true;  // :: and ::1
  const bool mapped = std::memcmp(a, zero, 10) == 0 && a[10] == 0xFF && a[11] == 0xFF;  // ::ffff:a.b.c.d
  const bool compat = std::memcmp(a, zero, 12) == 0;                                    // ::a.b.c.d
  if (mapped || compat) return forbidden_v4(a + 12);
  if (a[0] == 0x64 && a[1] == 0xFF && a[2] == 0x9B && std::memcmp(a + 3, zero, 9) == 0)  // 64:ff9b::/96 NAT64
    return forbidden_v4(a + 12);
  if ((a[0] & 0xFE) == 0xFC) return true;                    // fc00::/7 unique local
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return true;    // fe80::/10 link-local
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0xC0) return true;    // fec0::/10 site-local (deprecated)
  if (a[0] == 0xFF) return true;                             // multicast
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0D && a[3] == 0xB8) return true;  // 2001:db8::/32 docs
  if (a[0] == 0x20 && a[1] == 0x02) {                        // 6to4: the embedded IPv4 address
    return forbidden_v4(a + 2);
  }
  return false;
}

RedirectStep next_redirect(const std::string& url, int status, std::string_view location, int hops,
                           int max_redirects, const std::vector<std::string>& site_urls) {
  RedirectStep step;
  if (status < 300 || status >= 400 || status == 304 || location.empty()) return step;
  step.is_redirect = true;
  auto resolved = Url::parse(location, url);
  std::string target = resolved ? normalize_crawl_url(resolved->href()).value_or("") : "";
  auto t = target.empty() ? std::nullopt : Url::parse(target);
  if (!t || (t->scheme() != "http" && t->scheme() != "https") || t->hostname().empty())
    step.error_class = "bad-redirect";
  else if (hops >= max_redirects)
    step.error_class = "redirect-limit";
  else if (target.size() > kMaxUrlBytes)
    step.error_class = "url-too-long";
  else if (target == normalize_crawl_url(url).value_or(""))
    step.error_class = "redirect-loop";
  else if (!in_site_scope(target, site_urls))
    step.error_class = "out-of-scope";
  else
    step.target = std::move(target);
  return step;
}

}  // namespace odh
