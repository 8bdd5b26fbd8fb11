// Safe output: escaping for every format the reports write, and atomic file writes.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/core.h"
#include "reports/reports.h"
#include "reports/util.h"

namespace odh::reports {

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2 && c < 0xC2) ok = false;  // overlong
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string cut_utf8(std::string_view s, std::size_t max_chars) {
  if (!max_chars) return std::string(s);
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return std::string(s.substr(0, i)) + "…";
      ++chars;
    }
  }
  return std::string(s);
}

std::string html_escape(std::string_view text, std::size_t max_chars) {
  std::string s = cut_utf8(valid_utf8(text), max_chars), out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\0': break;
      default: out += c;
    }
  }
  return out;
}

std::string markdown_text(std::string_view text, std::size_t max_chars) {
  std::string s = cut_utf8(valid_utf8(text), max_chars), out;
  out.reserve(s.size() + 16);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '\\': case '`': case '*': case '_': case '{': case '}': case '[': case ']': case '(': case ')':
      case '#': case '+': case '-': case '!': case '|': case '~':
        out += '\\';
        out += c;
        break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case ':':
        // No autolink (GFM's "http://…", "mailto:…"): escape the scheme's colon.
        out += "\\:";
        break;
      case '\r': break;
      case '\n': case '\t': out += ' '; break;
      case '\0': break;
      default: out += c;
    }
  }
  // "www." autolinks: break the dot.
  for (size_t p = 0; (p = out.find("www.", p)) != std::string::npos; p += 5) out.replace(p + 3, 1, "\\.");
  return out;
}

std::string spreadsheet_text(std::string_view text, std::size_t max_chars) {
  std::string s = cut_utf8(valid_utf8(text), max_chars);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    s.insert(0, "'");
  return s;
}

void write_file_atomic(const std::filesystem::path& path, const std::function<void(std::ostream&)>& fill) {
  namespace fs = std::filesystem;
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp" + std::to_string(getpid()));
  auto fail = [&](const std::string& why) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Failure("cannot write " + path.string() + ": " + why);
  };
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) fail(std::strerror(errno));
    try {
      fill(f);
    } catch (const std::exception& e) {
      f.close();
      fail(e.what());
    }
    f.flush();
    if (!f) fail(errno ? std::strerror(errno) : "write failed");
    f.close();
    if (!f) fail(errno ? std::strerror(errno) : "write failed");
  }
  commit_temp_file(tmp, path);
}

void commit_temp_file(const std::filesystem::path& tmp, const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& why) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Failure("cannot write " + path.string() + ": " + why);
  };
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd < 0) fail(std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail(std::strerror(err));
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail(std::strerror(errno));
}

}  // namespace odh::reports
