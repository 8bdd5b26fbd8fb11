// inspect_file (parsers/parsers.h, docs/files.md) against files written at test time by independent
// writers (tests/files/make_files.py: Python's csv module in UTF-8/GBK/UTF-16, openpyxl, xlwt, json,
// xml.etree; PDF, PNG, ODS and HTML byte by byte to their specifications), whose manifest holds the
// truth: format, rows × columns as written, label agreement. Also hostile bodies (garbage, zip bombs,
// truncations), thread safety, and `odh files inspect` run as a user would.
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "core/core.h"
#include "parsers/parsers.h"

namespace fs = std::filesystem;
using odh::FileInspection;
using odh::inspect_file;
using odh::InspectLimits;

namespace {

std::string slurp(const fs::path& p) { return odh::read_file(p); }

int sh(const std::string& cmd) { return std::system(cmd.c_str()); }

// The process's peak resident memory so far, in MB (a high-water mark: it grows only on a new peak).
long peak_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// The generated files, once per process.
const fs::path& files_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::path(ODH_TEST_OUT_DIR) / "files";
    fs::remove_all(d);
    fs::create_directories(d);
    const std::string cmd = "/usr/bin/python3 " + std::string(ODH_SOURCE_DIR) + "/tests/files/make_files.py " +
                            d.string() + " >/dev/null";
    REQUIRE_MESSAGE(sh(cmd) == 0, "make_files.py failed (python3-openpyxl and python3-xlwt: scripts/setup.sh)");
    return d;
  }();
  return dir;
}

nlohmann::json manifest() { return nlohmann::json::parse(slurp(files_dir() / "manifest.json")); }

nlohmann::json as_json(const FileInspection& r) {
  return {{"sniffed_format", r.sniffed_format}, {"mime", r.mime},
          {"machine_readable", r.machine_readable}, {"stars", r.stars},
          {"declared_matches", r.declared_matches}, {"rows", r.rows},
          {"columns", r.columns}, {"rows_lower_bound", r.rows_lower_bound},
          {"encoding", r.encoding}, {"delimiter", r.delimiter}, {"note", r.note}};
}

}  // namespace

TEST_CASE("each generated file comes back as written: format, label agreement, stars, rows x columns") {
  const auto m = manifest();
  REQUIRE(m.size() >= 35);
  int checked = 0;
  for (const auto& e : m) {
    const std::string file = e["file"];
    const std::string body = slurp(files_dir() / file);
    InspectLimits limits;
    if (e.contains("limits")) limits.max_inflated_bytes = e["limits"]["max_inflated_bytes"].get<std::int64_t>();
    const long mb0 = peak_mb();
    const auto t0 = std::chrono::steady_clock::now();
    const FileInspection r = inspect_file(body, e["declared"].get<std::string>(), "", e["truncated"].get<bool>(), limits);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto got = as_json(r);
    INFO(file << " declared '" << e["declared"].get<std::string>() << "': " << got.dump());
    CHECK(secs < 5.0);
    // Bounded memory: no file (all under 1 MB; the bombs claim gigabytes, 16 M cells, 32 MB of strings)
    // may raise the peak by more than 32 MB.
    CHECK(peak_mb() - mb0 < 32);
    for (const auto& item : e["expect"].items()) {
      const std::string key = item.key();  // (clang: no structured bindings in INFO's lambda)
      INFO("field " << key);
      CHECK(got[key] == item.value());
      ++checked;
    }
    // Invariants of every answer.
    CHECK(r.stars >= 0);
    CHECK(r.stars <= 4);
    if (r.sniffed_format.empty()) CHECK(r.stars == 0);
    if (r.machine_readable) CHECK(r.stars >= 2);
    if (r.rows < 0) CHECK_FALSE(r.rows_lower_bound);
  }
  MESSAGE(checked << " expectations over " << m.size() << " files");
}

TEST_CASE("XML records: a few rows of many fields, fields named by an attribute, attribute records") {
  // Three records of four fields: the records are the rows, not the twelve fields.
  std::string few = "<root>";
  for (int r = 0; r < 3; ++r) {
    few += "<row>";
    for (const char* f : {"序号", "名称", "地址", "电话"}) few += std::string("<field name=\"") + f + "\">v</field>";
    few += "</row>";
  }
  few += "</root>";
  auto a = odh::inspect_file(few, "xml", "application/xml");
  CHECK(a.sniffed_format == "xml");
  CHECK(a.rows == 3);
  CHECK(a.columns == 4);
  // Plain element fields; a header element beside the records does not win.
  auto b = odh::inspect_file("<data><meta><source>x</source></meta><rec><a>1</a><b>2</b></rec><rec><a>3</a><b>4</b></rec>"
                             "<rec><a>5</a><b>6</b></rec></data>",
                             "xml", "");
  CHECK(b.rows == 3);
  CHECK(b.columns == 2);
  // Fields as attributes of leaf records, with a header element that has children.
  auto c = odh::inspect_file("<data><meta><source>x</source></meta><rec a=\"1\" b=\"2\" c=\"3\"/><rec a=\"4\" b=\"5\" c=\"6\"/>"
                             "</data>",
                             "xml", "");
  CHECK(c.rows == 2);
  CHECK(c.columns == 3);
}

