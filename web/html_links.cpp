#include "web/html_links.h"

#include <gumbo.h>
#include <strings.h>

#include <optional>
#include <unordered_set>

#include "web/url.h"

namespace odh {
namespace {

// The words of an anchor: its descendants' text (no script/style), at most kMaxLinkTextBytes raw.
std::string anchor_text(const GumboElement& el) {
  std::string raw;
  std::vector<const GumboNode*> stack;
  for (unsigned i = el.children.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(el.children.data[i]));
  while (!stack.empty() && raw.size() < kMaxLinkTextBytes) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
      std::string_view t(n->v.text.text);
      size_t room = kMaxLinkTextBytes - raw.size();
      if (t.size() > room) {  // cut at a UTF-8 character boundary
        while (room > 0 && (static_cast<unsigned char>(t[room]) & 0xC0) == 0x80) --room;
        t = t.substr(0, room);
      }
      raw += t;
      raw += ' ';
      continue;
    }
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) continue;
    GumboTag t = n->v.element.tag;
    if (t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_NOSCRIPT) continue;
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
  }
  return collapse_whitespace(raw);
}

struct Walker {
  std::optional<Url> base;
  std::string_view enc;
  std::vector<PageLink>* out;
  size_t added = 0;
  bool base_seen = false;

  void add(const char* href, const GumboElement& el, bool anchor) {
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
    PageLink link;
    link.url = crawl_key(*u);
    if (anchor) link.text = anchor_text(el);
    if (GumboAttribute* t = gumbo_get_attribute(&el.attributes, "title"))
      link.title = collapse_whitespace(std::string_view(t->value).substr(0, kMaxLinkTextBytes));
    out->push_back(std::move(link));
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
        if (GumboAttribute* a = gumbo_get_attribute(&el.attributes, attr))
          add(a->value, el, el.tag == GUMBO_TAG_A || el.tag == GUMBO_TAG_AREA);
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
                   std::vector<PageLink>* out) {
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

std::vector<PageLink> extract_links(std::string_view html, std::string_view page_url, std::string_view charset) {
  std::vector<PageLink> out;
  html = html.substr(0, kMaxHtmlBytes);
  GumboOutput* g = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  if (!g) return out;
  collect_links(g->root, page_url, charset, &out);
  gumbo_destroy_output(&kGumboDefaultOptions, g);
  return out;
}

bool is_html_result(const FetchResult& page) {
  const std::string* type = nullptr;  // the last Content-Type wins, as in decode_fetch_result
  for (auto& [k, v] : page.response_headers)
    if (strcasecmp(k.c_str(), "Content-Type") == 0) type = &v;
  if (!type) return false;
  for (size_t i = 0; i + 4 <= type->size(); ++i)
    if (strncasecmp(type->c_str() + i, "html", 4) == 0) return true;
  return false;
}

std::vector<PageLink> page_links(const FetchResult& page) {
  if (!is_html_result(page)) return {};
  return extract_links(page.text.empty() ? page.body : page.text,
                       page.final_url.empty() ? page.request.url : page.final_url, page.charset);
}

std::string collapse_whitespace(std::string_view s, bool keep_lines) {
  std::string out;
  bool space = false, nl = false;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = 1;
    bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0)
      ws = true, len = 2;  // NBSP
    if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        static_cast<unsigned char>(s[i + 2]) == 0x80)
      ws = true, len = 3;  // U+3000
    if (c == '\n') {
      if (keep_lines)
        nl = true;
      else
        space = true;
    } else if (ws) {
      space = true;
    } else {
      if (nl && !out.empty())
        out += '\n';
      else if (space && !out.empty() && out.back() != '\n')
        out += ' ';
      space = nl = false;
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace odh
