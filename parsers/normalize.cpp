#include "parsers/normalize.h"

#include "registry/reference.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <mutex>
#include <sstream>

#include "core/core.h"
#include "web/charset.h"

namespace odh {
namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as U+FFFD (one byte).
char32_t next_cp(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += len;
  return cp;
}

bool is_space_cp(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
         c == 0x3000 || c == 0xFEFF || (c >= 0x2000 && c <= 0x200B);
}

std::string lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return d[m - 1];
}

std::string ymd(long y, long m, long d) {
  if (y < 1970 || y > 2100 || m < 1 || m > 12 || d < 1 ||
      d > days_in_month(static_cast<int>(y), static_cast<int>(m)))
    return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y, m, d);
  return buf;
}

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), in China time (UTC+8):
// portals publish epoch values of local midnights.
std::string from_epoch_seconds(long long secs) {
  long long z = (secs + 8 * 3600) / 86400;
  if (secs + 8 * 3600 < 0) return "";
  z += 719468;
  long long era = z / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = yoe + era * 400;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  long long d = doy - (153 * mp + 2) / 5 + 1;
  long long m = mp < 10 ? mp + 3 : mp - 9;
  return ymd(static_cast<long>(y + (m <= 2)), static_cast<long>(m), static_cast<long>(d));
}

// Splits s into UTF-8 pieces at any code point for which `sep` is true.
template <typename F>
std::vector<std::string> split_cp(std::string_view s, F sep) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < s.size();) {
    size_t start = i;
    char32_t cp = next_cp(s, i);
    if (sep(cp)) {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.append(s.substr(start, i - start));
    }
  }
  out.push_back(std::move(cur));
  return out;
}

void push_unique(std::vector<std::string>& v, std::string x) {
  if (!x.empty() && std::find(v.begin(), v.end(), x) == v.end()) v.push_back(std::move(x));
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

}  // namespace

std::string fold_width(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp = next_cp(s, i);
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;
    if (cp == 0x3000) cp = ' ';
    append_utf8(out, static_cast<std::uint32_t>(cp));
  }
  return trim(out);
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e) {
    size_t i = b;
    if (!is_space_cp(next_cp(s, i))) break;
    b = i;
  }
  // Trailing: walk back over whole code points.
  while (e > b) {
    size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t i = start;
    if (!is_space_cp(next_cp(s, i)) || i != e) break;
    e = start;
  }
  return std::string(s.substr(b, e - b));
}

std::string normalize_date(std::string_view raw) {
  std::string s = fold_width(raw);
  if (s.size() > 64) s.resize(64);
  if (s.empty()) return "";
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (all_digits(s)) {
    if (s.size() == 13 || s.size() == 10) {  // epoch ms / s
      long long v = std::stoll(s);
      return from_epoch_seconds(s.size() == 13 ? v / 1000 : v);
    }
    if (s.size() >= 8 && s.size() <= 14 && s.size() != 13 && s.size() != 10)  // yyyyMMdd[HHmm[ss]]
      return ymd(std::stol(s.substr(0, 4)), std::stol(s.substr(4, 2)), std::stol(s.substr(6, 2)));
    return "";
  }
  if (s.size() > 5 && s.compare(s.size() - 2, 2, ".0") == 0 && all_digits(s.substr(0, s.size() - 2)))
    return normalize_date(s.substr(0, s.size() - 2));  // 1.6e12 printed as a float
  // y<sep>m<sep>d with sep in - / . 年 月; then anything (日, time, T…).
  std::vector<long> parts;
  size_t i = 0;
  while (i < s.size() && parts.size() < 3) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return "";
    size_t j = i;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && j - i < 5) ++j;
    parts.push_back(std::stol(s.substr(i, j - i)));
    if (parts.size() == 3) break;
    std::string_view rest = std::string_view(s).substr(j);
    if (!rest.empty() && (rest[0] == '-' || rest[0] == '/' || rest[0] == '.')) {
      i = j + 1;
    } else if (rest.substr(0, 3) == "年" || rest.substr(0, 3) == "月") {
      i = j + 3;
    } else {
      return "";
    }
  }
  if (parts.size() != 3) return "";
  return ymd(parts[0], parts[1], parts[2]);
}

