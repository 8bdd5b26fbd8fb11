// Charset sniffing and decoding: unit tests, html5lib encoding/ meta-prescan cases (82),
// the WHATWG label table and the gb18030 index round trip (read at run time).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "web/charset.h"
#include "web/fetch.h"

using namespace odh;
namespace fs = std::filesystem;

namespace {
fs::path enc_dir() { return fs::path(ODH_SHARED_DIR) / "peer-tests" / "whatwg-encoding"; }
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("charset: labels") {
  CHECK(encoding_for_label(" GB2312 ") == "GBK");
  CHECK(encoding_for_label("x-gbk") == "GBK");
  CHECK(encoding_for_label("GB18030") == "gb18030");
  CHECK(encoding_for_label("iso-8859-1") == "windows-1252");
  CHECK(encoding_for_label("utf8") == "UTF-8");
  CHECK_FALSE(encoding_for_label("utf-7"));
  CHECK_FALSE(encoding_for_label(""));
  // Every label of encodings.json resolves to its encoding.
  auto data = nlohmann::json::parse(slurp(enc_dir() / "encodings.json"));
  int n = 0;
  for (const auto& group : data)
    for (const auto& enc : group["encodings"])
      for (const auto& label : enc["labels"]) {
        ++n;
        CHECK(encoding_for_label(label.get<std::string>()) == enc["name"].get<std::string>());
      }
  CHECK(n >= 220);
}

TEST_CASE("charset: sniffing order") {
  std::string gbk = "\xD6\xD0\xCE\xC4";  // "中文" in GBK
  auto d = decode_body("\xEF\xBB\xBFhi", "text/html; charset=gbk");
  CHECK(d.source == "bom");
  CHECK(d.text == "hi");
  d = decode_body("<meta charset=utf-8>" + gbk, "text/html; charset=\"GB2312\"");
  CHECK(d.source == "header");
  CHECK(d.charset == "GBK");
  CHECK(d.text == "<meta charset=utf-8>中文");
  d = decode_body(
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">" + gbk,
      "text/html");
  CHECK(d.source == "meta");
  CHECK(d.charset == "GBK");
  d = decode_body("<?xml version=\"1.0\" encoding=\"GBK\"?><a>" + gbk + "</a>", "application/xml");
  CHECK(d.source == "meta");
  CHECK(d.text == "<?xml version=\"1.0\" encoding=\"GBK\"?><a>中文</a>");
  d = decode_body("<p>" + gbk + gbk + "</p>", "text/html");
  CHECK(d.source == "detector");
  CHECK(d.charset == "gb18030");
  CHECK(d.text == "<p>中文中文</p>");
  d = decode_body("<p>中文</p>", "");
  CHECK(d.source == "detector");
  CHECK(d.charset == "UTF-8");
  d = decode_body("plain ascii", "text/plain");
  CHECK(d.source == "default");
  CHECK(d.charset == "UTF-8");
  // Mislabelled bodies (common on Chinese portals) are corrected unless asked not to.
  d = decode_body("<p>" + gbk + gbk + "</p>", "text/html; charset=utf-8");
  CHECK(d.charset == "gb18030");
  CHECK(d.source == "detector");
  CHECK(d.text == "<p>中文中文</p>");
  d = decode_body("<p>" + gbk + gbk + "</p>", "text/html; charset=utf-8", CharsetOptions{false});
  CHECK(d.charset == "UTF-8");
  CHECK(d.source == "header");
  d = decode_body("<meta charset=gb2312><p>数据开放平台数据开放</p>", "text/html");
  CHECK(d.charset == "UTF-8");
  CHECK(d.text == "<meta charset=gb2312><p>数据开放平台数据开放</p>");
  d = decode_body("<meta charset=gb2312><p>数据</p>", "text/html");  // too little evidence
  CHECK(d.charset == "GBK");
  CHECK(charset_from_content_type("text/html;charset=\"utf-8\"") == "UTF-8");
  CHECK(charset_from_content_type("text/html; foo=bar; CHARSET=Big5") == "Big5");
  CHECK_FALSE(charset_from_content_type("text/html; charset=bogus"));
}

TEST_CASE("charset: decoders produce valid UTF-8") {
  CHECK(decode_to_utf8("a\xFF\xC3\xA9\xE4\xB8", "utf-8") == "a\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD");
  CHECK(decode_to_utf8("\xE0\x80\x41", "utf-8") ==
        "\xEF\xBF\xBD\xEF\xBF\xBD"
        "A");
  CHECK(decode_to_utf8("\x80\x93", "latin1") == "€“");
  CHECK(decode_to_utf8("\x81\x30\x81\x30", "gb18030") == "\xC2\x80");          // U+0080
  CHECK(decode_to_utf8("\x84\x31\xA4\x39", "gb18030") == "\xEF\xBF\xBF");      // U+FFFF
  CHECK(decode_to_utf8("\x90\x30\x81\x30", "gb18030") == "\xF0\x90\x80\x80");  // U+10000
  CHECK(decode_to_utf8("\x81\x40\x81\x41", "gbk") == "丂丄");
  CHECK(decode_to_utf8("\x81\x20", "gbk") == "\xEF\xBF\xBD ");  // ASCII trail re-read
  CHECK(decode_to_utf8("\xFF\xD6", "gbk") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(decode_to_utf8("=\xD8\x3D\xDE\x00", "utf-16be").size() > 0);
  CHECK(decode_to_utf8(std::string("\x3D\xD8\x00\xDE", 4), "utf-16le") == "😀");
  CHECK(decode_to_utf8("\xA4\x40", "big5") == "一");
  CHECK(decode_to_utf8("\x82\xA0", "shift_jis") == "あ");
  CHECK(is_valid_utf8("abc\xE4\xB8", true));
  CHECK_FALSE(is_valid_utf8("abc\xE4\xB8", false));
  // Arbitrary bytes in every encoding decode to valid UTF-8.
  std::string all;
  for (int i = 0; i < 256; ++i)
    for (int j = 0; j < 256; j += 7) all += static_cast<char>(i), all += static_cast<char>(j);
  for (const char* e : {"utf-8", "gbk", "gb18030", "big5", "shift_jis", "euc-jp", "euc-kr", "iso-2022-jp",
                        "windows-1252", "koi8-r", "utf-16le", "utf-16be", "x-user-defined", "replacement"})
    CHECK_MESSAGE(is_valid_utf8(decode_to_utf8(all, e)), e);
}

TEST_CASE("charset: fetch result decoding") {
  FetchResult r;
  r.body = "<p>\xD6\xD0</p>";
  r.response_headers = {{"Content-Type", "text/html;charset=gb2312"}};
  decode_fetch_result(r);
  CHECK(r.text == "<p>中</p>");
  CHECK(r.charset == "GBK");
  CHECK(r.charset_source == "header");
  r.response_headers = {{"content-type", "application/pdf"}};
  decode_fetch_result(r);
  CHECK(r.text.empty());
  CHECK(r.charset.empty());
}

TEST_CASE("charset: html5lib-tests encoding/ meta prescan (82 cases)") {
  fs::path dir = fs::path(ODH_SHARED_DIR) / "peer-tests" / "html5lib-tests" / "encoding";
  int total = 0, pass_1k = 0, pass_64k = 0, beyond_1k = 0;
  for (const char* name : {"tests1.dat", "tests2.dat", "test-yahoo-jp.dat"}) {
    std::string text = slurp(dir / name);
    // Records: "#data\n<bytes>\n#encoding\n<label>\n"; data is everything up to the
    // newline before "#encoding".
    std::size_t pos = 0;
    while ((pos = text.find("#data\n", pos)) != std::string::npos) {
      std::size_t start = pos + 6;
      std::size_t enc = text.find("\n#encoding\n", start);
      REQUIRE(enc != std::string::npos);
      std::string data = text.substr(start, enc - start);
      std::size_t lstart = enc + 11;
      std::string label = text.substr(lstart, text.find('\n', lstart) - lstart);
      pos = lstart;
      ++total;
      auto want = encoding_for_label(label);
      REQUIRE(want);
      // html5lib's harness: no transport layer; BOM, then the prescan, else the
      // default windows-1252. Run with the standard's 1024-byte window and a 64 KiB one.
      auto sniff = [&](std::size_t window) {
        if (auto bom = bom_encoding(data)) return *bom;
        return prescan_meta_charset(data, window).value_or("windows-1252");
      };
      std::string got_1k = sniff(kPrescanBytes), got_64k = sniff(64 * 1024);
      if (got_1k == *want) ++pass_1k;
      if (got_64k == *want)
        ++pass_64k;
      else
        FAIL_CHECK(name << ": want " << *want << " got " << got_64k << " for:\n" << data.substr(0, 200));
      // A miss at 1024 bytes is allowed only when the declaration lies beyond them.
      if (got_1k != *want) {
        ++beyond_1k;
        std::string lower = data;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        CHECK_MESSAGE(lower.find("charset") > kPrescanBytes, name << ": missed within 1024 bytes");
      }
    }
  }
  MESSAGE("html5lib encoding prescan: " << pass_1k << "/" << total << " pass with the 1024-byte window ("
                                        << beyond_1k << " declare after byte 1024); " << pass_64k << "/"
                                        << total << " with a 64 KiB window");
  CHECK(total == 82);
  CHECK(pass_64k == total);
}

TEST_CASE("charset: gb18030 index round trip") {
  std::istringstream idx(slurp(enc_dir() / "index-gb18030.txt"));
  std::string line;
  int total = 0, pass = 0;
  while (std::getline(idx, line)) {
    if (line.empty() || line[0] == '#') continue;
    unsigned pointer = 0, cp = 0;
    if (std::sscanf(line.c_str(), " %u 0x%x", &pointer, &cp) != 2) continue;
    ++total;
    unsigned char lead = static_cast<unsigned char>(pointer / 190 + 0x81);
    unsigned trail = pointer % 190;
    unsigned char tb = static_cast<unsigned char>(trail + (trail < 0x3F ? 0x40 : 0x41));
    std::string bytes{static_cast<char>(lead), static_cast<char>(tb)};
    std::string want;
    char buf[8];
    // Expected UTF-8 for cp (BMP).
    if (cp < 0x800)
      std::snprintf(buf, sizeof buf, "%c%c", 0xC0 | (cp >> 6), 0x80 | (cp & 0x3F));
    else
      std::snprintf(buf, sizeof buf, "%c%c%c", 0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F),
                    0x80 | (cp & 0x3F));
    want = buf;
    if (decode_to_utf8(bytes, "gb18030") == want && decode_to_utf8(bytes, "gbk") == want)
      ++pass;
    else
      FAIL_CHECK("pointer " << pointer);
  }
  // Encoder: every index code point encodes back to bytes that decode to it.
  int enc_pass = 0, enc_total = 0, unencodable = 0;
  for (unsigned cp = 0x80; cp <= 0x10FFFF; cp += (cp < 0x10000 ? 1 : 4099)) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    std::string bytes;
    ++enc_total;
    if (!encode_code_point(cp, "gb18030", &bytes)) {  // U+E5E5 and the 18 PUA code points
      ++unencodable;                                  // the 2024 index no longer maps
      ++enc_pass;
      continue;
    }
    std::string utf8;
    encode_code_point(cp, "utf-8", &utf8);
    if (decode_to_utf8(bytes, "gb18030") == utf8)
      ++enc_pass;
    else
      FAIL_CHECK("encode/decode U+" << std::hex << cp);
  }
  MESSAGE("gb18030 encoder round trip: " << enc_pass << "/" << enc_total << " code points (" << unencodable
                                         << " unencodable)");
  CHECK(unencodable == 19);
  CHECK(enc_pass == enc_total);
  std::string e;
  CHECK_FALSE(encode_code_point(0xE5E5, "gb18030", &e));
  CHECK_FALSE(encode_code_point(0x1F600, "gbk", &e));
  MESSAGE("gb18030 two-byte index: " << pass << "/" << total << " round-trip");
  CHECK(total == 23940);

