// A simulator on loopback for tests that crawl it: a World for `sites` (counts from an optional
// appendix-3 CSV, else the simulator's own mix), a fault file, a request log, and crawl options
// pointing the crawler at it. Shared by the tests/sim files that harvest through the real crawler.
#pragma once
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crawl/crawl_util.h"
#include "sim/sim.h"

namespace odh::test {

struct SimRun {
  std::string dir;
  std::shared_ptr<sim::World> world;
  std::unique_ptr<sim::Server> server;
  int port = 0;
  // appendix3_csv: "id,datasets,apis,apps" rows fixing each portal's counts (reachable); "" = none.
  // threads: the simulator's HTTP worker threads; revision: the world that many months later.
  SimRun(const std::vector<Site>& sites, const std::string& faults, double scale,
         const std::string& appendix3_csv = "", int threads = 8, int revision = 0) {
    dir = temp_dir("simcrawl");
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/faults.yaml") << faults;
    std::ofstream(dir + "/appendix3.csv") << appendix3_csv;
    sim::Options o;
    o.pool_file = std::string(ODH_SOURCE_DIR) + "/data/sim/pool.json";
    o.appendix3_file = dir + "/appendix3.csv";
    o.appendix2_file = dir + "/none.yaml";
    o.faults_file = dir + "/faults.yaml";
    o.log_file = dir + "/sim.jsonl";
    o.scale = scale;
    o.threads = threads;
    o.revision = revision;
    world = std::make_shared<sim::World>(sites, o);
    server = std::make_unique<sim::Server>(world);
    port = server->start(0);
  }
  ~SimRun() {
    server->stop();
    std::filesystem::remove_all(dir);
  }
  CrawlOptions crawl_options() const {
    CrawlOptions c;
    c.out_dir = dir + "/crawl";
    c.connect_to = world->connect_to(port, server->refused_port(), server->tls_port());
    if (server->tls_port()) {  // https portals: trust the simulator's self-signed certificate
      std::ofstream(dir + "/sim-ca.pem") << server->tls_ca_pem();
      c.ca_file = dir + "/sim-ca.pem";
    }
    c.mapped_only = true;
    c.delay_s = 0;
    c.jitter = 0;
    c.connect_timeout_s = 3;
    c.request_timeout_s = 8;
    c.backoff_base_s = 0.05;
    c.progress_interval_s = 60;
    return c;
  }
  std::vector<nlohmann::json> log() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir + "/sim.jsonl");
    for (std::string line; std::getline(in, line);)
      if (auto j = nlohmann::json::parse(line, nullptr, false); !j.is_discarded()) out.push_back(j);
    return out;
  }
};

}  // namespace odh::test
