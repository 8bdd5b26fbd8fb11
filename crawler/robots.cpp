// robots.txt parsing and matching (RFC 9309), behaviour-compatible with google/robotstxt
// where the RFC leaves room (typo-tolerant keys, missing colon, "index.html" allow).
#include "crawler/robots.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "web/url.h"

namespace odh {
namespace {

// google/robotstxt truncates longer lines; so do we (bounds memory per rule).
constexpr std::size_t kMaxLineLen = 2083 * 8;

bool is_ws(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_ws(s.front()) || s.front() == '\v' || s.front() == '\f')) s.remove_prefix(1);
  while (!s.empty() && (is_ws(s.back()) || s.back() == '\v' || s.back() == '\f')) s.remove_suffix(1);
  return s;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[i]) != prefix[i]) return false;
  return true;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 9309 §2.2.2 normalization: percent-escapes get upper-case hex digits and (if
// encode_non_ascii, for patterns) raw octets >= 0x80 are percent-encoded. Escapes are
// not decoded: like google/robotstxt, "%62" does not match "b" (spec-test agrees).
std::string normalize(std::string_view s, bool encode_non_ascii) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%' && i + 2 < s.size() && hex_val(s[i + 1]) >= 0 && hex_val(s[i + 2]) >= 0) {
      out += '%';
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 1])));
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 2])));
      i += 2;
    } else if (c >= 0x80 && encode_non_ascii) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The path, params and query of `url` (no fragment), "/" if empty. Accepts absolute
// URLs, scheme-relative "//host/p" and plain paths.
std::string path_of(std::string_view url) {
  std::size_t start = 0;
  if (url.size() >= 2 && url[0] == '/' && url[1] == '/') start = 2;
  std::size_t early = url.find_first_of("/?;", start);
  std::size_t proto = url.find("://", start);
  if (early < proto) proto = std::string_view::npos;  // "://" inside the path is not a scheme
  std::size_t after = proto == std::string_view::npos ? start : proto + 3;
  std::size_t path_start = url.find_first_of("/?;", after);
  if (path_start == std::string_view::npos) return "/";
  std::size_t hash = url.find('#', start);
  if (hash < path_start) return "/";
  std::size_t end = hash == std::string_view::npos ? url.size() : hash;
  std::string out;
  if (url[path_start] != '/') out = "/";
  out.append(url.substr(path_start, end - path_start));
  return out;
}

enum class Key { kUserAgent, kAllow, kDisallow, kSitemap, kCrawlDelay, kUnknown };

