// web/fetch.h — the spider contract, and the rules every fetcher applies to a response.
//
// A Spider decides what to fetch and reads what comes back; it knows a portal's page structure and
// never touches the network. A fetcher turns a FetchRequest into a FetchResult: the live crawler
// (crawler/crawl.h) over HTTP, or the WARC snapshot (warc/warc.h) from an archive. Both apply the
// response rules below (error classes, Content-Encoding, redirects, charset), so a page replayed from
// WARC reaches the spider exactly as it did live.
//
// Stages of one page: fetcher → FetchResult (body decoded, text in UTF-8) → Spider::on_result →
// SpiderOutput {follow-up requests, out-links} → the fetcher queues the requests, the harvest
// records the links (harvest/harvest.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace odh {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct FetchRequest {
  std::string site_id;  // registry id of the portal this request belongs to
  std::string url;      // absolute http(s) URL (the real portal URL, even when mapped to loopback)
  std::string method = "GET";
  std::string body;    // request body for POST (form- or JSON-encoded by the spider)
  HeaderList headers;  // extra request headers (Referer, X-Requested-With, Content-Type…)
  std::string kind;    // spider's routing tag: "home", "list", "detail", "api-list", "terms", "file"…
  std::string meta;    // opaque spider state (JSON text), stored with the request and in WARC
  int depth = 0;       // link depth from the site's entry point (click depth)
  int priority = 0;    // higher first within a host
};

// A probe asks whether a promised file is there and what it is (harvest's file stage): kind "file" (a
// GET of the file's first bytes, usually with a Range header) or "link" (a HEAD). A fetcher keeps at
// most CrawlOptions::probe_bytes of a probe's body — more is not an error but FetchResult::truncated —
// and tries it once, within CrawlOptions::probe_timeout_s: the outcome itself is the verdict, and a
// dead file server must not cost the portal minutes of retries.
inline bool is_probe(const FetchRequest& r) { return r.kind == "file" || r.kind == "link"; }

// What a fetcher hands back for one request (after redirects, retries and decoding).
struct FetchResult {
  FetchRequest request;
  std::string final_url;  // after redirects
  int status = 0;         // HTTP status; 0 when no response (see error_class)
  HeaderList response_headers;
  std::string body;            // entity body, Content-Encoding removed, bytes as received
  std::string text;            // body decoded to UTF-8 for text types ("" for binary); decoded once, by the fetcher
  std::string charset;         // charset used for `text`
  std::string charset_source;  // "bom" | "header" | "meta" | "detector" | "default"
  std::string error_class;     // "" ok; else "dns", "connect", "timeout", "reset", "http-4xx", "http-5xx",
                               // "robots-disallowed", "too-large", "redirect-loop", "out-of-scope", …
                               // (table in docs/crawler.md)
  bool truncated = false;      // only the first bytes of the body were kept (a probe, is_probe)
  std::string warc_file;       // where the response record lives
  std::int64_t warc_offset = -1;
  // A revisit: the server answered 304 Not Modified to a conditional GET (the crawler's
  // CrawlOptions::previous_dir), so warc_file/offset hold a revisit record and status, headers, body
  // and text are the earlier response's, read from the WARC record named here (path of the previous
  // crawl's WARC file, offset of its response record). A spider sees the page exactly as it was;
  // the recorder keeps this as the page's provenance. "" / -1 for any other result.
  std::string revisit_of_file;
  std::int64_t revisit_of_offset = -1;
  double fetched_at = 0;  // unix time, seconds
  // Row of the live crawl's own fetch log (crawl.sqlite); -1 in a replay.
  std::int64_t crawl_log_id = -1;
  // Row of the store's `fetch` table for this page, set by the harvest's recorder before the spider
  // sees the result (-1 when nothing records it): the provenance of every record the spider makes.
  std::int64_t fetch_id = -1;
};

// An out-link of a page: the target as the crawler keys it (crawl_key: WHATWG-resolved against the
// page or its <base>, fragment dropped) and the link's words (web/html_links.h).
struct PageLink {
  std::string url;
  std::string text;   // anchor text, whitespace collapsed ("" for frames)
  std::string title;  // title attribute
};

