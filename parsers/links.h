// parsers/links.h — out-links of fetched pages, for the store's `link` table (metrics: click depth
// of datasets by BFS from the portal's home page over the real link graph).
//
// A page's links are the http(s) targets of its a[href] and area[href] (and frame/iframe src, which
// a reader reaches without a click of their own), resolved with the crawler's WHATWG URL parser
// against the page URL (or its <base href>), the query encoded in the page's charset as browsers do,
// fragment dropped — the crawler's crawl_key, so a link equals the `fetch.url` of the page it leads
// to. Bounded: at most kMaxLinksPerPage per page.
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

// The same for an HTML text (parses it with Gumbo; input capped at kMaxHtmlBytes).
std::vector<std::string> html_links(std::string_view html, std::string_view page_url,
                                    std::string_view charset);

// Drops repeated URLs, keeping the first occurrence (order is preserved).
void dedupe_links(std::vector<std::string>* links);

}  // namespace odh
