#include "core/core.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

extern const char* const kOdhGitRev;  // generated at build time (cmake/git_version.cmake)

namespace odh {

static std::string format_input_error(const std::string& file, int line, const std::string& field,
                                      const std::string& problem) {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  s += ": ";
  if (!field.empty()) s += field + ": ";
  return s + problem;
}

InputError::InputError(std::string file_, int line_, std::string field_, std::string problem_)
    : std::runtime_error(format_input_error(file_, line_, field_, problem_)),
      file(std::move(file_)),
      line(line_),
      field(std::move(field_)),
      problem(std::move(problem_)) {}

std::string version_string() { return std::string("odh ") + ODH_VERSION + " (git " + kOdhGitRev + ")"; }

std::filesystem::path home_dir() {
  if (const char* h = std::getenv("ODH_HOME"); h && *h) return h;
  return ODH_SOURCE_DIR;
}

std::filesystem::path data_dir() {
  if (const char* d = std::getenv("ODH_DATA_DIR"); d && *d) return d;
  return home_dir() / "data";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace odh
