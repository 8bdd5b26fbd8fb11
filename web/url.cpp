// WHATWG URL parser: a direct transcription of the spec's "basic URL parser" state
// machine (without state override), its host parser and its serializer.
#include "web/url.h"

#include <libpsl.h>
#include <unicode/uidna.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <cstring>

#include "web/charset.h"

namespace odh {
namespace {

constexpr int kEof = -1;

bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(int c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

bool is_special_scheme(std::string_view s) {
  return s == "http" || s == "https" || s == "ws" || s == "wss" || s == "ftp" || s == "file";
}

// Percent-encode sets (§1.3), as bitmaps over ASCII; bytes >= 0x7F are always encoded.
enum class EncodeSet { kC0, kFragment, kQuery, kSpecialQuery, kPath, kUserinfo };

bool in_set(unsigned char c, EncodeSet set) {
  if (c < 0x20 || c >= 0x7F) return true;
  auto any = [c](const char* chars) { return std::strchr(chars, c) != nullptr; };
  switch (set) {
    case EncodeSet::kC0:
      return false;
    case EncodeSet::kFragment:
      return any(" \"<>`");
    case EncodeSet::kQuery:
      return any(" \"#<>");
    case EncodeSet::kSpecialQuery:
      return any(" \"#<>'");
    case EncodeSet::kPath:
      return any(" \"#<>?^`{}");
    case EncodeSet::kUserinfo:
      return any(" \"#<>?^`{}/:;=@[\\]|");
  }
  return false;
}

void percent_encode_byte(std::string& out, unsigned char c) {
  static const char* kHex = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

void append_encoded(std::string& out, unsigned char c, EncodeSet set) {
  if (in_set(c, set))
    percent_encode_byte(out, c);
  else
    out += static_cast<char>(c);
}

// A Windows drive letter: ASCII alpha then ':' or '|' (normalized: ':' only).
bool is_drive_letter(std::string_view s, bool normalized = false) {
  return s.size() == 2 && is_alpha(s[0]) && (s[1] == ':' || (!normalized && s[1] == '|'));
}

// "starts with a Windows drive letter" (§4.2).
bool starts_with_drive_letter(std::string_view s) {
  if (s.size() < 2 || !is_drive_letter(s.substr(0, 2))) return false;
  return s.size() == 2 || s[2] == '/' || s[2] == '\\' || s[2] == '?' || s[2] == '#';
}

bool is_single_dot(std::string_view s) { return s == "." || ascii_lower(s) == "%2e"; }
bool is_double_dot(std::string_view s) {
  std::string l = ascii_lower(s);
  return l == ".." || l == ".%2e" || l == "%2e." || l == "%2e%2e";
}

// --- hosts -------------------------------------------------------------------------

bool forbidden_host_cp(unsigned char c) {
  return c == 0 || c == '\t' || c == '\n' || c == '\r' || c == ' ' || c == '#' || c == '/' || c == ':' ||
         c == '<' || c == '>' || c == '?' || c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' ||
         c == '|';
}
bool forbidden_domain_cp(unsigned char c) {
  return forbidden_host_cp(c) || c < 0x20 || c == '%' || c == 0x7F;
}

// IPv4 number parser: nullopt = failure; values saturate at 2^32 + 1 (still "too big").
std::optional<std::uint64_t> parse_ipv4_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    radix = 16;
  } else if (s.size() >= 2 && s[0] == '0') {
    s.remove_prefix(1);
    radix = 8;
  }
  if (s.empty()) return 0;
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (radix == 16 && is_hex(c))
      d = hex_value(c);
    else if (radix == 10 && is_digit(c))
      d = c - '0';
    else if (radix == 8 && c >= '0' && c <= '7')
      d = c - '0';
    else
      return std::nullopt;
    v = v * radix + d;
    if (v > (1ull << 32)) v = (1ull << 32) + 1;
  }
  return v;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

bool ends_in_number(std::string_view s) {
  auto parts = split_dots(s);
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  std::string_view last = parts.back();
  if (!last.empty() && std::all_of(last.begin(), last.end(), [](char c) { return is_digit(c); })) return true;
  return parse_ipv4_number(last).has_value();
}

// Returns the serialized IPv4 address, or nullopt.
std::optional<std::string> parse_ipv4(std::string_view s) {
  auto parts = split_dots(s);
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return std::nullopt;
  std::vector<std::uint64_t> nums;
  for (auto p : parts) {
    auto n = parse_ipv4_number(p);
    if (!n) return std::nullopt;
    nums.push_back(*n);
  }
  for (std::size_t i = 0; i + 1 < nums.size(); ++i)
    if (nums[i] > 255) return std::nullopt;
  std::uint64_t limit = 1ull << (8 * (5 - nums.size()));
  if (nums.back() >= limit) return std::nullopt;
  std::uint64_t addr = nums.back();
  for (std::size_t i = 0; i + 1 < nums.size(); ++i) addr += nums[i] << (8 * (3 - i));
  std::string out;
  for (int i = 3; i >= 0; --i) {
    out += std::to_string((addr >> (8 * i)) & 0xFF);
    if (i) out += '.';
  }
  return out;
}

// IPv6 parser (§3.5) + serializer; returns "[...]" or nullopt.
std::optional<std::string> parse_ipv6(std::string_view in) {
  std::array<std::uint16_t, 8> a{};
  int piece = 0, compress = -1;
  std::size_t p = 0;
  auto c = [&](std::size_t i) -> int { return i < in.size() ? static_cast<unsigned char>(in[i]) : kEof; };
  if (c(p) == ':') {
    if (c(p + 1) != ':') return std::nullopt;
    p += 2;
    compress = ++piece;
  }
  while (c(p) != kEof) {
    if (piece == 8) return std::nullopt;
    if (c(p) == ':') {
      if (compress != -1) return std::nullopt;
      ++p;
      compress = ++piece;
      continue;
    }
    int value = 0, length = 0;
    while (length < 4 && is_hex(c(p))) {
      value = value * 16 + hex_value(c(p));
      ++p;
      ++length;
    }
    if (c(p) == '.') {
      if (length == 0) return std::nullopt;
      p -= length;
      if (piece > 6) return std::nullopt;
      int seen = 0;
      while (c(p) != kEof) {
        int v4 = -1;
        if (seen > 0) {
          if (c(p) == '.' && seen < 4)
            ++p;
          else
            return std::nullopt;
        }
        if (!is_digit(c(p))) return std::nullopt;
        while (is_digit(c(p))) {
          int n = c(p) - '0';
          if (v4 == -1)
            v4 = n;
          else if (v4 == 0)
            return std::nullopt;
          else
            v4 = v4 * 10 + n;
          if (v4 > 255) return std::nullopt;
          ++p;
        }
        a[piece] = static_cast<std::uint16_t>(a[piece] * 0x100 + v4);
        ++seen;
        if (seen == 2 || seen == 4) ++piece;
      }
      if (seen != 4) return std::nullopt;
      break;
    } else if (c(p) == ':') {
      ++p;
      if (c(p) == kEof) return std::nullopt;
    } else if (c(p) != kEof) {
      return std::nullopt;
    }
    a[piece++] = static_cast<std::uint16_t>(value);
  }
  if (compress != -1) {
    int swaps = piece - compress;
    piece = 7;
    while (piece != 0 && swaps > 0) {
      std::swap(a[piece], a[compress + swaps - 1]);
      --piece;
      --swaps;
    }
  } else if (piece != 8) {
    return std::nullopt;
  }
  // Serialize: compress the first longest run (length > 1) of zero pieces.
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (a[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && a[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  std::string out = "[";
  bool ignore0 = false;
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (ignore0 && a[i] == 0) continue;
    ignore0 = false;
    if (i == best) {
      out += i == 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    std::string h;
    std::uint16_t v = a[i];
    do {
      h.insert(h.begin(), kHex[v & 15]);
      v >>= 4;
    } while (v);
    out += h;
    if (i != 7) out += ':';
  }
  return out + "]";
}

std::optional<std::string> parse_opaque_host(std::string_view in) {
  std::string out;
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (forbidden_host_cp(c)) return std::nullopt;
    append_encoded(out, c, EncodeSet::kC0);
  }
  return out;
}

std::optional<std::string> parse_host(std::string_view in, bool is_opaque) {
  if (!in.empty() && in[0] == '[') {
    if (in.back() != ']' || in.size() < 2) return std::nullopt;
    return parse_ipv6(in.substr(1, in.size() - 2));
  }
  if (is_opaque) return parse_opaque_host(in);
  std::string domain = decode_to_utf8(percent_decode(in), "UTF-8");  // "UTF-8 decode without BOM"
  auto ascii = domain_to_ascii(domain);
  if (!ascii) return std::nullopt;
  if (ends_in_number(*ascii)) return parse_ipv4(*ascii);
  return ascii;
}

}  // namespace

std::uint16_t default_port(std::string_view s) {
  if (s == "http" || s == "ws") return 80;
  if (s == "https" || s == "wss") return 443;
  if (s == "ftp") return 21;
  return 0;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::string> domain_to_ascii(std::string_view domain) {
  std::string result;
  // The current standard returns an all-ASCII domain lower-cased, without UTS #46
  // validation of "xn--" labels (WPT: "Domain is ASCII, but a label is invalid IDNA").
  bool ascii =
      std::all_of(domain.begin(), domain.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    result = ascii_lower(domain);
  } else {
    UErrorCode status = U_ZERO_ERROR;
    // One UTS #46 instance for the process: CheckBidi, CheckJoiners, non-transitional;
    // UseSTD3ASCIIRules and VerifyDnsLength off (the URL standard's beStrict = false).
    static UIDNA* idna =
        uidna_openUTS46(UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ | UIDNA_NONTRANSITIONAL_TO_ASCII |
                            UIDNA_NONTRANSITIONAL_TO_UNICODE,
                        &status);
    if (idna == nullptr || U_FAILURE(status)) return std::nullopt;
    if (domain.size() > 0x7FFFFFF) return std::nullopt;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    std::vector<char> buf(domain.size() * 4 + 64);
    status = U_ZERO_ERROR;
    int32_t n = uidna_nameToASCII_UTF8(idna, domain.data(), static_cast<int32_t>(domain.size()), buf.data(),
                                       static_cast<int32_t>(buf.size()), &info, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      buf.resize(static_cast<std::size_t>(n) + 1);
      status = U_ZERO_ERROR;
      info = UIDNA_INFO_INITIALIZER;
      n = uidna_nameToASCII_UTF8(idna, domain.data(), static_cast<int32_t>(domain.size()), buf.data(),
                                 static_cast<int32_t>(buf.size()), &info, &status);
    }
    if (U_FAILURE(status)) return std::nullopt;
    // CheckHyphens = false and VerifyDnsLength = false: those errors do not count.
    std::uint32_t ignored = UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG |
                            UIDNA_ERROR_DOMAIN_NAME_TOO_LONG | UIDNA_ERROR_LEADING_HYPHEN |
                            UIDNA_ERROR_TRAILING_HYPHEN | UIDNA_ERROR_HYPHEN_3_4;
    if (info.errors & ~ignored) return std::nullopt;
    result.assign(buf.data(), static_cast<std::size_t>(n));
  }
  if (result.empty()) return std::nullopt;
  for (char c : result)
    if (forbidden_domain_cp(static_cast<unsigned char>(c))) return std::nullopt;
  return result;
}

// --- the basic URL parser ------------------------------------------------------------

class UrlParser {
 public:
  UrlParser(std::string_view input, const Url* base, std::string_view encoding = "") : base_(base) {
    if (!encoding.empty()) encoding_ = encoding_for_label(encoding).value_or("UTF-8");
    // Strip leading/trailing C0 control or space; remove all ASCII tab or newline.
    std::size_t b = 0, e = input.size();
    while (b < e && static_cast<unsigned char>(input[b]) <= 0x20) ++b;
    while (e > b && static_cast<unsigned char>(input[e - 1]) <= 0x20) --e;
    for (std::size_t i = b; i < e; ++i)
      if (input[i] != '\t' && input[i] != '\n' && input[i] != '\r') in_ += input[i];
  }

  std::optional<Url> run();

 private:
  // "Percent-encode after encoding" the query buffer (UTF-8) in encoding_.
  void encode_query(const std::string& buffer, EncodeSet set) {
    std::string text = decode_to_utf8(buffer, "UTF-8"), bytes;
    for (std::size_t i = 0; i < text.size();) {
      unsigned char b = static_cast<unsigned char>(text[i]);
      int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
      std::uint32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
      for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      i += len;
      bytes.clear();
      if (encode_code_point(cp, encoding_, &bytes))
        for (char ch : bytes) append_encoded(*url_.query_, static_cast<unsigned char>(ch), set);
      else  // ISO-2022-JP reports ESC, SO and SI as U+FFFD errors
        *url_.query_ +=
            "%26%23" +
            std::to_string(encoding_ == "ISO-2022-JP" && (cp == 0x0E || cp == 0x0F || cp == 0x1B) ? 0xFFFD
                                                                                                  : cp) +
            "%3B";
    }
  }
  enum class State {
    kSchemeStart,
    kScheme,
    kNoScheme,
    kSpecialRelativeOrAuthority,
    kPathOrAuthority,
    kRelative,
    kRelativeSlash,
    kSpecialAuthoritySlashes,
    kSpecialAuthorityIgnoreSlashes,
    kAuthority,
    kHost,
    kPort,
    kFile,
    kFileSlash,
    kFileHost,
    kPathStart,
    kPath,
    kOpaquePath,
    kQuery,
    kFragment
  };
  int at(std::ptrdiff_t i) const {
    return i >= 0 && i < static_cast<std::ptrdiff_t>(in_.size()) ? static_cast<unsigned char>(in_[i]) : kEof;
  }
  std::string_view remaining() const {  // the code points after the current one
    std::size_t start = static_cast<std::size_t>(p_ + 1);
    return start <= in_.size() ? std::string_view(in_).substr(start) : std::string_view();
  }
  std::string_view from_pointer() const {
    std::size_t start = static_cast<std::size_t>(std::max<std::ptrdiff_t>(p_, 0));
    return start <= in_.size() ? std::string_view(in_).substr(start) : std::string_view();
  }
  bool special() const { return is_special_scheme(url_.scheme_); }
  void shorten_path() {
    if (url_.scheme_ == "file" && url_.path_.size() == 1 && is_drive_letter(url_.path_[0], true)) return;
    if (!url_.path_.empty()) url_.path_.pop_back();
  }

  std::string in_;
  std::string encoding_ = "UTF-8";  // for the query of special URLs
  const Url* base_;
  Url url_;
  std::ptrdiff_t p_ = 0;
};

std::optional<Url> UrlParser::run() {
  State state = State::kSchemeStart;
  std::string buffer;
  bool at_sign_seen = false, inside_brackets = false, password_token_seen = false;
  for (;; ++p_) {
    const int c = at(p_);
    switch (state) {
      case State::kSchemeStart:
        if (is_alpha(c)) {
          buffer += to_lower(static_cast<char>(c));
          state = State::kScheme;
        } else {
          state = State::kNoScheme;
          --p_;
        }
        break;

      case State::kScheme:
        if (is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.') {
          buffer += to_lower(static_cast<char>(c));
        } else if (c == ':') {
          url_.scheme_ = buffer;
          buffer.clear();
          if (url_.scheme_ == "file") {
            state = State::kFile;
          } else if (special() && base_ && base_->scheme_ == url_.scheme_) {
            state = State::kSpecialRelativeOrAuthority;
          } else if (special()) {
            state = State::kSpecialAuthoritySlashes;
          } else if (!remaining().empty() && remaining()[0] == '/') {
            state = State::kPathOrAuthority;
            ++p_;
          } else {
            url_.opaque_path_ = true;
            url_.path_.assign(1, "");
            state = State::kOpaquePath;
          }
        } else {
          buffer.clear();
          state = State::kNoScheme;
          p_ = -1;  // start over from the first code point
        }
        break;

      case State::kNoScheme:
        if (!base_ || (base_->opaque_path_ && c != '#')) return std::nullopt;
        if (base_->opaque_path_ && c == '#') {
          url_.scheme_ = base_->scheme_;
          url_.opaque_path_ = true;
          url_.path_ = base_->path_;
          url_.query_ = base_->query_;
          url_.fragment_ = "";
          state = State::kFragment;
        } else if (base_->scheme_ != "file") {
          state = State::kRelative;
          --p_;
        } else {
          state = State::kFile;
          --p_;
        }
        break;

      case State::kSpecialRelativeOrAuthority:
        if (c == '/' && !remaining().empty() && remaining()[0] == '/') {
          state = State::kSpecialAuthorityIgnoreSlashes;
          ++p_;
        } else {
          state = State::kRelative;
          --p_;
        }
        break;

      case State::kPathOrAuthority:
        if (c == '/') {
          state = State::kAuthority;
        } else {
          state = State::kPath;
          --p_;
        }
        break;

      case State::kRelative:
        url_.scheme_ = base_->scheme_;
        if (c == '/' || (special() && c == '\\')) {
          state = State::kRelativeSlash;
        } else {
          url_.username_ = base_->username_;
          url_.password_ = base_->password_;
          url_.host_ = base_->host_;
          url_.port_ = base_->port_;
          url_.path_ = base_->path_;
          url_.query_ = base_->query_;
          if (c == '?') {
            url_.query_ = "";
            state = State::kQuery;
          } else if (c == '#') {
            url_.fragment_ = "";
            state = State::kFragment;
          } else if (c != kEof) {
            url_.query_.reset();
            shorten_path();
            state = State::kPath;
            --p_;
          }
        }
        break;

      case State::kRelativeSlash:
        if (special() && (c == '/' || c == '\\')) {
          state = State::kSpecialAuthorityIgnoreSlashes;
        } else if (c == '/') {
          state = State::kAuthority;
        } else {
          url_.username_ = base_->username_;
          url_.password_ = base_->password_;
          url_.host_ = base_->host_;
          url_.port_ = base_->port_;
          state = State::kPath;
          --p_;
        }
        break;

      case State::kSpecialAuthoritySlashes:
        if (c == '/' && !remaining().empty() && remaining()[0] == '/') {
          state = State::kSpecialAuthorityIgnoreSlashes;
          ++p_;
        } else {
          state = State::kSpecialAuthorityIgnoreSlashes;
          --p_;
        }
        break;

      case State::kSpecialAuthorityIgnoreSlashes:
        if (c != '/' && c != '\\') {
          state = State::kAuthority;
          --p_;
        }
        break;

      case State::kAuthority:
        if (c == '@') {
          if (at_sign_seen) buffer.insert(0, "%40");
          at_sign_seen = true;
          for (char ch : buffer) {
            if (ch == ':' && !password_token_seen) {
              password_token_seen = true;
              continue;
            }
            append_encoded(password_token_seen ? url_.password_ : url_.username_,
                           static_cast<unsigned char>(ch), EncodeSet::kUserinfo);
          }
          buffer.clear();
        } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special() && c == '\\')) {
          if (at_sign_seen && buffer.empty()) return std::nullopt;
          p_ -= static_cast<std::ptrdiff_t>(buffer.size()) + 1;
          buffer.clear();
          state = State::kHost;
        } else {
          buffer += static_cast<char>(c);
        }
        break;

      case State::kHost:
        if (c == ':' && !inside_brackets) {
          if (buffer.empty()) return std::nullopt;
          auto host = parse_host(buffer, !special());
          if (!host) return std::nullopt;
          url_.host_ = *host;
          buffer.clear();
          state = State::kPort;
        } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special() && c == '\\')) {
          --p_;
          if (special() && buffer.empty()) return std::nullopt;
          auto host = parse_host(buffer, !special());
          if (!host) return std::nullopt;
          url_.host_ = *host;
          buffer.clear();
          state = State::kPathStart;
        } else {
          if (c == '[') inside_brackets = true;
          if (c == ']') inside_brackets = false;
          buffer += static_cast<char>(c);
        }
        break;

      case State::kPort:
        if (is_digit(c)) {
          buffer += static_cast<char>(c);
          if (buffer.size() > 5 && buffer.find_first_not_of('0') != std::string::npos &&
              buffer.size() - buffer.find_first_not_of('0') > 5)
            return std::nullopt;  // > 65535 for sure; keeps the number bounded
        } else if (c == kEof || c == '/' || c == '?' || c == '#' || (special() && c == '\\')) {
          if (!buffer.empty()) {
            unsigned long port = 0;
            for (char d : buffer) port = port * 10 + static_cast<unsigned long>(d - '0');
            if (port > 65535) return std::nullopt;
            if (port == default_port(url_.scheme_) && default_port(url_.scheme_) != 0)
              url_.port_.reset();
            else
              url_.port_ = static_cast<std::uint16_t>(port);
            buffer.clear();
          }
          state = State::kPathStart;
          --p_;
        } else {
          return std::nullopt;
        }
        break;

      case State::kFile:
        url_.scheme_ = "file";
        url_.host_ = "";
        if (c == '/' || c == '\\') {
          state = State::kFileSlash;
        } else if (base_ && base_->scheme_ == "file") {
          url_.host_ = base_->host_;
          url_.path_ = base_->path_;
          url_.query_ = base_->query_;
          if (c == '?') {
            url_.query_ = "";
            state = State::kQuery;
          } else if (c == '#') {
            url_.fragment_ = "";
            state = State::kFragment;
          } else if (c != kEof) {
            url_.query_.reset();
            if (!starts_with_drive_letter(from_pointer()))
              shorten_path();
            else
              url_.path_.clear();
            state = State::kPath;
            --p_;
          }
        } else {
          state = State::kPath;
          --p_;
        }
        break;

      case State::kFileSlash:
        if (c == '/' || c == '\\') {
          state = State::kFileHost;
        } else {
          if (base_ && base_->scheme_ == "file") {
            url_.host_ = base_->host_;
            if (!starts_with_drive_letter(from_pointer()) && !base_->path_.empty() &&
                is_drive_letter(base_->path_[0], true))
              url_.path_.push_back(base_->path_[0]);
          }
          state = State::kPath;
          --p_;
        }
        break;

      case State::kFileHost:
        if (c == kEof || c == '/' || c == '\\' || c == '?' || c == '#') {
          --p_;
          if (is_drive_letter(buffer)) {
            state = State::kPath;  // buffer is kept: it becomes the first path segment
          } else if (buffer.empty()) {
            url_.host_ = "";
            state = State::kPathStart;
          } else {
            auto host = parse_host(buffer, !special());
            if (!host) return std::nullopt;
            if (*host == "localhost") host = "";
            url_.host_ = *host;
            buffer.clear();
            state = State::kPathStart;
          }
        } else {
          buffer += static_cast<char>(c);
        }
        break;

      case State::kPathStart:
        if (special()) {
          state = State::kPath;
          if (c != '/' && c != '\\') --p_;
        } else if (c == '?') {
          url_.query_ = "";
          state = State::kQuery;
        } else if (c == '#') {
          url_.fragment_ = "";
          state = State::kFragment;
        } else if (c != kEof) {
          state = State::kPath;
          if (c != '/') --p_;
        }
        break;

      case State::kPath:
        if (c == kEof || c == '/' || (special() && c == '\\') || c == '?' || c == '#') {
          bool slash = c == '/' || (special() && c == '\\');
          if (is_double_dot(buffer)) {
            shorten_path();
            if (!slash) url_.path_.emplace_back();
          } else if (is_single_dot(buffer) && !slash) {
            url_.path_.emplace_back();
          } else if (!is_single_dot(buffer)) {
            if (url_.scheme_ == "file" && url_.path_.empty() && is_drive_letter(buffer)) buffer[1] = ':';
            url_.path_.push_back(buffer);
          }
          buffer.clear();
          if (c == '?') {
            url_.query_ = "";
            state = State::kQuery;
          } else if (c == '#') {
            url_.fragment_ = "";
            state = State::kFragment;
          }
        } else {
          append_encoded(buffer, static_cast<unsigned char>(c), EncodeSet::kPath);
        }
        break;

      case State::kOpaquePath:
        if (c == '?') {
          url_.query_ = "";
          state = State::kQuery;
        } else if (c == '#') {
          url_.fragment_ = "";
          state = State::kFragment;
        } else if (c == ' ') {
          // A space right before '?' or '#' is encoded so the path never ends in a space.
          std::string_view rest = remaining();
          if (!rest.empty() && (rest[0] == '?' || rest[0] == '#'))
            url_.path_[0] += "%20";
          else
            url_.path_[0] += ' ';
        } else if (c != kEof) {
          append_encoded(url_.path_[0], static_cast<unsigned char>(c), EncodeSet::kC0);
        }
        break;

      case State::kQuery:
        if (c == '#' || c == kEof) {
          EncodeSet set = special() ? EncodeSet::kSpecialQuery : EncodeSet::kQuery;
          if (encoding_ == "UTF-8" || !special() || url_.scheme_ == "ws" || url_.scheme_ == "wss")
            for (char ch : buffer) append_encoded(*url_.query_, static_cast<unsigned char>(ch), set);
          else
            encode_query(buffer, set);
          buffer.clear();
          if (c == '#') {
            url_.fragment_ = "";
            state = State::kFragment;
          }
        } else {
          buffer += static_cast<char>(c);
        }
        break;

      case State::kFragment:
        if (c != kEof) append_encoded(*url_.fragment_, static_cast<unsigned char>(c), EncodeSet::kFragment);
        break;
    }
    // Stop once a state has consumed EOF (a state that stepped back re-reads it).
    if (p_ >= static_cast<std::ptrdiff_t>(in_.size())) break;
  }
  return std::move(url_);
}

