// The crawl engine: scheduler (per-host ready queue), libcurl multi transport, durable frontier.
// See crawler/crawl.h for the rules; docs/crawler.md for defaults, fault classes and resume.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>

#include "core/core.h"
#include "web/charset.h"
#include "web/content_decoding.h"
#include "crawler/crawl.h"
#include "crawler/crawl_seams.h"
#include "crawler/crawl_state.h"
#include "crawler/robots.h"
#include "web/url.h"

namespace odh {

std::string default_user_agent() {
  std::string v = version_string();  // "odh 0.1.0 (git …)"
  std::string num = v.substr(4, v.find(' ', 4) - 4);
  return "odh/" + num + " (+https://github.com/odh-project/odh)";
}

namespace {
// Splits "HOST:PORT:ADDR:PORT" on the colons outside [brackets].
std::vector<std::string> split_connect_to(const std::string& spec) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  for (char c : spec) {
    if (c == '[') depth++;
    if (c == ']') depth--;
    if (c == ':' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}
}  // namespace

bool connect_to_matches(const std::vector<std::string>& rules, const std::string& host,
                        const std::string& port) {
  for (const auto& r : rules) {
    auto parts = split_connect_to(r);
    if (parts.size() != 4) continue;
    bool host_ok = parts[0].empty() || strcasecmp(parts[0].c_str(), host.c_str()) == 0;
    bool port_ok = parts[1].empty() || parts[1] == port;
    if (host_ok && port_ok) return true;
  }
  return false;
}

std::string check_connect_to(const std::string& spec) {
  // HOST:PORT:ADDR:PORT; ADDR may be an IPv6 literal in brackets.
  auto parts = split_connect_to(spec);
  if (parts.size() != 4) return "expected HOST:PORT:ADDR:PORT, got '" + spec + "'";
  for (int i : {1, 3}) {
    if (parts[i].empty()) continue;
    if (!std::all_of(parts[i].begin(), parts[i].end(), ::isdigit) || parts[i].size() > 5 ||
        std::stoi(parts[i]) > 65535)
      return "bad port '" + parts[i] + "' in '" + spec + "'";
  }
  return "";
}

namespace {
using namespace odh::crawl;

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
double mono_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Diagnostics (ODH_CRAWL_STATS=1; printed to stderr at the end): where the event loop's time goes,
// as CPU seconds of the loop thread, and how late due hosts are started. Measures, never steers.
struct LoopStats {
  bool on = false;
  double cpu_curl = 0, cpu_dispatch = 0, cpu_archive = 0, cpu_finish = 0, cpu_spider = 0, cpu_commit = 0;
  std::vector<double> late;        // host due (ready-queue time) -> curl_multi_add_handle, s
  std::vector<double> send_delay;  // curl_multi_add_handle -> curl's transfer start, s
  std::vector<double> ttfb;        // curl's transfer start -> first response byte, s
  std::uint64_t loop_passes = 0, socket_events = 0;
  // Adds the CPU time since *mark to *acc and moves the mark.
  void charge(double* acc, double* mark) const {
    if (!on) return;
    double now = thread_cpu();
    *acc += now - *mark;
    *mark = now;
  }
  static std::string summary(std::vector<double> v) {
    if (v.empty()) return "n=0";
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v) sum += x;
    auto q = [&](double f) { return v[std::min(v.size() - 1, static_cast<size_t>(f * v.size()))] * 1000; };
    char buf[160];
    snprintf(buf, sizeof buf, "n=%zu mean %.2f ms, p50 %.2f, p90 %.2f, p99 %.2f, max %.2f ms", v.size(),
             sum / v.size() * 1000, q(0.5), q(0.9), q(0.99), v.back() * 1000);
    return buf;
  }
};

std::string header_value(const HeaderList& h, const char* name) {
  for (auto& [k, v] : h)
    if (strcasecmp(k.c_str(), name) == 0) return v;
  return "";
}

// Retry-After: delta-seconds or HTTP-date (RFC 9110 §10.2.3). nullopt when absent or invalid.
std::optional<double> parse_retry_after(const std::string& v, double now_wall) {
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), ::isdigit) && v.size() < 10) return std::stod(v);
  time_t t = curl_getdate(v.c_str(), nullptr);
  if (t < 0) return std::nullopt;
  return std::max(0.0, static_cast<double>(t) - now_wall);
}

bool retryable_net(const std::string& cls) {
  return cls == "connect" || cls == "timeout" || cls == "connect-timeout" || cls == "reset" ||
         cls == "truncated" || cls == "network" || cls == "dns";
}

struct Host;

// "http://a.gov.cn:80" -> "http://a.gov.cn"; keeps a non-default port.
std::string origin_base(const std::string& origin) {
  auto colon = origin.rfind(':');
  std::string port = origin.substr(colon + 1);
  bool https = origin.rfind("https:", 0) == 0;
  if ((https && port == "443") || (!https && port == "80")) return origin.substr(0, colon);
  return origin;
}

// A millisecond override of the site (sites.yaml `overrides:`) in seconds; nullopt when absent.
std::optional<double> site_override_ms(const Site& site, const char* key) {
  auto it = site.overrides.find(key);
  if (it == site.overrides.end() || it->second.empty()) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (*end != 0 || v < 0) return std::nullopt;
  return static_cast<double>(v) / 1000.0;
}

bool site_skipped(const Site& site) {
  auto it = site.overrides.find("skip");
  return it != site.overrides.end() && it->second == "true";
}

// "scheme://host:port" -> {host, port}.
std::pair<std::string, std::string> origin_host_port(const std::string& origin) {
  auto colon = origin.rfind(':');
  auto start = origin.find("://");
  return {origin.substr(start + 3, colon - start - 3), origin.substr(colon + 1)};
}

// One HTTP exchange in flight.
struct Transfer {
  CURL* easy = nullptr;
  Host* host = nullptr;
  Job job;
  bool robots = false;
  double t_start = 0, t_start_wall = 0;
  double due = 0;  // when the host came due (diagnostics)
  std::string req_raw, resp_head;
  HeaderList resp_headers;
  int status = 0;
  std::string wire, decoded;
  std::unique_ptr<ContentDecoder> decoder;
  std::string decode_error;  // "" | "content-decoding" | "content-encoding-unsupported"
  CURLcode rc = CURLE_OK;
  double t_end = 0;
  ArchivedAt at;
  std::string abort_class;  // set by callbacks when they abort the transfer
  bool mapped = false;          // a --connect-to rule maps the host: the address policy does not apply
  bool refused_address = false; // the address policy refused a resolved address (on_open_socket)
  std::int64_t max_wire = 0, max_decoded = 0;
  bool probe = false;      // web/fetch.h is_probe: body cut at max_wire is kept, one attempt
  bool truncated = false;  // ... and it was cut
  curl_slist* headers = nullptr;
  std::string cond_record_id, cond_uri, cond_date;  // conditional GET: previous record
  std::string cond_file;                            // ... its WARC file (path) and offset
  std::int64_t cond_offset = -1;
};

// Politeness is per host name: every origin (scheme, port) of one host shares one gate, so
// http://a.gov.cn, https://a.gov.cn and http://a.gov.cn:8080 never have two requests in flight at
// once nor two closer than the gap (robots.txt, frontier and counters stay per origin, RFC 9309).
struct Gate {
  bool in_flight = false;
  double next_allowed = 0;     // no request to this host name before this (mono clock)
  std::vector<Host*> waiters;  // origins that came due while the gate was busy
  // The host's own curl connection cache. With one cache for the whole multi handle, curl files
  // every connection made through one --connect-to address in one bundle and, for each new
  // request, walks (and poll()s) all of them: O(hosts) syscalls per request on loopback.
  CURLSH* share = nullptr;
};

struct Host {
  std::string key;  // origin
  Gate* gate = nullptr;
  bool waiting = false;  // in gate->waiters
  std::string site_id;
  double delay = 1.0, crawl_delay = 0;
  double timeout_s = 0;  // whole exchange (site override timeout_ms; else the crawl's)
  enum { kRobotsUnknown, kRobotsFetching, kRobotsKnown } robots_state = kRobotsUnknown;
  bool unmapped = false;  // mapped_only and no connect_to rule: every request fails as "dns"
  bool mapped = false;    // a connect_to rule maps this host:port (the address policy does not apply)
  bool forbidden = false; // resolved to a forbidden address (robots.txt fetch): every request refused
  std::optional<RobotsPolicy> robots;
  int robots_redirects = 0, robots_retries = 0;
  std::string robots_url;
  std::deque<Job> window;
  bool maybe_more = false;  // the frontier may hold pending rows not in the window
  std::int64_t pending = 0;
  bool in_flight = false;
  double next_allowed = 0;
  std::uint64_t heap_token = 0;
  int consecutive_failures = 0;
  bool paused = false, done_logged = false;
  HostRow row;
};

