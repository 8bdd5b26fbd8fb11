#include "parsers/html.h"

#include <gumbo.h>
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "parsers/normalize.h"

namespace odh {
namespace {

constexpr size_t kMaxText = 1 << 20;  // cap on any extracted text

const char* tag_name(const GumboNode* n) {
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) return "";
  if (n->v.element.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(n->v.element.tag);
  // Unknown tags: Gumbo keeps the original text; the name is what follows '<'.
  return "";
}

bool is_element(const GumboNode* n) {
  return n && (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE);
}

std::string unknown_tag(const GumboNode* n) {
  GumboStringPiece p = n->v.element.original_tag;
  gumbo_tag_from_original_text(&p);
  std::string s(p.data ? p.data : "", p.data ? p.length : 0);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct AttrTest {
  std::string name, value;
  bool has_value = false;
};
struct Compound {
  std::string tag;  // "" or "*" = any
  std::string id;
  std::vector<std::string> classes;
  std::vector<AttrTest> attrs;
  bool unsupported = false;
};
struct Complex {
  std::vector<Compound> parts;  // left to right
  std::vector<char> combs;      // combs[i] joins parts[i] and parts[i+1]: ' ' or '>'
};

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

std::vector<Complex> parse_selector(std::string_view sel) {
  std::vector<Complex> out;
  Complex cur;
  Compound comp;
  bool have_comp = false;
  char pending = 0;  // combinator seen since last compound
  size_t i = 0;
  auto flush_comp = [&]() {
    if (!have_comp) return;
    if (!cur.parts.empty()) cur.combs.push_back(pending ? pending : ' ');
    cur.parts.push_back(std::move(comp));
    comp = Compound();
    have_comp = false;
    pending = 0;
  };
  auto read_ident = [&]() {
    size_t b = i;
    while (i < sel.size() && ident_char(sel[i])) ++i;
    return std::string(sel.substr(b, i - b));
  };
  while (i < sel.size()) {
    char c = sel[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (have_comp) {
        flush_comp();
        pending = ' ';
      }
      ++i;
    } else if (c == '>') {
      flush_comp();
      pending = '>';
      ++i;
    } else if (c == ',') {
      flush_comp();
      if (!cur.parts.empty()) out.push_back(std::move(cur));
      cur = Complex();
      pending = 0;
      ++i;
    } else if (c == '.') {
      ++i;
      comp.classes.push_back(read_ident());
      have_comp = true;
    } else if (c == '#') {
      ++i;
      comp.id = read_ident();
      have_comp = true;
    } else if (c == '[') {
      ++i;
      AttrTest a;
      while (i < sel.size() && sel[i] == ' ') ++i;
      a.name = read_ident();
      for (auto& ch : a.name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      while (i < sel.size() && sel[i] == ' ') ++i;
      if (i < sel.size() && sel[i] == '=') {
        ++i;
        a.has_value = true;
        while (i < sel.size() && sel[i] == ' ') ++i;
        if (i < sel.size() && (sel[i] == '"' || sel[i] == '\'')) {
          char q = sel[i++];
          size_t b = i;
          while (i < sel.size() && sel[i] != q) ++i;
          a.value = std::string(sel.substr(b, i - b));
          if (i < sel.size()) ++i;
        } else {
          size_t b = i;
          while (i < sel.size() && sel[i] != ']' && sel[i] != ' ') ++i;
          a.value = std::string(sel.substr(b, i - b));
        }
      } else if (i < sel.size() && sel[i] != ']') {
        comp.unsupported = true;  // ^= *= $= ~= |=
      }
      while (i < sel.size() && sel[i] != ']') ++i;
      if (i < sel.size()) ++i;
      comp.attrs.push_back(std::move(a));
      have_comp = true;
    } else if (c == '*') {
      comp.tag = "*";
      ++i;
      have_comp = true;
    } else if (ident_char(c)) {
      comp.tag = read_ident();
      for (auto& ch : comp.tag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      have_comp = true;
    } else {  // pseudo-classes and anything else: not supported, matches nothing
      comp.unsupported = true;
      have_comp = true;
      ++i;
      while (i < sel.size() && ident_char(sel[i])) ++i;
    }
  }
  flush_comp();
  if (!cur.parts.empty()) out.push_back(std::move(cur));
  return out;
}

const GumboAttribute* find_attr(const GumboNode* n, std::string_view name) {
  if (!is_element(n)) return nullptr;
  const GumboVector& a = n->v.element.attributes;
  for (unsigned i = 0; i < a.length; ++i) {
    auto* at = static_cast<const GumboAttribute*>(a.data[i]);
    if (name.size() == std::strlen(at->name) && strncasecmp(at->name, name.data(), name.size()) == 0)
      return at;
  }
  return nullptr;
}

bool class_match(const GumboNode* n, std::string_view cls) {
  auto* a = find_attr(n, "class");
  if (!a) return false;
  std::string_view v = a->value;
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    size_t b = i;
    while (i < v.size() && !std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    if (v.substr(b, i - b) == cls) return true;
  }
  return false;
}

bool compound_match(const Compound& c, const GumboNode* n) {
  if (!is_element(n) || c.unsupported) return false;
  if (!c.tag.empty() && c.tag != "*") {
    std::string t = tag_name(n);
    if (t.empty()) t = unknown_tag(n);
    if (t != c.tag) return false;
  }
  if (!c.id.empty()) {
    auto* a = find_attr(n, "id");
    if (!a || c.id != a->value) return false;
  }
  for (auto& cls : c.classes)
    if (!class_match(n, cls)) return false;
  for (auto& t : c.attrs) {
    auto* a = find_attr(n, t.name);
    if (!a) return false;
    if (t.has_value && t.value != a->value) return false;
  }
  return true;
}

// Does `n` match parts[0..k] (k = index of the rightmost part to test), ancestors above `stop`?
bool complex_match(const Complex& cx, int k, const GumboNode* n, const GumboNode* stop) {
  if (!compound_match(cx.parts[k], n)) return false;
  if (k == 0) return true;
  char comb = cx.combs[k - 1];
  const GumboNode* p = n->parent;
  if (comb == '>') return p && p != stop && is_element(p) && complex_match(cx, k - 1, p, stop);
  for (; p && p != stop && is_element(p); p = p->parent)
    if (complex_match(cx, k - 1, p, stop)) return true;
  return false;
}

bool is_block(const GumboNode* n) {
  switch (n->v.element.tag) {
    case GUMBO_TAG_BR:
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL:
      return true;
    default:
      return false;
  }
}

// Appends text with whitespace collapsed; '\n' marks kept as line breaks.
void collect_text(const GumboNode* root, bool keep_lines, bool own_only, std::string& out) {
  std::vector<std::pair<const GumboNode*, bool>> stack{{root, false}};  // (node, closing)
  while (!stack.empty() && out.size() < kMaxText) {
    auto [n, closing] = stack.back();
    stack.pop_back();
    if (closing) {
      if (keep_lines) out += '\n';
      continue;
    }
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
      if (!own_only || n->parent == root) out += n->v.text.text;
      out += ' ';
      continue;
    }
    if (!is_element(n)) continue;
    GumboTag t = n->v.element.tag;
    if (t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_NOSCRIPT) continue;
    if (own_only && n != root) continue;
    bool block = keep_lines && is_block(n);
    if (block) {
      out += '\n';
      stack.push_back({n, true});
    }
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = ch.length; i-- > 0;)
      stack.push_back({static_cast<const GumboNode*>(ch.data[i]), false});
  }
}

std::string collapse(std::string_view s, bool keep_lines) { return collapse_whitespace(s, keep_lines); }

bool ends_with_colon(std::string_view s) {
  return (!s.empty() && s.back() == ':') || (s.size() >= 3 && s.substr(s.size() - 3) == "：");
}

std::string strip_colon(std::string s) {
  s = trim(s);
  while (ends_with_colon(s)) s.resize(s.back() == ':' ? s.size() - 1 : s.size() - 3), s = trim(s);
  return s;
}

// Splits at the first ':' or '：' (or tab); returns false when none.
bool split_colon(std::string_view line, std::string& label, std::string& value, bool allow_space) {
  size_t a = line.find(':'), b = line.find("："), t = line.find('\t');
  size_t sp = allow_space ? line.find(' ') : std::string_view::npos;  // "label value" lines
  size_t pos = std::min({a, b, t, sp});
  size_t len = pos == b ? 3 : 1;
  if (pos == std::string_view::npos || pos == 0) return false;
  label = trim(line.substr(0, pos));
  value = trim(line.substr(pos + len));
  return !label.empty() && label.size() <= 60;
}

}  // namespace

std::string HtmlNode::tag() const {
  if (!is_element(n_)) return "";
  std::string t = tag_name(n_);
  return t.empty() ? unknown_tag(n_) : t;
}

std::string HtmlNode::attr(std::string_view name) const {
  auto* a = find_attr(n_, name);
  return a ? std::string(a->value).substr(0, kMaxText) : std::string();
}

bool HtmlNode::has_attr(std::string_view name) const { return find_attr(n_, name) != nullptr; }
bool HtmlNode::has_class(std::string_view cls) const { return n_ && class_match(n_, cls); }

std::string HtmlNode::text(bool keep_lines) const {
  if (!n_) return "";
  std::string raw;
  collect_text(n_, keep_lines, false, raw);
  return collapse(raw, keep_lines);
}

std::string HtmlNode::own_text() const {
  if (!n_) return "";
  std::string raw;
  collect_text(n_, false, true, raw);
  return collapse(raw, false);
}

std::vector<HtmlNode> HtmlNode::children() const {
  std::vector<HtmlNode> out;
  if (!is_element(n_)) return out;
  const GumboVector& ch = n_->v.element.children;
  for (unsigned i = 0; i < ch.length; ++i) {
    auto* c = static_cast<const GumboNode*>(ch.data[i]);
    if (is_element(c)) out.emplace_back(c);
  }
  return out;
}

HtmlNode HtmlNode::next_element() const {
  if (!n_ || !n_->parent || !is_element(n_->parent)) return HtmlNode();
  const GumboVector& ch = n_->parent->v.element.children;
  for (unsigned i = n_->index_within_parent + 1; i < ch.length; ++i) {
    auto* c = static_cast<const GumboNode*>(ch.data[i]);
    if (is_element(c)) return HtmlNode(c);
  }
  return HtmlNode();
}

HtmlNode HtmlNode::parent() const {
  return n_ && n_->parent && is_element(n_->parent) ? HtmlNode(n_->parent) : HtmlNode();
}

std::vector<HtmlNode> HtmlNode::select(std::string_view selector) const {
  std::vector<HtmlNode> out;
  if (!n_) return out;
  auto groups = parse_selector(selector.substr(0, 1000));
  if (groups.empty()) return out;
  std::vector<const GumboNode*> stack;
  // Descendants only (not the node itself), document order.
  if (is_element(n_) || n_->type == GUMBO_NODE_DOCUMENT) {
    const GumboVector& ch =
        n_->type == GUMBO_NODE_DOCUMENT ? n_->v.document.children : n_->v.element.children;
    for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
  }
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (!is_element(n)) continue;
    for (auto& g : groups)
      if (complex_match(g, static_cast<int>(g.parts.size()) - 1, n, n_)) {
        out.emplace_back(n);
        break;
      }
    const GumboVector& ch = n->v.element.children;
    for (unsigned i = ch.length; i-- > 0;) stack.push_back(static_cast<const GumboNode*>(ch.data[i]));
  }
  return out;
}

HtmlNode HtmlNode::select_one(std::string_view selector) const {
  auto v = select(selector);
  return v.empty() ? HtmlNode() : v.front();
}

HtmlDoc::HtmlDoc(std::string_view html) {
  std::string scratch;
  std::string_view bounded = bounded_html(html, &scratch);  // size and depth bounds (web/html_links.h)
  buf_ = scratch.empty() ? std::string(bounded) : std::move(scratch);
  GumboOptions opts = kGumboDefaultOptions;
  opts.max_errors = 100;
  out_ = gumbo_parse_with_options(&opts, buf_.data(), buf_.size());
}

HtmlDoc::~HtmlDoc() {
  if (out_) gumbo_destroy_output(&kGumboDefaultOptions, out_);
}

HtmlNode HtmlDoc::root() const { return HtmlNode(out_ ? out_->document : nullptr); }

LabelValues table_pairs(const HtmlNode& table, bool (*is_label)(std::string_view)) {
  LabelValues out;
  for (const auto& tr : table.select("tr")) {
    std::vector<HtmlNode> cells;
    for (auto& c : tr.children())
      if (c.tag() == "td" || c.tag() == "th") cells.push_back(c);
    for (size_t i = 0; i + 1 < cells.size();) {
      std::string t = cells[i].text();
      bool label = cells[i].tag() == "th" || ends_with_colon(t) || (is_label && is_label(t));
      if (!label && cells[i + 1].tag() != "th") label = true;  // plain td td: pair left to right
      if (label && cells[i + 1].tag() != "th" && !t.empty()) {
        out.emplace_back(strip_colon(t), cells[i + 1].text());
        i += 2;
      } else {
        i += 1;
      }
    }
  }
  return out;
}

LabelValues line_pairs(std::string_view text, bool allow_space_sep) {
  LabelValues out;
  size_t b = 0;
  while (b <= text.size()) {
    size_t e = text.find_first_of("\n#", b);
    if (e == std::string_view::npos) e = text.size();
    std::string line = trim(text.substr(b, e - b));
    std::string l, v;
    if (!line.empty() && split_colon(line, l, v, allow_space_sep)) out.emplace_back(l, v);
    b = e + 1;
  }
  return out;
}

LabelValues item_pairs(const HtmlNode& scope, std::string_view item, std::string_view label_sel,
                       std::string_view value_sel, std::string_view value_attr) {
  LabelValues out;
  for (const auto& it : scope.select(item)) {
    if (!label_sel.empty()) {
      HtmlNode l = it.select_one(label_sel);
      if (!l) continue;
      HtmlNode v = value_sel.empty() ? l.next_element() : it.select_one(value_sel);
      std::string lt = strip_colon(l.text());
      std::string vt = v ? v.text() : "";
      if (v && !value_attr.empty() && v.has_attr(value_attr)) vt = v.attr(value_attr);
      if (!lt.empty()) out.emplace_back(lt, vt);
    } else {
      std::string l, v;
      std::string t = it.text();
      if (split_colon(t, l, v, false)) {
        if (!value_sel.empty())
          if (HtmlNode vn = it.select_one(value_sel)) v = vn.text();
        out.emplace_back(l, v);
      }
    }
  }
  return out;
}

}  // namespace odh
