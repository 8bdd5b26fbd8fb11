// Tail repair: a .warc.gz cut anywhere (kill -9 mid-write) is cut back to its last complete
// record, and everything before it still reads.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "warc/read_all.h"
#include "warc/warc.h"

using namespace odh::warc;
namespace fs = std::filesystem;

namespace {

using odh::test::read_all;

// Writes a small crawl; returns the file and the end offset of every record.
std::string make_file(const fs::path& dir, int gzip_level, std::vector<std::uint64_t>* ends) {
  fs::remove_all(dir);
  WriterOptions o;
  o.dir = dir;
  o.gzip_level = gzip_level;
  WarcWriter w(o);
  std::mt19937 rng(1);
  for (int i = 0; i < 12; ++i) {
    Capture c;
    c.url = "http://r.example.cn/" + std::to_string(i);
    c.request = "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: r.example.cn\r\n\r\n";
    std::string body(200 + rng() % 3000, ' ');
    for (auto& ch : body) ch = static_cast<char>(rng());
    c.response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    w.write_capture(c);
  }
  for (const auto& r : w.close()) ends->push_back(r.offset + r.length);
  return w.files().at(0);
}

void truncate_copy(const std::string& from, const std::string& to, std::uint64_t size) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  fs::resize_file(to, size);
}

}  // namespace

TEST_CASE("repair: random cuts of a .warc.gz and a .warc") {
  for (int level : {6, 0}) {
    CAPTURE(level);
    std::vector<std::uint64_t> ends;
    fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "warc" / ("repair" + std::to_string(level));
    std::string file = make_file(dir, level, &ends);
    std::uint64_t size = fs::file_size(file);
    REQUIRE(ends.back() == size);
    std::mt19937_64 rng(42 + level);
    std::string cut = (dir / (level ? "cut.warc.gz" : "cut.warc")).string();
    // Cuts at and next to record boundaries (inside the closing CRLF CRLF), then at random.
    std::vector<std::uint64_t> cuts = {size, 0, 1, 2};
    for (std::size_t k = 0; k < 4; ++k)
      for (int d : {-3, -2, -1, 1}) cuts.push_back(ends[k] + d);
    while (cuts.size() < 80) cuts.push_back(rng() % size);
    for (std::uint64_t at : cuts) {
      CAPTURE(at);
      truncate_copy(file, cut, at);
      // Before repair a cut file (not at a record end) fails with the file named.
      bool at_end = at == 0 || std::find(ends.begin(), ends.end(), at) != ends.end();
      // (a plain .warc cut inside the closing CRLF CRLF reads with a warning instead).
      if (!at_end) {
        bool noticed = false;
        try {
          auto v = read_all(cut);
          noticed = level == 0 && !v.empty() && !v.back().warnings.empty();
        } catch (const WarcError& e) {
          noticed = std::string(e.what()).find(cut) == 0;
        }
        CHECK(noticed);
      }
      RepairResult res = repair_tail(cut);
      std::uint64_t expect = 0;
      std::size_t kept = 0;
      for (auto e : ends)
        if (e <= at) expect = e, ++kept;
      CHECK(res.old_size == at);
      CHECK(res.new_size == expect);
      CHECK(res.records == kept);
      CHECK(fs::file_size(cut) == expect);
      CHECK(res.reason.empty() == at_end);
      auto recs = read_all(cut);  // now reads cleanly
      CHECK(recs.size() == kept);
      for (const auto& r : recs) CHECK(verify_digests(r).ok());
      RepairResult again = repair_tail(cut);  // idempotent
      CHECK(again.new_size == expect);
      CHECK(again.reason.empty());
    }
  }
}

TEST_CASE("repair: garbage after the last member is cut, a corrupt member too") {
  std::vector<std::uint64_t> ends;
  fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "warc" / "repair-garbage";
  std::string file = make_file(dir, 6, &ends);
  std::uint64_t size = fs::file_size(file);
  {
    std::ofstream out(file, std::ios::app | std::ios::binary);
    out << "this is not gzip";
  }
  auto res = repair_tail(file);
  CHECK(res.new_size == size);
  CHECK(res.reason.find("not gzip") != std::string::npos);
  // Flip a byte inside the 5th record's member: everything from there on is dropped.
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(ends[4] + 40));
    f.put('\x55');
    f.seekp(static_cast<std::streamoff>(ends[4] + 41));
    f.put('\xaa');
  }
  res = repair_tail(file);
  CHECK(res.new_size == ends[4]);
  CHECK(res.records == 5);
  CHECK(read_all(file).size() == 5);
}
