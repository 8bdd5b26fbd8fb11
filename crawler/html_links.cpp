#include "crawler/html_links.h"

#include <gumbo.h>
#include <strings.h>

#include <optional>
#include <unordered_set>

#include "crawler/url.h"

namespace odh {
namespace {

struct Walker {
  std::optional<Url> base;
  std::string_view enc;
  std::vector<std::string>* out;
  size_t added = 0;
  bool base_seen = false;

  void add(const char* href) {
    if (!base || added >= kMaxLinksPerPage) return;
    std::string_view h(href);
    // Cheap rejects before the URL parser (the common non-links of portal pages).
    while (!h.empty() && static_cast<unsigned char>(h.front()) <= ' ') h.remove_prefix(1);
    if (h.empty() || h.front() == '#' ||
        strncasecmp(h.data(), "javascript:", std::min<size_t>(11, h.size())) == 0 ||
        strncasecmp(h.data(), "mailto:", std::min<size_t>(7, h.size())) == 0)
      return;
    auto u = Url::parse(h, &*base, enc);
    if (!u || (u->scheme() != "http" && u->scheme() != "https")) return;
    out->push_back(crawl_key(*u));
    ++added;
  }

  // Document order, with an explicit stack: hostile pages nest deeper than the call stack allows.
  void walk(const GumboNode* root) {
    std::vector<const GumboNode*> stack{root};
    while (!stack.empty()) {
      const GumboNode* n = stack.back();
      stack.pop_back();
      if (n->type == GUMBO_NODE_DOCUMENT) {
        const GumboVector& ch = n->v.document.children;
        for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
        continue;
      }
      if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) continue;
      const GumboElement& el = n->v.element;
      const char* attr = nullptr;
      switch (el.tag) {
        case GUMBO_TAG_A:
        case GUMBO_TAG_AREA:
          attr = "href";
          break;
        case GUMBO_TAG_IFRAME:
        case GUMBO_TAG_FRAME:
          attr = "src";
          break;
        case GUMBO_TAG_BASE:
          // Only the first <base href> counts (HTML: "the first base element with an href").
          if (!base_seen && base)
            if (GumboAttribute* a = gumbo_get_attribute(&el.attributes, "href")) {
              base_seen = true;
              if (auto b = Url::parse(a->value, &*base)) base = std::move(b);
            }
          break;
        default:
          break;
      }
      if (attr)
        if (GumboAttribute* a = gumbo_get_attribute(&el.attributes, attr)) add(a->value);
      for (unsigned i = el.children.length; i-- > 0;)
        stack.push_back(static_cast<const GumboNode*>(el.children.data[i]));
    }
  }
};

bool is_utf8_label(std::string_view c) {
  return c.empty() || strncasecmp(c.data(), "utf-8", std::min<size_t>(5, c.size())) == 0 ||
         strncasecmp(c.data(), "utf8", std::min<size_t>(4, c.size())) == 0;
}

}  // namespace

void collect_links(const GumboNode* root, std::string_view page_url, std::string_view charset,
                   std::vector<std::string>* out) {
  if (!root || !out) return;
  Walker w;
  w.base = Url::parse(page_url);
  w.enc = is_utf8_label(charset) ? std::string_view() : charset;
  w.out = out;
  w.walk(root);
}

void dedupe_links(std::vector<std::string>* links) {
  std::unordered_set<std::string_view> seen;
  std::vector<std::string> kept;
  kept.reserve(links->size());
  for (auto& l : *links)
    if (seen.insert(l).second) kept.push_back(l);
  *links = std::move(kept);
}

}  // namespace odh
