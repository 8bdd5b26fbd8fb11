// web/url.h — URLs per the WHATWG URL Standard (https://url.spec.whatwg.org/),
// plus the normalization and scope rules the crawler applies to them.
//
//   auto u = Url::parse("../list?page=2#top", "http://Data.GD.gov.cn:80/a/b/");
//   u->href();         // "http://data.gd.gov.cn/a/list?page=2#top"
//   crawl_key(*u);     // "http://data.gd.gov.cn/a/list?page=2"  (fragment dropped)
//
// The parser is the spec's state machine (no state override / setters); hosts go through
// the host parser: IPv6, IPv4 (incl. hex/octal forms), opaque hosts for non-special
// schemes, and IDNA UTS #46 (ICU uidna, non-transitional) for domains. Input is UTF-8.
// Url values are immutable and safe to share across threads.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odh {

class Url {
 public:
  // Parses `input` against an optional base URL. nullopt = the spec's "failure".
  static std::optional<Url> parse(std::string_view input, const Url* base = nullptr);
  // Convenience: parses `base` first (failure if `base` itself fails to parse).
  static std::optional<Url> parse(std::string_view input, std::string_view base);
  // With the document's encoding (WHATWG name or label, e.g. "GBK"): the query of an
  // http(s)/ftp/file URL is percent-encoded in that encoding, as browsers do for links on
  // a GBK page ("?q=数据" -> "?q=%CA%FD%BE%DD"); unrepresentable characters become
  // "%26%23<code point>%3B". Input is still UTF-8.
  static std::optional<Url> parse(std::string_view input, const Url* base, std::string_view query_encoding);

  // The serialization ("href"), optionally without the fragment.
  std::string href(bool exclude_fragment = false) const;
  // The ASCII serialization of the origin: "https://h:8443", or "null" for opaque origins.
  std::string origin() const;

  // Components, formatted like the JavaScript URL API getters.
  std::string protocol() const { return scheme_ + ":"; }  // "https:"
  const std::string& scheme() const { return scheme_; }   // "https"
  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }
  std::string host() const;                                           // "h:8080" (port only if non-default)
  std::string hostname() const { return host_ ? *host_ : ""; }        // serialized host, "[::1]" for IPv6
  std::string port() const;                                           // "" when default or absent
  std::optional<std::uint16_t> port_number() const { return port_; }  // explicit non-default port
  std::uint16_t effective_port() const;                               // port, else scheme default (0 if none)
  std::string pathname() const;                                       // "/a/b" (or the opaque path)
  std::string search() const;                                         // "?q" or ""
  std::string hash() const;                                           // "#f" or ""

  bool has_host() const { return host_.has_value(); }
  bool has_query() const { return query_.has_value(); }
  bool has_fragment() const { return fragment_.has_value(); }
  const std::string& query() const;     // without '?'; "" if none
  const std::string& fragment() const;  // without '#'; "" if none
  bool has_opaque_path() const { return opaque_path_; }
  bool is_special() const;  // http, https, ws, wss, ftp, file

  // A copy without the fragment.
  Url without_fragment() const;

 private:
  friend class UrlParser;
  std::string scheme_;
  std::string username_;
  std::string password_;
  std::optional<std::string> host_;  // serialized host ("" = empty host)
  std::optional<std::uint16_t> port_;
  bool opaque_path_ = false;
  std::vector<std::string> path_;  // segments; for an opaque path, exactly one item
  std::optional<std::string> query_;
  std::optional<std::string> fragment_;
};

// The default port of a special scheme (80, 443, 21 …), or 0.
std::uint16_t default_port(std::string_view scheme);

// UTS #46 ToASCII as the URL standard calls it ("domain to ASCII", beStrict = false).
std::optional<std::string> domain_to_ascii(std::string_view domain_utf8);

// Percent-decodes bytes ("%41" -> "A"; malformed escapes stay as they are).
std::string percent_decode(std::string_view s);

// --- crawler normalization -------------------------------------------------------------

// The key under which the crawler deduplicates a URL: WHATWG href without fragment. The
// parser already lower-cases the host, IDNA-encodes it, removes the default port and
// resolves dot segments; the query is kept byte-for-byte (order matters to some portals).
std::string crawl_key(const Url& url);

// Resolve `input` (e.g. an href from a page) against `base` and return crawl_key, or
// nullopt if it fails to parse or is not http(s).
// `query_encoding`: the charset of the page the link is on ("" = UTF-8); see Url::parse.
std::optional<std::string> normalize_crawl_url(std::string_view input, std::string_view base = "",
                                               std::string_view query_encoding = "");

// The host without a leading "www." (for scope comparisons).
std::string scope_host(const Url& url);

// Is `url` inside the crawl scope of a site whose entry URLs are `site_urls`? True when
// it is http(s) and its host equals a site host or is a subdomain of one, ignoring a
// leading "www." on either side and ignoring scheme and port (portals switch between
// http and https and www/no-www in redirects).
bool same_site_scope(const Url& url, const std::vector<std::string>& site_urls);
bool same_site_scope(std::string_view url, const std::vector<std::string>& site_urls);

// Registrable part of a host ("www.bj.gov.cn" -> "bj.gov.cn"; "a.b.example.co.uk" -> "example.co.uk")
// by the Public Suffix List (libpsl over Debian's publicsuffix file); a public suffix itself
// ("gov.cn") and IP literals are returned as they are. Lower-cased. Thread-safe.
std::string registrable_domain(const std::string& host);

}  // namespace odh