struct HeapItem {
  double when;
  std::uint64_t token;
  Host* host;
  bool operator>(const HeapItem& o) const { return when > o.when; }
};

class Engine {
 public:
  Engine(const CrawlOptions& o, SpiderFactory f, std::atomic<bool>& stop, Crawler& owner)
      : o_(o), factory_(std::move(f)), stop_(stop), owner_(owner), rng_(std::random_device{}()) {}
  ~Engine() {
    for (auto& t : completed_) {
      curl_slist_free_all(t->headers);
      curl_easy_cleanup(t->easy);
    }
    for (auto& [e, t] : transfers_) {
      curl_multi_remove_handle(multi_, e);
      curl_slist_free_all(t->headers);
      curl_easy_cleanup(e);
    }
    for (auto* e : idle_easy_) curl_easy_cleanup(e);
    if (multi_) curl_multi_cleanup(multi_);
    if (epfd_ >= 0) close(epfd_);
    if (marker_fd_ >= 0) close(marker_fd_);
    for (auto& [name, g] : gates_)
      if (g.share) curl_share_cleanup(g.share);  // after every easy handle that used it is gone
    curl_slist_free_all(connect_to_);
  }

  CrawlReport run(const std::vector<Site>& sites);

 private:
  std::string check_options();
  std::string open_state();
  std::string open_archive_dir();
  std::string open_event_loop();
  void start_sites(const std::vector<Site>& sites);
  void event_loop();
  void dispatch_due_hosts(double loop_t0);
  void close_crawl(const std::vector<Site>& sites, bool interrupted);
  std::vector<HostSummary> host_summaries() const;
  const CrawlOptions& o_;
  SpiderFactory factory_;
  std::atomic<bool>& stop_;
  Crawler& owner_;
  std::mt19937_64 rng_;
  State st_;
  std::unique_ptr<Archive> archive_;
  std::string warc_dir_;
  CURLM* multi_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::vector<CURL*> idle_easy_;
  std::map<std::string, std::unique_ptr<Host>> hosts_;
  std::map<std::string, Gate> gates_;                // host name -> gate
  std::deque<std::unique_ptr<Transfer>> completed_;  // reaped from curl, not yet archived/committed
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<HeapItem>> heap_;
  std::uint64_t next_token_ = 1;
  std::map<std::string, const Site*> sites_;
  std::map<std::string, std::unique_ptr<Spider>> spiders_;
  std::map<std::string, std::int64_t> site_count_;
  std::string agent_token_, user_agent_;
  CrawlProgress prog_;
  double t0_ = 0, last_progress_ = 0;
  // curl_multi_socket_action drives curl: epoll over the sockets curl asks for (one per transfer
  // at most), so a loop pass costs O(ready sockets), not O(transfers) as curl_multi_poll/perform.
  int epfd_ = -1;
  double curl_timer_ = -1;  // mono time curl wants CURL_SOCKET_TIMEOUT; < 0: none
  double cur_due_ = 0;      // ready-queue time of the host being dispatched (diagnostics)
  LoopStats stats_;
  double cpu_mark_ = 0;
  static int on_socket(CURL*, curl_socket_t s, int what, void* ud, void*);
  static int on_timer(CURLM*, long timeout_ms, void* ud);
  void drive_curl(int timeout_ms);
  void print_stats();

  void log(const std::string& m) {
    if (owner_.on_log) owner_.on_log(m);
  }
  Host* host_for(const std::string& origin, const std::string& site_id);
  void schedule(Host* h);
  void release_gate(Host* h);
  void reap();
  void process_completed();
  double gap(Host* h) {
    // Jitter only ever lengthens the gap (never below the delay) and is bounded in seconds, so the
    // mean gap stays within max_jitter_s / 2 of the delay however long the delay is.
    double g = std::max(h->delay, h->crawl_delay);
    double j = std::min(std::max(0.0, o_.jitter) * g, std::max(0.0, o_.max_jitter_s));
    std::uniform_real_distribution<double> u(0.0, j);
    return g + u(rng_);
  }
  void enqueue_requests(const std::vector<FetchRequest>& reqs, const std::string& site_id);
  std::string refusal(const std::string& url, const std::string& site_id);
  std::set<std::string> refused_;  // refusals logged this session (site, method, URL)
  void dispatch(Host* h);
  void start(Host* h, Job job, bool robots);
  void archive_exchange(Transfer* t);
  double gap_anchor(Transfer* t);
  void finish(Transfer* t);
  struct Verdict {
    bool retry = false;
    double wait = 0;          // seconds before the host's next request
    std::string error_class;  // of the exchange as it ended
  };
  FetchLogRow exchange_row(Transfer* t, const std::string& err);
  Verdict judge(Transfer* t, const std::string& err);
  void apply_pause_rule(Host* h, double wait);
  bool follow_redirect(Transfer* t, FetchLogRow& f, std::string* error_class);
  void complete(Transfer* t, FetchLogRow& f, std::string error_class);
  void deliver_earlier(Transfer* t, FetchResult& r, std::string* error_class);
  double last_flush_ = 0;
  void finish_robots(Transfer* t, const std::string& err, ArchivedAt at, double latency);
  void refuse(Host* h, Job& job, const std::string& error_class, int state);
  static FetchLogRow fetch_row(const Host& h, const Job& job);
  void deliver(const Job& job, FetchResult& r);
  void set_marker(std::int64_t id, int n);
  bool poisoned(const Job& job) const { return job.id > 0 && job.id == marker_id_ && marker_n_ >= 2; }
  std::string open_marker();
  int marker_fd_ = -1;
  std::int64_t marker_id_ = 0;  // the delivery a previous run died in (0: none)
  int marker_n_ = 0;            // how many times in a row
  bool marker_clear_ = false;
  void count_status(Host* h, int status, const std::string& err, double latency_ms);
  void progress(bool force);
  void save_host(Host* h) { st_.save_host(h->row); }

  static size_t on_header(char* p, size_t sz, size_t n, void* ud);
  static size_t on_write(char* p, size_t sz, size_t n, void* ud);
  static int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* ud);
  static curl_socket_t on_open_socket(void* ud, curlsocktype purpose, curl_sockaddr* addr);
};

Host* Engine::host_for(const std::string& origin, const std::string& site_id) {
  auto it = hosts_.find(origin);
  if (it != hosts_.end()) return it->second.get();
  auto h = std::make_unique<Host>();
  h->key = origin;
  {
    auto start = origin.find("://") + 3;
    h->gate = &gates_[origin.substr(start, origin.rfind(':') - start)];
  }
  h->site_id = site_id;
  h->delay = o_.delay_s;
  h->timeout_s = o_.request_timeout_s;
  if (auto s = sites_.find(site_id); s != sites_.end()) {
    // sites.yaml overrides (validated by the registry as non-negative integers): a site's delay can
    // only lengthen the gap (politeness), its timeout replaces the crawl's.
    if (auto d = site_override_ms(*s->second, "delay_ms")) h->delay = std::max(h->delay, *d);
    if (auto t = site_override_ms(*s->second, "timeout_ms"); t && *t > 0) h->timeout_s = *t;
  }
  if (auto row = st_.load_host(origin)) {
    h->row = *row;
    h->paused = row->paused;
    // A host paused in an earlier run (unpaused by resume) waits until its pause backoff ran out.
    if (row->paused_until > 0) h->next_allowed = mono_now() + std::max(0.0, row->paused_until - wall_now());
    if (!row->robots.empty()) {
      // Cached robots decision from this crawl (RFC 9309: valid up to 24 h).
      int status = row->robots == "ok" ? 200 : row->robots == "none" ? 404 : 0;
      if (wall_now() - row->robots_fetched_at < 86400) {
        h->robots = RobotsPolicy::from_fetch(status, row->robots_body, 0);
        h->robots_state = Host::kRobotsKnown;
        if (auto cd = h->robots->crawl_delay(agent_token_))
          h->crawl_delay = std::min(*cd, o_.max_crawl_delay_s);
      }
    }
  } else {
    h->row.host = origin;
    h->row.site_id = site_id;
  }
  if (!o_.obey_robots) h->robots_state = Host::kRobotsKnown;
  {
    auto [host, port] = origin_host_port(origin);
    h->mapped = connect_to_matches(o_.connect_to, host, port);
  }
  if (o_.mapped_only) {
    if (!h->mapped) {
      h->unmapped = true;
      h->robots_state = Host::kRobotsKnown;  // no robots.txt fetch for a host we may not reach
    }
  }
  Host* raw = h.get();
  hosts_.emplace(origin, std::move(h));
  prog_.hosts_total++;
  return raw;
}

