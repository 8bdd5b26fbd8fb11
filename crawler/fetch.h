// crawler/fetch.h — the contract between the crawler and whoever decides what to fetch
// (the parsers' engines, "spiders"). The crawler knows no portal's page structure: a Spider
// yields the first requests of a site and, for every response, the follow-up requests.
// Replay (odh parse --replay) feeds the same Spider with responses read back from WARC.
#pragma once
#include <cstdint>
#include <string>
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

// What the crawler hands back for one request (after redirects, retries and decoding).
struct FetchResult {
  FetchRequest request;
  std::string final_url;  // after redirects
  int status = 0;         // HTTP status; 0 when no response (see error_class)
  HeaderList response_headers;
  std::string body;            // entity body, Content-Encoding removed, bytes as received
  std::string text;            // body decoded to UTF-8 for text types ("" for binary)
  std::string charset;         // charset used for `text`
  std::string charset_source;  // "bom" | "header" | "meta" | "detector" | "default"
  std::string error_class;     // "" ok; else "dns", "connect", "timeout", "reset", "http-4xx", "http-5xx",
                               // "robots-disallowed", "too-large", "redirect-loop", "out-of-scope", …
  std::string warc_file;       // where the response record lives
  std::int64_t warc_offset = -1;
  std::int64_t fetch_id = -1;  // row id in the crawl's fetch log
  double fetched_at = 0;       // unix time, seconds
};

// Implemented by parsers; called by the crawler (live) or the replayer (from WARC).
class Spider {
 public:
  virtual ~Spider() = default;
  // The first requests of a site (home page, first list page(s), terms pages…).
  virtual std::vector<FetchRequest> start_requests() = 0;
  // Consume one result; return follow-up requests. Must not throw on hostile content:
  // record problems instead. Called once per request, in completion order.
  virtual std::vector<FetchRequest> on_result(const FetchResult& result) = 0;
};

}  // namespace odh
