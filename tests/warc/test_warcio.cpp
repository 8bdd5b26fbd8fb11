// Independent validation: files written by odh's WarcWriter are read by webrecorder's
// warcio.js (tools/warc-validate.mjs, installed by scripts/setup.sh), which recomputes every
// digest; the result must match what the writer says it wrote. The same tool also checks
// the shared samples, so odh's reader and warcio agree on which records are broken.
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "warc/warc.h"

using namespace odh::warc;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Runs the validator; returns its JSON (fails the test when node or warcio is missing).
json validate(const std::string& file) {
  std::string script = std::string(ODH_SOURCE_DIR) + "/tools/warc-validate.mjs";
  REQUIRE_MESSAGE(fs::exists(std::string(ODH_SOURCE_DIR) + "/tools/node_modules/warcio"),
                  "tools/node_modules/warcio missing: run scripts/setup.sh");
  std::string cmd = "node '" + script + "' '" + file + "' 2>/dev/null";
  std::FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  int rc = pclose(p);
  INFO("validator output: " << out.substr(0, 2000));
  REQUIRE_MESSAGE(!out.empty(), "node not found on PATH or the validator crashed (rc " << rc << ")");
  json j = json::parse(out);
  CHECK((rc == 0) == j["ok"].get<bool>());
  return j;
}

Capture capture(const std::string& url, const std::string& response, const std::string& request = "") {
  Capture c;
  c.url = url;
  c.ip = "93.184.216.34";
  c.request = request.empty() ? "GET " + url.substr(url.find('/', 8)) +
                                    " HTTP/1.1\r\nHost: x.example.cn\r\nAccept-Encoding: gzip, br\r\n\r\n"
                              : request;
  c.response = response;
  c.extra = {{"WARC-Odh-Site", "zj-hz"}, {"WARC-Odh-Kind", "detail"}, {"WARC-Odh-Meta", "{\"id\":\"a 1\"}"}};
  return c;
}

}  // namespace

