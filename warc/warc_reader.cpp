// WARC reader (plain, per-record gzip, single-stream gzip), digest checks and tail repair.
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>

#include "warc/warc.h"

namespace odh::warc {

namespace {

constexpr std::size_t kInChunk = 64 * 1024;
constexpr std::size_t kOutChunk = 64 * 1024;

struct Member {
  std::uint64_t comp_start = 0, decomp_start = 0;
  std::uint64_t comp_end = UINT64_MAX, decomp_end = UINT64_MAX;  // MAX while still open
};

}  // namespace

struct WarcReader::Impl {
  std::string path;
  ReaderOptions opt;
  std::FILE* f = nullptr;
  bool gz = false;
  bool at_eof = false;  // no more decompressed bytes will come

  // compressed input
  std::vector<unsigned char> in = std::vector<unsigned char>(kInChunk);
  std::size_t in_len = 0, in_pos = 0;
  std::uint64_t in_base = 0;  // file offset of in[0]
  bool file_eof = false;
  z_stream zs{};
  bool z_ready = false, member_open = false;
  std::deque<Member> members;

  // decompressed bytes: buf holds [buf_abs, buf_abs + buf.size())
  std::string buf;
  std::uint64_t buf_abs = 0;
  std::uint64_t cur = 0;  // read position (absolute, decompressed)
  std::uint64_t start_offset = 0;

  std::optional<WarcError> failed;
  bool last_unterminated = false;  // the previous record lacked its CRLF CRLF

  ~Impl() {
    if (z_ready) inflateEnd(&zs);
    if (f) std::fclose(f);
  }

  [[noreturn]] void fail(std::uint64_t offset, const std::string& why) {
    failed.emplace(path, offset, why);
    throw *failed;
  }

  std::uint64_t end_abs() const { return buf_abs + buf.size(); }
  std::uint64_t comp_pos() const { return in_base + in_pos; }

  bool read_input() {
    if (file_eof) return false;
    if (in_pos < in_len) return true;
    in_base += in_len;
    in_len = std::fread(in.data(), 1, in.size(), f);
    in_pos = 0;
    if (in_len == 0) {
      if (std::ferror(f)) throw Failure("cannot read " + path + ": " + std::strerror(errno));
      file_eof = true;
      return false;
    }
    return true;
  }

