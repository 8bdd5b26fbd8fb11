#include "web/html_links.h"

#include <gumbo.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
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

namespace {
// Elements that do not deepen the tree: void ones, and those whose end tag is implied.
bool void_element(std::string_view t) {
  static const std::string_view kVoid[] = {"area", "base", "br",   "col",   "embed",  "hr",    "img",
                                           "input", "link", "meta", "param", "source", "track", "wbr",
                                           "basefont", "bgsound", "frame", "keygen", "image"};
  for (auto v : kVoid)
    if (t == v) return true;
  // Elements whose end tag may be omitted close themselves when a sibling starts (a list of 1,000
  // <li> without </li> is flat, not deep): not counted.
  static const std::string_view kImplied[] = {"p",  "li", "dt", "dd",       "tr",     "td",    "th",
                                              "option", "optgroup", "rb", "rt", "rp", "rtc", "tbody",
                                              "thead", "tfoot", "colgroup", "caption", "html", "head", "body"};
  for (auto v : kImplied)
    if (t == v) return true;
  return false;
}
char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
}  // namespace

std::string_view bounded_html(std::string_view html, std::string* scratch) {
  const std::size_t n = std::min(html.size(), kMaxHtmlBytes);
  int depth = 0, dropped = 0;
  std::vector<std::pair<std::size_t, std::size_t>> drop;  // [from, to) tag ranges left out
  std::size_t i = 0;
  while (i < n) {
    std::size_t lt = html.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= n) break;
    std::size_t j = lt + 1;
    if (html.compare(j, 3, "!--") == 0) {  // comment: skip to -->
      std::size_t e = html.find("-->", j + 3);
      if (e == std::string_view::npos || e >= n) break;
      i = e + 3;
      continue;
    }
    bool end_tag = html[j] == '/';
    if (end_tag) ++j;
    std::size_t k = j;
    while (k < n && (std::isalnum(static_cast<unsigned char>(html[k])) || html[k] == '-' || html[k] == ':')) ++k;
    if (k == j) {  // not a tag ("< 3", "<!DOCTYPE", "<?xml")
      i = j;
      continue;
    }
    std::string name;
    for (std::size_t x = j; x < k && name.size() < 16; ++x) name += lower_ascii(html[x]);
    std::size_t gt = html.find('>', k);
    if (gt == std::string_view::npos || gt >= n) break;
    const bool self_closing = html[gt - 1] == '/';
    if (name == "a") {  // links are what the parse is for: kept at any depth (a new <a> closes the last)
      i = gt + 1;
      continue;
    }
    if (end_tag) {
      if (dropped > 0 && !void_element(name)) {
        --dropped;
        drop.emplace_back(lt, gt + 1);
      } else if (depth > 0) {
        --depth;
      }
    } else if (!void_element(name) && !self_closing) {
      const bool raw = name == "script" || name == "style" || name == "textarea" || name == "title" ||
                       name == "xmp" || name == "plaintext" || name == "noembed" || name == "noframes";
      if (depth >= kMaxHtmlDepth && !raw) {  // flattened: the tag goes, its content stays
        ++dropped;
        drop.emplace_back(lt, gt + 1);
      } else if (raw) {
        // raw text up to the matching end tag (case-insensitive), which closes the element
        std::size_t e = gt + 1;
        bool found = false;
        while ((e = html.find("</", e)) != std::string_view::npos && e < n) {
          std::size_t m = 0;
          while (m < name.size() && e + 2 + m < n && lower_ascii(html[e + 2 + m]) == name[m]) ++m;
          if (m == name.size()) {
            found = true;
            break;
          }
          e += 2;
        }
        if (!found) break;
        i = e + 2;
        continue;
      } else {
        ++depth;
      }
    }
    i = gt + 1;
  }
  if (drop.empty()) return html.substr(0, n);
  scratch->clear();
  scratch->reserve(n);
  std::size_t at = 0;
  for (auto [from, to] : drop) {
    scratch->append(html.substr(at, from - at));
    at = to;
  }
  scratch->append(html.substr(at, n - at));
  return *scratch;
}

std::vector<PageLink> extract_links(std::string_view html, std::string_view page_url, std::string_view charset) {
  std::vector<PageLink> out;
  std::string scratch;
  html = bounded_html(html, &scratch);
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
