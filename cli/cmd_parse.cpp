// odh parse — turn portal responses into database rows with the family engines.
//   odh parse --replay DIR --db odh.sqlite [--sites sites.yaml] [--site ID]… [--threads N]  (WARC snapshot)
//   odh parse --live DIR   --db odh.sqlite [--sites …] [--connect-to …]          (crawl + parse inline)
// Prints a summary: datasets per portal, parse issues, unknown labels by portal and label.
#include <malloc.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/command.h"
#include "core/core.h"
#include "crawler/crawl.h"
#include "harvest/harvest.h"
#include "registry/registry.h"

namespace odh::cli {
namespace {

struct ParseArgs {
  std::string replay, live, db, sites, label, ca_file;
  std::vector<std::string> only, connect_to;
  double delay = -1;
  int max_pages = 0, threads = 2;
  bool json = false, offline = false;
};

std::vector<Site> selected(const Registry& reg, const std::vector<std::string>& only) {
  std::vector<Site> out;
  std::set<std::string> want(only.begin(), only.end());
  for (const auto& s : reg.sites)
    if (want.empty() || want.count(s.id)) out.push_back(s);
  for (const auto& id : want)
    if (!reg.find(id)) throw UsageError("--site: no site '" + id + "' in the registry");
  return out;
}

void print(const HarvestSummary& s, const Store& store, bool as_json) {
  if (as_json) {
    nlohmann::json j = {
        {"run_id", s.run_id},     {"sites", s.sites},       {"sites_skipped", s.sites_skipped},
        {"requests", s.requests}, {"answered", s.answered}, {"datasets", s.datasets},
        {"apis", s.apis},         {"issues", s.issues}};
    j["datasets_by_portal"] = s.datasets_by_portal;
    if (!s.seconds.empty()) j["seconds"] = s.seconds;
    nlohmann::json ul = nlohmann::json::array();
    for (auto& [k, n] : s.unknown_labels)
      ul.push_back({{"portal", k.first}, {"label", k.second}, {"count", n}});
    j["unknown_labels"] = ul;
    std::cout << j.dump(1) << "\n";
    return;
  }
  std::cout << "run " << s.run_id << ": " << s.sites << " sites parsed (" << s.sites_skipped
            << " without an engine), " << s.requests << " responses (" << s.answered << " in snapshot), "
            << s.datasets << " datasets, " << s.apis << " APIs, " << s.issues << " parse issues\n";
  std::vector<std::pair<std::int64_t, std::string>> top;
  for (auto& [p, n] : s.datasets_by_portal) top.emplace_back(n, p);
  std::sort(top.rbegin(), top.rend());
  if (!top.empty()) std::cout << "datasets by portal:\n";
  for (size_t i = 0; i < top.size() && i < 20; ++i)
    std::cout << "  " << top[i].second << "\t" << top[i].first << "\n";
  if (top.size() > 20) std::cout << "  … " << top.size() - 20 << " more\n";
  std::vector<std::tuple<int, std::string, std::string>> ul;
  for (auto& [k, n] : s.unknown_labels) ul.emplace_back(n, k.first, k.second);
  std::sort(ul.rbegin(), ul.rend());
  std::cout << "unknown labels (kept raw): " << ul.size() << "\n";
  for (size_t i = 0; i < ul.size() && i < 30; ++i)
    std::cout << "  " << std::get<1>(ul[i]) << "\t" << std::get<2>(ul[i]) << "\t" << std::get<0>(ul[i])
              << "\n";
  if (ul.size() > 30) std::cout << "  … " << ul.size() - 30 << " more (--json lists all)\n";
}

void run(const ParseArgs& a) {
  if (a.replay.empty() == a.live.empty()) throw UsageError("give exactly one of --replay DIR or --live DIR");
  std::string sites_file = a.sites.empty() ? default_sites_path() : a.sites;
  if (!a.replay.empty()) {
    // A replay allocates and frees millions of small blocks (DOM nodes, strings) while the heap
    // only grows: keep freed memory and a large top pad instead of trimming and re-growing it.
    mallopt(M_TOP_PAD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
  }
  // Replay: index the snapshot on a second thread while the registry loads (both fixed costs).
  std::future<std::unique_ptr<warc::WarcSnapshot>> indexing;
  if (!a.replay.empty())
    indexing =
        std::async(std::launch::async, [dir = a.replay] { return std::make_unique<warc::WarcSnapshot>(dir); });
  Registry reg = load_registry(sites_file);
  auto sites = selected(reg, a.only);
  auto store = Store::open(a.db);
  if (!a.replay.empty()) {
    std::unique_ptr<warc::WarcSnapshot> indexed = indexing.get();
    const warc::WarcSnapshot& snap = *indexed;
    for (auto& p : snap.problems) std::cerr << "odh parse: warning: " << p << "\n";
    auto sum =
        replay_snapshot(sites, snap, *store, a.label.empty() ? "replay" : a.label, sites_file, a.threads);
    print(sum, *store, a.json);
    return;
  }
  // Live: the crawler drives the family spiders; responses are archived in DIR and parsed inline.
  HarvestOptions h;
  h.crawl.out_dir = a.live;
  if (a.delay >= 0) h.crawl.delay_s = a.delay;
  h.crawl.connect_to = a.connect_to;
  h.crawl.ca_file = a.ca_file;
  h.crawl.mapped_only = a.offline;
  if (a.max_pages > 0) h.crawl.max_pages_per_site = a.max_pages;
  h.label = a.label.empty() ? "live" : a.label;
  h.sites_file = sites_file;
  auto sum = harvest_live(sites, h, *store);
  print(sum, *store, a.json);
}

CommandRegistrar reg(40, [](CLI::App& app) {
  auto a = std::make_shared<ParseArgs>();
  auto* c = app.add_subcommand(
      "parse", "Parse portal responses into the database (replay a WARC snapshot, or crawl live)");
  c->add_option("--replay", a->replay,
                "snapshot directory (or one file) of *.warc / *.warc.gz to rebuild from");
  c->add_option("--live", a->live,
                "crawl now with the family parsers; WARC + crawl state go to this directory");
  c->add_option("--db", a->db, "SQLite database to write (created or migrated)")->required();
  c->add_option("--sites", a->sites, "registry file (default: sites.yaml)");
  c->add_option("--site", a->only, "only this site id (repeatable)");
  c->add_option("--label", a->label, "run label (default: replay / live)");
  c->add_option("--threads", a->threads,
                "replay: parser threads (sites in parallel; one writer keeps the rows in site order)")
      ->check(CLI::Range(1, 64));
  c->add_option("--connect-to", a->connect_to, "live: HOST:PORT:ADDR:PORT (e.g. the simulator)");
  c->add_option("--ca-file", a->ca_file, "live: PEM bundle to verify TLS with (e.g. from odh sim --tls-ca)");
  c->add_option("--delay", a->delay, "live: seconds between requests to a host");
  c->add_option("--max-pages", a->max_pages, "live: at most this many requests per site");
  c->add_flag("--offline", a->offline,
              "live: only hosts mapped by --connect-to are contacted; others fail as 'dns' without a lookup");
  c->add_flag("--json", a->json, "print the summary as JSON");
  c->callback([a] { run(*a); });
});

}  // namespace
}  // namespace odh::cli
