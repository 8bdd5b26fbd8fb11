// sim: the portal simulator — an offline twin of the registry's portals on loopback.
//
// A World is the deterministic plan of what every portal serves (counts, records, terms,
// reachability), computed from a registry, a seed and a scale; tests compare what the
// crawler and parsers extract with World's records. A Server serves a World over HTTP on
// one loopback port, one virtual host per portal host (selected by the Host header).
// Everything here is deterministic for (registry, seed, scale, faults file).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/registry.h"

namespace odh::sim {

struct Options {
  double scale = 1.0;          // multiply every count; a non-zero count stays >= 1
  std::uint64_t seed = 2021;   // everything derives from it
  std::string faults_file;     // YAML fault file (docs/simulator.md); "" = none
  std::string log_file;        // JSON-lines request log; "" = none
  std::string pool_file;       // real-record pool; "" = data_dir()/sim/pool.json
  std::string appendix3_file;  // "" = data_dir()/reference/appendix3.csv when present
  std::string appendix2_file;  // "" = data_dir()/reference/appendix2.yaml when present
  std::string intl_dir;        // real international catalogues; "" = data_dir()/sim/intl
  std::string twin_file;       // the twin's configuration; "" = data_dir()/sim/twin.yaml
  std::string twin_extra;      // YAML merged over it (tests describe invented portals this way)
  // HTTP worker threads (mostly idle: I/O and sleeps). cpp-httplib binds a thread to a connection
  // until it has been idle 1 s (server.cpp), and "timeout" portals and hung downloads hold one for
  // 20–30 s: with 670 hosts crawled at once on a loaded machine, 48 threads left hundreds of robots.txt
  // requests waiting past the crawler's 10 s (whole portals then read "robots unreachable").
  int threads = 160;
  // The same world `revision` months later: each month a tenth of the datasets is revised (a new
  // modification date and description) and usage counters grow. 0 = the base world.
  int revision = 0;
};

// How a portal answers at all. Appendix-3 portals are always kOk.
enum class Reach {
  kOk,        // serves its catalogue
  kEmpty,     // reachable, catalogue with no datasets
  kDns,       // host unknown: not in the connect map (the crawler must leave it unmapped)
  kRefused,   // mapped to a loopback port where nothing listens
  kTimeout,   // accepts, never answers within 30 s
  kHttpError, // every path answers http_status (403/404/500/502)
  kRedirectHome,  // every path 302 → the government home page (gov_home)
};
const char* reach_name(Reach r);

// One downloadable file of a dataset.
struct FileRec {
  std::string name;      // "<title>_0.csv"
  std::string format;    // declared (what listing/detail shows): csv xls xlsx json xml rdf
  std::string served;    // what the bytes really are (differs when mislabelled)
  std::string path;      // URL path on the portal host
  // "ok" | "dead" (404) | "error" (500) | "timeout" (no answer for 30 s) | "login" (302 to a login page)
  // | "approval" (a page asking for an application: 有条件开放) | "challenge" (HTTP 521 JS-cookie gate)
  // | "mislabelled" (other bytes than the label says: see `served`)
  std::string state;
  std::string charset = "UTF-8";  // CSV bytes: "UTF-8" or "GBK" (common in the wild, no charset in the header)
};

struct Dataset {
  std::int64_t index = 0;
  std::string id;         // family-shaped id (32 hex, uuid, integer, "31003/027357"…)
  std::string title, dept, topic, industry, desc;
  std::vector<std::string> tags;
  std::string freq;       // 每年 每月 实时 …
  std::string open;       // 无条件开放 | 有条件开放
  std::string published;  // "YYYY-MM-DD HH:MM:SS"
  std::string updated;    // "YYYY-MM-DD HH:MM:SS"
  std::vector<std::string> formats;  // declared formats, lower case; may include "api"
  std::int64_t volume = 0;           // 数据量 (rows)
  std::int64_t views = 0, downloads = 0, comments = 0;
  double rating = 0;      // 0..5
  std::vector<FileRec> files;
  std::string source;     // which real fixture the metadata came from
};

struct Api {
  std::int64_t index = 0;
  std::string id, title, dept, topic, desc, published, updated, method, endpoint;
  std::int64_t views = 0, calls = 0;
};

struct App {
  std::int64_t index = 0;
  std::string id, name, type;  // type: APP | 小程序 | Web应用 | 分析报告 | 创新方案
  std::string developer, desc, date, url;
  std::int64_t views = 0;
};

// The four rights of report §5.2.3 and how one terms page treats them.
enum class Right { kFreeAccess, kNonDiscrimination, kFreeUse, kFreeSharing };
enum class Stance { kGrant, kLimit, kDeny, kSilent };
const char* right_name(Right r);
const char* stance_name(Stance s);

struct TermsPage {
  std::string kind;  // 用户协议 | 免责声明 | 网站声明
  std::string path;  // "/terms/yhxy.html" …
  std::vector<std::string> clauses;  // Chinese clause text, in order
  std::map<Right, Stance> stance;    // what the clauses say about each right
};

class Twin;  // sim/twin.h: the twin's own configuration

// What appendix 1 of the report lists about a portal, and all the simulator takes from a registry
// entry: name, place and address. The registry's family, family_note and overrides are not in it, so
// no part of the simulator can follow them and a wrong registry entry fails against the twin.
struct Listing {
  std::string id, name, province, city, county, division_code, level, region, kind;
  std::vector<std::string> urls;
};
Listing listing_of(const Site& site);

struct Portal {
  Listing site;            // the registry entry as appendix 1 lists it (no family, no overrides)
  std::string host;        // where it is served: "data.sd.gov.cn" or "host:port"
  std::string entry_path;  // path+query of its entry page there (urls[0], or "/" of the host it moved to)
  bool https = false;      // served on the TLS port
  std::string family;      // the family the twin runs for it (data/sim/twin.yaml), not the registry's
  std::map<std::string, std::string> facts;  // per-portal facts of the twin: prefix, divisionId, regionId …
  std::string moved_host, moved_path;        // its 2021 URL, now a 302 to here ("" = not moved)
  std::string why;                           // the twin's rule that decided the plan
  // Set when an earlier registry entry lists the very same URL and the twin knows no fact (regionId,
  // divisionId, …) that selects another catalogue there (appendix 1 prints some counties with their
  // city's address): that page is the earlier portal's, so this one serves nothing of its own.
  std::string shared_with;
  Reach reach = Reach::kOk;
  int http_status = 200;   // for kHttpError
  bool appendix3 = false;  // counts come from appendix 3
  std::int64_t n_datasets = 0, n_apis = 0, n_apps = 0;
  std::vector<std::string> topics;  // appendix 2, else drawn from the pool
  std::vector<TermsPage> terms;
  std::uint64_t key = 0;   // per-portal seed
  std::string charset = "UTF-8";  // embedded-cms: "GBK", "GBK-mislabelled", "GBK-unlabelled"
  const struct World* world = nullptr;

