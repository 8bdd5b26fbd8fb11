#include "crawler/crawl_seams.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace odh::crawl {

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
struct CurlUrl {
  CURLU* h = curl_url();
  ~CurlUrl() { curl_url_cleanup(h); }
  std::string get(CURLUPart part, unsigned flags = 0) {
    char* p = nullptr;
    if (curl_url_get(h, part, &p, flags) != CURLUE_OK || !p) return "";
    std::string s = p;
    curl_free(p);
    return s;
  }
};
}  // namespace

bool parse_url(const std::string& url, UrlParts* out) {
  CurlUrl u;
  if (curl_url_set(u.h, CURLUPART_URL, url.c_str(), CURLU_URLENCODE) != CURLUE_OK) return false;
  out->scheme = lower(u.get(CURLUPART_SCHEME));
  if (out->scheme != "http" && out->scheme != "https") return false;
  out->host = lower(u.get(CURLUPART_HOST));
  if (out->host.empty()) return false;
  std::string port = u.get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  out->port = port.empty() ? (out->scheme == "https" ? 443 : 80) : std::atoi(port.c_str());
  out->origin = out->scheme + "://" + out->host + ":" + std::to_string(out->port);
  std::string path = u.get(CURLUPART_PATH);
  std::string query = u.get(CURLUPART_QUERY);
  out->path_query = (path.empty() ? "/" : path) + (query.empty() ? "" : "?" + query);
  return true;
}

std::string normalise_url(const std::string& url) {
  CurlUrl u;
  if (curl_url_set(u.h, CURLUPART_URL, url.c_str(), CURLU_URLENCODE) != CURLUE_OK) return "";
  std::string scheme = lower(u.get(CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") return "";
  curl_url_set(u.h, CURLUPART_FRAGMENT, nullptr, 0);
  std::string host = lower(u.get(CURLUPART_HOST));
  curl_url_set(u.h, CURLUPART_HOST, host.c_str(), 0);
  return u.get(CURLUPART_URL, CURLU_NO_DEFAULT_PORT);
}

std::string resolve_url(const std::string& base, const std::string& ref) {
  CurlUrl u;
  if (curl_url_set(u.h, CURLUPART_URL, base.c_str(), CURLU_URLENCODE) != CURLUE_OK) return "";
  // Trim ASCII whitespace the way browsers do before resolving.
  auto b = ref.find_first_not_of(" \t\r\n\f");
  if (b == std::string::npos) return "";
  auto e = ref.find_last_not_of(" \t\r\n\f");
  std::string r = ref.substr(b, e - b + 1);
  r.erase(std::remove_if(r.begin(), r.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }),
          r.end());
  if (curl_url_set(u.h, CURLUPART_URL, r.c_str(), CURLU_URLENCODE) != CURLUE_OK) return "";
  return u.get(CURLUPART_URL);
}

std::string registrable_domain(const std::string& host) {
  if (host.empty() || std::isdigit(static_cast<unsigned char>(host.back())) || host.front() == '[')
    return host;  // IP literal
  std::vector<std::string> labels;
  size_t start = 0;
  for (size_t i = 0; i <= host.size(); ++i)
    if (i == host.size() || host[i] == '.') {
      labels.push_back(host.substr(start, i - start));
      start = i + 1;
    }
  size_t n = labels.size();
  if (n <= 2) return host;
  static const char* kSecond[] = {"gov", "com", "edu", "org", "net", "ac", "mil"};
  bool cc_second = labels[n - 1].size() == 2 &&
                   std::any_of(std::begin(kSecond), std::end(kSecond), [&](auto s) { return labels[n - 2] == s; });
  size_t keep = cc_second ? 3 : 2;
  std::string out;
  for (size_t i = n - keep; i < n; ++i) out += (out.empty() ? "" : ".") + labels[i];
  return out;
}

}  // namespace odh::crawl
