// WARC helpers, HTTP block parsing and the writer. The reader and repair: warc_reader.cpp.
#include "warc/warc.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>

namespace odh::warc {

static std::string error_text(const std::string& file, std::uint64_t offset, const std::string& reason) {
  return file + ": offset " + std::to_string(offset) + ": " + reason;
}

WarcError::WarcError(std::string file_, std::uint64_t offset_, std::string reason_)
    : Failure(error_text(file_, offset_, reason_)),
      file(std::move(file_)),
      offset(offset_),
      reason(std::move(reason_)) {}

// ---------------------------------------------------------------------------------------------
// Helpers

static bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view find_field(const Fields& fields, std::string_view name) {
  for (const auto& [k, v] : fields)
    if (iequals(k, name)) return v;
  return {};
}

static std::string base32(const unsigned char* p, std::size_t n) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint64_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (5 - bits)) & 31];
  while (out.size() % 8) out += '=';
  return out;
}

std::string sha1_digest(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr))
    throw Failure("sha1: EVP_Digest failed");
  return "sha1:" + base32(md, len);
}

std::string format_warc_date(Clock::time_point t, int precision) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  if (frac < 0) {  // before 1970: keep the fraction positive
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string s = buf;
  if (precision > 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%06ld", frac);
    s += std::string(f).substr(0, 1 + std::min(precision, 6));
  }
  return s + "Z";
}

bool parse_warc_date(std::string_view s, Clock::time_point* out) {
  // YYYY-MM-DDThh:mm:ss[.f+]Z; WARC 1.1 also allows lower precision (YYYY, YYYY-MM…), which
  // we accept as the start of that period.
  int f[6] = {0, 1, 1, 0, 0, 0};
  static const int kWidth[6] = {4, 2, 2, 2, 2, 2};
  static const char kSep[6] = {0, '-', '-', 'T', ':', ':'};
  std::size_t i = 0;
  int parts = 0;
  for (; parts < 6; ++parts) {
    if (parts > 0) {
      if (i >= s.size() || s[i] != kSep[parts]) break;
      ++i;
    }
    int v = 0;
    for (int k = 0; k < kWidth[parts]; ++k, ++i) {
      if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      v = v * 10 + (s[i] - '0');
    }
    f[parts] = v;
  }
  long micros = 0;
  if (parts == 6 && i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (digits < 6) micros = micros * 10 + (s[i] - '0');
      ++digits, ++i;
    }
    if (digits == 0) return false;
    for (int d = digits; d < 6; ++d) micros *= 10;
  }
  if (parts > 3 && (i >= s.size() || s[i] != 'Z')) return false;
  if (i < s.size() && s[i] == 'Z') ++i;
  if (i != s.size()) return false;
  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 60) return false;
  std::tm tm{};
  tm.tm_year = f[0] - 1900;
  tm.tm_mon = f[1] - 1;
  tm.tm_mday = f[2];
  tm.tm_hour = f[3];
  tm.tm_min = f[4];
  tm.tm_sec = f[5];
  std::time_t secs = timegm(&tm);
  *out = Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(secs) +
                                                                       std::chrono::microseconds(micros)));
  return true;
}