void Engine::schedule(Host* h) {
  if (h->in_flight || h->waiting) return;
  // pending counts every unfinished frontier row of the host (window included): a host whose
  // last request just finished is done now, not one gap later.
  if (h->window.empty() && (!h->maybe_more || h->pending <= 0)) return;
  h->heap_token = next_token_++;
  heap_.push({std::max(h->next_allowed, h->gate->next_allowed), h->heap_token, h});
}

// A transfer of h ended: its gate is free from gate->next_allowed on; origins that waited for it
// are queued again (in arrival order: the heap breaks ties by token).
void Engine::release_gate(Host* h) {
  Gate* g = h->gate;
  g->in_flight = false;
  g->next_allowed = std::max(g->next_allowed, h->next_allowed);
  auto waiters = std::move(g->waiters);
  g->waiters.clear();
  for (Host* w : waiters) {
    w->waiting = false;
    schedule(w);
  }
}

// The request policy, applied to every request whichever spider asked for it (web/fetch.h
// request_refusal: http(s) only, URL length, the site's scope by registrable domain; here also an IP
// literal the address policy forbids): a refused request is logged once with its error class, never
// queued, and reaches no spider. Resolved names are checked again at connect time (on_open_socket).
std::string Engine::refusal(const std::string& url, const std::string& site_id) {
  static const std::vector<std::string> kNoScope;
  auto s = sites_.find(site_id);
  std::string why = request_refusal(url, s == sites_.end() ? kNoScope : s->second->urls, o_.max_url_bytes);
  if (!why.empty()) return why;
  UrlParts u;
  if (!parse_url(url, &u)) return "bad-url";
  const bool literal = u.host.front() == '[' || std::isdigit(static_cast<unsigned char>(u.host.back()));
  if (literal && !o_.allow_private_addresses && is_forbidden_address(u.host) &&
      !connect_to_matches(o_.connect_to, u.host, std::to_string(u.port)))
    return "forbidden-address";
  return "";
}

void Engine::enqueue_requests(const std::vector<FetchRequest>& reqs, const std::string& site_id) {
  int limit = o_.max_pages_per_site;
  if (auto s = sites_.find(site_id); s != sites_.end()) {
    auto m = s->second->overrides.find("max_pages");
    if (m != s->second->overrides.end()) limit = std::atoi(m->second.c_str());
  }
  for (auto r : reqs) {
    if (r.site_id.empty()) r.site_id = site_id;
    if (r.method.empty()) r.method = "GET";
    UrlParts u;
    std::string norm = normalize_url(r.url);
    std::string why = norm.empty() || !parse_url(norm, &u) ? "bad-url" : refusal(norm, r.site_id);
    if (!why.empty()) {
      // Logged once per crawl session and URL (a hostile link on every page is one row).
      if (!refused_.insert(r.site_id + " " + r.method + " " + (norm.empty() ? r.url : norm)).second) continue;
      FetchLogRow f;
      f.site_id = r.site_id;
      f.url = r.url.size() > 8192 ? r.url.substr(0, 8192) : r.url;
      f.method = r.method;
      f.kind = r.kind;
      f.depth = r.depth;
      f.error_class = why;
      f.fetched_at = wall_now();
      st_.add_fetch(f);
      prog_.errors++;
      continue;
    }
    if (limit > 0 && site_count_[r.site_id] >= limit) continue;  // over the site's page budget
    r.url = norm;
    std::int64_t id = st_.enqueue(r, u.origin, norm);
    if (id < 0) continue;  // seen
    site_count_[r.site_id]++;
    Host* h = host_for(u.origin, r.site_id);
    h->pending++;
    prog_.pending++;
    // A host that had run dry (not queued, nothing in flight) is queued again: its new row would
    // otherwise wait forever (another host's page can ask for it at any time).
    if (!h->maybe_more || (h->heap_token == 0 && !h->in_flight && !h->waiting)) {
      h->maybe_more = true;
      schedule(h);
    }
  }
}

// The fetch row of a frontier job on host h: who asked for what (status and payload are the caller's).
FetchLogRow Engine::fetch_row(const Host& h, const Job& job) {
  FetchLogRow f;
  f.frontier_id = job.id;
  f.site_id = job.req.site_id;
  f.host = h.key;
  f.url = job.req.url;
  f.final_url = job.fetch_url;
  f.method = job.req.method;
  f.kind = job.req.kind;
  f.depth = job.req.depth;
  return f;
}

// A request answered without the network (robots-disallowed, host-paused): logged, done, delivered.
void Engine::refuse(Host* h, Job& job, const std::string& error_class, int state) {
  FetchLogRow f = fetch_row(*h, job);
  f.error_class = error_class;
  f.fetched_at = wall_now();
  st_.begin();
  std::int64_t fid = st_.add_fetch(f);
  st_.mark_done(job.id, state);
  h->pending--;
  prog_.pending--;
  prog_.errors++;
  FetchResult r;
  r.final_url = job.fetch_url;
  r.error_class = error_class;
  r.crawl_log_id = fid;
  r.fetched_at = f.fetched_at;
  deliver(job, r);
  st_.commit();
}

// Hands a result to its site's spider and files the follow-ups. The spider runs before the batch
// commits, so a page that crashes the process would crash every resume: the frontier id being
// delivered is written to <out>/delivering first (write(2): it survives the crash). A page whose
// delivery was interrupted twice in a row is poison: it reaches the spider as an error result
// ("spider-crash", body dropped) and the crawl goes on. An exception is logged and the page's
// follow-ups are lost; the harvest's recorder turns it into a parse issue.
void Engine::deliver(const Job& job, FetchResult& r) {
  r.request = job.req;
  auto sp = spiders_.find(job.req.site_id);
  if (sp == spiders_.end()) return;
  if (poisoned(job)) {
    log("poison page " + job.req.url + ": the spider crashed on it twice; recorded as spider-crash");
    r.error_class = "spider-crash";
    r.body.clear();
    r.text.clear();
  }
  const int attempt = job.id == marker_id_ ? marker_n_ + 1 : 1;
  if (job.id == marker_id_) marker_id_ = 0;
  set_marker(job.id, attempt);
  std::vector<FetchRequest> next;
  stats_.charge(&stats_.cpu_finish, &cpu_mark_);
  try {
    next = sp->second->on_result(r).requests;  // the harvest records links; the crawler only follows requests
  } catch (const std::exception& e) {
    log("spider " + job.req.site_id + " threw on " + job.req.url + ": " + e.what());
  } catch (...) {
    log("spider " + job.req.site_id + " threw on " + job.req.url);
  }
  set_marker(0, 0);
  stats_.charge(&stats_.cpu_spider, &cpu_mark_);
  for (auto& n : next)
    if (n.depth == 0 && job.req.depth > 0) n.depth = job.req.depth + 1;
  enqueue_requests(next, job.req.site_id);
}

// <out>/delivering: "<frontier id> <attempt>" of the delivery in progress ("0 0": none).
void Engine::set_marker(std::int64_t id, int n) {
  if (marker_fd_ < 0) return;
  if (id == 0 && marker_clear_) return;
  char buf[48];
  int len = std::snprintf(buf, sizeof buf, "%lld %d\n", static_cast<long long>(id), n);
  if (::pwrite(marker_fd_, buf, static_cast<size_t>(len), 0) == len) {
    if (::ftruncate(marker_fd_, len) != 0) {}
  }
  marker_clear_ = id == 0;
}

std::string Engine::open_marker() {
  std::string path = (std::filesystem::path(o_.out_dir) / "delivering").string();
  marker_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (marker_fd_ < 0) return "cannot open " + path + ": " + strerror(errno);
  char buf[48] = {};
  ssize_t n = ::pread(marker_fd_, buf, sizeof buf - 1, 0);
  long long id = 0;
  int count = 0;
  if (n > 0 && std::sscanf(buf, "%lld %d", &id, &count) == 2 && id > 0) {
    marker_id_ = id;
    marker_n_ = count;
    log("resume: the last run stopped while a spider read frontier row " + std::to_string(id) +
        (count >= 2 ? " (twice: it will be skipped as a poison page)" : ""));
  }
  marker_clear_ = false;
  return "";
}

