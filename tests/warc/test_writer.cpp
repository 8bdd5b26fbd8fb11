// Writer round trips: what the writer stores, the reader gives back (records, digests,
// revisits, rotation, flush offsets, extension fields).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "warc/read_all.h"
#include "warc/warc.h"

using namespace odh::warc;
namespace fs = std::filesystem;

namespace {

using odh::test::read_all;

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::path(ODH_TEST_OUT_DIR) / "warc" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string response_bytes(const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

Capture capture(const std::string& url, const std::string& response) {
  Capture c;
  c.url = url;
  c.ip = "127.0.0.1";
  c.request =
      "GET " + url.substr(url.find('/', 8)) + " HTTP/1.1\r\nHost: example.cn\r\nUser-Agent: odh-test\r\n\r\n";
  c.response = response;
  c.extra = {{"WARC-Odh-Site", "bj"}, {"WARC-Odh-Kind", "list"}, {"WARC-Odh-Meta", "{\"page\":2}"}};
  return c;
}

}  // namespace

TEST_CASE("writer: warcinfo, response + request, digests, extension fields, flush offsets") {
  auto dir = fresh_dir("basic");
  WriterOptions o;
  o.dir = dir;
  o.prefix = "t";
  o.info = {{"operator", "odh test"}, {"http-header-user-agent", "odh-test"}, {"Format", "WARC File Format 1.1"}};
  WarcWriter w(o);
  auto c = capture("http://data.example.cn/list?page=2", response_bytes("<html>数据</html>"));
  auto recs = w.write_capture(c);
  CHECK(recs.response.type == "response");
  auto flushed = w.flush();
  REQUIRE(flushed.size() == 3);  // warcinfo + response + request
  CHECK(flushed[0].type == "warcinfo");
  CHECK(flushed[1].record_id == recs.response.record_id);
  CHECK(flushed[1].offset == flushed[0].offset + flushed[0].length);
  CHECK(flushed[2].offset == flushed[1].offset + flushed[1].length);
  std::string file = w.current_file();
  CHECK(fs::path(file).filename().string().rfind("t-", 0) == 0);
  CHECK(file.size() > 8);
  CHECK(file.substr(file.size() - 8) == ".warc.gz");
  CHECK(fs::file_size(file) == flushed[2].offset + flushed[2].length);

  auto all = read_all(file);
  REQUIRE(all.size() == 3);
  CHECK(all[0].type() == "warcinfo");
  CHECK(all[0].version == "WARC/1.1");
  CHECK(find_field(all[0].headers, "WARC-Filename") == fs::path(file).filename().string());
  CHECK(all[0].block.find("software: odh ") != std::string::npos);
  CHECK(all[0].block.find("operator: odh test\r\n") != std::string::npos);
  CHECK(all[0].block.find("format: WARC File Format 1.1\r\n") != std::string::npos);
  CHECK(all[0].block.find("Format:") == std::string::npos);  // same name replaces, no duplicate
  CHECK(all[1].type() == "response");
  CHECK(all[1].target_uri() == "http://data.example.cn/list?page=2");
  CHECK(find_field(all[1].headers, "WARC-IP-Address") == "127.0.0.1");
  CHECK(find_field(all[1].headers, "WARC-Odh-Meta") == "{\"page\":2}");
  CHECK(find_field(all[1].headers, "WARC-Concurrent-To") == all[2].record_id());
  CHECK(find_field(all[2].headers, "WARC-Concurrent-To") == all[1].record_id());
  CHECK(find_field(all[1].headers, "WARC-Warcinfo-ID") == all[0].record_id());
  CHECK(all[1].content_type() == "application/http;msgtype=response");
  CHECK(all[2].content_type() == "application/http;msgtype=request");
  CHECK(find_field(all[1].headers, "WARC-Payload-Digest") == sha1_digest("<html>数据</html>"));
  CHECK(all[1].http().body == "<html>数据</html>");
  CHECK(all[2].http().method == "GET");
  Clock::time_point t;
  CHECK(parse_warc_date(all[1].date(), &t));
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].offset == flushed[i].offset);
    CHECK(all[i].length == flushed[i].length);
    CHECK(all[i].member_aligned);
    auto d = verify_digests(all[i]);
    CHECK_MESSAGE(d.ok(), d.detail);
    CHECK(d.block == "ok");
  }
  // Random access by offset, as replay does from FetchResult::warc_offset.
  auto again = read_record_at(file, flushed[1].offset);
  CHECK(again.record_id() == recs.response.record_id);
  CHECK(again.block == all[1].block);
}

