// parsers/normalize.h — value normalizers: turn what portals publish into the store's canonical
// values. Every function is total: hostile or unknown input yields "" / nullopt, never throws.
// The raw value is always kept beside the normalized one (dataset_field), so nothing is lost.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace odh {

// Full-width ASCII (U+FF01–FF5E) → ASCII, U+3000 → space, then trims ASCII/Unicode spaces and
// NBSP at both ends. A small NFKC subset that covers what portals mix in.
std::string fold_width(std::string_view s);
std::string trim(std::string_view s);

// Dates → "YYYY-MM-DD" ("" when not a plausible date in 1970–2100). Accepts epoch ms (13 digits)
// or s (10 digits), yyyyMMddHHmmss, yyyyMMdd, 2022-6-27, 2022/06/27, 2022.6.27, 2020年12月31日,
// ISO 8601 with T and zone, "2021-06-22 18:26:40".
std::string normalize_date(std::string_view raw);

// Update frequency → 实时 每日 每周 每月 每季度 每半年 每年 不定期 不更新 ("" = not provided or
// unrecognised). `codes` maps a family's numeric codes (e.g. guizhou 0 → 每年) before the words.
std::string normalize_frequency(std::string_view raw, const std::map<std::string, std::string>& codes = {});

// Counts: "1,299" → 1299, "1.2万" → 12000, "66条" → 66; 暂无 / 无 / - / "" → nullopt.
std::optional<std::int64_t> parse_count(std::string_view raw);
// A run of ASCII digits as a long (std::from_chars): `fallback` when it is empty, has other
// characters or does not fit — never throws (portal pages carry digit runs of any length).
long checked_long(std::string_view digits, long fallback);

// One format token → lowercase canonical (xls xlsx csv json xml rdf txt pdf doc docx zip api link …):
// strips dots, icon-class prefixes ("icon-xls", "fa-file-csv"), maps 接口 → api, 链接 → link,
// excel → xls. "" for empty or unusable tokens.
std::string normalize_format(std::string_view raw);
// A list of formats in any encoding portals use: "XLS CSV", "xls,csv", "['xls', 'json']",
// "1,2,3,4," with `codes` (odweb 1 → xls …). Deduplicated, order kept.
std::vector<std::string> split_formats(std::string_view raw,
                                       const std::map<std::string, std::string>& codes = {});
// The format of a file by its name or URL extension ("a/b/x_0.rdf?x=1" → "rdf"); "" if none.
std::string format_from_name(std::string_view name_or_url);

// Open condition → 无条件 | 有条件 | 不予开放 ("" unknown). `codes` for numeric families.
std::string normalize_open_condition(std::string_view raw,
                                     const std::map<std::string, std::string>& codes = {});

// Tags: split on , ， ; ； 、 | / whitespace (incl. \r\n\t and U+3000); trimmed, deduplicated.
// With split_spaces=false, spaces inside a tag are kept (for portals whose tags contain spaces).
std::vector<std::string> split_tags(std::string_view raw, bool split_spaces = true);

// The 16 unified themes of the 2021 report (§4.2).
const std::vector<std::string>& unified_themes();
// A portal topic name → one of the 16 unified themes ("" if unmapped). Reads the mapping file
// data/reference/topic_themes.tsv (exact names first, then the keyword found earliest in the name).
std::string map_theme(std::string_view topic_raw);

}  // namespace odh