void Engine::dispatch(Host* h) {
  while (true) {
    if (h->robots_state == Host::kRobotsUnknown && !h->paused) {
      Job rj;
      rj.req.site_id = h->site_id;
      rj.req.kind = "robots";
      rj.req.url = origin_base(h->key) + "/robots.txt";
      rj.fetch_url = h->robots_url.empty() ? rj.req.url : h->robots_url;
      rj.host = h->key;
      h->robots_state = Host::kRobotsFetching;
      start(h, std::move(rj), true);
      return;
    }
    if (h->window.empty()) {
      if (!h->maybe_more) return;
      auto rows = st_.load_window(h->key, std::max(1, o_.host_window));
      for (auto& j : rows) h->window.push_back(std::move(j));
      if (h->window.empty()) {
        h->maybe_more = false;
        return;
      }
    }
    Job job = std::move(h->window.front());
    h->window.pop_front();
    if (h->paused) {
      refuse(h, job, "host-paused", 2);
      continue;
    }
    if (h->unmapped) {
      refuse(h, job, "dns", 2);
      continue;
    }
    if (h->forbidden) {  // its robots.txt fetch found the host on a forbidden address
      refuse(h, job, "forbidden-address", 2);
      continue;
    }
    UrlParts u;
    parse_url(job.fetch_url, &u);
    if (h->robots && !h->robots->allowed(agent_token_, u.path_query)) {
      refuse(h, job, "robots-disallowed", 1);
      continue;
    }
    start(h, std::move(job), false);
    return;
  }
}

size_t Engine::on_header(char* p, size_t sz, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  size_t len = sz * n;
  std::string line(p, len);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after 1xx): start over
    t->resp_head.clear();
    t->resp_headers.clear();
    auto sp = line.find(' ');
    t->status = sp == std::string::npos ? 0 : std::atoi(line.c_str() + sp + 1);
  } else {
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string k = line.substr(0, colon);
      std::string v = line.substr(colon + 1);
      auto b = v.find_first_not_of(" \t");
      auto e = v.find_last_not_of(" \t\r\n");
      v = b == std::string::npos ? "" : v.substr(b, e - b + 1);
      t->resp_headers.emplace_back(k, v);
    }
  }
  if (t->resp_head.size() + len > (1u << 20)) {  // 1 MiB of headers is an attack, not a portal
    t->abort_class = "too-large";
    return 0;
  }
  t->resp_head.append(p, len);
  return len;
}

size_t Engine::on_write(char* p, size_t sz, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  const size_t given = sz * n;
  size_t len = given;
  if (static_cast<std::int64_t>(t->wire.size() + len) > t->max_wire) {
    if (!t->probe) {
      t->abort_class = "too-large";
      return 0;
    }
    len = static_cast<size_t>(std::max<std::int64_t>(0, t->max_wire - static_cast<std::int64_t>(t->wire.size())));
    t->truncated = true;  // keep what fits, then stop the transfer (curl: write error, not a failure)
  }
  t->wire.append(p, len);
  if (!t->decoder) {
    std::string enc = header_value(t->resp_headers, "Content-Encoding");
    if (!ContentDecoder::supported(enc)) {
      t->decode_error = "content-encoding-unsupported";
      enc = "";  // keep the bytes as received
    }
    t->decoder = std::make_unique<ContentDecoder>(enc, static_cast<std::size_t>(t->max_decoded));
  }
  if (t->decode_error.empty() && !t->decoder->feed(std::string_view(p, len), &t->decoded)) {
    if (t->decoder->status().code == "too-large") {
      t->abort_class = "too-large-decoded";
      return 0;
    }
    t->decode_error = "content-decoding";
  }
  return t->truncated ? 0 : given;
}

int Engine::on_debug(CURL*, curl_infotype type, char* data, size_t size, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  // curl sends a request again on a new connection when a kept-alive one turns out closed: the
  // archived request is the one that was answered, not both (RFC 9112: a GET has no body to hold it).
  if (type == CURLINFO_HEADER_OUT && t->req_raw.find("\r\n\r\n") != std::string::npos) t->req_raw.clear();
  if ((type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT) && t->req_raw.size() < (4u << 20))
    t->req_raw.append(data, size);
  return 0;
}

// The address policy after resolution: curl asks for a socket to the address it resolved (or the
// one a --connect-to rule names); a forbidden address gets none, so no connection is ever opened.
curl_socket_t Engine::on_open_socket(void* ud, curlsocktype purpose, curl_sockaddr* a) {
  auto* t = static_cast<Transfer*>(ud);
  if (!t->mapped) {
    char ip[INET6_ADDRSTRLEN] = "";
    if (a->family == AF_INET)
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&a->addr)->sin_addr, ip, sizeof ip);
    else if (a->family == AF_INET6)
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&a->addr)->sin6_addr, ip, sizeof ip);
    if (purpose != CURLSOCKTYPE_IPCXN || is_forbidden_address(ip)) {
      t->refused_address = true;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

void Engine::start(Host* h, Job job, bool robots) {
  auto t = std::make_unique<Transfer>();
  CURL* e;
  if (!idle_easy_.empty()) {
    e = idle_easy_.back();
    idle_easy_.pop_back();
    curl_easy_reset(e);
  } else {
    e = curl_easy_init();
  }
  t->easy = e;
  t->host = h;
  if (!h->gate->share) {
    h->gate->share = curl_share_init();
    if (h->gate->share) curl_share_setopt(h->gate->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  }
  if (h->gate->share) curl_easy_setopt(e, CURLOPT_SHARE, h->gate->share);
  t->robots = robots;
  t->probe = !robots && is_probe(job.req);
  t->max_wire = robots ? std::min<std::int64_t>(o_.max_wire_bytes, kRobotsMaxBytes * 4) : o_.max_wire_bytes;
  if (t->probe) t->max_wire = std::min(t->max_wire, std::max<std::int64_t>(1, o_.probe_bytes));
  t->max_decoded =
      robots ? std::min<std::int64_t>(o_.max_decoded_bytes, kRobotsMaxBytes * 4) : o_.max_decoded_bytes;
  curl_easy_setopt(e, CURLOPT_URL, job.fetch_url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);  // we decode (capped) ourselves
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o_.connect_timeout_s * 1000));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>((t->probe ? std::min(h->timeout_s, o_.probe_timeout_s) : h->timeout_s) * 1000));
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, o_.low_speed_bytes_per_s);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(std::max(1.0, o_.low_speed_time_s)));
  // A probe keeps the first bytes of any file, however large it says it is (on_write cuts it).
  if (!t->probe) curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t->max_wire));
  if (connect_to_) curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_);
  if (!o_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o_.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Engine::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Engine::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, &Engine::on_debug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, t.get());
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);  // feeds on_debug only (request bytes for WARC)
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  t->mapped = h->mapped || o_.allow_private_addresses;
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Engine::on_open_socket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
  curl_slist* hl = nullptr;
  hl = curl_slist_append(hl, "Accept-Encoding: gzip, deflate");
  hl = curl_slist_append(
      hl, "Accept: text/html,application/xhtml+xml,application/json,application/xml;q=0.9,*/*;q=0.8");
  for (auto& [k, v] : job.req.headers) hl = curl_slist_append(hl, (k + ": " + v).c_str());
  // Probes are never conditional: a download check must see the file as the server has it now.
  if (!robots && !t->probe && job.req.method == "GET" && !o_.previous_dir.empty()) {
    if (auto prev = st_.previous(job.fetch_url)) {
      if (!prev->etag.empty()) hl = curl_slist_append(hl, ("If-None-Match: " + prev->etag).c_str());
      if (!prev->last_modified.empty())
        hl = curl_slist_append(hl, ("If-Modified-Since: " + prev->last_modified).c_str());
      t->cond_record_id = prev->record_id;
      t->cond_uri = prev->url;
      t->cond_date = prev->date;
      t->cond_file = std::filesystem::absolute(std::filesystem::path(o_.previous_dir) / "warc" / prev->warc_file)
                         .lexically_normal()
                         .string();
      t->cond_offset = prev->warc_offset;
    }
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
  t->headers = hl;
  const std::string& m = job.req.method;
  if (m == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (m == "POST") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(job.req.body.size()));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, job.req.body.c_str());
  } else if (m != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    if (!job.req.body.empty()) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(job.req.body.size()));
      curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, job.req.body.c_str());
    }
  }
  t->job = std::move(job);
  t->t_start = mono_now();
  t->t_start_wall = wall_now();
  t->due = cur_due_;
  h->in_flight = true;
  h->gate->in_flight = true;
  prog_.hosts_active++;
  curl_multi_add_handle(multi_, e);
  transfers_.emplace(e, std::move(t));
}

std::string classify_curl(CURLcode rc, CURL* e) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return "dns";
    case CURLE_COULDNT_CONNECT:
      return "connect";
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
      return connect_us == 0 ? "connect-timeout" : "timeout";
    }
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
      return "reset";
    case CURLE_PARTIAL_FILE:
      return "truncated";
    case CURLE_FILESIZE_EXCEEDED:
      return "too-large";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return "tls";
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_UNSUPPORTED_PROTOCOL:  // request URLs are http(s) by policy: this is an HTTP/0.9 answer
      return "protocol";
    case CURLE_URL_MALFORMAT:
      return "bad-url";
    default:
      return "network";
  }
}

