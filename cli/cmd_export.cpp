// odh export dcat: the harvested catalogue of a run as DCAT-AP (Turtle, JSON-LD or RDF/XML), docs/export.md.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "core/core.h"
#include "reports/reports.h"
#include "store/store.h"

namespace odh::cli {
namespace {

struct ExportOpts {
  std::string db, format = "ttl", out;
  std::int64_t run = 0;
};

void print_stats(const reports::DcatStats& st, const std::string& where) {
  std::cerr << "run " << st.run << ": " << st.catalogs << " catalogues, " << st.datasets << " datasets, "
            << st.distributions << " distributions, " << st.triples << " triples → " << where << "\n";
  if (st.dropped_iris || st.unmapped_themes || st.unmapped_formats)
    std::cerr << "  " << st.dropped_iris << " portal URLs dropped (not a usable IRI), " << st.unmapped_themes
              << " datasets with a theme outside the EU data themes, " << st.unmapped_formats
              << " distributions with a format outside the EU file types (kept as odh terms)\n";
}

void run_export_dcat(const ExportOpts& o) {
  auto reader = StoreReader::open(o.db);
  reports::DcatOptions opt;
  opt.run = o.run;
  opt.format = o.format;
  reports::DcatStats st;
  if (o.out.empty() || o.out == "-") {
    st = reports::write_dcat(*reader, opt, std::cout);
    print_stats(st, "stdout");
  } else {
    reports::write_file_atomic(o.out, [&](std::ostream& out) { st = reports::write_dcat(*reader, opt, out); });
    print_stats(st, o.out);
  }
}

CommandRegistrar reg_export(80, [](CLI::App& app) {
  auto* c = app.add_subcommand("export", "Export the harvested catalogue in other ecosystems' formats");
  c->require_subcommand(1);
  auto o = std::make_shared<ExportOpts>();
  auto* d = c->add_subcommand("dcat", "A run's catalogue as DCAT-AP: Turtle, JSON-LD or RDF/XML (docs/export.md)");
  d->add_option("--db", o->db, "SQLite store")->required()->check(CLI::ExistingFile);
  d->add_option("--run", o->run, "run id (default: the latest finished run)");
  d->add_option("--format", o->format, "ttl | jsonld | rdfxml")->check(CLI::IsMember({"ttl", "jsonld", "rdfxml"}));
  d->add_option("--out", o->out, "output file (default: standard output)");
  d->callback([o] { run_export_dcat(*o); });
});

}  // namespace
}  // namespace odh::cli
