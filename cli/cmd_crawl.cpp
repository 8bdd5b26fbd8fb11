// odh crawl — harvest the portals of a registry into WARC + a resumable crawl state.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli/command.h"
#include "core/core.h"
#include "crawler/crawl.h"
#include "harvest/harvest.h"
#include "registry/registry.h"
#include "store/store.h"

namespace odh::cli {
namespace {

Crawler* g_crawler = nullptr;
extern "C" void on_signal(int) {
  if (g_crawler) g_crawler->request_stop();
}

std::string human_bytes(double b) {
  const char* u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (b >= 1024 && i < 4) b /= 1024, ++i;
  char buf[32];
  std::snprintf(buf, sizeof buf, i ? "%.1f %s" : "%.0f %s", b, u[i]);
  return buf;
}

std::string human_time(double s) {
  char buf[32];
  long t = static_cast<long>(s + 0.5);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, t % 3600 / 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

std::string progress_line(const CrawlProgress& p) {
  std::ostringstream o;
  o << "hosts " << p.hosts_active << " active/" << p.hosts_done << " done/" << p.hosts_total << "  pages "
    << p.pages << "  " << human_bytes(static_cast<double>(p.bytes)) << "  errors " << p.errors
    << "  backoffs " << p.backoffs << "  pending " << p.pending << "  " << human_time(p.elapsed_s) << " ETA≥"
    << human_time(p.eta_s);
  if (p.hosts_paused) o << "  paused " << p.hosts_paused;
  return o.str();
}

struct Args {
  std::string sites_file, only, out = "crawl", user_agent, previous, spiders = "links";
  double delay = -1, backoff = -1;
  int retries = -1;
  std::vector<std::string> connect_to;
  bool resume = false, quiet = false, offline = false;
  std::string ca_file;
  int max_pages = 0, max_depth = -1;
  CrawlOptions probes;  // download-probe knobs only
};

void run_crawl(const Args& a) {
  CrawlOptions o;
  o.out_dir = a.out;
  if (a.delay >= 0) o.delay_s = a.delay;
  if (a.retries >= 0) o.max_retries = a.retries;
  if (a.backoff >= 0) o.backoff_base_s = a.backoff;
  o.connect_to = a.connect_to;
  o.resume = a.resume;
  o.mapped_only = a.offline;
  o.ca_file = a.ca_file;
  o.max_pages_per_site = a.max_pages;
  if (a.max_depth >= 0) o.max_depth = a.max_depth;
  o.user_agent = a.user_agent;
  o.previous_dir = a.previous;
  copy_probe_options(a.probes, &o);
  for (auto& c : o.connect_to)
    if (auto p = check_connect_to(c); !p.empty()) throw UsageError("--connect-to: " + p);

  std::string sites_file = a.sites_file.empty() ? default_sites_path() : a.sites_file;
  Registry reg = load_registry(sites_file);
  std::vector<Site> sites;
  if (a.only.empty()) {
    sites = reg.sites;
  } else {
    std::stringstream ss(a.only);
    std::string id;
    std::set<std::string> want;
    while (std::getline(ss, id, ',')) {
      if (id.empty()) continue;
      if (!reg.find(id)) throw UsageError("--only: no site '" + id + "' in " + sites_file);
      want.insert(id);
    }
    for (auto& s : reg.sites)
      if (want.count(s.id)) sites.push_back(s);
  }

  // --spiders family: the spider stack of `odh parse --live` (family engine or embedded-column
  // extractor, terms pages, the recorded home page; the link spider for sites without an engine), so
  // the WARC holds everything `odh parse --replay OUT` needs to rebuild the database — and, unlike
  // `parse --live`, the crawl is resumable: the crawl engine stays the one crash-safe path, the
  // database is derived from its WARC afterwards. The spiders' own rows go to a scratch store (an
  // SQLite private temporary database, deleted at exit): they are rebuilt by the replay.
  std::unique_ptr<Store> scratch;
  std::unique_ptr<StoreSink> sink;
  std::int64_t scratch_run = 0;
  SpiderFactory factory;
  if (a.spiders == "family") {
    scratch = Store::open("");
    scratch_run = scratch->begin_run("crawl", "live", sites_file);
    sink = std::make_unique<StoreSink>(*scratch, scratch_run);
    factory = [&](const Site& s, const CrawlOptions& opt) {
      return harvest_spider(s, opt, *sink, *scratch, scratch_run);
    };
  }
  Crawler crawler(o, factory);
  bool tty = isatty(STDERR_FILENO) && !a.quiet;
  crawler.on_progress = [&](const CrawlProgress& p) {
    if (a.quiet) return;
    if (tty)
      std::cerr << "\r\033[K" << progress_line(p) << std::flush;
    else if (static_cast<long>(p.elapsed_s) % 10 == 0)
      std::cerr << "progress: " << progress_line(p) << "\n";
  };
  crawler.on_log = [&](const std::string& m) {
    std::cerr << (tty ? "\r\033[K" : "") << "crawl: " << m << "\n";
  };
  g_crawler = &crawler;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  CrawlReport r = crawler.run(sites);
  g_crawler = nullptr;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (tty) std::cerr << "\n";
  if (!r.ok) {
    if (r.message.find("--resume") != std::string::npos ||
        r.message.find("--connect-to") != std::string::npos)
      throw UsageError(r.message);
    throw Failure(r.message);
  }
  // Summary: one line per host, then totals.
  std::printf("%-40s %6s %5s %5s %5s %5s %5s %7s %8s %9s %-11s %s\n", "host", "pages", "2xx", "3xx", "4xx",
              "5xx", "err", "retries", "backoff", "latency", "robots", "paused");
  for (auto& h : r.hosts)
    std::printf("%-40s %6lld %5lld %5lld %5lld %5lld %5lld %7lld %7.1fs %7.0fms %-11s %s\n", h.host.c_str(),
                (long long)h.pages, (long long)h.requests_2xx, (long long)h.requests_3xx,
                (long long)h.requests_4xx, (long long)h.requests_5xx, (long long)h.requests_err,
                (long long)h.retries, h.backoff_s, h.mean_latency_ms, h.robots.c_str(),
                h.paused ? "yes" : "");
  std::printf("total: %s\n", progress_line(r.totals).c_str());
  if (r.interrupted) {
    std::printf("interrupted: run `odh crawl --resume --out %s` (same --sites/--only) to finish\n",
                a.out.c_str());
    throw Failure("crawl interrupted");
  }
}

CommandRegistrar reg(30, [](CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("crawl", "Crawl portals politely into WARC files and a resumable crawl state");
  c->add_option("--sites", a->sites_file, "Registry file (default: ./sites.yaml, else the shipped one)");
  c->add_option("--only", a->only, "Comma-separated site ids to crawl (default: all)");
  c->add_option("--out", a->out, "Output directory: crawl.sqlite (state, fetch log, host status) and warc/")
      ->capture_default_str();
  c->add_option("--delay", a->delay,
                "Minimum seconds between requests to one host (default 1; robots Crawl-delay "
                "wins when larger, up to 60)");
  c->add_option("--retries", a->retries,
                "Retries of one request after a 5xx or a network failure (default 3; 429s are "
                "retried apart, as Retry-After says)")
      ->check(CLI::Range(0, 20));
  c->add_option("--backoff", a->backoff,
                "Seconds of the first backoff after such a failure, doubled at each retry (default 2)")
      ->check(CLI::Range(0.0, 600.0));
  c->add_option(
       "--connect-to", a->connect_to,
       "HOST:PORT:ADDR:PORT — connect to ADDR:PORT for HOST:PORT (curl CONNECT_TO; empty HOST or PORT = "
       "any); WARC keeps the real URLs. Repeatable")
      ->allow_extra_args(false);
  c->add_flag("--offline", a->offline,
              "Only hosts mapped by --connect-to are contacted; others fail as 'dns' without a lookup");
  c->add_flag("--resume", a->resume, "Continue the crawl in --out (after a crash or interrupt)");
  c->add_option("--max-pages", a->max_pages, "Requests per site at most (0 = unlimited)");
  c->add_option("--max-depth", a->max_depth, "Link depth for the built-in spider (default 2)");
  c->add_option("--ca-file", a->ca_file, "PEM bundle to verify TLS with (e.g. from odh sim --tls-ca)");
  c->add_option("--user-agent", a->user_agent, "User-Agent (default: odh/<version> (+contact URL))");
  c->add_option("--previous", a->previous, "Earlier crawl directory: conditional GET, 304 -> WARC revisit");
  c->add_option("--spiders", a->spiders,
                "links: the built-in link spider (default); family: the parsers' family spiders, as "
                "`odh parse --live` runs them (rebuild the database with `odh parse --replay OUT`)")
      ->check(CLI::IsMember({"links", "family"}));
  c->add_flag("--quiet", a->quiet, "No progress output");
  add_probe_options(c, &a->probes);
  c->callback([a] { run_crawl(*a); });
});

}  // namespace
}  // namespace odh::cli