// When the gap to the next request starts: the first byte of the response — by then the server
// certainly has this request, so it never sees two closer than the gap (a new connection's
// handshake cannot shrink it, as timing from the request start would) and the server's
// processing time is not added to the crawl (as timing from the end would). No response: the end.
double Engine::gap_anchor(Transfer* t) {
  // Counted back from the end with curl's own clock (total − time to first byte): curl starts
  // its timer after we add the handle, so counting forward from our start would be too early.
  curl_off_t ttfb_us = 0, total_us = 0;
  if (t->status > 0 && curl_easy_getinfo(t->easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb_us) == CURLE_OK &&
      curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK && ttfb_us > 0 &&
      total_us >= ttfb_us)
    return t->t_end - static_cast<double>(total_us - ttfb_us) / 1e6;
  return t->t_end;
}

void Engine::count_status(Host* h, int status, const std::string& err, double latency_ms) {
  auto& r = h->row;
  if (status >= 200 && status < 300)
    r.r2xx++;
  else if (status >= 300 && status < 400)
    r.r3xx++;
  else if (status >= 400 && status < 500)
    r.r4xx++;
  else if (status >= 500)
    r.r5xx++;
  else
    r.rerr++;
  r.latency_sum_ms += latency_ms;
  r.latency_n++;
  (void)err;
}

// Step 1 of a completion: classify the transport outcome and write the WARC records of every
// response that arrived whole. The caller flushes the archive before step 2 (finish) commits.
void Engine::archive_exchange(Transfer* t) {
  std::string err;
  if (!t->abort_class.empty())
    err = t->abort_class;
  else if (t->rc == CURLE_COULDNT_CONNECT && t->refused_address)
    err = "forbidden-address";  // every resolved address was refused: no connection was opened
  else if (t->rc != CURLE_OK && !(t->truncated && t->rc == CURLE_WRITE_ERROR))
    err = classify_curl(t->rc, t->easy);
  t->abort_class = err;
  if (!err.empty()) t->status = 0;
  // A cut probe's compressed stream has no end: what was decoded so far is the body.
  if (err.empty() && t->decoder && t->decode_error.empty() && !t->decoder->finish(&t->decoded) && !t->truncated)
    t->decode_error = "content-decoding";
  if (err.empty() && !t->decoder) t->decoded = t->wire;
  if (t->status <= 0) return;
  char* ip = nullptr;
  curl_easy_getinfo(t->easy, CURLINFO_PRIMARY_IP, &ip);
  Exchange x;
  x.url = t->job.fetch_url;
  x.ip = ip ? ip : "";
  x.date = t->t_start_wall;
  x.request = t->req_raw;
  x.response = t->resp_head + t->wire;
  x.status = t->status;
  x.truncated = t->truncated;
  if (t->status == 304 && !t->cond_record_id.empty()) {
    x.refers_to_record_id = t->cond_record_id;
    x.refers_to_uri = t->cond_uri;
    x.refers_to_date = t->cond_date;
  }
  t->at = archive_->write(x);
}

// Step 2: inside the batch's transaction — log, retry/backoff/redirect, mark done, hand to the spider.
// The steps: account → (robots) → judge → pause rule → retry | redirect hop | complete → reschedule.
void Engine::finish(Transfer* t) {
  Host* h = t->host;
  h->in_flight = false;
  prog_.hosts_active--;
  std::string err = t->abort_class;
  count_status(h, t->status, err, (t->t_end - t->t_start) * 1000);
  prog_.bytes += static_cast<std::int64_t>(t->wire.size());
  h->row.bytes += static_cast<std::int64_t>(t->wire.size());
  if (t->robots) {
    finish_robots(t, err, t->at, (t->t_end - t->t_start) * 1000);
    return;
  }
  if (err.empty() && !t->decode_error.empty()) err = t->decode_error;
  FetchLogRow f = exchange_row(t, err);
  Verdict v = judge(t, err);
  apply_pause_rule(h, v.wait);
  if (!t->at.file.empty()) st_.set_warc_committed(t->at.file, t->at.end);
  if (v.retry) {
    f.final = false;
    st_.add_fetch(f);
    h->window.push_front(std::move(t->job));
  } else if (!follow_redirect(t, f, &v.error_class)) {
    complete(t, f, v.error_class);
  }
  save_host(h);
  h->next_allowed = t->t_end + v.wait;
  release_gate(h);
  schedule(h);
}

// The fetch log row of a finished exchange (who asked for what, what came back, where it is archived).
FetchLogRow Engine::exchange_row(Transfer* t, const std::string& err) {
  FetchLogRow f = fetch_row(*t->host, t->job);
  f.status = t->status;
  f.content_type = header_value(t->resp_headers, "Content-Type");
  f.bytes = static_cast<std::int64_t>(t->wire.size());
  f.warc_file = t->at.file;
  f.warc_offset = t->at.offset;
  f.record_id = t->at.record_id;
  f.payload_digest = t->at.payload_digest;
  f.fetched_at = t->t_start_wall;
  f.latency_ms = (t->t_end - t->t_start) * 1000;
  f.attempt = t->job.retries + t->job.throttles;
  f.etag = header_value(t->resp_headers, "ETag");
  f.last_modified = header_value(t->resp_headers, "Last-Modified");
  f.error_class = err.empty() ? status_error_class(t->status) : err;
  return f;
}

// Failure, throttling and backoff: whether the request is tried again, and how long the host waits
// before its next request (at least the politeness gap; Retry-After or exponential backoff on top).
Engine::Verdict Engine::judge(Transfer* t, const std::string& err) {
  Host* h = t->host;
  Job& job = t->job;
  const int status = t->status;
  Verdict v;
  v.wait = std::max(0.0, gap_anchor(t) + gap(h) - t->t_end);
  v.error_class = err.empty() ? status_error_class(status) : err;
  // Failures for the pause rule: 5xx and network errors (429 is throttling, not failure). A JS-cookie
  // gate (HTTP 521 with a script, ../shared/platforms/open-data-web.md) is a challenge the spider
  // answers (parsers' session spider), not a server failure: no retry, backoff or pause.
  const bool gate = status == 521 && (t->decoded.find("<script") != std::string::npos ||
                                      t->wire.find("<script") != std::string::npos);
  // A probe's outcome is its verdict: never retried, and a dead file server does not pause the
  // portal's catalogue (probes queue last on a host, so nothing of the catalogue waits behind them).
  const bool failure = !t->probe && ((status >= 500 && !gate) || (status == 0 && retryable_net(err)));
  if (failure)
    h->consecutive_failures++;
  else if (status > 0)
    h->consecutive_failures = 0;
  auto retry_after = parse_retry_after(header_value(t->resp_headers, "Retry-After"), wall_now());
  auto back_off = [&](double b) {
    if (b > v.wait) {
      h->row.backoff_s += b - v.wait;
      v.wait = b;
    }
  };
  auto exponential = [&](int n) { return std::min(o_.backoff_cap_s, o_.backoff_base_s * std::pow(2.0, n - 1)); };
  if (status == 429 && job.throttles < o_.max_throttle_retries) {
    v.retry = true;
    job.throttles++;
    h->row.throttled++;
    back_off(retry_after ? std::min(*retry_after, o_.retry_after_cap_s) : exponential(job.throttles));
    prog_.backoffs++;
  } else if (failure && job.retries < o_.max_retries && h->consecutive_failures < o_.pause_after_failures) {
    v.retry = true;
    job.retries++;
    h->row.retries++;
    back_off((status == 503 && retry_after) ? std::min(*retry_after, o_.retry_after_cap_s)
                                            : exponential(job.retries));
    prog_.backoffs++;
  } else if (failure && retry_after && status == 503) {
    // final 503: still respect the server's wish before the next request to this host
    back_off(std::min(*retry_after, o_.retry_after_cap_s));
  }
  return v;
}

// A host pauses after pause_after_failures consecutive failures.
void Engine::apply_pause_rule(Host* h, double wait) {
  if (h->consecutive_failures < o_.pause_after_failures || h->paused) return;
  h->paused = true;
  h->row.paused = true;
  // A resumed crawl tries the host again, but not before the backoff the next failure would get.
  h->row.paused_until =
      wall_now() + std::max(wait, std::min(o_.backoff_cap_s, o_.backoff_base_s * std::pow(2.0, o_.max_retries)));
  prog_.hosts_paused++;
  log("host " + h->key + " paused after " + std::to_string(h->consecutive_failures) + " consecutive failures");
}

