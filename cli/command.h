// How a subcommand joins the odh binary: each cli/cmd_*.cpp defines one static
// CommandRegistrar. Commands appear in --help only once they work (no stubs).
#pragma once
#include <CLI/CLI.hpp>
#include <functional>

#include "crawler/crawl.h"

namespace odh::cli {

using CommandSetup = std::function<void(CLI::App& app)>;

// order sorts commands in --help (pipeline order: sites 10, sim 20, crawl 30, parse 40,
// metrics 50, explain 55, report 60, diff 70, export 80, run 90).
struct CommandRegistrar {
  CommandRegistrar(int order, CommandSetup setup);
};

// The download-probe knobs of `odh run` and `odh crawl --spiders family` (CrawlOptions; the harvest's
// file stage, docs/files.md), bound to `o` (its values are the defaults shown).
inline void add_probe_options(CLI::App* c, CrawlOptions* o) {
  c->add_option("--files-per-site", o->files_per_site,
                "download links per site sampled for content (format, rows, columns)")
      ->capture_default_str();
  c->add_option("--links-per-site", o->links_per_site,
                "download links per site checked in all (beyond the sample by HEAD); both 0: no probes")
      ->capture_default_str();
  c->add_option("--file-bytes", o->probe_bytes, "bytes fetched of a sampled file (HTTP Range; more is cut)")
      ->capture_default_str();
  c->add_option("--files-total-bytes", o->files_total_bytes,
                "no new probe once the run's probes brought this many bytes")
      ->capture_default_str();
}
inline void copy_probe_options(const CrawlOptions& from, CrawlOptions* to) {
  to->files_per_site = from.files_per_site;
  to->links_per_site = from.links_per_site;
  to->probe_bytes = from.probe_bytes;
  to->files_total_bytes = from.files_total_bytes;
}

}  // namespace odh::cli