TEST_CASE("a truncated CSV counts only its complete records; the whole file counts all") {
  const std::string full = slurp(files_dir() / "utf8.csv");
  const auto whole = inspect_file(full, "csv", "", false);
  CHECK(whole.rows == 37);
  for (size_t cut : {size_t(200), full.size() / 2, full.size() - 3}) {  // the last: inside the last record
    const auto part = inspect_file(std::string_view(full).substr(0, cut), "csv", "", true);
    INFO("cut at " << cut << ": " << as_json(part).dump());
    CHECK(part.sniffed_format == "csv");
    CHECK(part.rows_lower_bound);
    CHECK(part.rows >= 0);
    CHECK(part.rows < 37);
  }
}

TEST_CASE("hostile bodies: random bytes, truncations of every generated file, flipped bytes — bounded, never throws") {
  std::mt19937 rng(16);
  std::vector<std::string> bodies;
  for (const auto& e : manifest()) bodies.push_back(slurp(files_dir() / e["file"].get<std::string>()));
  int n = 0;
  for (const auto& b : bodies) {
    if (b.empty()) continue;
    for (int k = 0; k < 4; ++k) {
      std::string v = b.substr(0, rng() % b.size());
      if (!v.empty() && k % 2) v[rng() % v.size()] ^= char(1 + rng() % 255);
      InspectLimits lim;
      lim.max_inflated_bytes = 2 << 20;
      FileInspection r;
      CHECK_NOTHROW(r = inspect_file(v, "csv", "text/csv", k < 2, lim));
      CHECK(r.stars <= 4);
      ++n;
    }
  }
  // Deep nesting must not recurse: JSON and XML a hundred thousand levels deep.
  const std::string deep_json = std::string(100000, '[') + std::string(100000, ']');
  auto j = inspect_file(deep_json, "json", "", false);
  CHECK(j.sniffed_format == "json");
  std::string deep_xml;
  for (int i = 0; i < 100000; ++i) deep_xml += "<a>";
  for (int i = 0; i < 100000; ++i) deep_xml += "</a>";
  auto x = inspect_file(deep_xml, "xml", "", false);
  CHECK(x.sniffed_format == "xml");
  // The billion laughs: expat's amplification limit refuses it.
  std::string lol = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">";
  for (int i = 1; i < 10; ++i)
    lol += "<!ENTITY " + std::string(1, char('a' + i)) + " \"" + std::string(10, '&') + "\">";
  for (int i = 1; i < 10; ++i) {
    std::string refs;
    for (int k = 0; k < 10; ++k) refs += "&" + std::string(1, char('a' + i - 1)) + ";";
    lol.replace(lol.find(std::string(10, '&')), 10, refs);
  }
  lol += "]><l>&j;</l>";
  const auto t0 = std::chrono::steady_clock::now();
  auto bl = inspect_file(lol, "xml", "", false);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 5.0);
  CHECK_FALSE(bl.machine_readable);
  MESSAGE(n << " hostile variants");
}

TEST_CASE("thread safety: several threads inspect at once and agree with one thread") {
  const auto m = manifest();
  std::vector<std::pair<std::string, std::string>> work;
  std::vector<std::string> alone;
  for (const auto& e : m) {
    if (e.contains("limits")) continue;
    work.emplace_back(slurp(files_dir() / e["file"].get<std::string>()), e["declared"].get<std::string>());
    alone.push_back(as_json(inspect_file(work.back().first, work.back().second, "", e["truncated"].get<bool>())).dump());
  }
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> ts;
  for (size_t t = 0; t < got.size(); ++t)
    ts.emplace_back([&, t] {
      size_t i = 0;
      for (const auto& e : m) {
        if (e.contains("limits")) continue;
        got[t].push_back(as_json(inspect_file(work[i].first, work[i].second, "", e["truncated"].get<bool>())).dump());
        ++i;
      }
    });
  for (auto& t : ts) t.join();
  for (const auto& g : got) CHECK(g == alone);
}

TEST_CASE("odh files inspect: one line per file, --json, exit 1 on an unreadable file") {
  const fs::path d = files_dir();
  const fs::path out = d / "cli.json";
  const std::string bin = ODH_BINARY;
  REQUIRE(sh(bin + " files inspect --json " + (d / "gbk.csv").string() + " " + (d / "data.xls").string() +
             " --declared xls > " + out.string()) == 0);
  const auto j = nlohmann::json::parse(slurp(out));
  REQUIRE(j.size() == 2);
  CHECK(j[0]["sniffed_format"] == "csv");
  CHECK(j[0]["rows"] == 120);
  CHECK(j[0]["declared_matches"] == false);  // a CSV labelled xls
  CHECK(j[1]["sniffed_format"] == "xls");
  CHECK(j[1]["rows"] == 150);
  CHECK(j[1]["columns"] == 9);
  const fs::path txt = d / "cli.txt";
  REQUIRE(sh(bin + " files inspect --max-bytes 1000 " + (d / "utf8.csv").string() + " > " + txt.string()) == 0);
  const std::string line = slurp(txt);
  CHECK(line.find("utf8.csv\tcsv\ttext/csv\t3* machine-readable\t") != std::string::npos);
  CHECK(line.find("+ rows x 5 columns") != std::string::npos);  // cut at 1000 bytes: a lower bound
  CHECK(sh(bin + " files inspect " + (d / "no-such-file").string() + " 2>/dev/null >/dev/null") == 1 * 256);
  CHECK(sh(bin + " files inspect --help >/dev/null") == 0);
}