TEST_CASE("writer: revisits for 304 and for an identical payload") {
  auto dir = fresh_dir("revisit");
  WriterOptions o;
  o.dir = dir;
  WarcWriter w(o);
  auto first = w.write_capture(capture("http://a.example.cn/x.csv", response_bytes("a,b\n1,2\n")));
  auto same =
      w.write_capture(capture("http://a.example.cn/y.csv", response_bytes("a,b\n1,2\n", "ETag: \"1\"\r\n")));
  auto c304 = capture("http://a.example.cn/x.csv", "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n");
  c304.refers_to_uri = "http://a.example.cn/x.csv";
  c304.refers_to_date = first.response.date;
  auto nm = w.write_capture(c304);
  auto empty1 = w.write_capture(capture("http://a.example.cn/e1", response_bytes("")));
  auto empty2 = w.write_capture(capture("http://a.example.cn/e2", response_bytes("")));
  w.close();
  CHECK(first.response.type == "response");
  CHECK(same.response.type == "revisit");
  CHECK(same.response.profile == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
  CHECK(nm.response.type == "revisit");
  CHECK(nm.response.profile == "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
  CHECK(empty1.response.type == "response");
  CHECK(empty2.response.type == "response");  // empty payloads are never deduplicated

  auto all = read_all(w.files().at(0));
  REQUIRE(all.size() == 11);
  const Record& rv = all[3];
  CHECK(rv.type() == "revisit");
  CHECK(find_field(rv.headers, "WARC-Refers-To-Target-URI") == "http://a.example.cn/x.csv");
  CHECK(find_field(rv.headers, "WARC-Refers-To-Date") == first.response.date);
  CHECK(find_field(rv.headers, "WARC-Refers-To") == first.response.record_id);
  CHECK(find_field(rv.headers, "WARC-Payload-Digest") == sha1_digest("a,b\n1,2\n"));
  CHECK(rv.http().status == 200);
  CHECK(rv.http().body == "");  // headers only
  CHECK(rv.block.find("ETag: \"1\"") != std::string::npos);
  const Record& r304 = all[5];
  CHECK(r304.type() == "revisit");
  CHECK(find_field(r304.headers, "WARC-Payload-Digest") == "");
  CHECK(find_field(r304.headers, "WARC-Refers-To-Date") == first.response.date);
  CHECK(r304.http().status == 304);
  for (const auto& r : all) CHECK(verify_digests(r).ok());
}

TEST_CASE("writer: chunked responses de-chunked by the transport are re-framed") {
  auto dir = fresh_dir("chunked");
  WriterOptions o;
  o.dir = dir;
  o.gzip_level = 0;  // plain .warc
  WarcWriter w(o);
  std::string body = "{\"total\":3}";
  auto c =
      capture("https://a.example.cn/api", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
  auto r = w.write_capture(c);
  w.close();
  CHECK(r.response.payload_digest == sha1_digest(body));
  CHECK(w.files().at(0).substr(w.files().at(0).size() - 5) == ".warc");
  auto all = read_all(w.files().at(0));
  REQUIRE(all.size() == 3);
  auto http = all[1].http();
  CHECK(http.error == "");
  CHECK(http.chunked);
  CHECK(http.body == body);
  CHECK(all[1].block.find("\r\n\r\nb\r\n{\"total\":3}\r\n0\r\n\r\n") != std::string::npos);
  CHECK(verify_digests(all[1]).payload == "ok");
}

TEST_CASE("writer: rotation keeps a capture's two records together") {
  auto dir = fresh_dir("rotate");
  WriterOptions o;
  o.dir = dir;
  o.max_file_bytes = 4000;
  o.dedup_identical_payloads = false;
  WarcWriter w(o);
  std::mt19937 rng(7);
  std::vector<CaptureRecords> caps;
  for (int i = 0; i < 30; ++i) {
    std::string body(500, 'x');
    for (auto& ch : body) ch = static_cast<char>('a' + rng() % 26);  // incompressible-ish
    caps.push_back(
        w.write_capture(capture("http://r.example.cn/p" + std::to_string(i), response_bytes(body))));
  }
  auto done = w.close();
  CHECK(w.files().size() > 3);
  std::size_t records = 0;
  std::map<std::string, std::string> file_of;
  for (const auto& f : w.files()) {
    CHECK(fs::file_size(f) <= 4000 + 2000);
    auto all = read_all(f);
    REQUIRE(!all.empty());
    CHECK(all[0].type() == "warcinfo");
    CHECK(find_field(all[0].headers, "WARC-Filename") == fs::path(f).filename().string());
    for (const auto& r : all) file_of[std::string(r.record_id())] = f;
    records += all.size();
  }
  CHECK(records == done.size());
  for (const auto& c : caps) {
    CHECK(file_of[c.response.record_id] == c.request.file);
    CHECK(c.response.file == c.request.file);
  }
}

TEST_CASE("writer: bad field values are refused, not written") {
  auto dir = fresh_dir("badfield");
  WriterOptions o;
  o.dir = dir;
  WarcWriter w(o);
  auto c = capture("http://a.example.cn/", response_bytes("x"));
  c.extra.push_back({"WARC-Odh-Meta", "line\r\nWARC-Type: evil"});
  CHECK_THROWS_AS(w.write_capture(c), std::invalid_argument);
  c.extra.back() = {"Bad Name", "v"};
  CHECK_THROWS_AS(w.write_capture(c), std::invalid_argument);
}
