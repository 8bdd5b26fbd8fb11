// odh regress against an independent change: one value edited in a copy of a committed snapshot (the
// title of a data.json record, a WARC payload, same length so the record stays well-formed) must fail
// the regression with a diff naming the portal, the dataset, the field and old → new; the unedited
// copy must pass. (The full `odh regress` over every group is the ctest `regress`.)
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

const fs::path kSnap = fs::path(ODH_SOURCE_DIR) / "tests" / "snapshots";

struct Ran {
  int rc = -1;
  std::string out;
};

Ran run(const std::string& cmd) {
  Ran r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// A copy of tests/snapshots/intl (uncompressed) and its golden file under `dir`.
void copy_intl(const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir / "intl");
  fs::copy_file(kSnap / "intl.golden", dir / "intl.golden");
  for (auto& e : fs::directory_iterator(kSnap / "intl")) {
    auto out = dir / "intl" / e.path().filename().replace_extension("");  // x.warc.gz → x.warc
    REQUIRE(run("gzip -dc '" + e.path().string() + "' > '" + out.string() + "'").rc == 0);
  }
}

std::string regress(const fs::path& dir) {
  return std::string(ODH_BINARY) + " regress --dir '" + dir.string() + "' --root '" + ODH_SOURCE_DIR +
         "' --group intl";
}

}  // namespace

TEST_CASE("odh regress: one title changed in a snapshot fails with a diff naming it") {
  const fs::path dir = fs::path(ODH_TEST_OUT_DIR) / "regress-intl";
  copy_intl(dir);
  const std::string old_title = "Department of Agriculture Congressional Logs for Fiscal Year 2014";
  const std::string new_title = "Department of Agriculture Congressional Logs for Fiscal Year 2015";

  auto same = run(regress(dir));
  CAPTURE(same.out);
  CHECK(same.rc == 0);
  CHECK(same.out.find("0 differences") != std::string::npos);

  fs::path warc;
  for (auto& e : fs::directory_iterator(dir / "intl")) warc = e.path();
  std::string bytes;
  {
    std::ifstream in(warc, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto at = bytes.find(old_title);
  REQUIRE(at != std::string::npos);
  REQUIRE(bytes.find(old_title, at + 1) == std::string::npos);  // exactly one value changes
  bytes.replace(at, old_title.size(), new_title);
  {
    std::ofstream out(warc, std::ios::binary | std::ios::trunc);
    out << bytes;
  }

  auto changed = run(regress(dir));
  CAPTURE(changed.out);
  CHECK(changed.rc == 1);
  // "intl: dataset usda-gov «<key>» title: "…2014" → "…2015"", and nothing else changed in the records.
  bool named = false;
  int record_lines = 0;
  std::istringstream lines(changed.out);
  for (std::string l; std::getline(lines, l);) {
    if (l.rfind("intl: dataset ", 0) == 0 || l.rfind("intl: api ", 0) == 0) ++record_lines;
    if (l.rfind("intl: dataset usda-gov «", 0) == 0 &&
        l.find(" title: \"" + old_title + "\" → \"" + new_title + "\"") != std::string::npos)
      named = true;
  }
  CHECK(named);
  CHECK(record_lines == 1);
  fs::remove_all(dir);
}