Key classify(std::string_view key) {
  // Prefix matches and frequent typos, as google/robotstxt accepts them.
  if (starts_with_ci(key, "user-agent") || starts_with_ci(key, "useragent") ||
      starts_with_ci(key, "user agent"))
    return Key::kUserAgent;
  if (starts_with_ci(key, "allow")) return Key::kAllow;
  for (std::string_view d : {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"})
    if (starts_with_ci(key, d)) return Key::kDisallow;
  if (starts_with_ci(key, "sitemap") || starts_with_ci(key, "site-map")) return Key::kSitemap;
  if (starts_with_ci(key, "crawl-delay") || starts_with_ci(key, "crawldelay")) return Key::kCrawlDelay;
  return Key::kUnknown;
}

// Splits "key: value" (or "key value" when the colon is missing and there are exactly
// two words). Returns false for lines that are not a key/value pair.
bool split_line(std::string_view line, std::string_view& key, std::string_view& value) {
  std::size_t sep = line.find(':');
  if (sep == std::string_view::npos) {
    sep = line.find_first_of(" \t");
    if (sep == std::string_view::npos) return false;
    std::string_view rest = trim(line.substr(sep));
    if (rest.find_first_of(" \t") != std::string_view::npos) return false;
    key = trim(line.substr(0, sep));
    value = rest;
  } else {
    key = trim(line.substr(0, sep));
    value = trim(line.substr(sep + 1));
  }
  return !key.empty();
}

}  // namespace

bool robots_pattern_matches(std::string_view path, std::string_view pattern) {
  // A pattern matches a prefix of the path unless it ends in '$'; i.e. it is a glob
  // with an implicit trailing '*'. Greedy matching with backtracking to the last '*'.
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  std::size_t p = 0, s = 0;
  std::size_t star_p = std::string_view::npos, star_s = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_s = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (p == pattern.size() && !anchored) {
      return true;  // pattern consumed: prefix match
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string robots_product_token(std::string_view user_agent) {
  user_agent = trim(user_agent);
  std::size_t n = 0;
  while (n < user_agent.size() && is_token_char(user_agent[n])) ++n;
  return std::string(user_agent.substr(0, n));
}

RobotsTxt RobotsTxt::parse(std::string_view body) {
  RobotsTxt out;
  if (body.size() > kRobotsMaxBytes) body = body.substr(0, kRobotsMaxBytes);
  // Skip a UTF-8 BOM, or the part of one that is there.
  static const unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
  for (std::size_t i = 0; i < 3 && !body.empty() && static_cast<unsigned char>(body[0]) == kBom[i]; ++i)
    body.remove_prefix(1);

  Group* current = nullptr;
  bool in_rules = false;  // a rule was seen since the last user-agent line
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t eol = body.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) eol = body.size();
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol;
    if (pos < body.size() && body[pos] == '\r') {  // \r, \n and \r\n all end a line
      ++pos;
      if (pos < body.size() && body[pos] == '\n') ++pos;
    } else if (pos < body.size()) {
      ++pos;
    }
    if (line.size() > kMaxLineLen) line = line.substr(0, kMaxLineLen);
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    std::string_view key, value;
    if (line.empty() || !split_line(line, key, value)) continue;

    switch (classify(key)) {
      case Key::kUserAgent: {
        if (current == nullptr || in_rules) {
          out.groups_.emplace_back();
          current = &out.groups_.back();
          in_rules = false;
        }
        // "*" (optionally followed by junk after whitespace) is the global agent; anything
        // else is reduced to its product token.
        if (!value.empty() && value[0] == '*' && (value.size() == 1 || is_ws(value[1])))
          current->agents.push_back("*");
        else
          current->agents.push_back(to_lower(robots_product_token(value)));
        break;
      }
      case Key::kAllow:
      case Key::kDisallow: {
        if (current == nullptr) break;  // rules before any user-agent line belong to nobody
        in_rules = true;
        bool allow = classify(key) == Key::kAllow;
        current->rules.push_back({allow, normalize(value, true)});
        if (allow) {
          // google/robotstxt: "Allow: /d/index.htm[l]" also allows "/d/" exactly.
          std::size_t slash = value.rfind('/');
          if (slash != std::string_view::npos && value.substr(slash).starts_with("/index.htm"))
            current->rules.push_back({true, normalize(value.substr(0, slash + 1), true) + "$"});
        }
        break;
      }
      case Key::kSitemap:
        if (!value.empty()) out.sitemaps_.emplace_back(value);
        break;
      case Key::kCrawlDelay: {
        if (current == nullptr) break;
        std::string v(value);
        char* end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (end != v.c_str() && std::isfinite(d) && d >= 0)
          current->crawl_delay = std::max(current->crawl_delay.value_or(0), d);
        break;
      }
      case Key::kUnknown:
        break;
    }
  }
  return out;
}

std::vector<const RobotsTxt::Group*> RobotsTxt::groups_for(std::string_view agent) const {
  std::string a = to_lower(trim(agent));
  std::vector<const Group*> specific, global;
  for (const Group& g : groups_) {
    bool is_specific = false, is_global = false;
    for (const std::string& ga : g.agents) {
      if (ga == "*")
        is_global = true;
      else if (!a.empty() && ga == a)
        is_specific = true;
    }
    if (is_specific) specific.push_back(&g);
    if (is_global) global.push_back(&g);
  }
  return specific.empty() ? global : specific;
}

bool RobotsTxt::allowed(std::string_view agent, std::string_view url) const {
  std::string path = normalize(path_of(url), false);
  int best_allow = -1, best_disallow = -1;
  for (const Group* g : groups_for(agent)) {
    for (const Rule& r : g->rules) {
      int len = static_cast<int>(r.pattern.size());
      int& best = r.allow ? best_allow : best_disallow;
      if (len > best && robots_pattern_matches(path, r.pattern)) best = len;
    }
  }
  // An empty Disallow (length 0) disallows nothing; Allow wins ties.
  return !(best_disallow > 0 && best_disallow > best_allow);
}

std::optional<double> RobotsTxt::crawl_delay(std::string_view agent) const {
  std::optional<double> out;
  for (const Group* g : groups_for(agent))
    if (g->crawl_delay) out = std::max(out.value_or(0), *g->crawl_delay);
  return out;
}

RobotsPolicy RobotsPolicy::from_fetch(int status, std::string_view body, int redirects_followed) {
  if (status >= 200 && status < 300) {
    RobotsPolicy p(Kind::kRules);
    p.rules_ = RobotsTxt::parse(body);
    return p;
  }
  // A 3xx still unresolved after the redirects we follow: "unavailable" (§2.3.1.2).
  if (status >= 300 && status < 500 && status != 429) return allow_all();
  (void)redirects_followed;
  return disallow_all();  // 5xx, 1xx, or no response at all
}

bool RobotsPolicy::allowed(std::string_view agent, std::string_view url) const {
  switch (kind_) {
    case Kind::kAllowAll:
      return true;
    case Kind::kDisallowAll:
      return path_of(url) == "/robots.txt";
    case Kind::kRules:
      break;
  }
  return path_of(url) == "/robots.txt" || rules_.allowed(agent, url);
}

std::optional<double> RobotsPolicy::crawl_delay(std::string_view agent) const {
  return kind_ == Kind::kRules ? rules_.crawl_delay(agent) : std::nullopt;
}

const char* RobotsPolicy::kind_name() const {
  switch (kind_) {
    case Kind::kRules:
      return "rules";
    case Kind::kAllowAll:
      return "allow-all";
    case Kind::kDisallowAll:
      return "disallow-all";
  }
  return "?";
}

std::string RobotsCache::key_for(std::string_view url) {
  auto u = Url::parse(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https")) return "";
  return u->scheme() + "://" + u->hostname() + ":" + std::to_string(u->effective_port());
}

std::optional<RobotsPolicy> RobotsCache::get(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
  return it->second.policy;
}

RobotsPolicy RobotsCache::put(const std::string& key, RobotsPolicy policy, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_.try_emplace(key, Entry{policy, now, std::nullopt, now}).first->second;
  if (policy.kind() == RobotsPolicy::Kind::kDisallowAll) {
    if (e.last_good && now - e.last_good_at <= kStaleLimit) policy = *e.last_good;
  } else {
    e.last_good = policy;
    e.last_good_at = now;
  }
  e.policy = policy;
  e.expires = now + ttl_;
  return policy;
}

std::size_t RobotsCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace odh