// A redirect answer within the rules of web/fetch.h becomes the next hop of the same request (true);
// false when the answer is final (not a redirect, or a redirect not followed: *error_class says why).
bool Engine::follow_redirect(Transfer* t, FetchLogRow& f, std::string* error_class) {
  Host* h = t->host;
  Job& job = t->job;
  auto site = sites_.find(job.req.site_id);
  static const std::vector<std::string> kNoSite;
  RedirectStep step = next_redirect(job.fetch_url, t->status, header_value(t->resp_headers, "Location"),
                                    job.redirects, o_.max_redirects,
                                    site == sites_.end() ? kNoSite : site->second->urls);
  if (!step.is_redirect) return false;
  if (!step.error_class.empty()) {
    *error_class = step.error_class;
    return false;
  }
  UrlParts tu;
  parse_url(step.target, &tu);
  f.final = false;
  st_.add_fetch(f);
  st_.mark_done(job.id);
  h->pending--;
  Job next = job;
  next.id = -1;
  next.fetch_url = step.target;
  next.host = tu.origin;
  next.redirects++;
  next.retries = next.throttles = 0;
  st_.enqueue_hop(next);
  Host* th = host_for(tu.origin, job.req.site_id);
  th->pending++;
  if (!th->maybe_more || (th != h && th->heap_token == 0 && !th->in_flight && !th->waiting)) {
    th->maybe_more = true;
    if (th != h) schedule(th);
  }
  return true;
}

// The request is answered: its result (text decoded once, here) goes to the log and to the spider.
void Engine::complete(Transfer* t, FetchLogRow& f, std::string error_class) {
  Host* h = t->host;
  Job& job = t->job;
  const int status = t->status;
  FetchResult r;
  r.final_url = job.fetch_url;
  r.status = status;
  r.response_headers = std::move(t->resp_headers);
  r.body = std::move(t->decoded);
  r.truncated = t->truncated;
  r.error_class = error_class;
  r.warc_file = t->at.file;
  r.warc_offset = t->at.offset;
  r.fetched_at = f.fetched_at;
  if (status == 304 && !t->cond_file.empty()) deliver_earlier(t, r, &error_class);
  if (status > 0) decode_fetch_result(r);  // text (UTF-8), charset, charset_source for text types
  if (poisoned(job)) error_class = "spider-crash";  // logged as such; deliver() drops the body
  f.charset = r.charset;
  f.charset_source = r.charset_source;
  f.error_class = error_class;
  r.crawl_log_id = st_.add_fetch(f);
  st_.mark_done(job.id);
  h->pending--;
  prog_.pending--;
  if (status >= 200 && status < 400) {
    prog_.pages++;
    h->row.pages++;
  }
  if (!error_class.empty()) prog_.errors++;
  deliver(job, r);
}

// 304 Not Modified to our conditional GET (CrawlOptions::previous_dir): the spider gets the earlier
// response the revisit record refers to — its status, headers and body, Content-Encoding removed by
// the same rules — with revisit_of_* naming that record (web/fetch.h). The fetch log keeps the 304.
// An earlier record that cannot be read leaves the 304 with error class "revisit-unreadable".
void Engine::deliver_earlier(Transfer* t, FetchResult& r, std::string* error_class) {
  int status = 0;
  HeaderList headers;
  std::string body, refers_to, why;
  bool ok = read_archived_response(t->cond_file, t->cond_offset, &status, &headers, &body, &refers_to, &why);
  if (ok && !refers_to.empty()) {  // the earlier record is itself a payload-dedup revisit: body from its original
    int s2 = 0;
    HeaderList h2;
    std::string r2;
    auto at = st_.previous_record(refers_to);
    ok = at && read_archived_response((std::filesystem::path(o_.previous_dir) / "warc" / at->first).string(),
                                      at->second, &s2, &h2, &body, &r2, &why) && r2.empty();
    if (!at) why = "record " + refers_to + " not in the previous crawl";
  }
  if (!ok) {
    *error_class = r.error_class = "revisit-unreadable";
    log("revisit of " + t->job.fetch_url + ": earlier record " + t->cond_file + "@" +
        std::to_string(t->cond_offset) + " unreadable: " + why);
    return;
  }
  std::string enc_err = remove_content_encoding(header_value(headers, "Content-Encoding"), &body, t->max_decoded);
  r.status = status;
  r.response_headers = std::move(headers);
  r.body = std::move(body);
  r.revisit_of_file = t->cond_file;
  r.revisit_of_offset = t->cond_offset;
  if (!enc_err.empty()) *error_class = r.error_class = enc_err;
}

void Engine::finish_robots(Transfer* t, const std::string& err, ArchivedAt at, double latency_ms) {
  Host* h = t->host;
  double now = t->t_end;
  int status = t->status;
  double wait = 0;  // set below, after a Crawl-delay may have been learnt
  FetchLogRow f;
  f.site_id = h->site_id;
  f.host = h->key;
  f.url = t->job.req.url;
  f.final_url = t->job.fetch_url;
  f.method = "GET";
  f.kind = "robots";
  f.status = status;
  f.content_type = header_value(t->resp_headers, "Content-Type");
  f.bytes = static_cast<std::int64_t>(t->wire.size());
  f.warc_file = at.file;
  f.warc_offset = at.offset;
  f.record_id = at.record_id;
  f.fetched_at = t->t_start_wall;
  f.latency_ms = latency_ms;
  f.error_class = err;
  std::string loc = header_value(t->resp_headers, "Location");
  bool failure = status >= 500 || status == 429 || (status == 0 && retryable_net(err));
  if (!at.file.empty()) st_.set_warc_committed(at.file, at.end);
  if (err == "forbidden-address") {
    h->forbidden = true;
    h->robots_state = Host::kRobotsKnown;
    log("host " + h->key + " resolves to a forbidden address: its requests are refused");
  } else if (failure && h->robots_retries < o_.max_retries) {
    h->robots_retries++;
    h->row.retries++;
    f.final = false;
    f.error_class = err.empty() ? status_error_class(status) : err;
    double b = std::min(o_.backoff_cap_s, o_.backoff_base_s * std::pow(2.0, h->robots_retries - 1));
    if (auto ra = parse_retry_after(header_value(t->resp_headers, "Retry-After"), wall_now()))
      b = std::min(*ra, o_.retry_after_cap_s);
    if (b > wait) {
      h->row.backoff_s += b - wait;
      wait = b;
    }
    prog_.backoffs++;
    h->robots_state = Host::kRobotsUnknown;
  } else if (status >= 300 && status < 400 && !loc.empty() &&
             h->robots_redirects < RobotsPolicy::kMaxRedirects) {
    // RFC 9309 §2.3.1.2: follow at least five redirects (within this host's queue).
    std::string target = normalize_url(resolve_url(t->job.fetch_url, loc));
    UrlParts tu;
    f.final = false;
    if (!target.empty() && parse_url(target, &tu) && tu.origin == h->key) {
      h->robots_redirects++;
      h->robots_state = Host::kRobotsUnknown;
      // The redirect target replaces /robots.txt for this attempt.
      h->robots_url = target;
    } else {
      h->robots = RobotsPolicy::from_fetch(status, "", RobotsPolicy::kMaxRedirects + 1);
      h->robots_state = Host::kRobotsKnown;
      h->row.robots = "none";
    }
  } else {
    std::string body = t->decoded;
    h->robots = RobotsPolicy::from_fetch(status, body, h->robots_redirects);
    h->robots_state = Host::kRobotsKnown;
    h->row.robots = status >= 200 && status < 300     ? "ok"
                    : (status >= 300 && status < 500) ? "none"
                                                      : "unreachable";
    if (h->row.robots == "ok") h->row.robots_body = body.substr(0, kRobotsMaxBytes);
    h->row.robots_fetched_at = wall_now();
    if (auto cd = h->robots->crawl_delay(agent_token_)) h->crawl_delay = std::min(*cd, o_.max_crawl_delay_s);
    if (h->row.robots == "unreachable") log("robots.txt of " + h->key + " unreachable: disallow all");
  }
  st_.add_fetch(f);
  save_host(h);
  h->next_allowed = now + std::max(wait, gap_anchor(t) + gap(h) - now);
  h->maybe_more = true;  // the frontier rows waited for robots
  release_gate(h);
  h->heap_token = next_token_++;
  heap_.push({std::max(h->next_allowed, h->gate->next_allowed), h->heap_token, h});
}

void Engine::progress(bool force) {
  double now = mono_now();
  if (!force && now - last_progress_ < o_.progress_interval_s) return;
  last_progress_ = now;
  prog_.elapsed_s = now - t0_;
  int done = 0;
  double eta = 0;
  for (auto& [k, h] : hosts_) {
    if (h->pending <= 0 && !h->in_flight && h->robots_state != Host::kRobotsFetching) done++;
    eta = std::max(
        eta, static_cast<double>(std::max<std::int64_t>(0, h->pending)) * std::max(h->delay, h->crawl_delay));
  }
  prog_.hosts_done = done;
  prog_.eta_s = eta;
  if (owner_.on_progress) owner_.on_progress(prog_);
}

