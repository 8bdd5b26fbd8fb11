#include "crawler/crawl_seams.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "crawler/url.h"

namespace odh::crawl {

// URL handling delegates to the WHATWG parser of crawler/url.h.
bool parse_url(const std::string& url, UrlParts* out) {
  auto u = Url::parse(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->hostname().empty()) return false;
  out->scheme = u->scheme();
  out->host = u->hostname();
  out->port = u->effective_port();
  out->origin = out->scheme + "://" + out->host + ":" + std::to_string(out->port);
  out->path_query = u->pathname() + u->search();
  if (out->path_query.empty()) out->path_query = "/";
  return true;
}

std::string normalise_url(const std::string& url) { return normalize_crawl_url(url).value_or(""); }

std::string resolve_url(const std::string& base, const std::string& ref) {
  auto u = Url::parse(ref, base);
  return u ? u->href() : "";
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
  bool cc_second = labels[n - 1].size() == 2 && std::any_of(std::begin(kSecond), std::end(kSecond),
                                                            [&](auto s) { return labels[n - 2] == s; });
  size_t keep = cc_second ? 3 : 2;
  std::string out;
  for (size_t i = n - keep; i < n; ++i) out += (out.empty() ? "" : ".") + labels[i];
  return out;
}

namespace {
struct KillSpec {
  std::string point;
  long n = 0, seen = 0;
};
KillSpec* kill_spec() {
  static KillSpec* spec = []() -> KillSpec* {
    const char* v = std::getenv("ODH_CRAWL_KILL_AT");
    if (!v || !*v) return nullptr;
    std::string s(v);
    auto colon = s.rfind(':');
    auto* k = new KillSpec;
    k->point = s.substr(0, colon);
    k->n = colon == std::string::npos ? 1 : std::atol(s.c_str() + colon + 1);
    return k;
  }();
  return spec;
}
}  // namespace

bool kill_point_hit(const char* point) {
  KillSpec* k = kill_spec();
  if (!k || k->point != point) return false;
  return ++k->seen == k->n;
}

void kill_point(const char* point) {
  if (kill_point_hit(point)) std::raise(SIGKILL);
}

}  // namespace odh::crawl
