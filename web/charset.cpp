// Encoding sniffing and decoding (WHATWG Encoding Standard + HTML "prescan").
#include "web/charset.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "web/fetch.h"

namespace odh {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

struct EncodingLabel {
  const char* label;
  const char* name;
};
#include "web/encoding_tables.inc"

constexpr std::size_t kDetectBytes = 64 * 1024;  // the detector looks at this much

bool is_ascii_ws(int c) { return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string_view trim_ws(std::string_view s) {
  while (!s.empty() && is_ascii_ws(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && is_ascii_ws(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::size_t pos, std::string_view prefix) {
  if (pos > s.size() || s.size() - pos < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[pos + i]) != prefix[i]) return false;
  return true;
}

constexpr std::uint32_t kReplacement = 0xFFFD;

// --- decoders ----------------------------------------------------------------------

// The Encoding Standard's UTF-8 decoder; returns the number of errors.
std::size_t decode_utf8(std::string_view in, std::string* out) {
  std::size_t errors = 0;
  std::size_t i = 0, n = in.size();
  while (i < n) {
    unsigned char b = static_cast<unsigned char>(in[i]);
    if (b < 0x80) {  // a run of ASCII is copied in one go (most of every page)
      std::size_t j = i + 1;
      while (j < n && static_cast<unsigned char>(in[j]) < 0x80) ++j;
      if (out) out->append(in.data() + i, j - i);
      i = j;
      continue;
    }
    int needed = 0;
    std::uint32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      needed = 1, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
      needed = 2, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
      needed = 3, cp = b & 0x07;
    } else {
      ++errors;
      if (out) append_utf8(*out, kReplacement);
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    int seen = 0;
    bool ok = true;
    while (seen < needed) {
      if (j >= n) {
        ok = false;
        break;
      }
      unsigned char c = static_cast<unsigned char>(in[j]);
      if (c < lo || c > hi) {
        ok = false;
        break;
      }
      lo = 0x80, hi = 0xBF;
      cp = (cp << 6) | (c & 0x3F);
      ++seen;
      ++j;
    }
    if (ok) {
      if (out) out->append(in.substr(i, j - i));
    } else {
      ++errors;  // one U+FFFD for the maximal subpart; the offending byte is re-read
      if (out) append_utf8(*out, kReplacement);
    }
    i = j;
  }
  return errors;
}

std::uint32_t gb18030_ranges_code_point(std::uint32_t pointer) {
  if ((pointer > 39419 && pointer < 189000) || pointer > 1237575) return 0;
  if (pointer == 7457) return 0xE7C7;
  std::size_t k = 0;
  for (std::size_t i = 0; i < std::size(kGb18030Ranges); ++i) {
    if (kGb18030Ranges[i][0] <= pointer)
      k = i;
    else
      break;
  }
  return kGb18030Ranges[k][1] + pointer - kGb18030Ranges[k][0];
}

// The Encoding Standard's gb18030 decoder (also used for GBK); returns the error count
// and the number of non-ASCII characters decoded in *multibyte.
std::size_t decode_gb18030(std::string_view in, std::string* out, std::size_t* multibyte = nullptr) {
  std::size_t errors = 0, mb = 0;
  std::size_t i = 0, n = in.size();
  auto at = [&](std::size_t k) -> int { return k < n ? static_cast<unsigned char>(in[k]) : -1; };
  auto emit = [&](std::uint32_t cp) {
    if (out) append_utf8(*out, cp);
  };
  auto error = [&] {
    ++errors;
    emit(kReplacement);
  };
  while (i < n) {
    int b = at(i);
    if (b < 0x80) {
      emit(static_cast<std::uint32_t>(b));
      ++i;
      continue;
    }
    if (b == 0x80) {
      emit(0x20AC);
      ++mb;
      ++i;
      continue;
    }
    if (b == 0xFF) {
      error();
      ++i;
      continue;
    }
    int b2 = at(i + 1);
    if (b2 < 0) {  // EOF inside a sequence
      error();
      break;
    }
    if (b2 >= 0x30 && b2 <= 0x39) {  // four-byte sequence
      int b3 = at(i + 2);
      if (b3 < 0) {
        error();
        break;
      }
      if (b3 < 0x81 || b3 > 0xFE) {
        error();
        i += 1;  // second and third bytes are re-read
        continue;
      }
      int b4 = at(i + 3);
      if (b4 < 0) {
        error();
        break;
      }
      if (b4 < 0x30 || b4 > 0x39) {
        error();
        i += 1;
        continue;
      }
      std::uint32_t pointer =
          ((static_cast<std::uint32_t>(b - 0x81) * 10 + (b2 - 0x30)) * 126 + (b3 - 0x81)) * 10 + (b4 - 0x30);
      std::uint32_t cp = gb18030_ranges_code_point(pointer);
      if (cp == 0)
        error();
      else
        emit(cp), ++mb;
      i += 4;
      continue;
    }
    std::uint32_t cp = 0;
    if ((b2 >= 0x40 && b2 <= 0x7E) || (b2 >= 0x80 && b2 <= 0xFE)) {
      std::uint32_t pointer = static_cast<std::uint32_t>(b - 0x81) * 190 + (b2 - (b2 < 0x7F ? 0x40 : 0x41));
      if (pointer < std::size(kGb18030Index)) cp = kGb18030Index[pointer];
    }
    if (cp != 0) {
      emit(cp);
      ++mb;
      i += 2;
    } else {
      error();
      i += b2 < 0x80 ? 1 : 2;  // an ASCII trail byte is re-read
    }
  }
  if (multibyte) *multibyte = mb;
  return errors;
}

void decode_utf16(std::string_view in, bool big_endian, std::string& out) {
  std::size_t i = 0;
  std::uint32_t lead = 0;
  for (; i + 1 < in.size(); i += 2) {
    unsigned char a = static_cast<unsigned char>(in[i]), b = static_cast<unsigned char>(in[i + 1]);
    std::uint32_t unit = big_endian ? (a << 8 | b) : (b << 8 | a);
    if (lead) {
      std::uint32_t l = lead;
      lead = 0;
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((l - 0xD800) << 10) + (unit - 0xDC00));
        continue;
      }
      append_utf8(out, kReplacement);  // unpaired lead; this unit is processed normally
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      lead = unit;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      append_utf8(out, kReplacement);
    } else {
      append_utf8(out, unit);
    }
  }
  if (lead || i < in.size()) append_utf8(out, kReplacement);
}

// windows-1252 bytes 0x80..0x9F (the rest are Latin-1).
constexpr std::uint16_t kWindows1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// ICU converter names for the WHATWG encodings decoded through ICU.
const char* icu_name(std::string_view whatwg) {
  if (whatwg == "IBM866") return "ibm-866";
  if (whatwg == "ISO-8859-8-I") return "ISO-8859-8";
  if (whatwg == "Big5") return "Big5-HKSCS";
  if (whatwg == "Shift_JIS") return "windows-31j";
  if (whatwg == "EUC-KR") return "windows-949";
  return nullptr;  // same name in ICU
}

bool decode_with_icu(std::string_view in, const std::string& name, std::string& out) {
  const char* icu = icu_name(name);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, void (*)(UConverter*)> conv(ucnv_open(icu ? icu : name.c_str(), &status),
                                                          ucnv_close);
  if (U_FAILURE(status) || !conv) return false;
  if (in.size() > 0x3FFFFFF0) return false;
  std::vector<UChar> u(in.size() * 2 + 16);
  status = U_ZERO_ERROR;
  int32_t len = ucnv_toUChars(conv.get(), u.data(), static_cast<int32_t>(u.size()), in.data(),
                              static_cast<int32_t>(in.size()), &status);
  if (U_FAILURE(status)) return false;
  std::vector<char> utf8(static_cast<std::size_t>(len) * 3 + 4);
  int32_t out_len = 0;
  status = U_ZERO_ERROR;
  u_strToUTF8WithSub(utf8.data(), static_cast<int32_t>(utf8.size()), &out_len, u.data(), len, 0xFFFD, nullptr,
                     &status);
  if (U_FAILURE(status)) return false;
  out.assign(utf8.data(), static_cast<std::size_t>(out_len));
  return true;
}

// ucsdet names we accept, mapped to WHATWG names. (GB18030 and UTF-8 are decided before.)
std::optional<std::string> icu_detect(std::string_view bytes) {
  bytes = bytes.substr(0, std::min(bytes.size(), kDetectBytes));
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, void (*)(UCharsetDetector*)> det(ucsdet_open(&status), ucsdet_close);
  if (U_FAILURE(status)) return std::nullopt;
  ucsdet_setText(det.get(), bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  int32_t count = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(det.get(), &count, &status);
  if (U_FAILURE(status)) return std::nullopt;
  for (int32_t i = 0; i < count; ++i) {
    UErrorCode s = U_ZERO_ERROR;
    const char* name = ucsdet_getName(matches[i], &s);
    int32_t conf = ucsdet_getConfidence(matches[i], &s);
    if (U_FAILURE(s) || !name || conf < 25) continue;
    std::string_view n(name);
    if (n == "Big5" || n == "Shift_JIS" || n == "EUC-JP" || n == "EUC-KR" || n == "ISO-8859-1" ||
        n == "windows-1252" || n == "UTF-16LE" || n == "UTF-16BE" || n == "windows-1251" || n == "KOI8-R")
      return encoding_for_label(n);
  }
  return std::nullopt;
}

std::string mime_essence(std::string_view content_type) {
  std::size_t semi = content_type.find(';');
  return ascii_lower(trim_ws(content_type.substr(0, semi)));
}

bool is_xml_type(const std::string& essence) {
  return essence == "text/xml" || essence == "application/xml" ||
         (essence.size() > 4 && essence.compare(essence.size() - 4, 4, "+xml") == 0);
}

// --- the meta prescan ----------------------------------------------------------------

// "Get an attribute" (HTML §13.2.3.2); kAbort when the bytes run out.
enum class Attr { kFound, kNone, kAbort };

Attr get_attribute(std::string_view in, std::size_t& pos, std::string& name, std::string& value) {
  const std::size_t n = in.size();
  auto at = [&](std::size_t p) -> int { return p < n ? static_cast<unsigned char>(in[p]) : -1; };
  while (is_ascii_ws(at(pos)) || at(pos) == '/') ++pos;
  if (pos >= n) return Attr::kAbort;
  if (at(pos) == '>') return Attr::kNone;
  name.clear();
  value.clear();
  for (;;) {  // attribute name
    if (pos >= n) return Attr::kAbort;
    int c = at(pos);
    if (c == '=' && !name.empty()) {
      ++pos;
      goto value;
    }
    if (is_ascii_ws(c)) break;
    if (c == '/' || c == '>') return Attr::kFound;
    name += lower(static_cast<char>(c));
    ++pos;
  }
  while (is_ascii_ws(at(pos))) ++pos;  // spaces
  if (pos >= n) return Attr::kAbort;
  if (at(pos) != '=') return Attr::kFound;
  ++pos;
value:
  while (is_ascii_ws(at(pos))) ++pos;
  if (pos >= n) return Attr::kAbort;
  if (int q = at(pos); q == '"' || q == '\'') {
    for (;;) {
      ++pos;
      if (pos >= n) return Attr::kAbort;
      if (at(pos) == q) {
        ++pos;
        return Attr::kFound;
      }
      value += lower(static_cast<char>(at(pos)));
    }
  }
  if (at(pos) == '>') return Attr::kFound;
  for (;;) {
    if (pos >= n) return Attr::kAbort;
    int c = at(pos);
    if (is_ascii_ws(c) || c == '>') return Attr::kFound;
    value += lower(static_cast<char>(c));
    ++pos;
  }
}

// "Extract a character encoding from a meta element" (content="…; charset=…").
std::optional<std::string> encoding_from_meta_content(std::string_view s) {
  std::size_t pos = 0;
  for (;;) {
    std::size_t found = std::string_view::npos;
    for (std::size_t i = pos; i + 7 <= s.size(); ++i)
      if (starts_with_ci(s, i, "charset")) {
        found = i;
        break;
      }
    if (found == std::string_view::npos) return std::nullopt;
    pos = found + 7;
    std::size_t p = pos;
    while (p < s.size() && is_ascii_ws(static_cast<unsigned char>(s[p]))) ++p;
    if (p >= s.size() || s[p] != '=') continue;  // loop again from just after "charset"
    ++p;
    while (p < s.size() && is_ascii_ws(static_cast<unsigned char>(s[p]))) ++p;
    if (p >= s.size()) return std::nullopt;
    char c = s[p];
    if (c == '"' || c == '\'') {
      std::size_t close = s.find(c, p + 1);
      if (close == std::string_view::npos) return std::nullopt;
      return encoding_for_label(s.substr(p + 1, close - p - 1));
    }
    std::size_t end = p;
    while (end < s.size() && !is_ascii_ws(static_cast<unsigned char>(s[end])) && s[end] != ';') ++end;
    return encoding_for_label(s.substr(p, end - p));
  }
}

}  // namespace

std::optional<std::string> encoding_for_label(std::string_view label) {
  std::string l = ascii_lower(trim_ws(label));
  auto it = std::lower_bound(
      std::begin(kEncodingLabels), std::end(kEncodingLabels), l,
      [](const EncodingLabel& e, const std::string& key) { return key.compare(e.label) > 0; });
  if (it != std::end(kEncodingLabels) && l == it->label) return std::string(it->name);
  return std::nullopt;
}

std::optional<std::string> bom_encoding(std::string_view b, std::size_t* bom_len) {
  auto u = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
  std::optional<std::string> enc;
  std::size_t len = 0;
  if (b.size() >= 3 && u(0) == 0xEF && u(1) == 0xBB && u(2) == 0xBF)
    enc = "UTF-8", len = 3;
  else if (b.size() >= 2 && u(0) == 0xFE && u(1) == 0xFF)
    enc = "UTF-16BE", len = 2;
  else if (b.size() >= 2 && u(0) == 0xFF && u(1) == 0xFE)
    enc = "UTF-16LE", len = 2;
  if (bom_len) *bom_len = len;
  return enc;
}

std::optional<std::string> charset_from_content_type(std::string_view ct) {
  // Parameters after the essence: name=value or name="quoted value".
  std::size_t pos = ct.find(';');
  while (pos != std::string_view::npos && pos < ct.size()) {
    ++pos;
    std::size_t eq = ct.find_first_of("=;", pos);
    if (eq == std::string_view::npos) break;
    if (ct[eq] == ';') {
      pos = eq;
      continue;
    }
    std::string name = ascii_lower(trim_ws(ct.substr(pos, eq - pos)));
    std::size_t vstart = eq + 1;
    std::string value;
    std::size_t next;
    if (vstart < ct.size() && ct[vstart] == '"') {
      std::size_t i = vstart + 1;
      for (; i < ct.size() && ct[i] != '"'; ++i) {
        if (ct[i] == '\\' && i + 1 < ct.size()) ++i;
        value += ct[i];
      }
      next = ct.find(';', i);
    } else {
      next = ct.find(';', vstart);
      value =
          std::string(trim_ws(ct.substr(vstart, next == std::string_view::npos ? ct.npos : next - vstart)));
    }
    if (name == "charset") return encoding_for_label(value);
    pos = next;
  }
  return std::nullopt;
}

std::optional<std::string> prescan_meta_charset(std::string_view in, std::size_t max_bytes) {
  in = in.substr(0, std::min(in.size(), max_bytes));
  const std::size_t n = in.size();
  auto at = [&](std::size_t p) -> int { return p < n ? static_cast<unsigned char>(in[p]) : -1; };
  auto is_alpha = [](int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  std::string name, value;
  for (std::size_t pos = 0; pos < n; ++pos) {
    if (in.compare(pos, 4, "<!--") == 0) {
      // To the '>' of the first "-->" after "<!" ("<!-->" closes itself).
      std::size_t end = in.find("-->", pos + 2);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end + 2;
    } else if (starts_with_ci(in, pos, "<meta") && (is_ascii_ws(at(pos + 5)) || at(pos + 5) == '/')) {
      pos += 5;
      std::set<std::string> seen;
      bool got_pragma = false;
      int need_pragma = -1;  // -1 null, 0 false, 1 true
      enum { kNull, kFailure, kValue } charset_state = kNull;
      std::string charset;
      for (;;) {
        Attr r = get_attribute(in, pos, name, value);
        if (r == Attr::kAbort) return std::nullopt;
        if (r == Attr::kNone) break;
        if (!seen.insert(name).second) continue;
        if (name == "http-equiv") {
          if (value == "content-type") got_pragma = true;
        } else if (name == "content") {
          auto enc = encoding_from_meta_content(value);
          if (enc && charset_state == kNull) {
            charset = *enc;
            charset_state = kValue;
            need_pragma = 1;
          }
        } else if (name == "charset") {
          auto enc = encoding_for_label(value);
          charset_state = enc ? kValue : kFailure;
          if (enc) charset = *enc;
          need_pragma = 0;
        }
      }
      if (need_pragma == -1 || (need_pragma == 1 && !got_pragma) || charset_state != kValue) continue;
      if (charset == "UTF-16BE" || charset == "UTF-16LE") charset = "UTF-8";
      if (charset == "x-user-defined") charset = "windows-1252";
      return charset;
    } else if (at(pos) == '<' && (is_alpha(at(pos + 1)) || (at(pos + 1) == '/' && is_alpha(at(pos + 2))))) {
      while (pos < n && !is_ascii_ws(at(pos)) && at(pos) != '>') ++pos;
      if (pos >= n) return std::nullopt;
      for (;;) {
        Attr r = get_attribute(in, pos, name, value);
        if (r == Attr::kAbort) return std::nullopt;
        if (r == Attr::kNone) break;
      }
    } else if (in.compare(pos, 2, "<!") == 0 || in.compare(pos, 2, "</") == 0 ||
               in.compare(pos, 2, "<?") == 0) {
      std::size_t end = in.find('>', pos + 1);
      if (end == std::string_view::npos) return std::nullopt;
      pos = end;
    }
  }
  return std::nullopt;
}

std::optional<std::string> xml_declared_encoding(std::string_view in) {
  in = in.substr(0, std::min(in.size(), kPrescanBytes));
  if (in.compare(0, 5, "<?xml") != 0) return std::nullopt;
  std::size_t end = in.find("?>");
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view decl = in.substr(0, end);
  std::size_t e = decl.find("encoding");
  if (e == std::string_view::npos) return std::nullopt;
  std::size_t p = e + 8;
  while (p < decl.size() && is_ascii_ws(static_cast<unsigned char>(decl[p]))) ++p;
  if (p >= decl.size() || decl[p] != '=') return std::nullopt;
  ++p;
  while (p < decl.size() && is_ascii_ws(static_cast<unsigned char>(decl[p]))) ++p;
  if (p >= decl.size() || (decl[p] != '"' && decl[p] != '\'')) return std::nullopt;
  std::size_t close = decl.find(decl[p], p + 1);
  if (close == std::string_view::npos) return std::nullopt;
  auto enc = encoding_for_label(decl.substr(p + 1, close - p - 1));
  // A UTF-16 declaration in a byte stream we could read as ASCII is wrong: use UTF-8.
  if (enc && (*enc == "UTF-16BE" || *enc == "UTF-16LE")) return std::string("UTF-8");
  return enc;
}

bool is_valid_utf8(std::string_view bytes, bool allow_truncated) {
  if (allow_truncated) {
    // Drop an incomplete sequence at the end (at most 3 bytes).
    std::size_t n = bytes.size(), k = 0;
    while (k < 3 && k < n && (static_cast<unsigned char>(bytes[n - 1 - k]) & 0xC0) == 0x80) ++k;
    if (k < n) {
      unsigned char lead = static_cast<unsigned char>(bytes[n - 1 - k]);
      std::size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
      if (lead >= 0xC0 && k + 1 < want) bytes = bytes.substr(0, n - 1 - k);
    }
  }
  return decode_utf8(bytes, nullptr) == 0;
}

std::optional<std::string> detect_encoding(std::string_view bytes) {
  std::string_view head = bytes.substr(0, std::min(bytes.size(), kDetectBytes));
  if (std::all_of(head.begin(), head.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return std::nullopt;
  bool cut = head.size() < bytes.size();
  if (is_valid_utf8(head, /*allow_truncated=*/true)) return std::string("UTF-8");
  (void)cut;
  // Chinese government pages without a label are GBK/GB18030 far more often than
  // anything else: accept GB18030 if (nearly) every non-ASCII sequence decodes.
  std::size_t multibyte = 0;
  std::size_t errors = decode_gb18030(head, nullptr, &multibyte);
  if (multibyte > 0 && errors * 50 <= multibyte) return std::string("gb18030");
  return icu_detect(head);
}

std::string decode_to_utf8(std::string_view bytes, std::string_view encoding) {
  std::string name = encoding_for_label(encoding).value_or("UTF-8");
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  if (name == "UTF-8") {
    decode_utf8(bytes, &out);
  } else if (name == "GBK" || name == "gb18030") {
    decode_gb18030(bytes, &out);
  } else if (name == "UTF-16LE" || name == "UTF-16BE") {
    decode_utf16(bytes, name == "UTF-16BE", out);
  } else if (name == "windows-1252") {
    for (char ch : bytes) {
      unsigned char c = static_cast<unsigned char>(ch);
      append_utf8(out, c >= 0x80 && c <= 0x9F ? kWindows1252High[c - 0x80] : c);
    }
  } else if (name == "x-user-defined") {
    for (char ch : bytes) {
      unsigned char c = static_cast<unsigned char>(ch);
      append_utf8(out, c < 0x80 ? c : 0xF780 + c - 0x80);
    }
  } else if (name == "replacement") {
    if (!bytes.empty()) append_utf8(out, kReplacement);
  } else if (!decode_with_icu(bytes, name, out)) {
    out.clear();
    decode_utf8(bytes, &out);
  }
  return out;
}

namespace {

// Code point -> gb18030 index pointer (the first pointer for a code point), built once.
const std::vector<std::pair<std::uint16_t, std::uint16_t>>& gb18030_reverse() {
  static const auto table = [] {
    std::vector<std::pair<std::uint16_t, std::uint16_t>> v;
    for (std::size_t p = 0; p < std::size(kGb18030Index); ++p)
      if (kGb18030Index[p]) v.emplace_back(kGb18030Index[p], static_cast<std::uint16_t>(p));
    std::stable_sort(v.begin(), v.end(), [](auto a, auto b) { return a.first < b.first; });
    return v;
  }();
  return table;
}

bool encode_gb18030(std::uint32_t cp, bool gbk, std::string* out) {
  if (cp < 0x80) return out->push_back(static_cast<char>(cp)), true;
  if (cp == 0xE5E5) return false;
  if (gbk && cp == 0x20AC) return out->push_back('\x80'), true;
  if (cp <= 0xFFFF) {
    const auto& rev = gb18030_reverse();
    auto it =
        std::lower_bound(rev.begin(), rev.end(), cp, [](auto e, std::uint32_t c) { return e.first < c; });
    if (it != rev.end() && it->first == cp) {
      unsigned p = it->second, trail = p % 190;
      out->push_back(static_cast<char>(p / 190 + 0x81));
      out->push_back(static_cast<char>(trail + (trail < 0x3F ? 0x40 : 0x41)));
      return true;
    }
  }
  if (gbk) return false;
  std::uint32_t pointer;
  if (cp == 0xE7C7) {
    pointer = 7457;
  } else if (cp >= 0x10000) {
    pointer = 189000 + (cp - 0x10000);
  } else {
    std::size_t k = 0;
    for (std::size_t i = 0; i < std::size(kGb18030Ranges); ++i) {
      if (kGb18030Ranges[i][1] <= cp)
        k = i;
      else
        break;
    }
    pointer = kGb18030Ranges[k][0] + cp - kGb18030Ranges[k][1];
    // The 2024 index moved 18 PUA code points (U+E78D…) out of both tables; the linear
    // formula would give a sequence that decodes to another character: unencodable.
    if (gb18030_ranges_code_point(pointer) != cp) return false;
  }
  out->push_back(static_cast<char>(pointer / 12600 + 0x81));
  pointer %= 12600;
  out->push_back(static_cast<char>(pointer / 1260 + 0x30));
  pointer %= 1260;
  out->push_back(static_cast<char>(pointer / 10 + 0x81));
  out->push_back(static_cast<char>(pointer % 10 + 0x30));
  return true;
}

bool encode_with_icu(std::uint32_t cp, const std::string& name, std::string* out) {
  const char* icu = icu_name(name);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, void (*)(UConverter*)> conv(ucnv_open(icu ? icu : name.c_str(), &status),
                                                          ucnv_close);
  if (U_FAILURE(status) || !conv) return false;
  ucnv_setFromUCallBack(conv.get(), UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  UChar u[2];
  int32_t ulen = 0;
  if (cp >= 0x10000)
    u[0] = static_cast<UChar>(0xD7C0 + (cp >> 10)), u[1] = static_cast<UChar>(0xDC00 | (cp & 0x3FF)),
    ulen = 2;
  else
    u[0] = static_cast<UChar>(cp), ulen = 1;
  char buf[32];
  status = U_ZERO_ERROR;
  int32_t n = ucnv_fromUChars(conv.get(), buf, sizeof buf, u, ulen, &status);
  if (U_FAILURE(status) || n <= 0) return false;
  out->append(buf, static_cast<std::size_t>(n));
  return true;
}

}  // namespace

bool encode_code_point(std::uint32_t cp, std::string_view encoding, std::string* out) {
  std::string name = encoding_for_label(encoding).value_or("UTF-8");
  if (name == "UTF-16BE" || name == "UTF-16LE" || name == "replacement") name = "UTF-8";
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (name == "ISO-2022-JP" && (cp == 0x0E || cp == 0x0F || cp == 0x1B)) return false;
  if (name == "UTF-8" || (cp < 0x80 && name != "ISO-2022-JP")) {
    append_utf8(*out, cp);
    return true;
  }
  if (name == "gb18030" || name == "GBK") return encode_gb18030(cp, name == "GBK", out);
  if (name == "windows-1252") {
    if (cp >= 0xA0 && cp <= 0xFF) return out->push_back(static_cast<char>(cp)), true;
    for (int i = 0; i < 32; ++i)
      if (kWindows1252High[i] == cp) return out->push_back(static_cast<char>(0x80 + i)), true;
    return false;
  }
  if (name == "x-user-defined") {
    if (cp >= 0xF780 && cp <= 0xF7FF) return out->push_back(static_cast<char>(cp - 0xF780 + 0x80)), true;
    return false;
  }
  if (name == "Shift_JIS" || name == "EUC-JP") {  // the standard's pre-mappings for JIS
    if (cp == 0xA5) return out->push_back('\x5C'), true;
    if (cp == 0x203E) return out->push_back('\x7E'), true;
    if (cp == 0x2212) cp = 0xFF0D;
  }
  return encode_with_icu(cp, name, out);
}

DecodedBody decode_body(std::string_view body, std::string_view content_type, const CharsetOptions& options) {
  DecodedBody d;
  std::size_t bom_len = 0;
  if (auto enc = bom_encoding(body, &bom_len)) {
    d.charset = *enc;
    d.source = "bom";
    body.remove_prefix(bom_len);
  } else if (auto h = charset_from_content_type(content_type)) {
    d.charset = *h;
    d.source = "header";
  } else {
    std::string essence = mime_essence(content_type);
    std::optional<std::string> declared;
    if (is_xml_type(essence))
      declared = xml_declared_encoding(body);
    else if (essence.empty() || essence == "text/html" || essence == "application/xhtml+xml" ||
             essence == "text/plain")
      declared = prescan_meta_charset(body);
    if (declared) {
      d.charset = *declared;
      d.source = "meta";
    } else if (auto guess = detect_encoding(body)) {
      d.charset = *guess;
      d.source = "detector";
    } else {
      d.charset = "UTF-8";
      d.source = "default";
    }
  }
  if (options.correct_mislabels && (d.source == "header" || d.source == "meta")) {
    std::string_view head = body.substr(0, std::min(body.size(), kDetectBytes));
    if (d.charset == "UTF-8" && !is_valid_utf8(head, true)) {
      std::size_t multibyte = 0;
      std::size_t errors = decode_gb18030(head, nullptr, &multibyte);
      if (multibyte > 0 && errors * 50 <= multibyte) d.charset = "gb18030", d.source = "detector";
    } else if (d.charset == "GBK" || d.charset == "gb18030") {
      std::size_t non_ascii = std::count_if(head.begin(), head.end(),
                                            [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      if (non_ascii >= 16 && is_valid_utf8(head, true)) d.charset = "UTF-8", d.source = "detector";
    }
  }
  d.text = decode_to_utf8(body, d.charset);
  return d;
}

bool is_text_content_type(std::string_view content_type) {
  std::string e = mime_essence(content_type);
  if (e.empty() || e.rfind("text/", 0) == 0 || is_xml_type(e)) return true;
  for (const char* t : {"application/json", "application/javascript", "application/x-javascript",
                        "application/ecmascript", "application/csv", "application/x-www-form-urlencoded"})
    if (e == t) return true;
  return e.size() > 5 && e.compare(e.size() - 5, 5, "+json") == 0;
}

void decode_fetch_result(FetchResult& r) {
  std::string ct;
  for (const auto& [k, v] : r.response_headers)
    if (ascii_lower(k) == "content-type") ct = v;  // the last one wins
  r.text.clear();
  r.charset.clear();
  r.charset_source.clear();
  if (!is_text_content_type(ct)) return;
  // Without a type, a NUL byte early on means binary (RFC 7231 sniffing, roughly).
  if (ct.empty() && r.body.substr(0, 1024).find('\0') != std::string::npos) return;
  DecodedBody d = decode_body(r.body, ct);
  r.text = std::move(d.text);
  r.charset = std::move(d.charset);
  r.charset_source = std::move(d.source);
}

}  // namespace odh
