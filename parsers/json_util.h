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
// Parses JSON without throwing; a top-level string holding JSON is decoded once more (wuhu).
bool parse_json(std::string_view text, json& out, std::string* error = nullptr);
// Converts one catalogue item of an international API; false when the item is not an object.
bool convert_item(const std::string& kind, const json& item, RawRecord& out);
// Every scalar member of `obj` as label/value pairs; nested objects flattened with '.', up to depth 2.
void flatten_pairs(const json& obj, LabelValues& out, const std::string& prefix = "", int depth = 0);

}  // namespace odh::detail
