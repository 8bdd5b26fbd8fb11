#include "fuzz/targets/fuzz_targets.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "web/charset.h"
#include "crawler/robots.h"
#include "web/url.h"

namespace odh::fuzz {
namespace {
void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}
}  // namespace

int robots(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // First line (up to 256 bytes) is the URL to test, the rest the robots.txt body.
  std::size_t nl = in.find('\n');
  std::string_view url = in.substr(0, std::min<std::size_t>(nl == std::string_view::npos ? 0 : nl, 256));
  std::string_view body = nl == std::string_view::npos ? in : in.substr(nl + 1);
  RobotsTxt r = RobotsTxt::parse(body);
  (void)r.allowed("odh", url);
  (void)r.allowed("*", "/");
  (void)r.crawl_delay("odh");
  RobotsPolicy p = RobotsPolicy::from_fetch(200, body, 0);
  require(p.allowed("odh", "http://h/robots.txt"), "robots.txt itself is always allowed");
  return 0;
}

int url(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t split = in.find('\x01');
  std::string_view input = in.substr(0, split);
  std::string_view base = split == std::string_view::npos ? "" : in.substr(split + 1);
  auto b = Url::parse(base.empty() ? "http://example.com/a/b?c#d" : base);
  static const char* kEncodings[] = {"", "GBK", "gb18030", "windows-1252", "Shift_JIS"};
  auto u = Url::parse(input, b ? &*b : nullptr, kEncodings[size % 5]);
  if (u) {
    // The serialization is a fixed point of parsing (a property the standard guarantees).
    std::string href = u->href();
    auto again = Url::parse(href);
    require(again.has_value(), "href reparses");
    require(again->href() == href, "href is idempotent");
    require(is_valid_utf8(href), "href is valid UTF-8 (in fact ASCII)");
    (void)u->origin();
    (void)same_site_scope(*u, {"http://www.example.com/"});
  }
  return 0;
}

int charset(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const char* kTypes[] = {"", "text/html", "text/html; charset=gbk", "application/xml",
                                 "text/plain; charset=utf-16le"};
  std::string_view ct = kTypes[size % 5];
  DecodedBody d = decode_body(in, ct);
  require(is_valid_utf8(d.text), "decode_body yields valid UTF-8");
  require(!d.charset.empty() && !d.source.empty(), "charset and source are set");
  for (const char* e : {"gb18030", "big5", "shift_jis", "euc-kr", "iso-2022-jp", "utf-16be", "windows-1252"})
    require(is_valid_utf8(decode_to_utf8(in, e)), e);
  (void)prescan_meta_charset(in, 4096);
  (void)charset_from_content_type(in.substr(0, 200));
  return 0;
}

}  // namespace odh::fuzz