std::optional<Url> Url::parse(std::string_view input, const Url* base) {
  return UrlParser(input, base).run();
}

std::optional<Url> Url::parse(std::string_view input, const Url* base, std::string_view query_encoding) {
  return UrlParser(input, base, query_encoding).run();
}

std::optional<Url> Url::parse(std::string_view input, std::string_view base) {
  if (base.empty()) return parse(input, nullptr);
  auto b = parse(base, nullptr);
  if (!b) return std::nullopt;
  return parse(input, &*b);
}

bool Url::is_special() const { return is_special_scheme(scheme_); }

std::string Url::pathname() const {
  if (opaque_path_) return path_.empty() ? "" : path_[0];
  std::string out;
  for (const auto& seg : path_) {
    out += '/';
    out += seg;
  }
  return out;
}

std::string Url::href(bool exclude_fragment) const {
  std::string out = scheme_ + ":";
  if (host_) {
    out += "//";
    if (!username_.empty() || !password_.empty()) {
      out += username_;
      if (!password_.empty()) out += ":" + password_;
      out += '@';
    }
    out += *host_;
    if (port_) out += ":" + std::to_string(*port_);
  } else if (!opaque_path_ && path_.size() > 1 && path_[0].empty()) {
    out += "/.";  // keeps "web+demo:/.//not-a-host/" from reparsing as a host
  }
  out += pathname();
  if (query_) out += "?" + *query_;
  if (!exclude_fragment && fragment_) out += "#" + *fragment_;
  return out;
}

