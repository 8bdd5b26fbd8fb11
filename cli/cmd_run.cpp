// odh run — the main job, one command from sites.yaml to report:
//   harvest (crawl + parse into the store) → metrics (indicator table) → report files.
// With --simulate the portals are served by the in-process simulator on loopback and the crawler
// runs offline (hosts the simulator does not map fail as "dns" without any lookup). The sequence itself
// is harvest/harvest.h run_main_job; this file holds the command line and the simulator.
#include <unistd.h>

#include <atomic>
#include <csignal>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "cli/command.h"
#include "core/core.h"
#include "harvest/harvest.h"
#include "registry/registry.h"
#include "sim/sim.h"

namespace odh::cli {
namespace {

struct RunArgs {
  std::string sites, out = "out";
  std::vector<std::string> only;
  bool simulate = false, quiet = false, resume = false;
  double scale = 0.01, delay = -1;
  std::uint64_t seed = 2021;
  int revision = 0;
  int max_pages = 0;
  std::string lang = "zh", formats = "html,md,csv,xlsx,pdf";
  CrawlOptions probes;  // download-probe knobs only
  std::string previous;  // --previous: an earlier run directory (runs/<stamp>) or its crawl/
  std::string faults;    // --simulate: the simulator's fault file
};

std::string utc_stamp() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&t));
  return buf;
}