  Dataset dataset(std::int64_t i) const;  // 0 <= i < n_datasets
  Api api(std::int64_t i) const;
  App app(std::int64_t i) const;
  // Reverse of the family id formats: the dataset index, or nullopt for an unknown id.
  std::optional<std::int64_t> dataset_index(const std::string& id) const;
  std::optional<std::int64_t> api_index(const std::string& id) const;
  std::string gov_home() const;  // "http://www.<province>.gov.cn/" style page it redirects to
  std::string fact(const std::string& key, const std::string& def = "") const;  // facts[key] or def
};

struct Totals {
  std::int64_t datasets = 0, apis = 0, apps = 0, portals = 0;
};

struct PoolRecord {
  std::string title, dept, topic, industry, desc, freq, open, published, updated, volume, source;
  std::vector<std::string> tags, formats;
};

struct World {
  Options options;
  std::vector<PoolRecord> pool;
  std::vector<Portal> portals;
  std::vector<std::string> notes;  // e.g. appendix-3 rows that matched no site
  std::set<std::string> gov_homes;  // extra hosts serving a plain government home page
  // 2021 URLs of moved portals: host → (path → the new entry URL). A host without portals of its own
  // redirects every path to the first target.
  std::map<std::string, std::map<std::string, std::string>> redirects;
  std::shared_ptr<const Twin> twin;
  // Build the plan. Throws odh::Failure when the pool cannot be read.
  World(const std::vector<Site>& sites, const Options& options);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const Portal* by_id(const std::string& id) const;
  std::vector<const Portal*> by_host(const std::string& host) const;  // host[:port], lower case
  Totals totals(bool appendix3_only) const;
  // One line per mapped host, curl CONNECT_TO syntax "host:port:127.0.0.1:P"; kDns hosts
  // are left out, kRefused hosts point to refused_port.
  // https portals' :443 point to tls_port when non-zero (else to port).
  std::vector<std::string> connect_to(int port, int refused_port, int tls_port = 0) const;
  std::vector<std::string> dns_fail_hosts() const;

 private:
  std::map<std::string, std::vector<std::size_t>> host_index_;
};

// Scale one published count: 0 stays 0, else max(1, round(n*scale)).
std::int64_t scale_count(std::int64_t n, double scale);

// A running HTTP server for a World. Thread-safe start/stop; stop() is idempotent.
class Server {
 public:
  Server(std::shared_ptr<const World> world);
  ~Server();
  // Binds 127.0.0.1:port (0 = any free port), starts serving in background threads and
  // returns the bound port. Throws Failure when the port cannot be bound.
  int start(int port = 0);
  void stop();
  int port() const;
  // A loopback port where nothing listens (for kRefused hosts).
  int refused_port() const;
  // The TLS port serving the https portals (0 when there are none) and the PEM of its
  // self-signed certificate (SANs = those hosts) for clients to trust.
  int tls_port() const;
  std::string tls_ca_pem() const;
  std::uint64_t requests_served() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace odh::sim
