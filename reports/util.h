// Helpers shared by the report's renderers (not a contract: other rooms include reports/reports.h).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace odh::reports {

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string valid_utf8(std::string_view s);
// Cuts after max_chars code points (0 = never), appending "…".
std::string cut_utf8(std::string_view s, std::size_t max_chars);
// fsyncs a finished temporary file and renames it to `path`; removes it and throws Failure on error.
void commit_temp_file(const std::filesystem::path& tmp, const std::filesystem::path& path);

// Number formatting for readers: thousands separators, fixed decimals, percentages.
std::string fmt_int(double v);                   // 1,234,567
std::string fmt_dec(double v, int decimals = 2);  // 1,234.57
std::string fmt_pct(double share, int decimals = 2);  // 0.1234 → 12.34%

}  // namespace odh::reports
