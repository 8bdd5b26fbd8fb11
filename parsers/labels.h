// parsers/labels.h — the label dictionary: raw field labels (Chinese labels, JSON keys) → canonical
// fields, with per-portal overrides, and each canonical field's place in the metadata standards
// (data/labels/canonical_fields.json, read by metrics too). See data/labels/PROVENANCE.md.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace odh {

// A label as compared: width-folded, spaces removed, trailing ':' / '：' dropped.
std::string clean_label(std::string_view label);

class LabelDictionary {
 public:
  // The dictionary shipped in data/labels (loaded once, thread-safe).
  static const LabelDictionary& shipped();
  // Loads field_mapping.json, labels_extra.json and canonical_fields.json from `dir`.
  // Throws InputError naming the file on bad JSON or a mapping to an undeclared field.
  static LabelDictionary load(const std::filesystem::path& dir);

  // Canonical field of `label` on `portal_id` ("" = unknown label). Portal overrides win over
  // the common map.
  std::string canonical(std::string_view label, std::string_view portal_id = {}) const;
  // Is `field` a declared canonical field?
  bool is_field(std::string_view field) const { return fields_.count(std::string(field)) > 0; }
  // Declared canonical fields, sorted.
  std::vector<std::string> fields() const;
  size_t size() const { return common_.size(); }

 private:
  std::map<std::string, std::string> common_;
  std::map<std::string, std::map<std::string, std::string>> portal_;
  std::map<std::string, std::string> fields_;  // field → zh name
};

}  // namespace odh
