// odh sim: run the portal simulator (an offline twin of the registry's portals on loopback).
#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "registry/registry.h"
#include "sim/sim.h"

namespace odh::cli {
namespace {

struct SimArgs {
  std::string sites;
  int port = 0;
  double scale = 1.0;
  std::uint64_t seed = 2021;
  int revision = 0;
  std::string faults, log, connect_map, tls_ca;
  int threads = 160;
  double duration = 0;
  bool plan = false, json = false, international = false;
};

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::shared_ptr<sim::World> make_world(const SimArgs& a) {
  Registry reg = load_registry(a.sites.empty() ? default_sites_path() : a.sites);
  sim::Options o;
  o.scale = a.scale;
  o.seed = a.seed;
  o.revision = a.revision;
  o.faults_file = a.faults;
  o.log_file = a.log;
  o.threads = a.threads;
  return std::make_shared<sim::World>(reg.sites, o);
}

void print_plan(const sim::World& w, bool json) {
  auto t = w.totals(true), all = w.totals(false);
  if (json) {
    nlohmann::json ps = nlohmann::json::array();
    for (const auto& p : w.portals)
      ps.push_back({{"id", p.site.id}, {"host", p.host}, {"family", p.family}, {"reach", p.shared_with.empty() ? sim::reach_name(p.reach) : "shared-url"},
                    {"shared_with", p.shared_with}, {"appendix3", p.appendix3}, {"datasets", p.n_datasets}, {"apis", p.n_apis}, {"apps", p.n_apps},
                    {"charset", p.charset}, {"terms", p.terms.size()}});
    nlohmann::json out = {{"portals", ps},
                          {"appendix3", {{"portals", t.portals}, {"datasets", t.datasets}, {"apis", t.apis}, {"apps", t.apps}}},
                          {"all", {{"portals", all.portals}, {"datasets", all.datasets}, {"apis", all.apis}, {"apps", all.apps}}},
                          {"notes", w.notes}};
    std::cout << out.dump(1) << "\n";
    return;
  }
  std::map<std::string, int> reach;
  for (const auto& p : w.portals) ++reach[p.shared_with.empty() ? sim::reach_name(p.reach) : "shared-url"];
  std::cout << "portals " << all.portals << ": datasets " << all.datasets << ", APIs " << all.apis << ", apps "
            << all.apps << "\nappendix 3 (" << t.portals << " portals): datasets " << t.datasets << ", APIs " << t.apis
            << ", apps " << t.apps << "\nreachability:";
  for (const auto& [k, v] : reach) std::cout << " " << k << "=" << v;
  std::cout << "\n";
  for (const auto& n : w.notes) std::cout << "note: " << n << "\n";
}

void run(const SimArgs& a) {
  auto world = make_world(a);
  if (a.plan) return print_plan(*world, a.json);
  sim::Server server(world);
  int port = server.start(a.port);
  if (!a.connect_map.empty()) {
    std::ofstream out(a.connect_map);
    if (!out) throw Failure("cannot write " + a.connect_map);
    for (const auto& l : world->connect_to(port, server.refused_port(), server.tls_port())) out << l << "\n";
  }
  if (!a.tls_ca.empty()) {
    std::ofstream out(a.tls_ca);
    if (!out) throw Failure("cannot write " + a.tls_ca);
    out << server.tls_ca_pem();
  }
  if (a.json)
    std::cout << nlohmann::json{{"port", port}, {"refused_port", server.refused_port()}, {"tls_port", server.tls_port()},
                                {"hosts", world->portals.size()}, {"dns_fail", world->dns_fail_hosts()}}
                     .dump()
              << std::endl;
  else
    std::cout << port << std::endl;  // first line: the port (scripts read it)
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  auto t0 = std::chrono::steady_clock::now();
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (a.duration > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > a.duration) break;
  }
  server.stop();
  std::cerr << "odh sim: served " << server.requests_served() << " requests\n";
}

CommandRegistrar reg(20, [](CLI::App& app) {
  auto args = std::make_shared<SimArgs>();
  auto* c = app.add_subcommand("sim", "Serve every registry portal as a virtual host on one loopback port (offline twin).");
  c->add_option("--sites", args->sites, "registry file (default: sites.yaml)");
  c->add_option("--port", args->port, "port on 127.0.0.1 (0 = any free port; printed on stdout)");
  c->add_option("--scale", args->scale, "multiply every count (non-zero counts stay >= 1)")->check(CLI::Range(0.0001, 10.0));
  c->add_option("--seed", args->seed, "seed of all generated content");
  c->add_option("--revision", args->revision,
                "the same world N months later: a tenth of the datasets revised per month, usage grown")
      ->check(CLI::Range(0, 120));
  c->add_option("--faults", args->faults, "YAML fault file (docs/simulator.md)");
  c->add_option("--log", args->log, "append a JSON-lines request log to FILE");
  c->add_option("--threads", args->threads, "worker threads")->check(CLI::Range(2, 256));
  c->add_option("--connect-map", args->connect_map,
                "write curl CONNECT_TO lines (host:port:127.0.0.1:P) for every mapped host; DNS-fail hosts are left out");
  c->add_option("--tls-ca", args->tls_ca, "write the PEM certificate of the TLS port (https portals) for clients to trust");
  c->add_option("--duration", args->duration, "stop after SECONDS (default: until SIGINT/SIGTERM)");
  c->add_flag("--plan", args->plan, "print what each portal serves (counts, reachability) and exit");
  c->add_flag("--json", args->json, "machine-readable output");
  c->callback([args] { run(*args); });
});

}  // namespace
}  // namespace odh::cli
