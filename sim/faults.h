// sim/faults.h — per-host faults read from a YAML fault file (format: docs/simulator.md).
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace odh::sim {

// One fault rule. Applies to requests whose path (with query) starts with `path`.
struct FaultRule {
  std::string path = "/";
  std::string fault;       // latency | 429 | 503 | reset | timeout | truncate | slow | oversize |
                           // gzip-bomb | malformed | redirect-loop | spider-trap | status
  int every = 1;           // every Nth matching request (1 = all)
  int first = 0;           // > 0: only the first N matching requests get the fault
  int retry_after = 1;     // seconds, for 429 / 503
  int latency_ms = 0;      // for latency (also added before any other fault)
  int status = 500;        // for "status"
  std::int64_t bytes = 0;  // oversize / gzip-bomb size (bounded); slow: bytes per second
  int min_interval_ms = 0; // 429 only: answer 429 when the previous request to the host came sooner
  // runtime state
  std::shared_ptr<std::atomic<std::int64_t>> seen = std::make_shared<std::atomic<std::int64_t>>(0);
};

struct RobotsSpec {
  std::string mode = "default";  // default | allow | disallow | 404 | 500 | timeout | redirect
  std::vector<std::string> disallow;
  int crawl_delay = 0;           // seconds; 0 = no Crawl-delay line
};

struct HostFaults {
  std::optional<std::string> reach;  // overrides World's reachability: ok|empty|dns|refused|timeout|http-error|redirect-home
  int http_status = 0;
  int session_requests = 0;  // > 0: a family's session (open-data-web gate) expires after that many answers
  std::optional<RobotsSpec> robots;
  std::vector<FaultRule> rules;
};

struct FaultPlan {
  std::map<std::string, HostFaults> hosts;  // "*" = every host
  int timeout_hold_s = 20;                  // how long "timeout" holds a request before closing
  // Throws odh::InputError naming the file, line and field.
  static FaultPlan load(const std::string& file);
  const HostFaults* for_host(const std::string& host) const;  // host entry, else "*", else nullptr
};

}  // namespace odh::sim
