// web/html_links.h — out-links of a parsed HTML page, shared by every spider that parses HTML (the
// family engines, the crawler's link spider) and by the harvest, which stores them in `link` (click
// depth) and reads their words to find terms pages.
//
// A page's links are the http(s) targets of its a[href] and area[href] (and frame/iframe src, which
// a reader reaches without a click of their own), resolved with the WHATWG URL parser against the
// page URL (or its first <base href>), the query encoded in the page's charset as browsers do,
// fragment dropped — crawl_key, so a link equals the `fetch.url` of the page it leads to. Bounded:
// documents are cut at kMaxHtmlBytes before parsing, at most kMaxLinksPerPage links per page, link
// words at kMaxLinkTextBytes; walks are iterative (hostile nesting depth).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "web/fetch.h"

typedef struct GumboInternalNode GumboNode;

namespace odh {

inline constexpr size_t kMaxHtmlBytes = 8 << 20;     // HTML beyond this is not parsed
inline constexpr size_t kMaxLinksPerPage = 5000;
inline constexpr size_t kMaxLinkTextBytes = 1024;   // raw words gathered per link, before collapsing
inline constexpr int kMaxHtmlDepth = 512;           // element nesting given to the parser

// What of `html` an HTML parser may see: the first kMaxHtmlBytes, with elements nested deeper than
// kMaxHtmlDepth flattened — their start and end tags left out (not <a>), their content kept (a tag scan: start
// minus end tags; void elements, self-closing tags, elements whose end tag is implied (p, li, td…),
// comments and raw text (script, style…) do not deepen). Gumbo's tree construction walks the stack
// of open elements per token, so bounding the depth bounds its work; every HTML parse of odh
// (parsers' HtmlDoc, extract_links) goes through this. A view of `html`, or of *scratch when tags
// were left out. Linear, never throws.
std::string_view bounded_html(std::string_view html, std::string* scratch);

// Appends the links of the parsed document under `root` to `out` (not deduplicated), with their
// words: an anchor's text (whitespace collapsed) and its title attribute. `charset` is the page's
// charset label ("" or UTF-8: UTF-8). Never throws on content.
void collect_links(const GumboNode* root, std::string_view page_url, std::string_view charset,
                   std::vector<PageLink>* out);

// Parses `html` (cut at kMaxHtmlBytes) and returns its links as collect_links does.
std::vector<PageLink> extract_links(std::string_view html, std::string_view page_url, std::string_view charset);

// The links of a fetched page when it is HTML (Content-Type says html), parsed from its decoded text;
// empty otherwise.
std::vector<PageLink> page_links(const FetchResult& page);

// True when the result's Content-Type names HTML (case-insensitive "html").
bool is_html_result(const FetchResult& page);

// Drops repeated URLs, keeping the first occurrence (order is preserved).
void dedupe_links(std::vector<std::string>* links);

// Whitespace runs (ASCII, NBSP, U+3000) become one space, or one "\n" when a run holds a newline and
// keep_lines is set; leading and trailing whitespace is dropped.
std::string collapse_whitespace(std::string_view s, bool keep_lines = false);

}  // namespace odh
