// core: the few things every room shares — errors that name where they happened,
// the version string, and where odh's own data files live.
#pragma once
#include <filesystem>
#include <stdexcept>
#include <string>

namespace odh {

// Exit codes of the odh binary (documented in README).
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

// An error in user-supplied input: formats as "file:line: field: problem" so an
// editor can jump to it. line 0 means "whole file"; empty field is omitted.
struct InputError : std::runtime_error {
  std::string file;
  int line = 0;
  std::string field;
  std::string problem;
  InputError(std::string file, int line, std::string field, std::string problem);
};

// A failure of the operation (network, I/O, database); exit code 1.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A bad command line that CLI11 cannot catch by itself; exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "odh 0.1.0 (git abc1234)".
std::string version_string();

// Directory of odh's shipped data (reference data, family specs): $ODH_DATA_DIR,
// else <source>/data as configured at build time.
std::filesystem::path data_dir();

// Directory of the repository (for sites.yaml default): $ODH_HOME, else the source dir.
std::filesystem::path home_dir();

// Read a whole file; throws Failure naming the path.
std::string read_file(const std::filesystem::path& path);

}  // namespace odh