  // Produces more decompressed bytes into buf. False when nothing more can come.
  bool fill() {
    if (at_eof) return false;
    if (!gz) {
      if (!read_input()) return at_eof = true, false;
      buf.append(reinterpret_cast<const char*>(in.data() + in_pos), in_len - in_pos);
      in_pos = in_len;
      return true;
    }
    while (true) {
      if (!member_open) {
        if (!read_input()) return at_eof = true, false;
        // Need two bytes to recognise the next member.
        if (in[in_pos] != 0x1f || (in_pos + 1 < in_len && in[in_pos + 1] != 0x8b)) {
          fail(comp_pos(), "data after the last gzip member is not gzip (byte 0x" + hex(in[in_pos]) + ")");
        }
        if (!z_ready) {
          if (inflateInit2(&zs, 15 + 16) != Z_OK) throw Failure("zlib: inflateInit2 failed");
          z_ready = true;
        } else {
          inflateReset(&zs);
        }
        members.push_back(Member{comp_pos(), end_abs()});
        member_open = true;
      }
      if (!read_input()) fail(members.back().comp_start, "truncated gzip member (file ends inside it)");
      char out[kOutChunk];
      zs.next_in = in.data() + in_pos;
      zs.avail_in = static_cast<uInt>(in_len - in_pos);
      zs.next_out = reinterpret_cast<Bytef*>(out);
      zs.avail_out = sizeof out;
      int rc = inflate(&zs, Z_NO_FLUSH);
      in_pos = in_len - zs.avail_in;
      std::size_t produced = sizeof out - zs.avail_out;
      buf.append(out, produced);
      if (rc == Z_STREAM_END) {
        members.back().comp_end = comp_pos();
        members.back().decomp_end = end_abs();
        member_open = false;
        if (produced) return true;
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        fail(members.back().comp_start,
             std::string("corrupt gzip member: ") + (zs.msg ? zs.msg : "inflate error"));
      if (produced) return true;
    }
  }

  static std::string hex(unsigned char c) {
    char b[4];
    std::snprintf(b, sizeof b, "%02x", c);
    return b;
  }

  // Ensures n bytes from cur are buffered; returns how many are (less only at EOF).
  std::uint64_t want(std::uint64_t n) {
    while (end_abs() - cur < n && fill()) {
    }
    return std::min<std::uint64_t>(n, end_abs() - cur);
  }

  std::string_view view(std::uint64_t n) const { return std::string_view(buf).substr(cur - buf_abs, n); }

  void compact() {
    std::uint64_t drop = cur - buf_abs;
    if (drop > (1 << 20) || drop > buf.size() / 2) {
      buf.erase(0, drop);
      buf_abs = cur;
    }
    while (members.size() > 1 && members.front().decomp_end <= cur) members.pop_front();
  }

  const Member* member_at(std::uint64_t pos) const {
    for (const auto& m : members)
      if (m.decomp_start <= pos && pos < m.decomp_end) return &m;
    return members.empty() ? nullptr : &members.back();
  }

  // Reads one line (through '\n') of at most limit bytes; false at EOF before any byte.
  bool line(std::string_view* out, std::uint64_t limit, std::uint64_t record_offset) {
    std::uint64_t scanned = 0;
    while (true) {
      std::string_view avail = std::string_view(buf).substr(cur - buf_abs);
      std::size_t nl = avail.find('\n', scanned);
      if (nl != std::string_view::npos) {
        *out = avail.substr(0, nl + 1);
        cur += nl + 1;
        return true;
      }
      scanned = avail.size();
      if (scanned > limit)
        fail(record_offset, "WARC header too long (over " + std::to_string(limit) + " bytes)");
      if (!fill()) {
        if (avail.empty()) return false;
        fail(record_offset, "truncated WARC header (file ends inside it)");
      }
    }
  }

  std::uint64_t record_offset_of(std::uint64_t pos, bool* aligned) const {
    if (!gz) {
      *aligned = true;
      return start_offset + pos;
    }
    const Member* m = member_at(pos);
    if (!m) {
      *aligned = true;
      return comp_pos();
    }
    *aligned = m->decomp_start == pos;
    return m->comp_start;
  }

  bool next(Record* r) {
    if (failed) throw *failed;
    *r = Record{};
    // Skip blank lines between records (some writers add extra CRLFs).
    std::uint64_t skipped = 0;
    while (true) {
      if (want(1) == 0) return false;
      char c = buf[cur - buf_abs];
      if (c != '\r' && c != '\n') break;
      ++cur;
      if (++skipped > (1 << 20)) fail(start_offset + cur, "more than 1 MiB of blank lines");
    }
    std::uint64_t rec_start = cur;
    bool aligned = true;
    r->offset = record_offset_of(rec_start, &aligned);
    r->member_aligned = aligned;
    if (!aligned) r->warnings.push_back("record does not start a gzip member (offset is not seekable)");
    std::uint64_t header_bytes = 0;
    std::string_view l;
    if (!line(&l, opt.max_header_bytes, r->offset)) return false;
    std::string_view v = l;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
    if (v.substr(0, 5) != "WARC/" || v.size() > 16)
      fail(r->offset, "expected a WARC/1.x version line, found '" + printable(v.substr(0, 40)) + "'" +
                          (last_unterminated ? " (the previous record's Content-Length looks wrong)" : ""));
    r->version = std::string(v);
    header_bytes += l.size();
    while (true) {
      if (!line(&l, opt.max_header_bytes, r->offset))
        fail(r->offset, "truncated WARC header (file ends inside it)");
      header_bytes += l.size();
      if (header_bytes > opt.max_header_bytes)
        fail(r->offset, "WARC header too long (over " + std::to_string(opt.max_header_bytes) + " bytes)");
      v = l;
      while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
      if (v.empty()) break;
      if ((v[0] == ' ' || v[0] == '\t') && !r->headers.empty()) {  // continuation line
        r->headers.back().second += " " + std::string(trim(v));
        continue;
      }
      auto colon = v.find(':');
      if (colon == std::string_view::npos || colon == 0)
        fail(r->offset, "bad WARC header line '" + printable(v.substr(0, 60)) + "'");
      r->headers.emplace_back(std::string(trim(v.substr(0, colon))), std::string(trim(v.substr(colon + 1))));
    }
    std::string_view cl = find_field(r->headers, "Content-Length");
    if (cl.empty()) fail(r->offset, "WARC record without Content-Length");
    std::uint64_t len = 0;
    if (cl.size() > 18) fail(r->offset, "bad Content-Length '" + printable(cl.substr(0, 30)) + "'");
    for (char c : cl) {
      if (!std::isdigit(static_cast<unsigned char>(c)))
        fail(r->offset, "bad Content-Length '" + printable(cl) + "'");
      len = len * 10 + static_cast<unsigned>(c - '0');
    }
    if (len > opt.max_block_bytes)
      fail(r->offset, "block of " + std::to_string(len) + " bytes is over the limit of " +
                          std::to_string(opt.max_block_bytes));
    std::uint64_t got = want(len);
    if (got < len)
      fail(r->offset, "truncated record: Content-Length " + std::to_string(len) + ", only " +
                          std::to_string(got) + " bytes before end of file");
    r->block = std::string(view(len));
    cur += len;
    // The record ends with CRLF CRLF.
    std::uint64_t t = want(4);
    std::string_view term = view(t);
    last_unterminated = term != "\r\n\r\n";
    if (!last_unterminated) {
      cur += 4;
    } else {
      r->warnings.push_back("record not followed by CRLF CRLF");
      std::size_t k = 0;  // consume what there is of it
      while (k < term.size() && (term[k] == '\r' || term[k] == '\n')) ++k;
      cur += k;
    }
    // Length: up to the end of the member that ends here (gzip), or of the bytes (plain).
    if (!gz) {
      r->length = start_offset + cur - r->offset;
    } else {
      if (member_open && end_abs() == cur) want(end_abs() - cur + 1);  // let the member close
      r->length = 0;
      for (const auto& m : members)
        if (m.decomp_end == cur && m.comp_end != UINT64_MAX && aligned) r->length = m.comp_end - r->offset;
      if (aligned && r->length == 0) r->warnings.push_back("gzip member holds more than this record");
    }
    compact();
    return true;
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }
  static std::string printable(std::string_view s) {
    std::string o;
    for (unsigned char c : s) o += (c >= 32 && c < 127) ? static_cast<char>(c) : '?';
    return o;
  }
};

static std::unique_ptr<WarcReader::Impl> open_impl(const std::filesystem::path& path, ReaderOptions opt,
                                                   std::uint64_t offset) {
  auto impl = std::make_unique<WarcReader::Impl>();
  impl->path = path.string();
  impl->opt = opt;
  impl->f = std::fopen(impl->path.c_str(), "rb");
  if (!impl->f) throw Failure("cannot open " + impl->path + ": " + std::strerror(errno));
  if (offset && std::fseek(impl->f, static_cast<long>(offset), SEEK_SET) != 0)
    throw Failure("cannot seek " + impl->path + " to " + std::to_string(offset));
  impl->in_base = offset;
  impl->start_offset = offset;
  unsigned char magic[2] = {0, 0};
  std::size_t n = std::fread(magic, 1, 2, impl->f);
  impl->gz = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  std::fseek(impl->f, static_cast<long>(offset), SEEK_SET);
  return impl;
}

WarcReader::WarcReader(const std::filesystem::path& path, ReaderOptions options)
    : impl_(open_impl(path, options, 0)), path_(path.string()) {}
WarcReader::~WarcReader() = default;
bool WarcReader::next(Record* out) { return impl_->next(out); }
bool WarcReader::compressed() const { return impl_->gz; }

Record read_record_at(const std::filesystem::path& path, std::uint64_t offset, ReaderOptions options) {
  auto impl = open_impl(path, options, offset);
  Record r;
  if (!impl->next(&r)) throw WarcError(path.string(), offset, "no record at this offset (end of file)");
  return r;
}

// ---------------------------------------------------------------------------------------------
// Record helpers and digests

std::string_view Record::target_uri() const {
  std::string_view u = find_field(headers, "WARC-Target-URI");
  if (u.size() >= 2 && u.front() == '<' && u.back() == '>') u = u.substr(1, u.size() - 2);
  return u;
}

bool Record::is_http() const {
  std::string_view ct = content_type();
  return ct.find("application/http") != std::string_view::npos;
}

static std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// Compares a "algo:value" digest with data. Returns "ok", "mismatch" or "unsupported".
static std::string check_digest(std::string_view label, std::string_view data, std::string* detail,
                                const char* what) {
  auto colon = label.find(':');
  if (colon == std::string_view::npos) return "unsupported";
  std::string algo = lower(label.substr(0, colon));
  std::string value(label.substr(colon + 1));
  const EVP_MD* md = algo == "sha1"     ? EVP_sha1()
                     : algo == "sha256" ? EVP_sha256()
                     : algo == "md5"    ? EVP_md5()
                                        : nullptr;
  if (!md) return "unsupported";
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  std::string hexs;
  for (unsigned i = 0; i < len; ++i) {
    char b[4];
    std::snprintf(b, sizeof b, "%02x", out[i]);
    hexs += b;
  }
  // Writers use base32 (the convention), hex, base64 or base64url: accept each form.
  auto encode = [&](const char* alphabet, int width) {
    std::string o;
    std::uint64_t acc = 0;
    int bits = 0;
    for (unsigned i = 0; i < len; ++i) {
      acc = (acc << 8) | out[i];
      bits += 8;
      while (bits >= width) o += alphabet[(acc >> (bits - width)) & ((1u << width) - 1)], bits -= width;
    }
    if (bits > 0) o += alphabet[(acc << (width - bits)) & ((1u << width) - 1)];
    return o;
  };
  std::string b32 = encode("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 5);
  std::string b64 = encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 6);
  std::string b64url = encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6);
  std::string v = value;
  while (!v.empty() && v.back() == '=') v.pop_back();
  if (v == b64 || v == b64url) return "ok";
  if (lower(v) == hexs || lower(v) == lower(b32)) return "ok";
  if (!detail->empty()) *detail += "; ";
  *detail += std::string(what) + " digest " + std::string(label) + " != computed " + algo + ":" + b32;
  return "mismatch";
}

DigestCheck verify_digests(const Record& r) {
  DigestCheck c;
  if (auto b = find_field(r.headers, "WARC-Block-Digest"); !b.empty())
    c.block = check_digest(b, r.block, &c.detail, "block");
  auto p = find_field(r.headers, "WARC-Payload-Digest");
  if (p.empty() || r.type() == "revisit") return c;
  if (r.is_http()) {
    HttpMessage m = r.http();
    c.payload = check_digest(p, m.body, &c.detail, "payload");
    if (c.payload == "mismatch" && m.chunked) {
      // Some writers digest the payload with its chunked framing: accept that form too.
      std::string d2;
      if (check_digest(p, std::string_view(r.block).substr(m.head_bytes), &d2, "payload") == "ok") {
        c.payload = "ok";
        c.detail.clear();
      }
    }
  } else {
    c.payload = check_digest(p, r.block, &c.detail, "payload");
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Repair

RepairResult repair_tail(const std::filesystem::path& path) {
  RepairResult res;
  std::string p = path.string();
  std::error_code ec;
  res.old_size = std::filesystem::file_size(path, ec);
  if (ec) throw Failure("cannot stat " + p + ": " + ec.message());
  std::uint64_t good_end = 0;
  {
    std::FILE* f = std::fopen(p.c_str(), "rb");
    if (!f) throw Failure("cannot open " + p + ": " + std::strerror(errno));
    unsigned char magic[2] = {0, 0};
    bool gz = std::fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    std::fclose(f);
    if (gz) {
      // Inflate member by member on the raw bytes; the end of the last member that inflates
      // completely (CRC and length checked by zlib) and starts with "WARC/" is the cut point.
      f = std::fopen(p.c_str(), "rb");
      if (!f) throw Failure("cannot open " + p + ": " + std::strerror(errno));
      z_stream zs{};
      inflateInit2(&zs, 15 + 16);
      std::vector<unsigned char> in(kInChunk);
      std::vector<unsigned char> out(kOutChunk);
      std::uint64_t base = 0, member_start = 0;
      std::size_t len = 0, pos = 0;
      bool in_member = false, starts_warc = false, first_out = true;
      while (true) {
        if (pos == len) {
          base += len;
          len = std::fread(in.data(), 1, in.size(), f);
          pos = 0;
          if (len == 0) break;
        }
        if (!in_member) {
          if (in[pos] != 0x1f) {
            res.reason = "bytes after the last gzip member are not gzip";
            break;
          }
          inflateReset(&zs);
          in_member = true;
          member_start = base + pos;
          first_out = true;
          starts_warc = false;
        }
        zs.next_in = in.data() + pos;
        zs.avail_in = static_cast<uInt>(len - pos);
        zs.next_out = out.data();
        zs.avail_out = static_cast<uInt>(out.size());
        int rc = inflate(&zs, Z_NO_FLUSH);
        pos = len - zs.avail_in;
        std::size_t produced = out.size() - zs.avail_out;
        if (first_out && produced) {
          starts_warc = produced >= 5 && std::memcmp(out.data(), "WARC/", 5) == 0;
          first_out = false;
        }
        if (rc == Z_STREAM_END) {
          if (!starts_warc) {
            res.reason =
                "gzip member at offset " + std::to_string(member_start) + " does not hold a WARC record";
            break;
          }
          in_member = false;
          good_end = base + pos;
          ++res.records;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
          res.reason = "corrupt gzip member at offset " + std::to_string(member_start);
          break;
        }
      }
      inflateEnd(&zs);
      std::fclose(f);
      if (in_member && res.reason.empty())
        res.reason = "truncated gzip member at offset " + std::to_string(member_start);
    } else {
      try {
        WarcReader reader(path);
        Record r;
        while (reader.next(&r)) {
          // A record whose closing CRLF CRLF was cut is incomplete too.
          if (!r.warnings.empty() && r.warnings.back() == "record not followed by CRLF CRLF") {
            res.reason = "record at offset " + std::to_string(r.offset) + " is not followed by CRLF CRLF";
            break;
          }
          good_end = r.offset + r.length;
          ++res.records;
        }
      } catch (const WarcError& e) {
        res.reason = e.reason + " (record at offset " + std::to_string(e.offset) + ")";
      }
    }
  }
  res.new_size = good_end;
  if (good_end < res.old_size) {
    if (res.reason.empty()) res.reason = "trailing bytes after the last record";
    int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw Failure("cannot open " + p + " for repair: " + std::strerror(errno));
    if (::ftruncate(fd, static_cast<off_t>(good_end)) != 0 || ::fsync(fd) != 0) {
      int err = errno;
      ::close(fd);
      throw Failure("cannot truncate " + p + ": " + std::strerror(err));
    }
    ::close(fd);
  } else {
    res.reason.clear();
  }
  return res;
}

}  // namespace odh::warc