// What a spider makes of one result.
struct SpiderOutput {
  std::vector<FetchRequest> requests;  // follow-ups for the fetcher to queue
  // The page's out-links when the spider parsed it as HTML anyway; nullopt when it did not (a
  // wrapper that needs them extracts them itself, so a page is parsed once).
  std::optional<std::vector<PageLink>> links;
};

// Implemented by parsers' engines (and the crawler's link spider); driven by a fetcher.
class Spider {
 public:
  virtual ~Spider() = default;
  // The first requests of a site (home page, first list page(s), terms pages…).
  virtual std::vector<FetchRequest> start_requests() = 0;
  // Consume one result. Must not throw on hostile content: record problems instead. Called once
  // per request, in completion order.
  virtual SpiderOutput on_result(const FetchResult& result) = 0;
};

// ---- Response rules shared by every fetcher ---------------------------------------------------

// Defaults of both fetchers (the crawler's CrawlOptions start from these).
inline constexpr int kMaxRedirects = 10;                            // hops per request
inline constexpr std::int64_t kMaxDecodedBytes = 256ll << 20;      // after Content-Encoding (bomb guard)

// The error class of a final HTTP status: "" below 400, "http-429", "http-4xx" or "http-5xx".
std::string status_error_class(int status);

// Removes Content-Encoding from a whole body in place (a replayed record; the crawler streams the same
// decoder, web/content_decoding.h). Returns "" or the error class: "content-encoding-unsupported"
// (body kept as stored), "content-decoding" (corrupt or truncated stream: body kept as stored),
// "too-large-decoded" (more than max_decoded bytes).
std::string remove_content_encoding(std::string_view encoding, std::string* body,
                                    std::int64_t max_decoded = kMaxDecodedBytes);

// Is `url` inside the crawl scope of a site whose entry URLs are `site_urls`? Same host or a
// subdomain of one (www. ignored), or the same registrable domain.
bool in_site_scope(std::string_view url, const std::vector<std::string>& site_urls);

// ---- Request policy (both fetchers, every request, whichever spider asked) --------------------

inline constexpr std::size_t kMaxUrlBytes = 4096;  // longer request URLs are refused ("url-too-long")

// Why a request for `url` (already normalized or not) must not be made for a site whose entry URLs
// are `site_urls`: "" when it may, else the recorded error class — "bad-url" (not an absolute
// http(s) URL with a host), "url-too-long", "out-of-scope" (in_site_scope false; an empty
// `site_urls` sets no scope). Pure; the address policy below needs the resolved address.
std::string request_refusal(std::string_view url, const std::vector<std::string>& site_urls,
                            std::size_t max_url_bytes = kMaxUrlBytes);

// Addresses a crawler of public portals never connects to (unless the operator maps the host there
// with --connect-to): loopback, unspecified, private (10/8, 172.16/12, 192.168/16, fc00::/7),
// shared (100.64/10), link-local (169.254/16, fe80::/10), multicast and reserved (224/4 and up,
// ff00::/8), benchmarking 198.18/15, documentation ranges, and IPv4-mapped/compatible forms of
// these. `ip` is a numeric IPv4 or IPv6 address (brackets allowed); anything else is refused too.
bool is_forbidden_address(std::string_view ip);

// The next hop of a redirect answer (3xx other than 304 with a Location), or why it is not followed.
struct RedirectStep {
  bool is_redirect = false;  // false: the answer is final as it is
  std::string target;        // normalized absolute URL of the next hop (when followed)
  std::string error_class;   // "" follow; else "bad-redirect", "redirect-limit", "redirect-loop", "out-of-scope"
};
// `hops` redirects were followed before this answer.
RedirectStep next_redirect(const std::string& url, int status, std::string_view location, int hops,
                           int max_redirects, const std::vector<std::string>& site_urls);

// Fills result.text / charset / charset_source from body and its Content-Type (web/charset.h).
void decode_fetch_result(FetchResult& result);

}  // namespace odh
