// parsers/html.h — a read-only HTML tree (Gumbo) with a small CSS-selector subset and the
// label/value extractors the HTML families need. Hostile input is bounded: documents larger
// than kMaxHtmlBytes are truncated before parsing, text is capped, selectors never throw.
//
// Selector subset: tag, *, .class, #id, [attr], [attr=value] (value quoted or bare), compounds of
// those (div.a.b[x=y]), descendant ("a b") and child ("a > b") combinators, groups ("a, b").
// Attribute names compare case-insensitively (Gumbo lowercases them).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/html_links.h"

typedef struct GumboInternalNode GumboNode;
typedef struct GumboInternalOutput GumboOutput;

namespace odh {

class HtmlNode {
 public:
  HtmlNode() = default;
  explicit HtmlNode(const GumboNode* n) : n_(n) {}
  explicit operator bool() const { return n_ != nullptr; }
  std::string tag() const;                        // lowercase; "" for non-elements
  std::string attr(std::string_view name) const;  // "" when absent
  bool has_attr(std::string_view name) const;
  bool has_class(std::string_view cls) const;
  // Text of all descendants; whitespace runs collapsed to one space, trimmed. <br> and block
  // ends become "\n" when keep_lines is true.
  std::string text(bool keep_lines = false) const;
  // Text of direct text children only (for "title = direct text of div.x").
  std::string own_text() const;
  std::vector<HtmlNode> children() const;  // element children
  HtmlNode next_element() const;           // next element sibling
  HtmlNode parent() const;
  std::vector<HtmlNode> select(std::string_view selector) const;  // descendants, document order
  HtmlNode select_one(std::string_view selector) const;
  const GumboNode* raw() const { return n_; }

 private:
  const GumboNode* n_ = nullptr;
};

class HtmlDoc {
 public:
  explicit HtmlDoc(std::string_view html);
  ~HtmlDoc();
  HtmlDoc(const HtmlDoc&) = delete;
  HtmlDoc& operator=(const HtmlDoc&) = delete;
  HtmlNode root() const;
  std::vector<HtmlNode> select(std::string_view selector) const { return root().select(selector); }
  HtmlNode select_one(std::string_view selector) const { return root().select_one(selector); }

 private:
  std::string buf_;
  GumboOutput* out_ = nullptr;
};

using LabelValues = std::vector<std::pair<std::string, std::string>>;

// Label/value pairs of a table: th → following td; a td that looks like a label (ends with a
// colon, or is known to `is_label`) → next td; otherwise cells pair up left to right.
LabelValues table_pairs(const HtmlNode& table, bool (*is_label)(std::string_view) = nullptr);
// "label：value" / "label:value" / "label\tvalue" per line of `text` (lines split on \n, <br>, #).
LabelValues line_pairs(std::string_view text, bool allow_space_sep = false);
// For each `item` under `scope`: label = text of `label_sel` (or the text before the first colon when
// label_sel is empty), value = text of `value_sel` (or the text after the colon); with value_attr,
// the value element's attribute of that name when present (odweb keeps tags in div.info-body[tags]).
LabelValues item_pairs(const HtmlNode& scope, std::string_view item, std::string_view label_sel,
                       std::string_view value_sel, std::string_view value_attr = {});

}  // namespace odh