std::string new_record_id() {
  static thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  unsigned char b[16];
  std::uint64_t hi = rng(), lo = rng();
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(hi >> (8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(lo >> (8 * i));
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char s[64];
  std::snprintf(s, sizeof s,
                "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x>", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return s;
}

// ---------------------------------------------------------------------------------------------
// HTTP

static std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Removes chunked framing. Returns "" on success, else the reason (out holds what decoded).
static std::string dechunk(std::string_view in, std::string* out) {
  std::size_t i = 0;
  while (true) {
    std::size_t eol = in.find('\n', i);
    if (eol == std::string_view::npos)
      return "truncated chunked body (no chunk-size line at byte " + std::to_string(i) + ")";
    std::string_view line = trim(in.substr(i, eol - i));
    if (auto semi = line.find(';'); semi != std::string_view::npos) line = trim(line.substr(0, semi));
    if (line.empty() || line.size() > 15) return "bad chunk size '" + std::string(line.substr(0, 20)) + "'";
    std::uint64_t size = 0;
    for (char c : line) {
      int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
              : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                          : -1;
      if (d < 0) return "bad chunk size '" + std::string(line.substr(0, 20)) + "'";
      size = size * 16 + static_cast<unsigned>(d);
    }
    i = eol + 1;
    if (size == 0) return "";  // trailers (if any) are ignored
    if (size > in.size() - i) {
      out->append(in.substr(i));
      return "truncated chunk: " + std::to_string(size) + " bytes announced, " +
             std::to_string(in.size() - i) + " present";
    }
    out->append(in.substr(i, size));
    i += size;
    if (in.substr(i, 2) == "\r\n")
      i += 2;
    else if (in.substr(i, 1) == "\n")
      i += 1;
    else if (i < in.size())
      return "missing CRLF after chunk data";
  }
}

HttpMessage parse_http(std::string_view block, bool headers_only) {
  HttpMessage m;
  std::size_t pos = 0;
  auto next_line = [&](std::string_view* line) {
    if (pos >= block.size()) return false;
    std::size_t eol = block.find('\n', pos);
    if (eol == std::string_view::npos) {
      *line = block.substr(pos);
      pos = block.size();
      return false;  // unterminated
    }
    *line = block.substr(pos, eol - pos);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos = eol + 1;
    return true;
  };
  std::string_view line;
  if (!next_line(&line)) {
    m.error = block.empty() ? "empty HTTP message" : "HTTP head not terminated";
    return m;
  }
  m.start_line = std::string(line);
  if (line.substr(0, 5) == "HTTP/") {
    auto sp = line.find(' ');
    m.protocol = std::string(line.substr(0, sp));
    std::string_view rest = sp == std::string_view::npos ? "" : trim(line.substr(sp + 1));
    int code = 0, digits = 0;
    while (digits < (int)rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])) && digits < 3)
      code = code * 10 + (rest[digits++] - '0');
    if (digits != 3) m.error = "bad status line '" + std::string(line.substr(0, 80)) + "'";
    m.status = code;
  } else {
    m.is_request = true;
    auto sp1 = line.find(' ');
    auto sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1 || line.substr(sp2 + 1, 5) != "HTTP/") {
      m.error = "bad request line '" + std::string(line.substr(0, 80)) + "'";
    } else {
      m.method = std::string(line.substr(0, sp1));
      m.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
      m.protocol = std::string(line.substr(sp2 + 1));
    }
  }
  bool terminated = false;
  while (next_line(&line)) {
    if (line.empty()) {
      terminated = true;
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !m.headers.empty()) {  // obsolete line folding
      m.headers.back().second += " " + std::string(trim(line));
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      if (m.error.empty()) m.error = "bad header line '" + std::string(line.substr(0, 80)) + "'";
      continue;
    }
    m.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                           std::string(trim(line.substr(colon + 1))));
  }
  m.head_bytes = pos;
  if (!terminated) {
    if (m.error.empty()) m.error = "HTTP head not terminated by an empty line";
    return m;
  }
  std::string_view body = block.substr(pos);
  std::string_view te = find_field(m.headers, "Transfer-Encoding");
  bool chunked = false;
  for (std::size_t k = 0; k + 7 <= te.size(); ++k)
    if (iequals(te.substr(k, 7), "chunked")) chunked = true;
  if (chunked && !(headers_only && body.empty())) {
    m.chunked = true;
    std::string why = dechunk(body, &m.body);
    if (!why.empty() && m.error.empty()) m.error = why;
    return m;
  }
  std::string_view cl = find_field(m.headers, "Content-Length");
  if (m.is_request && cl.empty()) {
    // RFC 9112 §6.3: a request with neither Content-Length nor chunked framing has no body. (Bytes
    // after its head are not its body: e.g. the same request sent again on a new connection.)
    if (!body.empty() && m.error.empty()) m.error = std::to_string(body.size()) + " bytes after a request without a body";
    return m;
  }
  m.body = std::string(body);
  if (!cl.empty() && !headers_only && m.status != 304 && m.status != 204 &&
      !(m.status >= 100 && m.status < 200)) {
    std::uint64_t n = 0;
    bool ok = cl.size() <= 18;
    for (char c : cl) ok = ok && std::isdigit(static_cast<unsigned char>(c)), n = n * 10 + (c - '0');
    if (!ok) {
      if (m.error.empty()) m.error = "bad Content-Length '" + std::string(cl.substr(0, 40)) + "'";
    } else if (n > body.size() && m.error.empty()) {
      m.error = "body truncated: Content-Length " + std::to_string(n) + ", " + std::to_string(body.size()) +
                " bytes present";
    } else if (m.is_request && n < body.size()) {
      m.body.resize(n);  // a request's body is its Content-Length (RFC 9112 §6.3)
      if (m.error.empty()) m.error = std::to_string(body.size() - n) + " bytes after the request's body";
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Writer

static const char* kProfileNotModified = "http://netpreserve.org/warc/1.1/revisit/server-not-modified";
static const char* kProfileIdentical = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

static void check_field(const std::string& name, const std::string& value) {
  if (name.empty()) throw std::invalid_argument("WARC field with an empty name");
  for (char c : name)
    if (c <= 32 || c >= 127 || c == ':') throw std::invalid_argument("bad WARC field name '" + name + "'");
  for (char c : value)
    if (c == '\r' || c == '\n') throw std::invalid_argument("WARC field " + name + " has a line break");
}

// Header + block + CRLFCRLF. Content-Length is computed here.
static std::string serialize(const Fields& fields, std::string_view block) {
  std::string s = "WARC/1.1\r\n";
  for (const auto& [k, v] : fields) {
    check_field(k, v);
    s += k + ": " + v + "\r\n";
  }
  s += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n";
  s.append(block);
  s += "\r\n\r\n";
  return s;
}

// Reusing one deflate stream (deflateReset) instead of init/end per record avoids ~300 KB of
// allocation and page faults per record, which dominated the cost of small records.
struct WarcWriter::Deflater {
  z_stream zs{};
  bool ready = false;
  std::string out;
  ~Deflater() {
    if (ready) deflateEnd(&zs);
  }
};

std::string WarcWriter::encode(const std::string& raw) {
  if (opt_.gzip_level <= 0) return raw;
  // zlib's uInt is 32 bits; records above 2 GiB would need chunked deflate — refuse clearly.
  if (raw.size() > (1ull << 31)) throw Failure("WARC record of " + std::to_string(raw.size()) + " bytes is too large");
  if (!zlib_) zlib_ = std::make_unique<Deflater>();
  z_stream& zs = zlib_->zs;
  if (!zlib_->ready) {
    if (deflateInit2(&zs, std::min(opt_.gzip_level, 9), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw Failure("zlib: deflateInit2 failed");
    zlib_->ready = true;
  } else {
    deflateReset(&zs);
  }
  std::string& out = zlib_->out;
  std::size_t bound = deflateBound(&zs, raw.size()) + 32;
  if (out.size() < bound) out.resize(bound);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  if (rc != Z_STREAM_END) throw Failure("zlib: deflate failed");
  std::string member(out.data(), zs.total_out);
  if (out.size() > (8u << 20)) std::string().swap(out);  // do not keep a huge buffer around
  return member;
}

WarcWriter::WarcWriter(WriterOptions options) : opt_(std::move(options)) {
  for (const auto& [k, v] : opt_.info) check_field(k, v);
}

WarcWriter::~WarcWriter() {
  try {
    close();
  } catch (...) {
  }
}

static void write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Failure("cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

void WarcWriter::open_new_file(std::uint64_t) {
  close_file();
  records_in_file_ = 0;
  dir_synced_ = false;
  std::error_code ec;
  std::filesystem::create_directories(opt_.dir, ec);
  auto now = Clock::now();
  std::string stamp = format_warc_date(now, 0);  // 2024-01-02T03:04:05Z → 20240102030405
  std::string compact;
  for (char c : stamp)
    if (std::isdigit(static_cast<unsigned char>(c))) compact += c;
  const char* ext = opt_.gzip_level > 0 ? ".warc.gz" : ".warc";
  std::string name;
  for (int tries = 0; tries < 100000; ++tries) {
    char serial[16];
    std::snprintf(serial, sizeof serial, "%05d", serial_++);
    name = opt_.prefix + "-" + compact + "-" + serial + ext;
    std::string path = (opt_.dir / name).string();
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ >= 0) {
      path_ = path;
      break;
    }
    if (errno != EEXIST) throw Failure("cannot create " + path + ": " + std::strerror(errno));
  }
  if (fd_ < 0) throw Failure("cannot find a free WARC file name in " + opt_.dir.string());
  files_.push_back(path_);
  size_ = 0;

  // Defaults first; a field of options.info with the same name replaces the default.
  Fields fields = {
      {"software", version_string()},
      {"format", "WARC File Format 1.1"},
      {"conformsTo", "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}};
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) == 0 && host[0]) fields.emplace_back("hostname", host);
  for (const auto& [k, v] : opt_.info) {
    bool replaced = false;
    for (auto& f : fields)
      if (iequals(f.first, k)) f.second = v, replaced = true;
    if (!replaced) fields.emplace_back(k, v);
  }
  std::string info;
  for (const auto& [k, v] : fields) info += k + ": " + v + "\r\n";
  warcinfo_id_ = new_record_id();
  WrittenRecord rec;
  rec.type = "warcinfo";
  rec.record_id = warcinfo_id_;
  rec.date = format_warc_date(now);
  Fields f = {{"WARC-Type", "warcinfo"},
              {"WARC-Record-ID", rec.record_id},
              {"WARC-Date", rec.date},
              {"WARC-Filename", name},
              {"WARC-Block-Digest", sha1_digest(info)},
              {"Content-Type", "application/warc-fields"}};
  append(encode(serialize(f, info)), rec);
}

bool WarcWriter::ensure_room(std::uint64_t bytes) {
  // A file always takes at least one record after its warcinfo, so a huge record cannot loop.
  bool rotate = fd_ < 0 || (records_in_file_ > 0 && size_ + bytes > opt_.max_file_bytes);
  if (rotate) open_new_file(bytes);
  ++records_in_file_;
  return rotate;
}

void WarcWriter::close_file() {
  if (fd_ < 0) return;
  int fd = fd_;
  fd_ = -1;
  bool synced = ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 || !synced) throw Failure("cannot fsync/close " + path_ + ": " + std::strerror(err));
  sync_dir();
}

void WarcWriter::sync_dir() {
  // A new file's directory entry must be durable too, or a crash can lose the whole file.
  if (dir_synced_) return;
  int dfd = ::open(opt_.dir.empty() ? "." : opt_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  dir_synced_ = true;
}

WrittenRecord WarcWriter::append(const std::string& stored, WrittenRecord rec) {
  rec.file = path_;
  rec.offset = size_;
  rec.length = stored.size();
  write_all(fd_, stored, path_);
  size_ += stored.size();
  pending_.push_back(rec);
  return rec;
}

// Splits a raw HTTP message at the blank line that ends its head. npos when there is none.
static std::size_t head_end(std::string_view msg) {
  std::size_t p = msg.find("\r\n\r\n");
  std::size_t q = msg.find("\n\n");
  if (p == std::string_view::npos && q == std::string_view::npos) return std::string_view::npos;
  if (q != std::string_view::npos && (p == std::string_view::npos || q < p)) return q + 2;
  return p + 4;
}

CaptureRecords WarcWriter::write_capture(const Capture& c) {
  for (const auto& [k, v] : c.extra) check_field(k, v);
  check_field("WARC-Target-URI", c.url);
  check_field("WARC-IP-Address", c.ip);
  std::string date = format_warc_date(c.time);
  std::string response = c.response;
  HttpMessage http = parse_http(response);
  std::size_t hend = head_end(response);
  if (hend == std::string::npos) hend = response.size();
  // Entity body for the payload digest: chunked framing removed.
  std::string payload;
  if (http.chunked && !c.body_transfer_decoded) {
    payload = http.body;
  } else {
    payload = response.substr(hend);
    if (http.chunked) {  // de-chunked by curl, headers still say chunked: re-frame as one chunk
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", payload.size());
      response = response.substr(0, hend) + (payload.empty() ? "" : size + payload + "\r\n") + "0\r\n\r\n";
    }
  }
  std::string payload_digest = sha1_digest(payload);

  std::string type = "response", profile;
  std::string block = response;
  Fields f;
  std::string response_id = new_record_id(), request_id = new_record_id();
  const Earlier* earlier = nullptr;
  if (http.status == 304) {
    type = "revisit";
    profile = kProfileNotModified;
  } else if (opt_.dedup_identical_payloads && payload.size() >= opt_.dedup_min_bytes && http.error.empty()) {
    auto it = seen_payloads_.find(payload_digest);
    if (it != seen_payloads_.end()) {
      earlier = &it->second;
      type = "revisit";
      profile = kProfileIdentical;
      block = response.substr(0, hend);  // headers only: the payload is in the earlier record
    }
  }
  f.emplace_back("WARC-Type", type);
  f.emplace_back("WARC-Record-ID", response_id);
  f.emplace_back("WARC-Date", date);
  f.emplace_back("WARC-Target-URI", c.url);
  if (!c.ip.empty()) f.emplace_back("WARC-IP-Address", c.ip);
  f.emplace_back("WARC-Concurrent-To", request_id);
  if (!profile.empty()) f.emplace_back("WARC-Profile", profile);
  if (earlier) {
    if (!earlier->record_id.empty()) f.emplace_back("WARC-Refers-To", earlier->record_id);
    f.emplace_back("WARC-Refers-To-Target-URI", earlier->uri);
    f.emplace_back("WARC-Refers-To-Date", earlier->date);
  } else if (type == "revisit") {
    if (!c.refers_to_record_id.empty()) f.emplace_back("WARC-Refers-To", c.refers_to_record_id);
    if (!c.refers_to_uri.empty()) f.emplace_back("WARC-Refers-To-Target-URI", c.refers_to_uri);
    if (!c.refers_to_date.empty()) f.emplace_back("WARC-Refers-To-Date", c.refers_to_date);
  }
  if (c.truncated) f.emplace_back("WARC-Truncated", "length");
  f.emplace_back("WARC-Warcinfo-ID", "");  // filled below (depends on the file)
  f.emplace_back("WARC-Block-Digest", sha1_digest(block));
  if (profile != kProfileNotModified) f.emplace_back("WARC-Payload-Digest", payload_digest);
  for (const auto& e : c.extra) f.push_back(e);
  f.emplace_back("Content-Type", "application/http;msgtype=response");

  Fields rf = {{"WARC-Type", "request"},
               {"WARC-Record-ID", request_id},
               {"WARC-Date", date},
               {"WARC-Target-URI", c.url}};
  if (!c.ip.empty()) rf.emplace_back("WARC-IP-Address", c.ip);
  rf.emplace_back("WARC-Concurrent-To", response_id);
  rf.emplace_back("WARC-Warcinfo-ID", "");
  rf.emplace_back("WARC-Block-Digest", sha1_digest(c.request));
  {
    HttpMessage req = parse_http(c.request);
    rf.emplace_back("WARC-Payload-Digest", sha1_digest(req.error.empty() ? req.body : ""));
  }
  for (const auto& e : c.extra) rf.push_back(e);
  rf.emplace_back("Content-Type", "application/http;msgtype=request");

  // Both records go to the same file: size them first (warcinfo id length is fixed).
  auto render = [&](Fields fields, const std::string& b) {
    for (auto& [k, v] : fields)
      if (k == "WARC-Warcinfo-ID") v = warcinfo_id_.empty() ? new_record_id() : warcinfo_id_;
    return encode(serialize(fields, b));
  };
  // Rendered once; again only when a new file (new warcinfo id) was opened for them.
  std::string stored_response = render(f, block), stored_request = render(rf, c.request);
  if (ensure_room(stored_response.size() + stored_request.size())) {
    stored_response = render(f, block);
    stored_request = render(rf, c.request);
  }
  CaptureRecords out;
  WrittenRecord r;
  r.type = type;
  r.record_id = response_id;
  r.target_uri = c.url;
  r.date = date;
  r.payload_digest = profile == kProfileNotModified ? "" : payload_digest;
  r.profile = profile;
  out.response = append(stored_response, r);
  WrittenRecord q;
  q.type = "request";
  q.record_id = request_id;
  q.target_uri = c.url;
  q.date = date;
  out.request = append(stored_request, q);
  if (type == "response" && payload.size() >= opt_.dedup_min_bytes && http.error.empty() &&
      http.status != 304)
    seen_payloads_.try_emplace(payload_digest, Earlier{c.url, date, response_id});
  return out;
}

WrittenRecord WarcWriter::write_record(const RecordSpec& s) {
  Fields f = {
      {"WARC-Type", s.type}, {"WARC-Record-ID", new_record_id()}, {"WARC-Date", format_warc_date(s.time)}};
  if (!s.target_uri.empty()) f.emplace_back("WARC-Target-URI", s.target_uri);
  f.emplace_back("WARC-Warcinfo-ID", "");
  f.emplace_back("WARC-Block-Digest", sha1_digest(s.block));
  if (s.type == "resource") f.emplace_back("WARC-Payload-Digest", sha1_digest(s.block));
  for (const auto& e : s.extra) f.push_back(e);
  if (!s.content_type.empty()) f.emplace_back("Content-Type", s.content_type);
  auto render = [&] {
    Fields g = f;
    for (auto& [k, v] : g)
      if (k == "WARC-Warcinfo-ID") v = warcinfo_id_.empty() ? new_record_id() : warcinfo_id_;
    return encode(serialize(g, s.block));
  };
  std::string stored = render();
  if (ensure_room(stored.size())) stored = render();
  WrittenRecord r;
  r.type = s.type;
  r.record_id = f[1].second;
  r.date = f[2].second;
  r.target_uri = s.target_uri;
  return append(stored, r);
}

std::vector<WrittenRecord> WarcWriter::flush() {
  if (fd_ >= 0) {
    if (::fsync(fd_) != 0) throw Failure("cannot fsync " + path_ + ": " + std::strerror(errno));
    sync_dir();
  }
  std::vector<WrittenRecord> done;
  done.swap(pending_);
  return done;
}

std::vector<WrittenRecord> WarcWriter::close() {
  close_file();
  std::vector<WrittenRecord> done;
  done.swap(pending_);
  return done;
}

void WarcWriter::remember_payload(const std::string& digest, const std::string& uri,
                                  const std::string& date) {
  seen_payloads_.try_emplace(digest, Earlier{uri, date, ""});
}

}  // namespace odh::warc
