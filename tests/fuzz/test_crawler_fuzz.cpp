// Deterministic smoke run of the crawler fuzz targets (so CI's ASan/UBSan build exercises
// them without libFuzzer): the conformance data as seeds, plus seeded random mutations.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/targets/fuzz_targets.h"

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

namespace {
fs::path fixtures(const char* sub = "") { return fs::path(ODH_SHARED_DIR) / "fixtures-real" / sub; }
fs::path source(const char* sub) { return fs::path(ODH_SOURCE_DIR) / sub; }

int (*target(const char* name))(const std::uint8_t*, std::size_t) {
  for (auto& t : odh::fuzz::kTargets)
    if (std::string(t.name) == name) return t.run;
  return nullptr;
}
}  // namespace

// The other targets: their seed corpora whole, then seeded mutations (the libFuzzer runs of the
// ASan build, ctest fuzz-<target>, search far longer).
TEST_CASE("fuzz smoke: every parser of untrusted input") {
  struct Case {
    const char* name;
    std::vector<fs::path> seeds;
    std::size_t chunk;
    int mutations;
  };
  const std::vector<Case> cases = {
      {"html", {shared("html5lib-tests/tree-construction")}, 16384, 300},
      {"json", {fixtures("international"), fixtures("cn-odweb"), shared("cn-portal-endpoints")}, 16384, 300},
      {"rdf", {fixtures("international/dcat")}, 16384, 200},
      {"warc", {shared("warc-samples")}, 1 << 20, 100},
      {"http", {shared("warc-samples")}, 4096, 500},
      {"decoding", {source("tests/snapshots"), shared("warc-samples")}, 1 << 20, 100},
      {"spec", {source("data/families")}, 1 << 16, 100},
      {"registry", {source("data/sites-international.yaml")}, 1 << 16, 50},
      {"terms", {source("data/sim"), shared("html5lib-tests/tree-construction")}, 8192, 200},
      {"engine", {fixtures("cn-odweb"), fixtures("cn-jdop"), fixtures("cn-oportal")}, 16384, 200},
      {"files", {fixtures("international"), fixtures("cn-odweb")}, 16384, 200},
  };
  for (const auto& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    std::vector<fs::path> dirs;
    std::vector<std::string> corpus;
    for (auto& p : c.seeds) {
      if (fs::is_directory(p)) {
        dirs.push_back(p);
      } else if (fs::is_regular_file(p)) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        corpus.push_back(ss.str().substr(0, c.chunk));
      }
    }
    for (auto& s : seeds(dirs, c.chunk)) corpus.push_back(std::move(s));
    REQUIRE(!corpus.empty());
    if (corpus.size() > 400) corpus.resize(400);
    auto* run_target = target(c.name);
    REQUIRE(static_cast<bool>(run_target));
    run(run_target, corpus, c.mutations);
  }
}

// Every input that once crashed a target (tests/fuzz/regressions/<target>/<file>) runs again.
TEST_CASE("fuzz regressions: every crash found stays fixed") {
  int n = 0;
  for (auto& t : odh::fuzz::kTargets) {
    fs::path dir = source("tests/fuzz/regressions") / t.name;
    if (!fs::is_directory(dir)) continue;
    for (auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() == ".md") continue;
      CAPTURE(e.path().string());
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string s = ss.str();
      t.run(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
      ++n;
    }
  }
  MESSAGE("fuzz regressions replayed: " << n);
}
