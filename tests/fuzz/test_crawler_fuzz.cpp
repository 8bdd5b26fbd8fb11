// Deterministic smoke run of the crawler fuzz targets (so CI's ASan/UBSan build exercises
// them without libFuzzer): the conformance data as seeds, plus seeded random mutations.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crawler_fuzz_targets.h"

namespace fs = std::filesystem;

namespace {
std::vector<std::string> seeds(const std::vector<fs::path>& dirs, std::size_t max_bytes) {
  std::vector<std::string> out;
  for (const auto& d : dirs) {
    if (!fs::is_directory(d)) continue;
    for (auto& e : fs::recursive_directory_iterator(d)) {
      if (!e.is_regular_file() || e.file_size() > 4 * 1024 * 1024) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string s = ss.str();
      // Cut big files into chunks so every part gets used.
      for (std::size_t i = 0; i < s.size() && out.size() < 3000; i += max_bytes)
        out.push_back(s.substr(i, max_bytes));
    }
  }
  return out;
}

std::string mutate(std::string s, std::mt19937& rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int k = 0; k < edits; ++k) {
    std::size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 4) {
      case 0:
        if (!s.empty()) s[pos] = static_cast<char>(byte(rng));
        break;
      case 1:
        s.insert(pos, 1, static_cast<char>(byte(rng)));
        break;
      case 2:
        if (!s.empty()) s.erase(pos, 1 + rng() % 4);
        break;
      default:
        s.insert(pos, std::string(1 + rng() % 64, "%*$/:[]@.\\#?<>\"'="[rng() % 18]));
    }
  }
  return s;
}

void run(int (*target)(const std::uint8_t*, std::size_t), const std::vector<std::string>& corpus,
         int mutations) {
  std::mt19937 rng(20261125);
  for (const auto& s : corpus) target(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  for (int i = 0; i < mutations && !corpus.empty(); ++i) {
    std::string m = mutate(corpus[rng() % corpus.size()], rng);
    target(reinterpret_cast<const std::uint8_t*>(m.data()), m.size());
  }
}

fs::path shared(const char* sub) { return fs::path(ODH_SHARED_DIR) / "peer-tests" / sub; }
}  // namespace

TEST_CASE("fuzz smoke: robots") {
  auto corpus = seeds({shared("robotstxt-spec-test")}, 4096);
  REQUIRE(corpus.size() > 50);
  run(odh::fuzz::robots, corpus, 20000);
}

TEST_CASE("fuzz smoke: url") {
  // One URL-ish line per seed: every line of the WPT data files.
  std::vector<std::string> corpus;
  for (const auto& chunk : seeds({shared("wpt-url")}, 1 << 20)) {
    std::istringstream in(chunk);
    for (std::string line; std::getline(in, line) && corpus.size() < 5000;) corpus.push_back(line);
  }
  REQUIRE(corpus.size() > 500);
  run(odh::fuzz::url, corpus, 50000);
}

TEST_CASE("fuzz smoke: charset") {
  auto corpus = seeds({shared("html5lib-tests/encoding"), shared("html5lib-tests/tree-construction")}, 2048);
  corpus.push_back(std::string("\xD6\xD0\xCE\xC4\x81\x30\x81\x30\xFF\x80", 10));
  REQUIRE(corpus.size() > 50);
  run(odh::fuzz::charset, corpus, 5000);
}
