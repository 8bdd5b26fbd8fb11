// The annual report of a simulated `odh run`: the run ends by printing the report's paths; headless
// Chromium renders the first chapter and a scorecard to PNG screenshots that are not blank and show drawn
// chart shapes (pixels checked); the XLSX (openpyxl) and CSVs (pandas) read back equal the indicator
// table; `odh report` renders again from the store without harvesting; a full disk while writing the
// report exits 1 and leaves no partial file.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/core.h"

namespace fs = std::filesystem;

namespace {

struct Run {
  fs::path out, report, db;
  std::string stdout_text;
};

// One simulated run shared by the cases below (four portals of four kinds, as tests/pipeline's terms run).
const Run& simulated() {
  static Run r = [] {
    Run x;
    x.out = fs::path(ODH_TEST_OUT_DIR) / ("report-run-" + std::to_string(::getpid()));
    fs::remove_all(x.out);
    std::string cmd = std::string(ODH_BINARY) + " run --simulate --quiet --delay 0.01 --out " + x.out.string() +
                      " --sites " + ODH_SOURCE_DIR + "/sites.yaml --only data-yq --only data-shenyang --only bjhd --only bjdch";
    cmd += " > " + (x.out.string() + ".stdout") + " 2> " + (x.out.string() + ".log");
    REQUIRE(std::system(cmd.c_str()) == 0);
    x.stdout_text = odh::read_file(x.out.string() + ".stdout");
    x.db = x.out / "odh.sqlite";
    for (auto& e : fs::directory_iterator(x.out / "runs")) x.report = e.path() / "report";
    return x;
  }();
  return r;
}

bool have(const std::string& what) { return std::system((what + " >/dev/null 2>&1").c_str()) == 0; }

std::string chromium() {
  const char* env = std::getenv("ODH_CHROMIUM");
  std::string c = env && *env ? env : "chromium";
  return have("command -v " + c) ? c : "";
}

// A PNG screenshot of `html` (window w×h) by headless Chromium with a fresh profile.
bool screenshot(const std::string& chrome, const fs::path& html, const fs::path& png, int w, int h) {
  const fs::path profile = png.parent_path() / (png.stem().string() + "-profile");
  fs::create_directories(profile);
  std::string cmd = chrome +
                    " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
                    "--disable-component-update --disable-sync --user-data-dir=" +
                    profile.string() + " --hide-scrollbars --window-size=" + std::to_string(w) + "," + std::to_string(h) +
                    " --screenshot=" + png.string() + " file://" + fs::absolute(html).string() + " >/dev/null 2>&1";
  bool ok = std::system(cmd.c_str()) == 0 && fs::exists(png);
  fs::remove_all(profile);
  return ok;
}

int png_check(const fs::path& png, int min_chart_pixels) {
  std::string cmd = std::string("/usr/bin/python3 ") + ODH_SOURCE_DIR + "/tests/reports/png_check.py " + png.string() +
                    " --min-chart-pixels " + std::to_string(min_chart_pixels);
  return std::system(cmd.c_str());
}

}  // namespace

TEST_CASE("odh run ends with the report's paths; the HTML is self-contained and numbered like the report") {
  const auto& r = simulated();
  // The last lines of stdout are the report's files, the main ones first.
  auto html_at = r.stdout_text.find("report:   " + (r.report / "report.html").string());
  REQUIRE(html_at != std::string::npos);
  CHECK(r.stdout_text.find("report.xlsx") != std::string::npos);
  CHECK(r.stdout_text.find("/csv/ (") != std::string::npos);
  CHECK(r.stdout_text.find("indicator rows") < html_at);
  const std::string html = odh::read_file(r.report / "report.html");
  CHECK(html.size() < 5u * 1024 * 1024);
  for (const char* id : {"图 2-1", "图 2-7", "图 3-1", "表 3-4", "表 3-8", "表 3-12", "图 4-9", "表 5-1", "图 5-25", "表 5-3"})
    CHECK_MESSAGE(html.find(id) != std::string::npos, id);
  CHECK(html.find("<script") == std::string::npos);  // no JavaScript needed to read it
  CHECK(html.find("src=\"http") == std::string::npos);  // nothing loaded from the network
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("odh explain platform.datasets") != std::string::npos);
  if (fs::exists(r.report / "report.pdf")) CHECK(odh::read_file(r.report / "report.pdf").rfind("%PDF", 0) == 0);
}

