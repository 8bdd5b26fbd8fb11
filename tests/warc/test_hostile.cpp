// Hostile input: mutated and cut sample files, random bytes. The reader must either read
// records or throw WarcError naming the file — never crash, hang or over-allocate (ASan/UBSan
// in CI). parse_http never throws.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "warc/warc.h"

using namespace odh::warc;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

// Reads everything; returns "" or the error. Fails the test on any other exception.
std::string read_everything(const std::string& path, const ReaderOptions& opt = {}) {
  try {
    WarcReader r(path, opt);
    Record rec;
    int n = 0;
    while (r.next(&rec)) {
      verify_digests(rec);
      if (rec.is_http()) rec.http();
      REQUIRE(++n < 100000);
    }
    return "";
  } catch (const WarcError& e) {
    CHECK(e.file == path);
    CHECK(std::string(e.what()).rfind(path + ": offset ", 0) == 0);
    return e.reason;
  }
}

}  // namespace

TEST_CASE("hostile: mutated samples never crash the reader") {
  fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "warc" / "hostile";
  fs::create_directories(dir);
  std::string base = std::string(ODH_SHARED_DIR) + "/peer-tests/warc-samples/";
  std::mt19937_64 rng(2024);
  int errors = 0, total = 0;
  for (const char* name :
       {"warcio-example.warc", "warcio-example.warc.gz", "iipc-hello-world.warc.gz",
        "warcio-example-iana.org-chunked.warc", "warcio-example-bad-non-chunked.warc.gz"}) {
    std::string data = slurp(base + name);
    REQUIRE(!data.empty());
    std::string path = (dir / (std::string("m-") + name)).string();
    for (int i = 0; i < 150; ++i) {
      std::string m = data;
      switch (i % 5) {
        case 0:  // flip a few bytes
          for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k)
            m[rng() % m.size()] ^= static_cast<char>(1 + rng() % 255);
          break;
        case 1:  // cut
          m.resize(rng() % m.size());
          break;
        case 2: {  // huge or bogus Content-Length
          auto p = m.find("Content-Length: ");
          if (p != std::string::npos) m.insert(p + 16, i % 2 ? "99999999999" : "-");
          break;
        }
        case 3:  // duplicate a random slice
          m.insert(rng() % m.size(), m.substr(rng() % m.size(), 200));
          break;
        case 4:  // random bytes appended
          for (int k = 0; k < 64; ++k) m += static_cast<char>(rng());
          break;
      }
      spit(path, m);
      ++total;
      if (!read_everything(path).empty()) ++errors;
      // Repair never throws on content, and what it keeps reads without error.
      RepairResult res = repair_tail(path);
      CHECK(res.new_size <= res.old_size);
      if (name[std::strlen(name) - 1] == 'z') CHECK(read_everything(path) == "");
    }
  }
  CHECK(errors > 0);  // the mutations do hit
  CHECK(errors < total);
}

TEST_CASE("hostile: limits on header and block size") {
  fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "warc" / "hostile";
  fs::create_directories(dir);
  std::string path = (dir / "limits.warc").string();
  spit(path, "WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x') +
                 "\r\n\r\n");
  ReaderOptions small;
  small.max_block_bytes = 4096;
  CHECK(read_everything(path, small) == "block of 5000 bytes is over the limit of 4096");
  CHECK(read_everything(path) == "");
  spit(path, "WARC/1.1\r\nX: " + std::string(3000, 'y') + "\r\n\r\n");
  small.max_header_bytes = 1024;
  CHECK(read_everything(path, small).find("WARC header too long") == 0);
  spit(path, "WARC/1.1\r\nWARC-Type: resource\r\n\r\n");
  CHECK(read_everything(path) == "WARC record without Content-Length");
  spit(path, "WARC/1.1\r\nno colon here\r\n\r\n");
  CHECK(read_everything(path).find("bad WARC header line") == 0);
  spit(path, "HTTP/1.1 200 OK\r\n\r\n");
  CHECK(read_everything(path).find("expected a WARC/1.x version line") == 0);
  spit(path, std::string("\x1f\x8b\x08\x00garbage", 11));
  CHECK(read_everything(path).find("gzip member") != std::string::npos);
  spit(path, "");
  CHECK(read_everything(path) == "");  // an empty file has no records
}

