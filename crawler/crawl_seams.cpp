#include "crawler/crawl_seams.h"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "web/url.h"

namespace odh::crawl {

// URL handling delegates to the WHATWG parser of web/url.h.
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

std::string normalize_url(const std::string& url) { return normalize_crawl_url(url).value_or(""); }

std::string resolve_url(const std::string& base, const std::string& ref) {
  auto u = Url::parse(ref, base);
  return u ? u->href() : "";
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
