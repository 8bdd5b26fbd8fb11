// Fault file loader (YAML). See docs/simulator.md for the format.
#include "sim/faults.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "core/core.h"

namespace odh::sim {

namespace {

int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

const std::set<std::string>& known_faults() {
  static const std::set<std::string> k = {"latency",   "429",       "503",      "reset",         "timeout",
                                          "truncate",  "slow",      "oversize", "gzip-bomb",     "malformed",
                                          "redirect-loop", "spider-trap", "status"};
  return k;
}

}  // namespace

FaultPlan FaultPlan::load(const std::string& file) {
  FaultPlan plan;
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::ParserException& e) {
    throw InputError(file, e.mark.line + 1, "", e.msg);
  } catch (const YAML::BadFile&) {
    throw InputError(file, 0, "", "cannot read fault file");
  }
  if (!root.IsMap()) throw InputError(file, 0, "", "expected a mapping with key 'hosts'");
  if (root["timeout_hold_s"]) plan.timeout_hold_s = std::clamp(root["timeout_hold_s"].as<int>(), 1, 120);
  YAML::Node hosts = root["hosts"];
  if (!hosts || !hosts.IsMap()) throw InputError(file, line_of(root), "hosts", "missing or not a mapping");
  for (const auto& kv : hosts) {
    std::string host = kv.first.as<std::string>();
    const YAML::Node& h = kv.second;
    HostFaults hf;
    if (!h.IsMap()) throw InputError(file, line_of(h), host, "expected a mapping");
    for (const auto& f : h) {
      std::string key = f.first.as<std::string>();
      const YAML::Node& v = f.second;
      try {
        if (key == "reach") {
          static const std::set<std::string> ok = {"ok",      "empty",      "dns",          "refused",
                                                   "timeout", "http-error", "redirect-home"};
          hf.reach = v.as<std::string>();
          if (!ok.count(*hf.reach)) throw InputError(file, line_of(v), host + ".reach", "unknown value '" + *hf.reach + "'");
        } else if (key == "http_status") {
          hf.http_status = v.as<int>();
        } else if (key == "session_requests") {
          hf.session_requests = v.as<int>();
          if (hf.session_requests < 1 || hf.session_requests > 1000000)
            throw InputError(file, line_of(v), host + ".session_requests", "must be 1..1000000");
        } else if (key == "robots") {
          RobotsSpec r;
          if (v.IsScalar()) {
            r.mode = v.as<std::string>();
          } else if (v.IsMap()) {
            if (v["mode"]) r.mode = v["mode"].as<std::string>();
            else r.mode = "allow";
            if (v["disallow"]) {
              for (const auto& d : v["disallow"]) r.disallow.push_back(d.as<std::string>());
              if (!v["mode"]) r.mode = "disallow";
            }
            if (v["crawl_delay"]) r.crawl_delay = v["crawl_delay"].as<int>();
          }
          static const std::set<std::string> modes = {"default", "allow", "disallow", "404", "500", "timeout", "redirect"};
          if (!modes.count(r.mode)) throw InputError(file, line_of(v), host + ".robots", "unknown mode '" + r.mode + "'");
          hf.robots = r;
        } else if (key == "rules") {
          if (!v.IsSequence()) throw InputError(file, line_of(v), host + ".rules", "expected a list");
          for (const auto& rn : v) {
            FaultRule r;
            for (const auto& rk : rn) {
              std::string k = rk.first.as<std::string>();
              const YAML::Node& x = rk.second;
              if (k == "path") r.path = x.as<std::string>();
              else if (k == "fault") r.fault = x.as<std::string>();
              else if (k == "every") r.every = std::max(1, x.as<int>());
              else if (k == "first") r.first = std::max(0, x.as<int>());
              else if (k == "retry_after") r.retry_after = x.as<int>();
              else if (k == "latency_ms") r.latency_ms = std::clamp(x.as<int>(), 0, 60000);
              else if (k == "status") r.status = x.as<int>();
              else if (k == "bytes") r.bytes = x.as<std::int64_t>();
              else if (k == "min_interval_ms") r.min_interval_ms = x.as<int>();
              else throw InputError(file, line_of(x), host + ".rules." + k, "unknown key");
            }
            if (!known_faults().count(r.fault))
              throw InputError(file, line_of(rn), host + ".rules.fault", "unknown fault '" + r.fault + "'");
            hf.rules.push_back(r);
          }
        } else {
          throw InputError(file, line_of(f.first), host + "." + key, "unknown key");
        }
      } catch (const YAML::Exception& e) {
        throw InputError(file, line_of(v), host + "." + key, e.msg);
      }
    }
    std::string lower = host;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    plan.hosts[lower] = std::move(hf);
  }
  return plan;
}

const HostFaults* FaultPlan::for_host(const std::string& host) const {
  if (auto it = hosts.find(host); it != hosts.end()) return &it->second;
  if (auto it = hosts.find("*"); it != hosts.end()) return &it->second;
  return nullptr;
}

}  // namespace odh::sim
