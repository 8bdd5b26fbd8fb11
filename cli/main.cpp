// odh — open-data portal harvester and evaluator. Entry point: collects the
// subcommands registered by cli/cmd_*.cpp and maps errors to exit codes.
#include <algorithm>
#include <iostream>
#include <vector>

#include "cli/command.h"
#include "core/core.h"

namespace odh::cli {
namespace {
std::vector<std::pair<int, CommandSetup>>& commands() {
  static std::vector<std::pair<int, CommandSetup>> v;
  return v;
}
}  // namespace

CommandRegistrar::CommandRegistrar(int order, CommandSetup setup) {
  commands().emplace_back(order, std::move(setup));
}
}  // namespace odh::cli

int main(int argc, char** argv) {
  CLI::App app{
      "odh — harvest open-data portals, compute the annual report's indicators, render reports.\n"
      "Exit codes: 0 ok, 1 failure, 2 usage error."};
  app.set_version_flag("--version", odh::version_string());
  app.require_subcommand(1);
  auto& cmds = odh::cli::commands();
  std::stable_sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : cmds) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? odh::kExitOk : odh::kExitUsage;
  } catch (const odh::UsageError& e) {
    std::cerr << "odh: " << e.what() << "\n";
    return odh::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "odh: " << e.what() << "\n";
    return odh::kExitFailure;
  }
  return odh::kExitOk;
}
