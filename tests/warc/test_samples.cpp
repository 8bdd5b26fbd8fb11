// The shared WARC samples (../shared/peer-tests/warc-samples): every file is read, malformed
// ones fail with file + offset + reason. Expected values were read off the files with zcat.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "warc/warc.h"

using namespace odh::warc;

static std::string sample(const std::string& name) {
  return std::string(ODH_SHARED_DIR) + "/peer-tests/warc-samples/" + name;
}

struct Seen {
  std::vector<Record> records;
  std::string error;
};

static Seen read_all(const std::string& name) {
  Seen s;
  try {
    WarcReader r(sample(name));
    Record rec;
    while (r.next(&rec)) s.records.push_back(rec);
  } catch (const WarcError& e) {
    s.error = e.what();
  }
  return s;
}

static std::string types(const Seen& s) {
  std::string t;
  for (const auto& r : s.records) t += (t.empty() ? "" : ",") + std::string(r.type());
  return t;
}

TEST_CASE("warcio example.warc (plain) and example.warc.gz (per-record gzip)") {
  for (const char* name : {"warcio-example.warc", "warcio-example.warc.gz"}) {
    CAPTURE(name);
    auto s = read_all(name);
    CHECK(s.error == "");
    CHECK(types(s) == "warcinfo,warcinfo,response,request,revisit,request");
    REQUIRE(s.records.size() == 6);
    CHECK(s.records[2].target_uri() == "http://example.com/");
    auto http = s.records[2].http();
    CHECK(http.error == "");
    CHECK(http.status == 200);
    CHECK(http.body.size() == 606);
    CHECK(s.records[4].http().status == 200);
    for (const auto& r : s.records) {
      CHECK(r.member_aligned);
      CHECK(r.warnings.empty());
      auto d = verify_digests(r);
      CHECK_MESSAGE(d.ok(), d.detail);
    }
  }
}

TEST_CASE("iipc hello-world: plain and gzip, offsets, digests") {
  auto plain = read_all("iipc-hello-world.warc");
  auto gz = read_all("iipc-hello-world.warc.gz");
  CHECK(plain.error == "");
  CHECK(gz.error == "");
  CHECK(types(plain) == "warcinfo,request,response,metadata,resource,resource");
  CHECK(types(gz) == types(plain));
  std::vector<std::uint64_t> plain_offsets = {0, 589, 1260, 2349, 2772, 3340};
  std::vector<std::uint64_t> gz_offsets = {0, 446, 907, 1630, 1945, 2379};
  std::vector<std::uint64_t> gz_lengths = {446, 461, 723, 315, 434, 596};
  REQUIRE(plain.records.size() == 6);
  REQUIRE(gz.records.size() == 6);
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(plain.records[i].offset == plain_offsets[i]);
    CHECK(gz.records[i].offset == gz_offsets[i]);
    CHECK(gz.records[i].length == gz_lengths[i]);
    CHECK(gz.records[i].block == plain.records[i].block);
    CHECK(verify_digests(plain.records[i]).ok());
    // Random access lands on the same record.
    auto again = read_record_at(sample("iipc-hello-world.warc.gz"), gz_offsets[i]);
    CHECK(again.record_id() == gz.records[i].record_id());
  }
  CHECK(plain.records[0].length == 589);
  auto http = plain.records[2].http();
  CHECK(http.status == 200);
  CHECK(http.body == "Hello World\n\n");  // Content-Length 13
  CHECK(plain.records[4].target_uri() == "metadata://gnu.org/software/wget/warc/wget_arguments.txt");
  CHECK(verify_digests(plain.records[2]).payload == "ok");
}

TEST_CASE("warcio example-digest: base32, base64, base64url digests and one wrong one") {
  auto s = read_all("warcio-example-digest.warc");
  CHECK(s.error == "");
  CHECK(types(s) == "request,request,request,request");
  REQUIRE(s.records.size() == 4);
  auto d0 = verify_digests(s.records[0]);
  CHECK(d0.block == "ok");
  CHECK(d0.payload == "mismatch");  // sha1:1112H3S6… is deliberately wrong
  CHECK(d0.detail.find("sha1:1112H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ") != std::string::npos);
  for (int i = 1; i < 4; ++i) {
    auto d = verify_digests(s.records[i]);
    CHECK(d.block == "ok");
    CHECK(d.payload == "ok");
  }
}

TEST_CASE("warcio iana.org chunked: Transfer-Encoding chunked stored raw") {
  auto s = read_all("warcio-example-iana.org-chunked.warc");
  CHECK(s.error == "");
  CHECK(types(s) == "warcinfo,response,request");
  REQUIRE(s.records.size() == 3);
  auto http = s.records[1].http();
  CHECK(http.error == "");
  CHECK(http.chunked);
  CHECK(http.body.size() == 7223);
  CHECK(http.body.find("</html>") != std::string::npos);
  CHECK(s.records[1].target_uri() == "http://www.iana.org/");
  auto d = verify_digests(s.records[1]);
  CHECK(d.block == "ok");
  CHECK(d.payload == "ok");
}