std::string normalize_frequency(std::string_view raw, const std::map<std::string, std::string>& codes) {
  std::string s = fold_width(raw);
  if (s.empty()) return "";
  if (auto it = codes.find(s); it != codes.end()) s = it->second;
  static const std::vector<std::pair<const char*, const char*>> exact = {
      {"实时", "实时"},      {"即时", "实时"},     {"实时更新", "实时"},   {"每日", "每日"},
      {"每天", "每日"},      {"日", "每日"},       {"天", "每日"},         {"日更新", "每日"},
      {"每工作日", "每日"},  {"每周", "每周"},     {"周", "每周"},         {"每星期", "每周"},
      {"每月", "每月"},      {"月", "每月"},       {"每个月", "每月"},     {"每季度", "每季度"},
      {"每季", "每季度"},    {"季度", "每季度"},   {"季", "每季度"},       {"每半年", "每半年"},
      {"半年", "每半年"},    {"每年", "每年"},     {"年", "每年"},         {"一年", "每年"},
      {"年度", "每年"},      {"每一年", "每年"},   {"不定期", "不定期"},   {"不定时", "不定期"},
      {"按需", "不定期"},    {"其他", "不定期"},   {"每两年", "不定期"},   {"每三年", "不定期"},
      {"不更新", "不更新"},  {"一次性", "不更新"}, {"无需更新", "不更新"}, {"静态", "不更新"},
      {"不再更新", "不更新"}};
  for (auto& [k, v] : exact)
    if (s == k) return v;
  // Words inside longer values ("每年更新", "更新频率：每月", "按月"…); longest unit first.
  static const std::vector<std::pair<const char*, const char*>> words = {
      {"实时", "实时"},     {"即时", "实时"}, {"半年", "每半年"}, {"季", "每季度"}, {"不定期", "不定期"},
      {"不更新", "不更新"}, {"每日", "每日"}, {"每天", "每日"},   {"按日", "每日"}, {"每周", "每周"},
      {"按周", "每周"},     {"每月", "每月"}, {"按月", "每月"},   {"每年", "每年"}, {"按年", "每年"}};
  for (auto& [k, v] : words)
    if (contains(s, k)) return v;
  std::string l = lower_ascii(s);
  static const std::vector<std::pair<const char*, const char*>> en = {
      {"continuous", "实时"}, {"realtime", "实时"}, {"real-time", "实时"},   {"daily", "每日"},
      {"weekly", "每周"},     {"monthly", "每月"},  {"quarterly", "每季度"}, {"semiannual", "每半年"},
      {"annual", "每年"},     {"yearly", "每年"},   {"irregular", "不定期"}, {"never", "不更新"},
      {"r/p1d", "每日"},      {"r/p1w", "每周"},    {"r/p1m", "每月"},       {"r/p3m", "每季度"},
      {"r/p6m", "每半年"},    {"r/p1y", "每年"}};
  for (auto& [k, v] : en)
    if (contains(l, k)) return v;
  return "";
}

std::optional<std::int64_t> parse_count(std::string_view raw) {
  std::string s = fold_width(raw);
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string digits;
  double mult = 1;
  bool dot = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == ',' && !digits.empty()) {
      continue;
    } else if (c == '.' && !digits.empty() && !dot) {
      dot = true;
      digits += c;
    } else if (c == ' ' && digits.empty()) {
      continue;
    } else {
      break;
    }
  }
  if (digits.empty()) return std::nullopt;
  std::string_view rest = std::string_view(s).substr(i);
  if (rest.substr(0, 3) == "万") mult = 1e4;
  if (rest.substr(0, 3) == "亿") mult = 1e8;
  if (digits.size() > 18) return std::nullopt;
  double v = std::stod(digits) * mult;
  if (v > 9e18) return std::nullopt;
  return static_cast<std::int64_t>(v + 0.5);
}