  // Four-byte ranges: the first code point of every range (and the one before the next
  // range) decodes from the sequence for its pointer.
  std::istringstream rng(slurp(enc_dir() / "index-gb18030-ranges.txt"));
  std::vector<std::pair<unsigned, unsigned>> ranges;
  while (std::getline(rng, line)) {
    unsigned p = 0, c = 0;
    if (!line.empty() && line[0] != '#' && std::sscanf(line.c_str(), " %u 0x%x", &p, &c) == 2)
      ranges.push_back({p, c});
  }
  REQUIRE(ranges.size() == 207);
  auto four = [](unsigned p) {
    std::string s(4, '\0');
    s[3] = static_cast<char>(p % 10 + 0x30), p /= 10;
    s[2] = static_cast<char>(p % 126 + 0x81), p /= 126;
    s[1] = static_cast<char>(p % 10 + 0x30), p /= 10;
    s[0] = static_cast<char>(p + 0x81);
    return s;
  };
  auto utf8 = [](unsigned cp) {
    std::string s;
    if (cp < 0x80)
      s += static_cast<char>(cp);
    else if (cp < 0x800)
      s += static_cast<char>(0xC0 | (cp >> 6)), s += static_cast<char>(0x80 | (cp & 0x3F));
    else if (cp < 0x10000)
      s += static_cast<char>(0xE0 | (cp >> 12)), s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
          s += static_cast<char>(0x80 | (cp & 0x3F));
    else
      s += static_cast<char>(0xF0 | (cp >> 18)), s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
          s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), s += static_cast<char>(0x80 | (cp & 0x3F));
    return s;
  };
  int rchecks = 0, rpass = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    auto [p, c] = ranges[i];
    std::vector<std::pair<unsigned, unsigned>> probes = {{p, c}};
    if (i + 1 < ranges.size() && ranges[i + 1].first > p + 1 && ranges[i + 1].first - 1 <= 39419)
      probes.push_back({ranges[i + 1].first - 1, c + ranges[i + 1].first - 1 - p});
    for (auto [pp, cc] : probes) {
      if (pp == 7457) cc = 0xE7C7;  // the standard's one exception
      if (cc >= 0xD800 && cc <= 0xDFFF) continue;
      ++rchecks;
      if (decode_to_utf8(four(pp), "gb18030") == utf8(cc))
        ++rpass;
      else
        FAIL_CHECK("ranges pointer " << pp);
    }
  }
  // Supplementary planes: pointer 189000 + n -> U+10000 + n.
  for (unsigned n : {0u, 1u, 0xFFFFFu}) {
    ++rchecks;
    if (decode_to_utf8(four(189000 + n), "gb18030") == utf8(0x10000 + n)) ++rpass;
  }
  // Pointers in the gaps are errors.
  for (unsigned p : {39420u, 100000u, 188999u, 1237576u}) {
    ++rchecks;
    if (decode_to_utf8(four(p), "gb18030") == "\xEF\xBF\xBD") ++rpass;
  }
  MESSAGE("gb18030 four-byte ranges: " << rpass << "/" << rchecks << " probes pass");
  CHECK(rpass == rchecks);
}