std::string Url::origin() const {
  if (scheme_ == "blob") {
    auto inner = Url::parse(pathname());
    if (inner && (inner->scheme_ == "http" || inner->scheme_ == "https")) return inner->origin();
    return "null";
  }
  if (scheme_ == "http" || scheme_ == "https" || scheme_ == "ws" || scheme_ == "wss" || scheme_ == "ftp") {
    std::string out = scheme_ + "://" + host_.value_or("");
    if (port_) out += ":" + std::to_string(*port_);
    return out;
  }
  return "null";
}

std::string Url::host() const {
  if (!host_) return "";
  return port_ ? *host_ + ":" + std::to_string(*port_) : *host_;
}

std::string Url::port() const { return port_ ? std::to_string(*port_) : ""; }

std::uint16_t Url::effective_port() const { return port_ ? *port_ : default_port(scheme_); }

std::string Url::search() const { return query_ && !query_->empty() ? "?" + *query_ : ""; }
std::string Url::hash() const { return fragment_ && !fragment_->empty() ? "#" + *fragment_ : ""; }

const std::string& Url::query() const {
  static const std::string kEmpty;
  return query_ ? *query_ : kEmpty;
}
const std::string& Url::fragment() const {
  static const std::string kEmpty;
  return fragment_ ? *fragment_ : kEmpty;
}

