// odh warc ls / cdxj / index / cat / repair, run as a user would (the built binary).
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Run {
  int rc = -1;
  std::string out, err;
};

Run odh(const std::string& args) {
  fs::path err_file = fs::path(ODH_TEST_OUT_DIR) / "warc" / "cli.stderr";
  fs::create_directories(err_file.parent_path());
  std::string cmd = std::string(ODH_BINARY) + " " + args + " 2>'" + err_file.string() + "'";
  Run r;
  std::FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  return r;
}

std::string sample(const std::string& name) {
  return "'" + std::string(ODH_SHARED_DIR) + "/peer-tests/warc-samples/" + name + "'";
}

}  // namespace

TEST_CASE("odh warc ls") {
  auto r = odh("warc ls " + sample("warcio-example.warc.gz"));
  CHECK(r.rc == 0);
  CHECK(r.out.find("784\t1228\tresponse\t200\t2017-03-06T04:02:06Z\thttp://example.com/\n") !=
        std::string::npos);

  r = odh("warc ls --json --verify " + sample("warcio-example.warc.gz") + " " +
          sample("iipc-hello-world.warc"));
  CHECK(r.rc == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["records"].size() == 6);
  CHECK(j[0]["error"].is_null());
  CHECK(j[0]["records"][2]["digests"]["payload"] == "ok");
  CHECK(j[1]["records"][2]["mime"] == "text/plain");

  r = odh("warc ls --json " + sample("warcio-example-trunc.warc"));
  CHECK(r.rc == 1);
  j = nlohmann::json::parse(r.out);
  CHECK(j[0]["records"].size() == 3);
  CHECK(j[0]["error"].get<std::string>().find("offset 2560: expected a WARC/1.x version line") !=
        std::string::npos);

  r = odh("warc ls --verify " + sample("warcio-example-digest.warc"));
  CHECK(r.rc == 1);
  CHECK(r.err.find("offset 0: payload digest sha1:1112H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ != computed") !=
        std::string::npos);

  r = odh("warc ls /nonexistent.warc");
  CHECK(r.rc == 2);  // CLI11 ExistingFile check: a usage error
}

TEST_CASE("odh warc cdxj and index") {
  fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "warc" / "cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto r = odh("warc cdxj " + sample("warcio-example.warc.gz") + " " + sample("iipc-hello-world.warc.gz"));
  CHECK(r.rc == 0);
  std::istringstream lines(r.out);
  std::string line, prev;
  int n = 0;
  while (std::getline(lines, line)) {
    CHECK(line >= prev);
    prev = line;
    ++n;
    auto sp = line.find(' ');
    auto sp2 = line.find(' ', sp + 1);
    REQUIRE(sp2 != std::string::npos);
    CHECK(sp2 - sp - 1 == 14);
    auto j = nlohmann::json::parse(line.substr(sp2 + 1));
    CHECK(j.contains("url"));
    CHECK(j.contains("offset"));
  }
  CHECK(n == 6);
  r = odh("warc cdxj -o '" + (dir / "x.cdxj").string() + "' " + sample("warcio-example.warc.gz"));
  CHECK(r.rc == 0);
  CHECK(fs::file_size(dir / "x.cdxj") > 100);

  std::string db_path = (dir / "idx.sqlite").string();
  r = odh("warc index --db '" + db_path + "' " + sample("warcio-example.warc.gz") + " " +
          sample("warcio-post-test.warc.gz"));
  CHECK(r.rc == 0);
  CHECK(r.err.find("12 records from 2 file(s)") != std::string::npos);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(
      sqlite3_prepare_v2(
          db,
          "SELECT count(*), count(DISTINCT file) FROM warc_record WHERE url LIKE 'http://httpbin.org/post%'",
          -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 6);
  CHECK(sqlite3_column_int(st, 1) == 1);
  sqlite3_finalize(st);
  sqlite3_close(db);

  r = odh("warc cdxj " + sample("warcio-example-trunc.warc"));
  CHECK(r.rc == 1);
  CHECK(r.err.find("warcio-example-trunc.warc: offset 2560") != std::string::npos);
}

TEST_CASE("odh warc cat and repair") {
  auto r = odh("warc cat --payload --decode " + sample("warcio-example.warc.gz") + " 784");
  CHECK(r.rc == 0);
  CHECK(r.out.rfind("<!doctype html>", 0) == 0);
  CHECK(r.out.size() == 1270);
  r = odh("warc cat " + sample("warcio-example.warc.gz") + " 2012");
  CHECK(r.rc == 0);
  CHECK(r.out.rfind("WARC/1.0\r\nWARC-Type: request\r\n", 0) == 0);
  r = odh("warc cat " + sample("warcio-example.warc.gz") + " 100");
  CHECK(r.rc == 1);
  CHECK(r.err.find("offset 100") != std::string::npos);

  fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "warc" / "cli-repair";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path copy = dir / "cut.warc.gz";
  fs::copy_file(std::string(ODH_SHARED_DIR) + "/peer-tests/warc-samples/warcio-example.warc.gz", copy);
  fs::resize_file(copy, 3000);  // inside the 5th member (2621..3207)
  r = odh("warc repair --json '" + copy.string() + "'");
  CHECK(r.rc == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j[0]["old_size"] == 3000);
  CHECK(j[0]["new_size"] == 2621);
  CHECK(j[0]["records"] == 4);
  CHECK(fs::file_size(copy) == 2621);
  r = odh("warc repair '" + copy.string() + "'");
  CHECK(r.out.find("whole, 4 records") != std::string::npos);
}
