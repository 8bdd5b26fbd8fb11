// PDF through headless Chromium (Debian's chromium): the HTML printed with its print CSS.
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "reports/render.h"
#include "reports/util.h"

extern char** environ;

namespace odh::reports {
namespace {
std::string find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string cand = p.substr(start, end - start) + "/" + name;
    if (access(cand.c_str(), X_OK) == 0) return cand;
    start = end + 1;
  }
  return "";
}
}  // namespace

std::string render_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf, const std::string& chromium) {
  namespace fs = std::filesystem;
  std::string exe = chromium;
  if (exe.empty()) {
    const char* env = std::getenv("ODH_CHROMIUM");
    exe = env && *env ? env : "chromium";
  }
  exe = find_on_path(exe);
  if (exe.empty()) return "PDF skipped: Chromium is not installed (scripts/setup.sh installs Debian's chromium)";
  const fs::path tmp = pdf.parent_path() / ("." + pdf.filename().string() + ".tmp" + std::to_string(getpid()));
  char profile_tmpl[] = "/tmp/odh-chromium-XXXXXX";
  const char* profile = mkdtemp(profile_tmpl);
  if (!profile) return "PDF skipped: no temporary directory for Chromium";
  std::vector<std::string> args = {exe,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + std::string(profile),
                                   "--no-pdf-header-footer",
                                   "--print-to-pdf=" + fs::absolute(tmp).string(),
                                   "file://" + fs::absolute(html).string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  std::string why;
  if (rc != 0) {
    why = "PDF skipped: cannot start " + exe;
  } else {
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    for (;;) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        why = "PDF skipped: Chromium did not finish in 300 s";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::error_code ec;
    if (why.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::file_size(tmp, ec) > 0 && !ec))
      why = "PDF skipped: Chromium failed";
  }
  std::error_code ec;
  fs::remove_all(profile, ec);
  if (!why.empty()) {
    fs::remove(tmp, ec);
    return why;
  }
  commit_temp_file(tmp, pdf);
  return "";
}

}  // namespace odh::reports