// The crawl: prepare (options, state, archive, event loop) → start the sites' spiders → the event loop
// → the closing summary. Each step returns "" or why the crawl cannot run.
CrawlReport Engine::run(const std::vector<Site>& sites) {
  CrawlReport rep;
  t0_ = mono_now();
  for (auto step : {&Engine::check_options, &Engine::open_state, &Engine::open_archive_dir,
                    &Engine::open_marker, &Engine::open_event_loop}) {
    rep.message = (this->*step)();
    if (!rep.message.empty()) return rep;
  }
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(std::max<size_t>(64, sites.size() * 2 + 16)));
  start_sites(sites);
  event_loop();
  rep.interrupted = stop_.load();
  close_crawl(sites, rep.interrupted);
  rep.totals = prog_;
  rep.hosts = host_summaries();
  rep.ok = true;
  return rep;
}

std::string Engine::check_options() {
  user_agent_ = o_.user_agent.empty() ? default_user_agent() : o_.user_agent;
  agent_token_ = robots_product_token(user_agent_);
  if (agent_token_.empty()) agent_token_ = "odh";
  for (auto& c : o_.connect_to) {
    if (auto p = check_connect_to(c); !p.empty()) return "--connect-to: " + p;
    connect_to_ = curl_slist_append(connect_to_, c.c_str());
  }
  return "";
}

// The state db: new, or the one to resume (never a finished crawl by accident); --previous attached.
std::string Engine::open_state() {
  std::string err = st_.open(o_.out_dir);
  if (!err.empty()) return err;
  if (st_.existed() && !st_.meta("started_at").empty() && !o_.resume)
    return o_.out_dir + " already holds a crawl: use --resume to continue it, or another --out";
  if (!o_.previous_dir.empty() && !st_.attach_previous(o_.previous_dir))
    return "no crawl state in --previous " + o_.previous_dir;
  if (o_.resume && st_.existed()) {
    // Paused hosts get a fresh chance on resume (Heritrix retries them on a new job too); they are
    // paused again after pause_after_failures more consecutive failures.
    if (int n = st_.unpause_hosts()) log("resume: " + std::to_string(n) + " paused host(s) get a fresh chance");
  }
  if (st_.meta("started_at").empty()) st_.set_meta("started_at", std::to_string(wall_now()));
  st_.set_meta("user_agent", user_agent_);
  return "";
}

// Resume: cut every WARC file back to what the state db committed (drops records of exchanges that
// were in flight at the kill, and any torn tail); then a new file for this session's records. Nothing
// is deleted that the state does not know: every session registers its file prefix before it writes,
// so a file under warc/ that is neither committed to nor of a registered prefix is someone else's —
// the crawl refuses to start and names it. A repair that fails stops the crawl too.
std::string Engine::open_archive_dir() {
  namespace fs = std::filesystem;
  warc_dir_ = (fs::path(o_.out_dir) / "warc").string();
  std::error_code ec;
  fs::create_directories(warc_dir_, ec);
  if (ec) return "cannot create " + warc_dir_ + ": " + ec.message();
  auto committed = st_.warc_files();
  std::map<std::string, std::int64_t> cm(committed.begin(), committed.end());
  std::vector<std::string> prefixes;
  for (auto& [k, v] : st_.meta_with_prefix("warc_prefix:")) prefixes.push_back(k.substr(12));
  auto ours = [&](const std::string& name) {
    if (cm.count(name)) return true;
    for (auto& p : prefixes)
      if (name.size() > p.size() && name.compare(0, p.size(), p) == 0 && name[p.size()] == '-') return true;
    return false;
  };
  std::vector<fs::path> files;
  for (auto& ent : fs::directory_iterator(warc_dir_)) {
    std::string name = ent.path().filename().string();
    if (!ours(name))
      return warc_dir_ + "/" + name + " is not a WARC file of this crawl (" + o_.out_dir +
             "/crawl.sqlite does not know it): nothing is deleted — move it away or use another --out";
    files.push_back(ent.path());
  }
  for (auto& path : files) {
    std::string name = path.filename().string();
    auto it = cm.find(name);
    std::int64_t keep = it == cm.end() ? 0 : it->second;
    std::error_code sec;
    auto size = static_cast<std::int64_t>(fs::file_size(path, sec));
    if (sec) return "cannot read " + path.string() + ": " + sec.message();
    if (size == keep) continue;
    if (size < keep)
      return path.string() + " is shorter (" + std::to_string(size) + " bytes) than its committed length " +
             std::to_string(keep) + ": committed records are missing; not resuming";
    std::string terr;
    if (keep == 0) {
      // A file of this crawl nothing was committed to (a session killed before its first commit).
      if (!fs::remove(path, sec) || sec) return "cannot remove " + path.string() + ": " + sec.message();
      log("removed " + name + ": nothing in it was committed");
    } else if (!truncate_archive(path.string(), keep, &terr)) {
      return "cannot repair " + path.string() + " to its committed length " + std::to_string(keep) + ": " + terr;
    } else {
      log("repaired " + name + " to its committed length " + std::to_string(keep));
    }
  }
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "odh-%lld-%d", static_cast<long long>(std::time(nullptr)), getpid());
  st_.set_meta(std::string("warc_prefix:") + prefix, std::to_string(wall_now()));
  std::string aerr;
  archive_ = open_archive(warc_dir_, prefix, o_.warc_max_bytes, &aerr);
  if (!archive_) return "cannot open WARC in " + warc_dir_ + ": " + aerr;
  return "";
}

std::string Engine::open_event_loop() {
  multi_ = curl_multi_init();
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (!multi_ || epfd_ < 0) return std::string("cannot set up the event loop: ") + strerror(errno);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Engine::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Engine::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  const char* stats = getenv("ODH_CRAWL_STATS");
  stats_.on = stats != nullptr && *stats && *stats != '0';
  return "";
}

// Spiders for every site; hosts with pending frontier rows (resume); the first requests of the sites
// not started yet.
void Engine::start_sites(const std::vector<Site>& sites) {
  for (auto& s : sites) {
    sites_[s.id] = &s;
    if (site_skipped(s)) continue;  // overrides.skip: no spider, no request (logged below)
    spiders_[s.id] = factory_ ? factory_(s, o_) : make_link_spider(s, o_);
    site_count_[s.id] = st_.site_enqueued(s.id);
  }
  for (auto& [host, n] : st_.pending_hosts()) {
    auto row = st_.load_host(host);
    Host* h = host_for(host, row ? row->site_id : "");
    h->pending = n;
    prog_.pending += n;
    h->maybe_more = true;
  }
  st_.begin();
  for (auto& s : sites) {
    if (st_.site_started(s.id)) continue;
    if (site_skipped(s)) {
      FetchLogRow f;
      f.site_id = s.id;
      f.url = s.urls.empty() ? "" : s.urls[0];
      f.kind = "home";
      f.error_class = "skipped";
      f.fetched_at = wall_now();
      st_.add_fetch(f);
      st_.set_site_started(s.id);
      log("site " + s.id + " skipped (sites.yaml overrides.skip)");
      continue;
    }
    if (!spiders_[s.id]) continue;
    std::vector<FetchRequest> first;
    try {
      first = spiders_[s.id]->start_requests();
    } catch (const std::exception& e) {
      log("spider " + s.id + " failed to start: " + e.what());
    }
    enqueue_requests(first, s.id);
    st_.set_site_started(s.id);
  }
  st_.commit();
  for (auto& [k, h] : hosts_) schedule(h.get());
}

// Completions are reaped from curl as soon as they happen (so curl's clock, which anchors each host's
// next gap, is read promptly) but archived and committed in small chunks, with a non-blocking pass
// over the sockets and the due hosts between chunks: a burst of hundreds of completions neither
// delays the hosts that come due meanwhile nor stamps late first-byte times.
void Engine::event_loop() {
  const double loop_t0 = mono_now();
  while (!stop_.load()) {
    stats_.loop_passes++;
    if (stats_.on) cpu_mark_ = thread_cpu();
    dispatch_due_hosts(loop_t0);
    stats_.charge(&stats_.cpu_dispatch, &cpu_mark_);
    if (transfers_.empty() && heap_.empty() && completed_.empty()) break;
    int timeout_ms = 1000;
    if (!completed_.empty()) {
      timeout_ms = 0;
    } else if (!heap_.empty()) {
      double d = heap_.top().when - mono_now();
      timeout_ms = static_cast<int>(std::clamp(std::ceil(d * 1000.0), 0.0, 1000.0));
    }
    if (!transfers_.empty()) {
      drive_curl(timeout_ms);
      reap();
    } else if (timeout_ms > 0) {
      usleep(static_cast<useconds_t>(timeout_ms) * 1000);
    }
    if (!completed_.empty()) process_completed();
    progress(false);
  }
}

