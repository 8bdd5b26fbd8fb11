// odh bulletin: the monthly bulletin of ../shared/seeds/000–002 for one portal or province
// (reports.h write_bulletin; docs/bulletin.md).
#include <iostream>

#include "cli/command.h"
#include "core/core.h"
#include "reports/reports.h"
#include "store/store.h"

namespace odh::cli {
namespace {

struct BulletinArgs {
  std::string db, portal, out = "bulletin", formats = "html,md,xlsx,csv";
  std::int64_t run = 0, baseline = 0;
};

CommandRegistrar reg_bulletin(65, [](CLI::App& app) {
  auto a = std::make_shared<BulletinArgs>();
  auto* c = app.add_subcommand("bulletin", "The monthly bulletin of one portal or province (seeds 000–002): totals and "
                                           "changes, departments' TOP10, new and updated datasets, themes");
  c->add_option("--db", a->db, "SQLite store")->required()->check(CLI::ExistingFile);
  c->add_option("--portal", a->portal, "portal id, or a province (e.g. 贵州省: all its portals)")->required();
  c->add_option("--run", a->run, "run id (default: the latest finished)");
  c->add_option("--baseline", a->baseline, "earlier run for the changes (default: the previous finished run)");
  c->add_option("--out", a->out, "output directory")->capture_default_str();
  c->add_option("--format", a->formats, "any of html,md,xlsx,csv")->capture_default_str();
  c->callback([a] {
    reports::BulletinOptions o;
    o.run = a->run, o.baseline = a->baseline, o.scope = a->portal, o.out_dir = a->out;
    o.formats = reports::parse_formats(a->formats);
    for (const auto& f : o.formats)
      if (f == "pdf") throw UsageError("--format: the bulletin is written as html, md, xlsx or csv");
    Store::open(a->db);  // migrates an older file
    auto db = StoreReader::open(a->db);
    auto files = reports::write_bulletin(*db, o);
    std::cout << "bulletin of run " << files.run << (files.baseline ? " against run " + std::to_string(files.baseline) : "")
              << ":\n";
    for (const auto& f : files.files) std::cout << "  " << f << '\n';
  });
});

}  // namespace
}  // namespace odh::cli
