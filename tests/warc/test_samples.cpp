// The shared WARC samples (../shared/peer-tests/warc-samples): every file is read, malformed
// ones fail with file + offset + reason. Expected values were read off the files with zcat.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crawler/warc.h"

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
