// SURT keys, CDXJ lines (checked against the .cdx shipped with the iipc sample), SQLite index.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <fstream>
#include <set>
#include <sstream>

#include "warc/warc.h"

using namespace odh::warc;

static std::string sample(const std::string& name) {
  return std::string(ODH_SHARED_DIR) + "/peer-tests/warc-samples/" + name;
}

TEST_CASE("surt keys") {
  CHECK(surt("http://www.example.com/") == "com,example)/");
  CHECK(surt("https://Example.COM") == "com,example)/");
  CHECK(surt("https://www.Example.com:8443/a/B?y=1&x=2#frag") == "com,example:8443)/a/b?x=2&y=1");
  CHECK(surt("http://example.com:80/x") == "com,example)/x");
  CHECK(surt("https://example.com:443/x") == "com,example)/x");
  CHECK(surt("http://data.beijing.gov.cn/cms/web/list.jsp?page=2") ==
        "cn,gov,beijing,data)/cms/web/list.jsp?page=2");
  CHECK(surt("http://user:pw@www2.example.org/") == "org,example)/");
  CHECK(surt("http://www.com/") == "com,www)/");  // a bare www.com keeps its only label
  CHECK(surt("http://127.0.0.1:8080/a") == "127.0.0.1:8080)/a");
  CHECK(surt("metadata://gnu.org/software/wget/warc/MANIFEST.txt") ==
        "metadata)/gnu.org/software/wget/warc/manifest.txt");
  CHECK(surt("http://example.com/?") == "com,example)/");
}

TEST_CASE("index of iipc hello-world.warc matches its shipped .cdx") {
  // The .cdx (fields N b a m s k r M S V g) was written by another indexer; its S (length)
  // leaves out the record's closing CRLF CRLF, so ours is 4 bytes longer.
  std::ifstream cdx(sample("iipc-hello-world.warc.cdx"));
  std::string line;
  std::getline(cdx, line);
  CHECK(line == " CDX N b a m s k r M S V g");
  std::set<std::string> expected, got;
  while (std::getline(cdx, line)) {
    std::istringstream f(line);
    std::string N, b, a, m, s, k, r, M, S, V, g;
    f >> N >> b >> a >> m >> s >> k >> r >> M >> S >> V >> g;
    expected.insert(N + " " + b + " " + a + " " + m + " " + s + " " + k + " " +
                    std::to_string(std::stoull(S) + 4) + " " + V);
  }
  REQUIRE(expected.size() == 4);
  for (const auto& e : index_file(sample("iipc-hello-world.warc"))) {
    got.insert(e.surt + " " + e.timestamp + " " + e.url + " " + e.mime + " " +
               (e.status ? std::to_string(e.status) : "-") + " " + e.digest + " " + std::to_string(e.length) +
               " " + std::to_string(e.offset));
  }
  CHECK(got == expected);
}

TEST_CASE("cdxj lines are sorted and carry the replay fields") {
  std::vector<IndexEntry> all;
  for (const char* f : {"warcio-example.warc.gz", "iipc-hello-world.warc.gz"}) {
    auto v = index_file(sample(f));
    all.insert(all.end(), v.begin(), v.end());
  }
  CHECK(all.size() == 2 + 4);  // response + revisit; response + metadata + 2 resources
  std::ostringstream out;
  write_cdxj(all, out);
  std::istringstream in(out.str());
  std::string line, prev;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    CHECK(line >= prev);
    prev = line;
    lines.push_back(line);
  }
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] ==
        "com,example)/ 20170306040206 "
        "{\"url\":\"http://example.com/\",\"mime\":\"text/html\",\"status\":\"200\","
        "\"digest\":\"G7HRM7BGOKSKMSXZAHMUQTTV53QOFSMK\",\"length\":\"1228\",\"offset\":\"784\",\"filename\":"
        "\"warcio-example.warc.gz\"}");
  CHECK(lines[1].find("\"mime\":\"warc/revisit\"") != std::string::npos);
  CHECK(lines[1].find("\"type\":\"revisit\"") != std::string::npos);
  CHECK(lines[2].rfind(
            "io,github,iipc)/warc-specifications/primers/web-archive-formats/hello-world.txt 20150708215513 ",
            0) == 0);
  auto with_all = index_file(sample("warcio-example.warc.gz"), IndexOptions{true});
  CHECK(with_all.size() == 6);
}

TEST_CASE("warc_record table in SQLite") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
  create_index_table(db);
  create_index_table(db);  // idempotent
  auto v = index_file(sample("warcio-example.warc.gz"), IndexOptions{true});
  insert_index(db, v);
  insert_index(db, v);  // re-indexing a file replaces its rows
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT count(*), sum(record_type='revisit'), max(status), "
                             "min(offset), group_concat(DISTINCT digest) FROM warc_record",
                             -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 6);
  CHECK(sqlite3_column_int(st, 1) == 1);
  CHECK(sqlite3_column_int(st, 2) == 200);
  CHECK(sqlite3_column_int(st, 3) == 0);
  sqlite3_finalize(st);
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT offset, length, mime FROM warc_record WHERE surt='com,example)/' AND "
                             "record_type='response'",
                             -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 784);
  CHECK(sqlite3_column_int(st, 1) == 1228);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 2))) == "text/html");
  sqlite3_finalize(st);
  sqlite3_close(db);
}
