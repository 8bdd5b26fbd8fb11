// Content-Encoding decoding: gzip / x-gzip / deflate (zlib and raw) / br, streaming in any
// chunking, with a hard cap that stops decompression bombs.
#include <brotli/encode.h>
#include <doctest/doctest.h>
#include <zlib.h>

#include <random>

#include "web/content_decoding.h"

using odh::ContentDecoder;
using odh::decode_content;
using odh::DecodeStatus;

namespace {

// windowBits: 15+16 gzip, 15 zlib, -15 raw deflate.
std::string deflate_with(const std::string& in, int window_bits, int level = 6) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string brotli(const std::string& in) {
  std::size_t n = BrotliEncoderMaxCompressedSize(in.size());
  std::string out(n, '\0');
  REQUIRE(BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, in.size(),
                                reinterpret_cast<const uint8_t*>(in.data()), &n,
                                reinterpret_cast<uint8_t*>(out.data())));
  out.resize(n);
  return out;
}

// A gzip stream of `zeros` zero bytes, made by streaming (never holds the plain text).
std::string gzip_bomb(std::size_t zeros) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string block(1 << 20, '\0'), out;
  char buf[1 << 16];
  for (std::size_t done = 0; done < zeros;) {
    std::size_t n = std::min(block.size(), zeros - done);
    done += n;
    zs.next_in = reinterpret_cast<Bytef*>(block.data());
    zs.avail_in = static_cast<uInt>(n);
    int flush = done == zeros ? Z_FINISH : Z_NO_FLUSH;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      deflate(&zs, flush);
      out.append(buf, sizeof buf - zs.avail_out);
    } while (zs.avail_out == 0);
  }
  deflateEnd(&zs);
  return out;
}

std::string text(std::size_t n, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::string s;
  const char* words[] = {"数据", "开放", "portal", "dataset", "<td>", "2024-01-01", "\n", "CSV"};
  while (s.size() < n) s += words[rng() % 8];
  return s;
}

// Decodes in pieces of random size.
DecodeStatus decode_in_pieces(const std::string& enc, const std::string& in, std::size_t cap,
                              std::string* out, unsigned seed) {
  ContentDecoder d(enc, cap);
  std::mt19937 rng(seed);
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t n = std::min<std::size_t>(in.size() - i, 1 + rng() % 700);
    if (!d.feed(std::string_view(in).substr(i, n), out)) return d.status();
    i += n;
  }
  d.finish(out);
  return d.status();
}

}  // namespace

TEST_CASE("content decoding: each encoding, whole and in random pieces") {
  std::string plain = text(200000);
  struct Case {
    const char* enc;
    std::string data;
  } cases[] = {{"gzip", deflate_with(plain, 15 + 16)},
               {"x-gzip", deflate_with(plain, 15 + 16)},
               {"GZip ", deflate_with(plain, 15 + 16)},
               {"deflate", deflate_with(plain, 15)},
               {"deflate", deflate_with(plain, -15)},
               {"br", brotli(plain)},
               {"identity", plain},
               {"", plain},
               {"gzip, br", brotli(deflate_with(plain, 31))}};
  for (const auto& c : cases) {
    CAPTURE(c.enc);
    CHECK(ContentDecoder::supported(c.enc));
    std::string out;
    auto st = decode_content(c.enc, c.data, 10 << 20, &out);
    CHECK(st.ok());
    CHECK(out == plain);
    for (unsigned seed : {1u, 2u, 3u}) {
      std::string out2;
      CHECK(decode_in_pieces(c.enc, c.data, 10 << 20, &out2, seed).ok());
      CHECK(out2 == plain);
    }
    // Byte by byte.
    ContentDecoder d(c.enc, 10 << 20);
    std::string out3;
    for (char ch : c.data.substr(0, 5000)) REQUIRE(d.feed(std::string_view(&ch, 1), &out3));
    CHECK(plain.compare(0, out3.size(), out3) == 0);
  }
}

