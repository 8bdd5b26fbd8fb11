// crawler/robots.h — robots.txt per RFC 9309 (Robots Exclusion Protocol).
//
//   RobotsTxt r = RobotsTxt::parse(body);           // never throws; input bounded
//   r.allowed("odh", "https://x.gov.cn/data/a?b");  // product token + absolute URL or path
//   RobotsPolicy p = RobotsPolicy::from_fetch(status, body, redirects_followed);
//
// Matching follows RFC 9309 and google/robotstxt: the groups whose user-agent line
// equals the product token (case-insensitive) are merged; only when none matches are
// the `*` groups used. Among the matching rules the longest pattern wins and Allow wins
// ties; `*` matches any sequence and a trailing `$` anchors the end. RobotsPolicy (not
// the bare matcher) always allows `/robots.txt` itself. Thread-safety: const methods are safe to call
// concurrently.
#pragma once
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odh {

// RFC 9309 §2.5: parsers must handle at least 500 KiB; bytes beyond are ignored.
inline constexpr std::size_t kRobotsMaxBytes = 512 * 1024;

class RobotsTxt {
 public:
  struct Rule {
    bool allow = false;
    std::string pattern;  // normalized (non-ASCII percent-encoded, hex upper-cased)
  };
  struct Group {
    std::vector<std::string> agents;  // lower-cased product tokens; "*" for the global group
    std::vector<Rule> rules;
    std::optional<double> crawl_delay;  // seconds, as written (the crawler caps it)
  };

  // Parses a robots.txt body (RFC 9309 §2.2). Lines without a known key are ignored; so is a UTF-8 BOM,
  // comments, and everything beyond kRobotsMaxBytes.
  static RobotsTxt parse(std::string_view body);

  // May a crawler with product token `agent` (e.g. "odh") fetch `url`? `url` is an
  // absolute URL or a path ("/a/b?q"); it should already be percent-encoded (as the
  // WHATWG serializer produces it). The fragment is ignored.
  bool allowed(std::string_view agent, std::string_view url) const;

  // Crawl-delay of the groups that apply to `agent` (the largest if several), if any.
  std::optional<double> crawl_delay(std::string_view agent) const;

  // Sitemap URLs, in file order (they belong to no group).
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }
  const std::vector<Group>& groups() const { return groups_; }

 private:
  std::vector<const Group*> groups_for(std::string_view agent) const;
  std::vector<Group> groups_;
  std::vector<std::string> sitemaps_;
};

// The product token of a User-Agent header value: its leading run of [A-Za-z_-]
// ("odh/0.1 (+https://…)" -> "odh").
std::string robots_product_token(std::string_view user_agent);

// Does `path` (a URL path+query) match robots pattern `pattern`? Exposed for tests.
bool robots_pattern_matches(std::string_view path, std::string_view pattern);

// What the crawler may do on a host, given how fetching its /robots.txt went
// (RFC 9309 §2.3.1): 2xx -> the parsed rules; 4xx -> allow all; 5xx, no response,
// or too many redirects -> disallow all (until the next successful fetch).
class RobotsPolicy {
 public:
  enum class Kind { kRules, kAllowAll, kDisallowAll };

  // Minimum number of redirects a crawler must follow for robots.txt (RFC 9309: five).
  static constexpr int kMaxRedirects = 5;

  // status: final HTTP status after redirects (0 = unreachable / no response).
  // A final 3xx (more than kMaxRedirects redirects) means "unavailable", like 4xx
  // (RFC 9309 §2.3.1.2): allow all. 429 Too Many Requests counts as a server error
  // (disallow all), as Google does: a host that asks us to slow down gets no crawl.
  static RobotsPolicy from_fetch(int status, std::string_view body, int redirects_followed);
  static RobotsPolicy allow_all() { return RobotsPolicy(Kind::kAllowAll); }
  static RobotsPolicy disallow_all() { return RobotsPolicy(Kind::kDisallowAll); }

  Kind kind() const { return kind_; }
  bool allowed(std::string_view agent, std::string_view url) const;
  std::optional<double> crawl_delay(std::string_view agent) const;
  const std::vector<std::string>& sitemaps() const { return rules_.sitemaps(); }
  const RobotsTxt& rules() const { return rules_; }
  // "rules" | "allow-all" | "disallow-all", for logs and the store.
  const char* kind_name() const;

 private:
  explicit RobotsPolicy(Kind k) : kind_(k) {}
  Kind kind_;
  RobotsTxt rules_;
};

// Per-origin cache of robots policies (key: scheme://host:port, lower-case), each valid
// for `ttl` (RFC 9309 recommends not caching longer than 24 h). Thread-safe.
class RobotsCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RobotsCache(std::chrono::seconds ttl = std::chrono::hours(24)) : ttl_(ttl) {}

  // The cache key of an absolute URL ("https://a.gov.cn:443"); "" if not http(s).
  static std::string key_for(std::string_view url);

  // The cached policy for `key`, or nullopt when absent or expired (`now` for tests).
  std::optional<RobotsPolicy> get(const std::string& key, Clock::time_point now = Clock::now());
  // Stores a freshly fetched policy. When it is disallow-all because robots.txt was
  // unreachable (5xx, 429, no response) and the host had rules fetched successfully
  // within `stale_limit`, those older rules are kept instead (RFC 9309 §2.4 allows a
  // cached copy while robots.txt is unreachable). Returns the policy now in effect.
  RobotsPolicy put(const std::string& key, RobotsPolicy policy, Clock::time_point now = Clock::now());
  std::size_t size() const;

  static constexpr std::chrono::hours kStaleLimit{24 * 30};

 private:
  struct Entry {
    RobotsPolicy policy;
    Clock::time_point expires;
    std::optional<RobotsPolicy> last_good;  // last successfully fetched (2xx/4xx) policy
    Clock::time_point last_good_at;
  };
  std::chrono::seconds ttl_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace odh
