// odh files inspect FILE... [--declared FMT] [--json] [--max-bytes N]: what downloaded files really are
// (format by content, MIME, machine-readable, stars, label agreement, rows × columns), offline, so a
// researcher can check a file by hand (parsers/parsers.h inspect_file, docs/files.md).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/core.h"
#include "parsers/parsers.h"

namespace odh::cli {
namespace {

struct FilesArgs {
  std::vector<std::string> files;
  std::string declared;
  bool json = false;
  std::int64_t max_bytes = 256ll << 20;
};

// The first max_bytes of a file; *truncated when there was more.
std::string read_head(const std::string& path, std::int64_t max_bytes, bool* truncated) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure(path + ": cannot read");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Failure(path + ": " + ec.message());
  std::string out(size_t(std::min<std::uintmax_t>(size, std::uintmax_t(max_bytes))) + 1, '\0');
  in.read(out.data(), std::streamsize(out.size()));
  if (in.bad()) throw Failure(path + ": read error");
  out.resize(size_t(in.gcount()));
  *truncated = std::int64_t(out.size()) > max_bytes;
  if (*truncated) out.resize(size_t(max_bytes));
  return out;
}

nlohmann::json to_json(const std::string& file, const FileInspection& r, bool truncated) {
  return {{"file", file},
          {"sniffed_format", r.sniffed_format},
          {"mime", r.mime},
          {"machine_readable", r.machine_readable},
          {"stars", r.stars},
          {"declared_matches", r.declared_matches},
          {"rows", r.rows},
          {"columns", r.columns},
          {"rows_lower_bound", r.rows_lower_bound},
          {"encoding", r.encoding},
          {"delimiter", r.delimiter},
          {"truncated", truncated},
          {"note", r.note}};
}

std::string line(const std::string& file, const FileInspection& r) {
  auto n = [](std::int64_t v) { return v < 0 ? std::string("?") : std::to_string(v); };
  std::string s = file + "\t" + (r.sniffed_format.empty() ? "(empty)" : r.sniffed_format) + "\t" +
                  (r.mime.empty() ? "-" : r.mime) + "\t" + std::to_string(r.stars) + "*" +
                  (r.machine_readable ? " machine-readable" : "") +
                  (r.declared_matches ? "" : " MISLABELLED") + "\t" + n(r.rows) +
                  (r.rows_lower_bound ? "+" : "") + " rows x " + n(r.columns) + " columns";
  if (!r.encoding.empty()) s += "\t" + r.encoding;
  if (!r.delimiter.empty()) s += "\t" + std::string(r.delimiter == "\t" ? "tab" : "'" + r.delimiter + "'");
  if (!r.note.empty()) s += "\t(" + r.note + ")";
  return s;
}

void run_inspect(const FilesArgs& a) {
  nlohmann::json out = nlohmann::json::array();
  bool failed = false;
  for (const auto& f : a.files) {
    bool truncated = false;
    std::string body;
    try {
      body = read_head(f, a.max_bytes, &truncated);
    } catch (const Failure& e) {
      std::cerr << "odh: " << e.what() << "\n";
      failed = true;
      continue;
    }
    const FileInspection r = inspect_file(body, a.declared, "", truncated);
    if (a.json)
      out.push_back(to_json(f, r, truncated));
    else
      std::cout << line(f, r) << "\n";
  }
  if (a.json) std::cout << out.dump(2) << "\n";
  if (failed) throw Failure("some files could not be read");
}

CommandRegistrar reg(46, [](CLI::App& app) {
  auto args = std::make_shared<FilesArgs>();
  auto* t = app.add_subcommand("files", "Inspect downloaded files offline: real format, stars, rows x columns");
  t->require_subcommand(1);
  auto* c = t->add_subcommand(
      "inspect",
      "Per file: format by content (libmagic + structure), MIME, machine-readable, 5-star level, whether the\n"
      "declared label agrees, data rows (header excluded) x columns, encoding and delimiter of text.\n"
      "One tab-separated line per file: FILE FORMAT MIME STARS ROWSxCOLUMNS [ENCODING] [DELIMITER] [(note)];\n"
      "'?' = not countable, '+' = at least (file cut at --max-bytes). Exit 1 if a file cannot be read.");
  c->add_option("FILE", args->files, "downloaded file (any format)")->required();
  c->add_option("--declared", args->declared, "the portal's format label to compare with (csv, xls, …)");
  c->add_option("--max-bytes", args->max_bytes, "read at most this many bytes of each file (as a capped fetch)")
      ->check(CLI::Range(std::int64_t(1), std::int64_t(4) << 30));
  c->add_flag("--json", args->json, "print a JSON array, one object per file (the FileInspection fields)");
  c->callback([args] { run_inspect(*args); });
});

}  // namespace
}  // namespace odh::cli