std::string normalize_format(std::string_view raw) {
  std::string s = lower_ascii(fold_width(raw));
  if (s.empty() || s.size() > 64) return "";
  if (s == "接口" || s == "api接口" || s == "服务接口" || s == "数据接口") return "api";
  if (s == "链接" || s == "url" || s == "外链") return "link";
  if (s == "文件" || s == "file" || s == "附件") return "file";
  // Icon classes: "icon-xls", "fa fa-file-excel-o", "format-csv", "type_json".
  for (const char* p : {"fa-file-", "icon-", "format-", "type-", "type_", "file-", "ico-", "ico_"}) {
    auto pos = s.rfind(p);
    if (pos != std::string::npos) s = s.substr(pos + std::string_view(p).size());
  }
  while (!s.empty() && s[0] == '.') s.erase(0, 1);
  if (auto sl = s.rfind('/'); sl != std::string::npos) s = s.substr(sl + 1);  // MIME: text/csv
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "-o") == 0) s.resize(s.size() - 2);
  static const std::map<std::string, std::string> alias = {
      {"excel", "xls"},
      {"vnd.ms-excel", "xls"},
      {"vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
      {"msword", "doc"},
      {"word", "doc"},
      {"jpeg", "jpg"},
      {"htm", "html"},
      {"text", "txt"},
      {"plain", "txt"},
      {"rdf+xml", "rdf"},
      {"ld+json", "jsonld"},
      {"json-ld", "jsonld"},
      {"zip压缩包", "zip"},
      {"esri shapefile", "shp"},
      {"shapefile", "shp"},
      {"geo+json", "geojson"},
      {"wms服务", "wms"},
      {"powerpoint", "ppt"},
      {"image", "jpg"}};
  if (auto it = alias.find(s); it != alias.end()) return it->second;
  // Canonical tokens are short alphanumerics.
  if (s.size() > 10 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
    return "";
  return s;
}

std::vector<std::string> split_formats(std::string_view raw,
                                       const std::map<std::string, std::string>& codes) {
  std::vector<std::string> out;
  std::string s = fold_width(raw);
  for (auto& piece : split_cp(s, [](char32_t c) {
         return c == ',' || c == ';' || c == ' ' || c == '[' || c == ']' || c == '\'' || c == '"' ||
                c == '|' || c == 0x3001 || c == '\t' || c == '\n' || c == '\r' || c == '/';
       })) {
    if (piece.empty()) continue;
    if (auto it = codes.find(piece); it != codes.end()) piece = it->second;
    push_unique(out, normalize_format(piece));
  }
  return out;
}

std::string format_from_name(std::string_view name_or_url) {
  std::string_view s = name_or_url;
  if (auto q = s.find_first_of("?#"); q != std::string_view::npos) s = s.substr(0, q);
  auto slash = s.rfind('/');
  if (slash != std::string_view::npos) s = s.substr(slash + 1);
  auto dot = s.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= s.size()) return "";
  std::string ext = normalize_format(s.substr(dot + 1));
  static const char* known[] = {"xls",  "xlsx", "csv",     "json",   "xml",  "rdf", "txt", "pdf", "doc",
                                "docx", "zip",  "rar",     "7z",     "jpg",  "png", "gif", "tif", "tiff",
                                "shp",  "kml",  "geojson", "ppt",    "pptx", "wps", "et",  "ofd", "gz",
                                "dbf",  "mdb",  "sql",     "jsonld", "ttl",  "odt", "ods"};
  for (const char* k : known)
    if (ext == k) return ext;
  return "";
}

std::string normalize_open_condition(std::string_view raw, const std::map<std::string, std::string>& codes) {
  std::string s = fold_width(raw);
  if (s.empty()) return "";
  if (auto it = codes.find(s); it != codes.end()) s = it->second;
  if (contains(s, "不予开放") || contains(s, "不开放") || contains(s, "禁止开放") || contains(s, "非开放"))
    return "不予开放";
  if (contains(s, "无条件") || contains(s, "普遍开放") || contains(s, "完全开放") || contains(s, "直接开放"))
    return "无条件";
  if (contains(s, "有条件") || contains(s, "依申请") || contains(s, "授权") || contains(s, "申请开放") ||
      contains(s, "条件开放"))
    return "有条件";
  if (s == "开放" || s == "公开" || s == "是") return "无条件";
  std::string l = lower_ascii(s);
  if (l == "public" || l == "open") return "无条件";
  if (l == "restricted") return "有条件";
  if (l == "non-public" || l == "private") return "不予开放";
  return "";
}

std::vector<std::string> split_tags(std::string_view raw, bool split_spaces) {
  std::vector<std::string> out;
  if (raw.size() > 100000) raw = raw.substr(0, 100000);
  for (auto& piece : split_cp(raw, [split_spaces](char32_t c) {
         return c == ',' || c == 0xFF0C || c == ';' || c == 0xFF1B || c == 0x3001 || c == '|' || c == '\r' ||
                c == '\n' || c == '\t' || (split_spaces && (c == ' ' || c == 0x3000 || c == 0xA0));
       }))
    push_unique(out, trim(piece));
  return out;
}

// The 16 themes and the topic -> theme rules are the registry's reference data (data/reference/
// themes.csv, topic_themes.tsv), so the parsers and the metrics' appendix-2 checks use one mapping.
const std::vector<std::string>& unified_themes() {
  static const std::vector<std::string> themes = load_themes();
  return themes;
}

std::string map_theme(std::string_view topic_raw) {
  static const TopicThemes rules = TopicThemes::load();
  std::string s = fold_width(topic_raw);
  if (s.empty()) return "";
  for (const auto& t : unified_themes())
    if (s == t) return t;
  return rules.theme_of(s);
}

long checked_long(std::string_view digits, long fallback) {
  long v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  return ec == std::errc() && end == digits.data() + digits.size() && !digits.empty() ? v : fallback;
}

}  // namespace odh
