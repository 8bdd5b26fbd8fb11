// parsers/links.h — out-links of fetched pages for the store's `link` table (metrics: click depth of
// datasets by BFS from the portal's home page over the real link graph). The extractor itself is the
// crawler's (crawler/html_links.h), shared with its link spider.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html_links.h"

namespace odh {

// The links of an HTML text (parses it with Gumbo; input capped at kMaxHtmlBytes).
std::vector<std::string> html_links(std::string_view html, std::string_view page_url,
                                    std::string_view charset);

}  // namespace odh