TEST_CASE("content decoding: a real gzip bomb stops at the cap with too-large") {
  const std::size_t kZeros = 512u << 20;  // 512 MiB of zeros → about 0.5 MiB of gzip
  std::string bomb = gzip_bomb(kZeros);
  CHECK(bomb.size() < 1u << 20);
  const std::size_t kCap = 8u << 20;
  std::string out;
  out.reserve(kCap);
  ContentDecoder d("gzip", kCap);
  bool ok = d.feed(bomb, &out);
  CHECK_FALSE(ok);
  CHECK(d.status().code == "too-large");
  CHECK(d.status().message.find(std::to_string(kCap)) != std::string::npos);
  CHECK(out.size() == kCap);      // exactly the cap, never more
  CHECK(out.capacity() == kCap);  // and no reallocation past it
  CHECK(d.decoded_bytes() == kCap);
  CHECK_FALSE(d.feed("more", &out));  // stays failed
  CHECK(out.size() == kCap);
  // Wrapped twice (gzip of the gzip bomb): the inner stage is capped too.
  std::string twice = deflate_with(bomb, 31);
  std::string out2;
  auto st = decode_content("gzip, gzip", twice, kCap, &out2);
  CHECK(st.code == "too-large");
  CHECK(out2.size() <= kCap);
  // The same bomb under a larger cap decodes fully.
  std::string small = gzip_bomb(1u << 20), out3;
  CHECK(decode_content("gzip", small, 1u << 20, &out3).ok());
  CHECK(out3 == std::string(1u << 20, '\0'));
  std::string out4;
  CHECK(decode_content("gzip", small, (1u << 20) - 1, &out4).code == "too-large");
}

TEST_CASE("content decoding: broken input is reported, not crashed on") {
  std::string plain = text(50000, 9);
  std::string gz = deflate_with(plain, 31);
  std::string out;
  auto st = decode_content("gzip", gz.substr(0, gz.size() / 2), 1 << 20, &out);
  CHECK(st.code == "corrupt");
  CHECK(st.message == "gzip stream truncated");
  CHECK(plain.compare(0, out.size(), out) == 0);  // what decoded is kept

  out.clear();
  std::string bad = gz;
  bad[gz.size() / 2] ^= 0x5a;
  bad[gz.size() / 2 + 1] ^= 0x33;
  st = decode_content("gzip", bad, 1 << 20, &out);
  CHECK(st.code == "corrupt");

  out.clear();
  st = decode_content("gzip", "<html>not compressed</html>", 1 << 20, &out);
  CHECK(st.code == "corrupt");
  CHECK(st.message.find("gzip data error") == 0);

  out.clear();
  st = decode_content("br", "\xff\xff\xff\xff garbage", 1 << 20, &out);
  CHECK(st.code == "corrupt");
  std::string br = brotli(plain);
  out.clear();
  CHECK(decode_content("br", br.substr(0, br.size() - 3), 1 << 20, &out).message ==
        "brotli stream truncated");

  out.clear();
  st = decode_content("compress", "x", 1 << 20, &out);
  CHECK(st.code == "unsupported");
  CHECK_FALSE(ContentDecoder::supported("gzip, zstd"));

  // Empty bodies (HEAD, 204, 304) with an encoding header are fine.
  out.clear();
  CHECK(decode_content("gzip", "", 1 << 20, &out).ok());
  CHECK(decode_content("br", "", 1 << 20, &out).ok());
  CHECK(out.empty());
  // Identity is capped as well.
  CHECK(decode_content("identity", std::string(100, 'x'), 99, &out).code == "too-large");
}

TEST_CASE("content decoding: concatenated gzip members and trailing garbage") {
  std::string a = text(3000, 4), b = text(5000, 5);
  std::string out;
  CHECK(decode_content("gzip", deflate_with(a, 31) + deflate_with(b, 31), 1 << 20, &out).ok());
  CHECK(out == a + b);
  out.clear();
  CHECK(decode_content("gzip", deflate_with(a, 31) + "\r\n\0junk", 1 << 20, &out).ok());  // as browsers do
  CHECK(out == a);
}