// SIGINT/SIGTERM: during the crawl, stop it cleanly (the stage stays "harvest": `--resume`
// continues); at any other time, die as the signal says (the stage file says where to resume).
std::atomic<Crawler*> g_crawler{nullptr};
extern "C" void on_stop_signal(int sig) {
  if (Crawler* c = g_crawler.load()) {
    c->request_stop();
    return;
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// The newest runs/<stamp> directory whose job did not finish ("" when none).
std::string unfinished_run(const std::string& out) {
  namespace fs = std::filesystem;
  std::string best;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(fs::path(out) / "runs", ec)) {
    if (!e.is_directory()) continue;
    std::string name = e.path().filename().string();
    if (name > best) best = name;
  }
  if (best.empty()) return "";
  auto [stage, run] = read_job_stage((fs::path(out) / "runs" / best / "job.stage").string());
  return stage.empty() || stage == "done" ? "" : best;
}

// --previous DIR: an earlier job's run directory (runs/<stamp>) or its crawl directory. The crawl
// directory gives conditional GET; the run its job.stage recorded ("done <run>") is the previous run
// in this --out's store that unchanged records are carried forward from — only when DIR belongs to
// the same --out (a run id means nothing in another store: then conditional GET alone).
struct Previous {
  std::string crawl_dir;
  std::int64_t run = 0;
};
Previous resolve_previous(const std::string& dir, const std::string& out) {
  namespace fs = std::filesystem;
  fs::path d = fs::absolute(dir).lexically_normal();
  if (d.filename().empty()) d = d.parent_path();
  fs::path run_dir = fs::exists(d / "crawl" / "crawl.sqlite") ? d : d.parent_path();
  fs::path crawl = run_dir / "crawl";
  if (!fs::exists(crawl / "crawl.sqlite"))
    throw UsageError("--previous " + dir + ": no earlier run there (expected runs/<stamp>/crawl/crawl.sqlite)");
  auto [stage, run] = read_job_stage((run_dir / "job.stage").string());
  if (stage != "done")
    throw UsageError("--previous " + dir + ": that run did not finish (job.stage: '" + stage + "')");
  Previous p;
  p.crawl_dir = crawl.string();
  std::error_code ec;
  if (fs::equivalent(run_dir.parent_path().parent_path(), fs::absolute(out), ec))
    p.run = run;
  else
    std::cerr << "odh run: --previous " << dir << " is not a run of --out " << out
              << ": conditional GET only, nothing carried forward\n";
  return p;
}

void run_main(const RunArgs& a) {
  namespace fs = std::filesystem;
  const std::string sites_file = a.sites.empty() ? default_sites_path() : a.sites;
  Registry reg = load_registry(sites_file);
  std::vector<Site> sites;
  std::set<std::string> want(a.only.begin(), a.only.end());
  for (const auto& id : want)
    if (!reg.find(id)) throw UsageError("--only: no site '" + id + "' in " + sites_file);
  for (const auto& s : reg.sites)
    if (want.empty() || want.count(s.id)) sites.push_back(s);

  // An unfinished job in --out is continued (with or without --resume): same stamp, same crawl.
  const std::string pending = unfinished_run(a.out);
  if (a.resume && pending.empty()) std::cerr << "odh run: nothing to resume in " << a.out << ": a new run\n";
  const bool resume = !pending.empty();
  std::string stamp = resume ? pending : utc_stamp();
  // A new run never lands in an existing run directory (two runs within one second: "<stamp>-2", …).
  for (int k = 2; !resume && fs::exists(fs::path(a.out) / "runs" / stamp); ++k)
    stamp = utc_stamp() + "-" + std::to_string(k);
  if (resume) std::cerr << "odh run: resuming the unfinished run " << stamp << "\n";
  fs::create_directories(a.out);
  HarvestOptions h;
  h.crawl.out_dir = (fs::path(a.out) / "runs" / stamp / "crawl").string();
  h.crawl.progress_interval_s = 5;
  h.label = stamp;
  h.sites_file = sites_file;
  if (a.max_pages > 0) h.crawl.max_pages_per_site = a.max_pages;
  copy_probe_options(a.probes, &h.crawl);
  if (!a.previous.empty()) {
    if (resume)
      throw UsageError("--previous: " + a.out + " has an unfinished run (" + stamp +
                       "); finish it with `odh run --resume` first (an incremental run is not resumable yet)");
    Previous p = resolve_previous(a.previous, a.out);
    h.crawl.previous_dir = p.crawl_dir;
    h.previous_run = p.run;
  }

  // The simulator lives for the whole harvest; it serves every registry host (unselected ones too).
  std::unique_ptr<sim::Server> server;
  if (a.simulate) {
    sim::Options so;
    so.scale = a.scale;
    so.seed = a.seed;
    so.revision = a.revision;
    so.faults_file = a.faults;
    auto world = std::make_shared<sim::World>(reg.sites, so);
    server = std::make_unique<sim::Server>(world);
    int port = server->start(0);
    h.crawl.connect_to = world->connect_to(port, server->refused_port(), server->tls_port());
    if (server->tls_port()) {  // https portals: trust the simulator's self-signed certificate
      fs::path ca = fs::path(a.out) / "runs" / stamp / "sim-ca.pem";
      fs::create_directories(ca.parent_path());
      std::ofstream(ca) << server->tls_ca_pem();
      h.crawl.ca_file = ca.string();
    }
    h.crawl.mapped_only = true;
    // Politeness towards our own loopback simulator is moot; keep the run short unless told.
    h.crawl.delay_s = a.delay >= 0 ? a.delay : 0.05;
    h.crawl.connect_timeout_s = 3;
    h.crawl.request_timeout_s = 10;
    h.source = "sim";
    std::cerr << "odh run: simulator on 127.0.0.1:" << port << " (scale " << a.scale << ", seed " << a.seed
              << ")\n";
  } else if (a.delay >= 0) {
    h.crawl.delay_s = a.delay;
  }
  const bool tty = isatty(STDERR_FILENO);
  if (!a.quiet)
    h.on_progress = [tty](const CrawlProgress& p) {
      std::fprintf(stderr, "%shosts %d/%d done, %lld pages, %.1f MB, %lld errors, %lld pending%s",
                   tty ? "\r" : "", p.hosts_done, p.hosts_total, static_cast<long long>(p.pages),
                   p.bytes / 1e6, static_cast<long long>(p.errors), static_cast<long long>(p.pending),
                   tty ? "   " : "\n");
    };

  MainJobOptions job;
  job.harvest = std::move(h);
  job.db_path = (fs::path(a.out) / "odh.sqlite").string();
  job.report_dir = (fs::path(a.out) / "runs" / stamp / "report").string();
  job.report_lang = a.lang;
  job.report_formats = a.formats;
  job.stage_file = (fs::path(a.out) / "runs" / stamp / "job.stage").string();
  job.resume = resume;
  fs::create_directories(fs::path(job.stage_file).parent_path());
  job.harvest.on_crawler = [](Crawler* c) { g_crawler.store(c); };
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  auto result = run_main_job(sites, job, [&](const HarvestSummary& sum) {
    if (tty && !a.quiet) std::fprintf(stderr, "\n");
    std::cerr << "odh run: harvest run " << sum.run_id << ": " << sum.requests << " responses, " << sum.datasets
              << " datasets (" << sum.carried << " carried forward), " << sum.apis << " APIs, " << sum.issues
              << " parse issues\n";
    if (server) server->stop();
  });
  std::cout << "database: " << job.db_path << " (run " << result.harvest.run_id << ")\n"
            << "WARC:     " << job.harvest.crawl.out_dir << "/\n"
            << result.indicator_rows << " indicator rows\n";
  for (auto& n : result.report_notes) std::cerr << "odh run: " << n << "\n";
  // The report's paths last: the main ones, then where the per-table files are.
  std::size_t csvs = 0, svgs = 0;
  for (auto& f : result.report_files) {
    if (f.find("/csv/") != std::string::npos) ++csvs;
    else if (f.find("/figures/") != std::string::npos) ++svgs;
    else std::cout << "report:   " << f << "\n";
  }
  if (csvs) std::cout << "report:   " << job.report_dir << "/csv/ (" << csvs << " CSV tables)\n";
  if (svgs) std::cout << "report:   " << job.report_dir << "/figures/ (" << svgs << " SVG figures)\n";
}

CommandRegistrar reg(90, [](CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  auto* c = app.add_subcommand(
      "run", "The main job: harvest every portal of the registry, compute the indicators, write the report");
  c->add_option("--sites", a->sites, "registry file (default: sites.yaml)");
  c->add_option("--out", a->out, "output directory: odh.sqlite and runs/<stamp>/{crawl,report}")
      ->capture_default_str();
  c->add_option("--only", a->only, "only these site ids (repeatable)");
  c->add_flag("--simulate", a->simulate,
              "harvest the offline portal simulator on loopback instead of the real portals");
  c->add_option("--scale", a->scale, "--simulate: scale of every portal's catalogue")
      ->capture_default_str()
      ->check(CLI::Range(0.0001, 10.0));
  c->add_option("--seed", a->seed, "--simulate: seed of generated content")->capture_default_str();
  c->add_option("--revision", a->revision, "--simulate: the same world N months later (docs/simulator.md)")
      ->check(CLI::Range(0, 120));
  c->add_option("--faults", a->faults,
                "--simulate: the simulator's fault file (docs/simulator.md), e.g. robots without Crawl-delay")
      ->check(CLI::ExistingFile);
  c->add_option("--delay", a->delay,
                "seconds between requests to one host (default 1; 0.05 with --simulate)");
  c->add_option("--max-pages", a->max_pages, "at most this many requests per site (0 = no limit)");
  c->add_flag("--quiet", a->quiet, "no progress lines");
  add_probe_options(c, &a->probes);
  c->add_flag("--resume", a->resume,
              "continue the unfinished run in --out (also done without the flag when there is one)");
  c->add_option("--previous", a->previous,
                "incremental re-harvest: an earlier run directory (runs/<stamp>) — conditional GET (304 -> WARC "
                "revisit) and, for families whose spec allows it, unchanged list entries carried forward from "
                "that run instead of fetched (docs/crawler.md)");
  c->add_option("--lang", a->lang, "report language")->check(CLI::IsMember({"zh", "en"}))->capture_default_str();
  c->add_option("--format", a->formats, "report formats: any of html,md,csv,xlsx,pdf")->capture_default_str();
  c->callback([a] { run_main(*a); });
});

}  // namespace
}  // namespace odh::cli