TEST_CASE("hostile: parse_http on random and odd input") {
  std::mt19937 rng(5);
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    int n = static_cast<int>(rng() % 200);
    const char* parts[] = {"HTTP/1.1 200 OK\r\n",
                           "Transfer-Encoding: chunked\r\n",
                           "\r\n",
                           "ffffffffffffffff\r\n",
                           "5\r\nhello\r\n",
                           "0\r\n\r\n",
                           "Content-Length: 12\r\n",
                           ":\r\n",
                           "x",
                           "\n"};
    while (static_cast<int>(s.size()) < n) s += parts[rng() % 10];
    HttpMessage m = parse_http(s);
    CHECK(m.head_bytes <= s.size());
  }
  auto m = parse_http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc");
  CHECK(m.error == "bad chunk size 'zz'");
  m = parse_http("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
  CHECK(m.error == "truncated chunk: 16 bytes announced, 3 present");
  CHECK(m.body == "abc");
  m = parse_http(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: "
      "x\r\n\r\n");
  CHECK(m.error == "");
  CHECK(m.body == "abcde");
  m = parse_http("GET /x?y=1 HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n");
  CHECK(m.is_request);
  CHECK(m.target == "/x?y=1");
  CHECK(find_field(m.headers, "host") == "a folded");
  m = parse_http("HTTP/2 404\r\ncontent-type: text/html\r\n\r\n");
  CHECK(m.status == 404);
  CHECK(m.protocol == "HTTP/2");
  CHECK(parse_http("").error == "empty HTTP message");
  CHECK(parse_http("HTTP/1.1 200 OK\r\nA: b\r\n").error == "HTTP head not terminated by an empty line");
}

TEST_CASE("dates and ids") {
  Clock::time_point t;
  REQUIRE(parse_warc_date("2024-02-29T23:59:58.123456Z", &t));
  CHECK(format_warc_date(t) == "2024-02-29T23:59:58.123456Z");
  CHECK(format_warc_date(t, 0) == "2024-02-29T23:59:58Z");
  CHECK(format_warc_date(t, 3) == "2024-02-29T23:59:58.123Z");
  REQUIRE(parse_warc_date("2017-03-06T04:02:06Z", &t));
  CHECK(format_warc_date(t, 0) == "2017-03-06T04:02:06Z");
  REQUIRE(parse_warc_date("2017", &t));
  CHECK(format_warc_date(t, 0) == "2017-01-01T00:00:00Z");
  CHECK_FALSE(parse_warc_date("2017-13-01T00:00:00Z", &t));
  CHECK_FALSE(parse_warc_date("yesterday", &t));
  CHECK_FALSE(parse_warc_date("2017-03-06T04:02:06", &t));
  std::string id = new_record_id();
  CHECK(id.size() == 47);
  CHECK(id.rfind("<urn:uuid:", 0) == 0);
  CHECK(id[24] == '4');  // version 4
  CHECK(new_record_id() != id);
  CHECK(sha1_digest("") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  CHECK(sha1_digest("abc") == "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
}

TEST_CASE("parse_http: a request's body is framed by RFC 9112, not by what follows its head") {
  // What an archive held when curl re-sent a request on a new connection: the head twice.
  const std::string get = "GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n";
  HttpMessage g = parse_http(get + get);
  CHECK(g.is_request);
  CHECK(g.body.empty());
  CHECK(!g.error.empty());
  CHECK(parse_http(get).error.empty());
  const std::string post = "POST /d HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nid=";
  HttpMessage p = parse_http(post + post);
  CHECK(p.body == "id=");
  CHECK(!p.error.empty());
  CHECK(parse_http(post).body == "id=");
  // Responses keep every byte after the head (the transport already framed them).
  CHECK(parse_http("HTTP/1.1 200 OK\r\n\r\nabc").body == "abc");
}