TEST_CASE("warcio.js reads what odh writes: records, offsets, digests, revisits") {
  for (int level : {6, 0}) {
    CAPTURE(level);
    fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "warc" / ("warcio" + std::to_string(level));
    fs::remove_all(dir);
    WriterOptions o;
    o.dir = dir;
    o.gzip_level = level;
    o.info = {{"operator", "odh CI"}, {"isPartOf", "run-2024"}};
    WarcWriter w(o);
    std::string html = "<html><body>开放数据 " + std::string(3000, 'z') + "</body></html>";
    w.write_capture(
        capture("http://x.example.cn/a", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
                                             std::to_string(html.size()) + "\r\n\r\n" + html));
    w.write_capture(capture("http://x.example.cn/b",  // same payload → revisit
                            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
                                std::to_string(html.size()) + "\r\n\r\n" + html));
    auto c304 = capture("http://x.example.cn/a", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
    c304.refers_to_uri = "http://x.example.cn/a";
    c304.refers_to_date = "2024-01-01T00:00:00Z";
    w.write_capture(c304);
    w.write_capture(
        capture("https://x.example.cn/api?page=1",
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                "{\"total\": 17, \"rows\": []}"));
    std::string bin;
    for (int i = 0; i < 5000; ++i) bin += static_cast<char>((i * 7919) & 0xff);
    w.write_capture(capture("http://x.example.cn/f.xlsx",
                            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Encoding: "
                            "identity\r\nContent-Length: " +
                                std::to_string(bin.size()) + "\r\n\r\n" + bin));
    std::string form = "page=2&size=20";
    w.write_capture(capture("http://x.example.cn/list.do", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]",
                            "POST /list.do HTTP/1.1\r\nHost: x.example.cn\r\nContent-Type: "
                            "application/x-www-form-urlencoded\r\nContent-Length: " +
                                std::to_string(form.size()) + "\r\n\r\n" + form));
    RecordSpec meta;
    meta.target_uri = "http://x.example.cn/a";
    meta.block = "outlinks: http://x.example.cn/b\r\n";
    w.write_record(meta);
    auto written = w.close();
    REQUIRE(written.size() == 1 + 6 * 2 + 1);

    json j = validate(w.files().at(0));
    CHECK(j["errors"].size() == 0);
    CHECK(j["ok"].get<bool>());
    auto& recs = j["records"];
    REQUIRE(recs.size() == written.size());
    for (std::size_t i = 0; i < written.size(); ++i) {
      CAPTURE(i);
      const auto& r = recs[i];
      CHECK(r["type"] == written[i].type);
      CHECK(r["id"] == written[i].record_id);
      CHECK(r["offset"].get<std::uint64_t>() == written[i].offset);
      if (!written[i].target_uri.empty()) CHECK(r["uri"] == written[i].target_uri);
      if (written[i].type != "warcinfo") CHECK(r["block_digest"] == "ok");
      if (written[i].type == "response") CHECK(r["payload_digest"] == "ok");
      if (written[i].type == "response" || written[i].type == "revisit") {
        CHECK(r["odh_site"] == "zj-hz");
        CHECK(r["odh_meta"] == "{\"id\":\"a 1\"}");
        CHECK(r["stored_payload_digest"] ==
              (written[i].payload_digest.empty() ? json(nullptr) : json(written[i].payload_digest)));
      }
    }
    CHECK(recs[0]["filename"] == fs::path(w.files()[0]).filename().string());
    // response ↔ request
    CHECK(recs[1]["concurrent_to"] == recs[2]["id"]);
    CHECK(recs[2]["concurrent_to"] == recs[1]["id"]);
    CHECK(recs[1]["status"] == 200);
    CHECK(recs[1]["ip"] == "93.184.216.34");
    // identical payload → revisit pointing at /a
    CHECK(recs[3]["type"] == "revisit");
    CHECK(recs[3]["profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
    CHECK(recs[3]["refers_to_uri"] == "http://x.example.cn/a");
    CHECK(recs[3]["stored_payload_digest"] == recs[1]["stored_payload_digest"]);
    // 304 → server-not-modified
    CHECK(recs[5]["type"] == "revisit");
    CHECK(recs[5]["status"] == 304);
    CHECK(recs[5]["profile"] == "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
    CHECK(recs[5]["refers_to_date"] == "2024-01-01T00:00:00Z");
    // chunked: warcio de-chunks to the 25-byte JSON body and its digest matches ours
    CHECK(recs[7]["payload_bytes"] == 25);
    CHECK(recs[7]["payload_digest"] == "ok");
    CHECK(recs[9]["payload_bytes"] == 5000);
    CHECK(recs[12]["method"] == "POST");
    CHECK(recs[12]["payload_bytes"] == form.size());
    CHECK(recs[13]["type"] == "metadata");

    // Round trip through odh's own reader gives the same records.
    WarcReader reader(w.files()[0]);
    Record rec;
    std::size_t n = 0;
    while (reader.next(&rec)) {
      CHECK(std::string(rec.record_id()) == written[n].record_id);
      CHECK(rec.offset == written[n].offset);
      CHECK(rec.length == written[n].length);
      CHECK(verify_digests(rec).ok());
      ++n;
    }
    CHECK(n == written.size());
  }
}

TEST_CASE("warcio.js and odh's reader agree on the shared samples") {
  std::string dir = std::string(ODH_SHARED_DIR) + "/peer-tests/warc-samples/";
  // file → (records, digests all fine) as odh's reader sees them (test_samples.cpp).
  struct Expect {
    const char* file;
    std::size_t records;
    bool digests_ok;
  } expect[] = {
      {"iipc-hello-world.warc", 6, true},
      {"iipc-hello-world.warc.gz", 6, true},
      {"iipc-20130729-heritrix-original.warc.gz", 1, true},
      {"iipc-20130729-heritrix-revisit-with-http-headers.warc.gz", 1, true},
      {"iipc-20141124-heritrix-server-not-modified.warc.gz", 1, true},
      {"warcio-example.warc", 6, true},
      {"warcio-example.warc.gz", 6, true},
      {"warcio-example-resource.warc.gz", 3, true},
      {"warcio-post-test.warc.gz", 6, true},
      {"warcio-example-iana.org-chunked.warc", 3, true},
      {"warcio-example-digest.warc", 4, false},
      {"warcio-example-bad-non-chunked.warc.gz", 6, false},
  };
  for (const auto& e : expect) {
    CAPTURE(e.file);
    json j = validate(dir + e.file);
    CHECK(j["records"].size() == e.records);
    CHECK(j["ok"].get<bool>() == e.digests_ok);
    // odh's verdicts
    WarcReader reader(dir + e.file);
    Record rec;
    bool all_ok = true;
    std::size_t n = 0;
    while (reader.next(&rec)) {
      all_ok = all_ok && verify_digests(rec).ok();
      if (n < j["records"].size())
        CHECK(std::string(rec.type()) == j["records"][n]["type"].get<std::string>());
      ++n;
    }
    CHECK(n == e.records);
    CHECK(all_ok == e.digests_ok);
  }
}