TEST_CASE("headless Chromium renders the first chapter and a scorecard with drawn charts") {
  const auto& r = simulated();
  const std::string chrome = chromium();
  if (chrome.empty()) {
    MESSAGE("SKIPPED: chromium is not installed (scripts/setup.sh installs Debian's chromium)");
    return;
  }
  REQUIRE(fs::exists(r.report / "report.pdf"));  // odh run printed it with the same Chromium
  // The first chapter: the top of the page (title, facts, figures 2-1 to 2-4).
  const fs::path shot1 = r.out / "chapter2.png";
  REQUIRE(screenshot(chrome, r.report / "report.html", shot1, 1100, 2400));
  CHECK(png_check(shot1, 20000) == 0);
  // A scorecard: the page's own head (styles) with one portal's card.
  const std::string html = odh::read_file(r.report / "report.html");
  const auto head_end = html.find("<body>") + 6;
  const auto a = html.find("<div class=\"card\" id=\"p-data-yq\">");
  REQUIRE(a != std::string::npos);
  auto b = html.find("<div class=\"card\"", a + 10);
  if (b == std::string::npos) b = html.find("</section>", a);
  const fs::path card = r.out / "card.html";
  std::ofstream(card) << html.substr(0, head_end) << html.substr(a, b - a) << "</body></html>";
  const fs::path shot2 = r.out / "scorecard.png";
  REQUIRE(screenshot(chrome, card, shot2, 1000, 1100));
  CHECK(png_check(shot2, 5000) == 0);
  // A page without charts fails the same check (the check is not vacuous).
  const fs::path plain = r.out / "plain.html";
  std::ofstream(plain) << "<html><body><p>text only</p></body></html>";
  const fs::path shot3 = r.out / "plain.png";
  REQUIRE(screenshot(chrome, plain, shot3, 400, 300));
  CHECK(png_check(shot3, 1) != 0);
}

TEST_CASE("the XLSX and the CSVs read back equal the indicator table") {
  const auto& r = simulated();
  if (!have("/usr/bin/python3 -c 'import openpyxl, pandas'")) {
    MESSAGE("SKIPPED: python3-openpyxl or python3-pandas is not installed (scripts/setup.sh)");
    return;
  }
  std::string cmd = std::string("/usr/bin/python3 ") + ODH_SOURCE_DIR + "/tests/reports/check_tables.py " +
                    r.report.string() + " " + r.db.string() + " 1";
  CHECK(std::system(cmd.c_str()) == 0);
}

TEST_CASE("odh report renders from the store alone, in English, without harvesting") {
  const auto& r = simulated();
  const fs::path out = r.out / "again";
  std::string cmd = std::string(ODH_BINARY) + " report --db " + r.db.string() + " --out " + out.string() +
                    " --lang en --format md,csv > " + (r.out / "again.stdout").string() + " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const std::string md = odh::read_file(out / "report.md");
  CHECK(md.find("Figure 2\\-3") != std::string::npos);
  CHECK(fs::exists(out / "csv" / "table_5_1.csv"));
  CHECK_FALSE(fs::exists(out / "report.html"));
  // The same numbers as the run's own report.
  CHECK(odh::read_file(out / "csv" / "figure_2_3.csv").substr(0, 3) == "\xEF\xBB\xBF");
  CHECK(std::system((std::string(ODH_BINARY) + " report --db " + r.db.string() + " --out " + out.string() +
                     " --format docx >/dev/null 2>&1")
                        .c_str()) == 2 * 256);  // usage error
}

TEST_CASE("a full disk while writing the report exits 1 and leaves no partial file") {
  const auto& r = simulated();
  const fs::path out = r.out / "full";
  fs::create_directories(out);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child may write at most 64 KiB per file: report.html is larger. SIGXFSZ ignored → write() fails
    // with EFBIG, as on a full disk.
    signal(SIGXFSZ, SIG_IGN);
    rlimit lim{64 * 1024, 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &lim);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(ODH_BINARY, ODH_BINARY, "report", "--db", r.db.c_str(), "--out", out.c_str(), "--format", "html", nullptr);
    _exit(127);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK_FALSE(fs::exists(out / "report.html"));
  int left = 0;
  for (auto& e : fs::directory_iterator(out)) {
    MESSAGE("left behind: " << e.path());
    ++left;
  }
  CHECK(left == 0);
}
