// Small deterministic helpers shared by the simulator's families.
#include <iconv.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "sim/family.h"

namespace odh::sim {

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_str(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return mix(h, s.size());
}

// 24 hex chars of hash, then 8 hex chars of (index XOR a per-key mask): reversible.
std::string hex32(std::uint64_t key, std::int64_t i) {
  std::uint32_t mask = static_cast<std::uint32_t>(mix(key, 77));
  char buf[40];
  std::uint64_t a = mix(key, static_cast<std::uint64_t>(i)), b = mix(a, 1);
  std::snprintf(buf, sizeof buf, "%016llx%08llx%08x", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b & 0xffffffffULL),
                static_cast<std::uint32_t>(i) ^ mask);
  return buf;
}

std::string uuid_id(std::uint64_t key, std::int64_t i) {
  std::string h = hex32(key, i);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12);
}

std::optional<std::int64_t> hex32_index(std::uint64_t key, const std::string& id) {
  std::string h;
  for (char c : id)
    if (c != '-') h += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (h.size() != 32) return std::nullopt;
  for (char c : h)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  std::uint32_t mask = static_cast<std::uint32_t>(mix(key, 77));
  std::uint32_t low = static_cast<std::uint32_t>(std::stoul(h.substr(24), nullptr, 16));
  std::int64_t i = static_cast<std::int64_t>(low ^ mask);
  if (hex32(key, i) != h) return std::nullopt;
  return i;
}

std::string esc(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string to_gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK//TRANSLIT", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return utf8;
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t inl = utf8.size(), outl = out.size();
  char* o = out.data();
  while (inl > 0) {
    if (iconv(cd, &in, &inl, &o, &outl) == static_cast<size_t>(-1)) {
      if (errno == EILSEQ || errno == EINVAL) {  // unmappable: emit '?'
        ++in, --inl;
        while (inl > 0 && (static_cast<unsigned char>(*in) & 0xC0) == 0x80) ++in, --inl;
        if (outl > 0) *o++ = '?', --outl;
      } else {
        break;
      }
    }
  }
  iconv_close(cd);
  out.resize(out.size() - outl);
  return out;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

std::string url_decode(const std::string& s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      o += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      o += ' ';
    } else {
      o += s[i];
    }
  }
  return o;
}

std::string commas(std::int64_t n) {
  std::string d = std::to_string(n < 0 ? -n : n), o;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) o += ',';
    o += d[i];
  }
  return n < 0 ? "-" + o : o;
}

std::string date_part(const std::string& dt) { return dt.substr(0, 10); }

std::int64_t epoch_ms(const std::string& dt) {
  std::tm tm{};
  int y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0;
  std::sscanf(dt.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return (static_cast<std::int64_t>(timegm(&tm)) - 8 * 3600) * 1000;  // Beijing time
}

std::string compact_date(const std::string& dt) {
  std::string o;
  for (char c : dt)
    if (std::isdigit(static_cast<unsigned char>(c))) o += c;
  return o;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string o;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) o += sep;
    o += v[i];
  }
  return o;
}

std::int64_t to_int(const std::string& s, std::int64_t def) {
  try {
    std::size_t n = 0;
    long long v = std::stoll(s, &n);
    return n ? v : def;
  } catch (...) {
    return def;
  }
}

std::int64_t jint(const nlohmann::json& j, const char* key, std::int64_t def) {
  if (!j.is_object() || !j.contains(key)) return def;
  const auto& v = j[key];
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number()) return static_cast<std::int64_t>(v.get<double>());
  if (v.is_string()) return to_int(v.get<std::string>(), def);
  return def;
}

std::string jstr(const nlohmann::json& j, const char* key, const std::string& def) {
  if (!j.is_object() || !j.contains(key)) return def;
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return def;
  return v.dump();
}

std::int64_t pages(std::int64_t total, std::int64_t size) { return size > 0 ? (total + size - 1) / size : 0; }

std::pair<std::int64_t, std::int64_t> page_range(std::int64_t total, std::int64_t page, std::int64_t size,
                                                 int page_base) {
  if (size <= 0) size = 10;
  if (size > 1000) size = 1000;  // bounded
  std::int64_t first = (page - page_base) * size;
  if (first < 0 || first >= total) return {0, 0};
  return {first, std::min(total, first + size)};
}

std::string html_page(const std::string& title, const std::string& body, const std::string& charset) {
  return "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"" + charset + "\">\n<title>" + esc(title) +
         "</title>\n</head>\n<body>\n" + body + "\n</body>\n</html>\n";
}

std::string freq_code(const std::string& freq, const std::vector<std::string>& table, int base,
                      const std::string& def) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i] == freq) return std::to_string(static_cast<int>(i) + base);
  return def;
}

std::string Req::param(const std::string& k, const std::string& def) const {
  auto it = params.find(k);
  return it == params.end() ? def : it->second;
}

std::string Req::header(const std::string& k) const {
  auto it = headers.find(k);
  return it == headers.end() ? "" : it->second;
}

nlohmann::json Req::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

std::string Req::field(const std::string& k, const std::string& def) const {
  auto j = json();
  if (j.is_object() && j.contains(k)) {
    const auto& v = j[k];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return def;
    return v.dump();
  }
  return param(k, def);
}

void Resp::not_found() {
  status = 404;
  html(html_page("404 页面不存在", "<h1>404</h1><p>您访问的页面不存在或已被删除。</p>"));
}

void Resp::redirect(const std::string& location, int code) {
  status = code;
  headers.emplace_back("Location", location);
  html(html_page("Redirect", "<a href=\"" + esc(location) + "\">" + esc(location) + "</a>"));
}

}  // namespace odh::sim
