// How a subcommand joins the odh binary: each cli/cmd_*.cpp defines one static
// CommandRegistrar. Commands appear in --help only once they work (no stubs).
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

namespace odh::cli {

using CommandSetup = std::function<void(CLI::App& app)>;

// order sorts commands in --help (pipeline order: sites 10, sim 20, crawl 30, parse 40,
// metrics 50, explain 55, report 60, diff 70, export 80, run 90).
struct CommandRegistrar {
  CommandRegistrar(int order, CommandSetup setup);
};

}  // namespace odh::cli
