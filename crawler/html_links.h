// crawler/html_links.h — out-links of a parsed HTML page, shared by the crawler's link spider and the
// parsers (which store them in `link` for click depth).
//
// A page's links are the http(s) targets of its a[href] and area[href] (and frame/iframe src, which
// a reader reaches without a click of their own), resolved with the crawler's WHATWG URL parser
// against the page URL (or its first <base href>), the query encoded in the page's charset as
// browsers do, fragment dropped — crawl_key, so a link equals the `fetch.url` of the page it leads
// to. Bounded: at most kMaxLinksPerPage per page; the walk is iterative (hostile nesting depth).
#pragma once
#include <string>
#include <string_view>
#include <vector>

typedef struct GumboInternalNode GumboNode;

namespace odh {

inline constexpr size_t kMaxLinksPerPage = 5000;

// Appends the links of the parsed document under `root` to `out` (not deduplicated). `charset` is
// the page's charset label ("" or UTF-8: UTF-8). Never throws on content.
void collect_links(const GumboNode* root, std::string_view page_url, std::string_view charset,
                   std::vector<std::string>* out);

// Drops repeated URLs, keeping the first occurrence (order is preserved).
void dedupe_links(std::vector<std::string>* links);

}  // namespace odh
