#include "parsers/links.h"

#include "parsers/html.h"

namespace odh {

std::vector<std::string> html_links(std::string_view html, std::string_view page_url,
                                    std::string_view charset) {
  std::vector<std::string> out;
  HtmlDoc doc(html);
  collect_links(doc.root().raw(), page_url, charset, &out);
  return out;
}

}  // namespace odh