Url Url::without_fragment() const {
  Url u = *this;
  u.fragment_.reset();
  return u;
}

// --- crawler helpers -----------------------------------------------------------------

std::string crawl_key(const Url& url) { return url.href(/*exclude_fragment=*/true); }

std::optional<std::string> normalize_crawl_url(std::string_view input, std::string_view base,
                                               std::string_view query_encoding) {
  std::optional<Url> b;
  if (!base.empty() && !(b = Url::parse(base))) return std::nullopt;
  auto u = Url::parse(input, b ? &*b : nullptr, query_encoding);
  if (!u || (u->scheme() != "http" && u->scheme() != "https")) return std::nullopt;
  return crawl_key(*u);
}

std::string scope_host(const Url& url) {
  std::string h = url.hostname();
  if (h.size() > 4 && h.compare(0, 4, "www.") == 0) h.erase(0, 4);
  return h;
}

bool same_site_scope(const Url& url, const std::vector<std::string>& site_urls) {
  if (url.scheme() != "http" && url.scheme() != "https") return false;
  std::string h = scope_host(url);
  if (h.empty()) return false;
  for (const auto& s : site_urls) {
    auto site = Url::parse(s);
    if (!site) continue;
    std::string sh = scope_host(*site);
    if (sh.empty()) continue;
    if (h == sh) return true;
    // Subdomain: "a.data.gd.gov.cn" is inside "data.gd.gov.cn" (never for IP hosts).
    if (h.size() > sh.size() + 1 && h.compare(h.size() - sh.size(), sh.size(), sh) == 0 &&
        h[h.size() - sh.size() - 1] == '.' && !ends_in_number(sh) && sh.front() != '[')
      return true;
  }
  return false;
}

bool same_site_scope(std::string_view url, const std::vector<std::string>& site_urls) {
  auto u = Url::parse(url);
  return u && same_site_scope(*u, site_urls);
}

std::string registrable_domain(const std::string& host) {
  if (host.empty() || std::isdigit(static_cast<unsigned char>(host.back())) || host.front() == '[')
    return host;  // IP literal
  // The Public Suffix List of the system (Debian's publicsuffix package, through libpsl), loaded
  // once; libpsl's built-in copy when the file is missing or older. Read-only afterwards: thread-safe.
  static const psl_ctx_t* psl = [] {
    const psl_ctx_t* p = psl_latest(nullptr);
    return p ? p : psl_builtin();
  }();
  const std::string lowered = ascii_lower(host);
  const char* reg = psl ? psl_registrable_domain(psl, lowered.c_str()) : nullptr;
  return reg ? std::string(reg) : lowered;  // a public suffix itself (or no list): the host
}

}  // namespace odh