TEST_CASE("warcio example-trunc: a Content-Length 2 bytes short is reported with file and offset") {
  auto s = read_all("warcio-example-trunc.warc");
  CHECK(types(s) == "warcinfo,warcinfo,response");
  CHECK(s.error.find("warcio-example-trunc.warc: offset 2560: expected a WARC/1.x version line") !=
        std::string::npos);
  REQUIRE(s.records.size() == 3);
  const Record& r = s.records[2];
  CHECK(r.warnings == std::vector<std::string>{"record not followed by CRLF CRLF"});
  CHECK(r.http().error == "body truncated: Content-Length 606, 604 bytes present");
  CHECK(verify_digests(r).block == "mismatch");
  // The reader stays failed: next() repeats the error instead of reading garbage.
  WarcReader reader(sample("warcio-example-trunc.warc"));
  Record rec;
  for (int i = 0; i < 3; ++i) CHECK(reader.next(&rec));
  CHECK_THROWS_AS(reader.next(&rec), WarcError);
  CHECK_THROWS_AS(reader.next(&rec), WarcError);
}

TEST_CASE("warcio example-bad-non-chunked: one gzip stream for all records") {
  auto s = read_all("warcio-example-bad-non-chunked.warc.gz");
  CHECK(s.error == "");
  CHECK(types(s) == "warcinfo,warcinfo,response,request,revisit,request");
  REQUIRE(s.records.size() == 6);
  CHECK(s.records[0].member_aligned);
  for (int i = 1; i < 6; ++i) {
    CHECK_FALSE(s.records[i].member_aligned);
    CHECK(s.records[i].warnings.at(0).find("not seekable") != std::string::npos);
  }
  CHECK(s.records[2].http().body.size() == 606);
  CHECK(verify_digests(s.records[2]).ok());
  CHECK(verify_digests(s.records[4]).block == "mismatch");  // this copy's revisit digest was altered
}

TEST_CASE("warcio example-wrong-chunks: gzip members do not match records") {
  auto s = read_all("warcio-example-wrong-chunks.warc.gz");
  CHECK(s.error == "");
  CHECK(types(s) == "response,request");
  REQUIRE(s.records.size() == 2);
  CHECK(s.records[0].member_aligned);
  CHECK(s.records[0].length == 0);  // its member also holds part of the next record
  CHECK_FALSE(s.records[1].member_aligned);
  CHECK(s.records[0].http().error == "body truncated: Content-Length 1271, 1270 bytes present");
  CHECK(verify_digests(s.records[0]).block == "mismatch");
  CHECK(verify_digests(s.records[1]).ok());
}

TEST_CASE("warcio example-resource and post-test") {
  auto res = read_all("warcio-example-resource.warc.gz");
  CHECK(res.error == "");
  CHECK(types(res) == "warcinfo,warcinfo,resource");
  REQUIRE(res.records.size() == 3);
  CHECK(res.records[2].target_uri() == "http://example.com/");
  CHECK(verify_digests(res.records[2]).payload == "ok");

  auto post = read_all("warcio-post-test.warc.gz");
  CHECK(post.error == "");
  CHECK(types(post) == "response,request,response,request,response,request");
  REQUIRE(post.records.size() == 6);
  CHECK(post.records[4].target_uri() == "http://httpbin.org/post?foo=bar");
  auto req = post.records[1].http();
  CHECK(req.method == "POST");
  CHECK(req.body == "foo=bar&test=abc");
  CHECK(post.records[3].http().body == "A=1&B=[]&C=3");
  CHECK(post.records[5].http().body == "data=^");
  for (const auto& r : post.records) CHECK(verify_digests(r).ok());
}

TEST_CASE("iipc heritrix dedup samples: original, identical-payload-digest and server-not-modified") {
  auto orig = read_all("iipc-20130729-heritrix-original.warc.gz");
  CHECK(orig.error == "");
  REQUIRE(orig.records.size() == 1);
  CHECK(orig.records[0].type() == "response");
  CHECK(orig.records[0].target_uri() == "http://www.bl.uk/");
  CHECK(verify_digests(orig.records[0]).payload == "ok");
  std::string digest(find_field(orig.records[0].headers, "WARC-Payload-Digest"));

  auto rev = read_all("iipc-20130729-heritrix-revisit-with-http-headers.warc.gz");
  CHECK(rev.error == "");
  REQUIRE(rev.records.size() == 1);
  const Record& r = rev.records[0];
  CHECK(r.type() == "revisit");
  CHECK(find_field(r.headers, "WARC-Profile") ==
        "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest");
  CHECK(find_field(r.headers, "WARC-Payload-Digest") == digest);
  CHECK(r.http().status == 200);
  CHECK(r.http().error == "");

  auto nm = read_all("iipc-20141124-heritrix-server-not-modified.warc.gz");
  CHECK(nm.error == "");
  REQUIRE(nm.records.size() == 1);
  CHECK(nm.records[0].type() == "revisit");
  CHECK(find_field(nm.records[0].headers, "WARC-Profile") ==
        "http://netpreserve.org/warc/1.0/revisit/server-not-modified");
  CHECK(nm.records[0].block.empty());
}