// Starts a request on every host whose time has come, while transfer slots are free.
void Engine::dispatch_due_hosts(double loop_t0) {
  const double now = mono_now();
  while (!heap_.empty() && heap_.top().when <= now &&
         static_cast<int>(transfers_.size()) < std::max(1, o_.max_active_hosts)) {
    HeapItem it = heap_.top();
    heap_.pop();
    Host* h = it.host;
    if (it.token != h->heap_token || h->in_flight) continue;  // stale entry
    h->heap_token = 0;
    Gate* g = h->gate;
    if (g->in_flight) {  // another origin of this host name has a request out: wait for it
      h->waiting = true;
      g->waiters.push_back(h);
      continue;
    }
    if (g->next_allowed > now) {
      h->heap_token = next_token_++;
      heap_.push({g->next_allowed, h->heap_token, h});
      continue;
    }
    cur_due_ = std::max(it.when, loop_t0);
    dispatch(h);
  }
}

// Flushes the archive and writes the closing rows: every host the crawl knew gets its host_status row
// (also one whose requests were all refused before the network: robots stays empty, never fetched),
// every site its portal_status row.
void Engine::close_crawl(const std::vector<Site>& sites, bool interrupted) {
  archive_->flush(o_.fsync);
  st_.begin();
  for (auto& [k, h] : hosts_) save_host(h.get());
  std::map<std::string, std::string> first_at_url;  // Appendix 1 prints some counties with their city's URL
  for (auto& s : sites) {
    UrlParts p;
    std::string shared_with;
    if (!s.urls.empty())
      if (auto [it, fresh] = first_at_url.emplace(s.urls[0], s.id); !fresh) shared_with = it->second;
    st_.write_portal_status(s.id, !s.urls.empty() && parse_url(s.urls[0], &p) ? p.origin : "", shared_with);
  }
  st_.commit();
  if (!interrupted) st_.set_meta("finished_at", std::to_string(wall_now()));
  progress(true);
  print_stats();
}

std::vector<HostSummary> Engine::host_summaries() const {
  std::vector<HostSummary> out;
  for (auto& [k, h] : hosts_) {
    HostSummary s;
    auto& r = h->row;
    s.host = k;
    s.site_id = h->site_id;
    s.requests_2xx = r.r2xx;
    s.requests_3xx = r.r3xx;
    s.requests_4xx = r.r4xx;
    s.requests_5xx = r.r5xx;
    s.requests_err = r.rerr;
    s.pages = r.pages;
    s.bytes = r.bytes;
    s.retries = r.retries;
    s.throttled = r.throttled;
    s.backoff_s = r.backoff_s;
    s.mean_latency_ms = r.latency_n ? r.latency_sum_ms / r.latency_n : 0;
    s.robots = r.robots;
    s.paused = r.paused;
    out.push_back(s);
  }
  return out;
}

}  // namespace

int Engine::on_socket(CURL*, curl_socket_t s, int what, void* ud, void*) {
  auto* e = static_cast<Engine*>(ud);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(e->epfd_, EPOLL_CTL_DEL, s, nullptr);  // may already be gone with a closed fd
    return 0;
  }
  epoll_event ev{};
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  ev.data.fd = s;
  if (epoll_ctl(e->epfd_, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
    epoll_ctl(e->epfd_, EPOLL_CTL_ADD, s, &ev);
  return 0;
}

int Engine::on_timer(CURLM*, long timeout_ms, void* ud) {
  auto* e = static_cast<Engine*>(ud);
  e->curl_timer_ = timeout_ms < 0 ? -1 : mono_now() + static_cast<double>(timeout_ms) / 1000.0;
  return 0;
}

// Waits up to timeout_ms (less when curl's timer is due sooner) for socket events and lets curl
// handle exactly the sockets that are ready, then its timer if it expired.
void Engine::drive_curl(int timeout_ms) {
  if (curl_timer_ >= 0) {
    int t = static_cast<int>(std::ceil(std::max(0.0, curl_timer_ - mono_now()) * 1000.0));
    timeout_ms = std::min(timeout_ms, t);
  }
  epoll_event evs[256];
  int n = epoll_wait(epfd_, evs, 256, timeout_ms);
  if (stats_.on) cpu_mark_ = thread_cpu();
  int running = 0;
  for (int i = 0; i < n; ++i) {
    int mask = 0;
    if (evs[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
    if (evs[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (evs[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
    curl_multi_socket_action(multi_, evs[i].data.fd, mask, &running);
    reap();  // stamp t_end now: it anchors the host's next gap (see gap_anchor)
  }
  stats_.socket_events += n > 0 ? n : 0;
  if (curl_timer_ >= 0 && curl_timer_ <= mono_now()) {
    curl_timer_ = -1;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    reap();
  }
}

void Engine::reap() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    auto node = transfers_.extract(msg->easy_handle);
    Transfer* t = node.mapped().get();
    t->rc = msg->data.result;
    t->t_end = mono_now();
    if (stats_.on) {
      curl_off_t total_us = 0, ttfb_us = 0;
      curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us);
      curl_easy_getinfo(t->easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb_us);
      stats_.late.push_back(std::max(0.0, t->t_start - t->due));
      stats_.send_delay.push_back(std::max(0.0, t->t_end - static_cast<double>(total_us) / 1e6 - t->t_start));
      if (ttfb_us > 0) stats_.ttfb.push_back(static_cast<double>(ttfb_us) / 1e6);
    }
    curl_multi_remove_handle(multi_, node.key());
    completed_.push_back(std::move(node.mapped()));
  }
  stats_.charge(&stats_.cpu_curl, &cpu_mark_);
}

void Engine::print_stats() {
  if (!stats_.on) return;
  double total = stats_.cpu_curl + stats_.cpu_dispatch + stats_.cpu_archive + stats_.cpu_finish +
                 stats_.cpu_spider + stats_.cpu_commit;
  size_t n = std::max<size_t>(1, stats_.late.size());
  auto ms = [&](double x) { return x / n * 1000; };
  fprintf(
      stderr,
      "odh crawl stats: %zu transfers, %llu loop passes, %llu socket events\n"
      "  loop-thread CPU per transfer: %.3f ms = curl %.3f + dispatch %.3f + WARC %.3f + fetch log/frontier "
      "%.3f + spider %.3f + commit %.3f\n"
      "  lateness (due -> add_handle): %s\n  add_handle -> curl start: %s\n  time to first byte: %s\n",
      stats_.late.size(), static_cast<unsigned long long>(stats_.loop_passes),
      static_cast<unsigned long long>(stats_.socket_events), ms(total), ms(stats_.cpu_curl),
      ms(stats_.cpu_dispatch), ms(stats_.cpu_archive), ms(stats_.cpu_finish), ms(stats_.cpu_spider),
      ms(stats_.cpu_commit), LoopStats::summary(stats_.late).c_str(),
      LoopStats::summary(stats_.send_delay).c_str(), LoopStats::summary(stats_.ttfb).c_str());
}

// Archives and commits up to kChunk completions: WARC records first, then (optionally fsync,) then
// one transaction marks them all done. A kill anywhere in between re-fetches only this chunk.
void Engine::process_completed() {
  constexpr size_t kChunk = 16;
  std::vector<std::unique_ptr<Transfer>> done;
  while (!completed_.empty() && done.size() < kChunk) {
    done.push_back(std::move(completed_.front()));
    completed_.pop_front();
  }
  if (stats_.on) cpu_mark_ = thread_cpu();
  for (auto& t : done) archive_exchange(t.get());
  stats_.charge(&stats_.cpu_archive, &cpu_mark_);
  kill_point("warc-written");
  double fnow = mono_now();
  if (o_.fsync || fnow - last_flush_ > 5) {
    archive_->flush(o_.fsync);
    last_flush_ = fnow;
    kill_point("flushed");
  }
  st_.begin();
  stats_.charge(&stats_.cpu_archive, &cpu_mark_);  // the periodic flush
  for (auto& t : done) finish(t.get());
  stats_.charge(&stats_.cpu_finish, &cpu_mark_);  // deliver() moves its share to cpu_spider
  kill_point("in-transaction");
  st_.commit();
  stats_.charge(&stats_.cpu_commit, &cpu_mark_);
  kill_point("committed");
  for (auto& t : done) {
    curl_slist_free_all(t->headers);
    idle_easy_.push_back(t->easy);
  }
}

Crawler::Crawler(CrawlOptions options, SpiderFactory factory)
    : options_(std::move(options)), factory_(std::move(factory)) {}
Crawler::~Crawler() = default;

CrawlReport Crawler::run(const std::vector<Site>& sites) {
  static bool curl_ready = (curl_global_init(CURL_GLOBAL_DEFAULT), true);
  (void)curl_ready;
  stop_.store(false);
  try {
    Engine e(options_, factory_, stop_, *this);
    return e.run(sites);
  } catch (const std::exception& ex) {
    CrawlReport r;
    r.message = ex.what();
    return r;
  }
}

}  // namespace odh
