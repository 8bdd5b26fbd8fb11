// parsers/json_util.h — internal helpers shared by the engines: dotted JSON paths and scalar text.
// Paths: "data.content", "[0].result", "data.rows[2].id", "docType[*].file_type" ([*] fans out).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/parsers.h"

namespace odh::detail {

using json = nlohmann::json;

// Every value the path reaches (several with [*]; arrays met at the end are not expanded).
std::vector<const json*> jpath_all(const json& root, std::string_view path);
const json* jpath(const json& root, std::string_view path);  // first match or nullptr
// A scalar as text ("" for null/objects); arrays of scalars joined with ','.
std::string scalar_text(const json& v);
inline constexpr int kMaxJsonDepth = 256;  // deeper documents are refused before parsing

// False when arrays/objects in `text` nest deeper than max_depth (a linear scan outside strings):
// parse_json refuses such a document, so no walk over a parsed value can recurse without bound.
inline bool json_depth_ok(std::string_view text, int max_depth = kMaxJsonDepth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// Parses JSON without throwing; a top-level string holding JSON is decoded once more (wuhu); a
// document nested deeper than kMaxJsonDepth is refused (error "JSON nested deeper than 256").
bool parse_json(std::string_view text, json& out, std::string* error = nullptr);
// Converts one catalogue item of an international API; false when the item is not an object.
bool convert_item(const std::string& kind, const json& item, RawRecord& out);
// Every scalar member of `obj` as label/value pairs; nested objects flattened with '.', up to depth 2.
void flatten_pairs(const json& obj, LabelValues& out, const std::string& prefix = "", int depth = 0);

}  // namespace odh::detail
