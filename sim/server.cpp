// The simulator's HTTP server: one cpp-httplib server on 127.0.0.1, every portal a virtual
// host chosen by the Host header; faults, robots.txt and the JSON-lines request log.
// This is the only file that includes cpp-httplib.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <strings.h>
#include <httplib.h>
#include <sys/socket.h>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/core.h"
#include "sim/common.h"
#include "sim/tls.h"

namespace odh::sim {

// Conditional GET, truthfully (RFC 9110 §13): every 200 answer to a GET without a validator of its
// family's own gets a strong ETag that is a hash of its content type and body, so the validator
// changes exactly when the page does (list pages carry view counts that grow each month: they change;
// a home or terms page of an unchanged world does not). A request whose If-None-Match names the
// current ETag gets 304 with no body. A family that sets its own ETag keeps its own behaviour
// (tianjin answers every conditional request with 304, as its notes say).
static void conditional_get(const Req& req, Resp& resp) {
  if ((req.method != "GET" && req.method != "HEAD") || resp.status != 200) return;
  for (const auto& h : resp.headers)
    if (strcasecmp(h.first.c_str(), "ETag") == 0) return;
  std::uint64_t x = 1469598103934665603ull;  // FNV-1a 64
  auto eat = [&x](const std::string& s) {
    for (unsigned char c : s) x = (x ^ c) * 1099511628211ull;
  };
  eat(resp.content_type);
  eat(std::string(1, '\0'));
  eat(resp.body);
  char tag[24];
  std::snprintf(tag, sizeof tag, "\"%016llx\"", static_cast<unsigned long long>(x));
  resp.headers.emplace_back("ETag", tag);
  auto inm = req.headers.find("if-none-match");
  if (inm == req.headers.end()) return;
  // A list of entity tags (or *), weak comparison (§13.1.2).
  const std::string& v = inm->second;
  if (v.find(tag) != std::string::npos || v.find("W/" + std::string(tag)) != std::string::npos ||
      v.find('*') != std::string::npos) {
    resp.status = 304;
    resp.body.clear();
  }
}

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The accepted socket of a request, found by its port pair (cpp-httplib 0.11 does not expose it).
int find_socket(int local_port, int remote_port) {
  for (int fd = 3; fd < 4096; ++fd) {
    sockaddr_storage a{}, b{};
    socklen_t la = sizeof a, lb = sizeof b;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &la) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&b), &lb) != 0) continue;
    if (a.ss_family != AF_INET || b.ss_family != AF_INET) continue;
    if (ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port) == local_port &&
        ntohs(reinterpret_cast<sockaddr_in*>(&b)->sin_port) == remote_port)
      return fd;
  }
  return -1;
}

const std::string& gzip_bomb(std::int64_t size) {
  // Built once per size: `size` zero bytes gzip-compressed (~1000:1). Keyed by size because fault
  // rules ask for different sizes (a single cached bomb answered every later rule with the first size).
  static std::mutex mu;
  static std::map<std::int64_t, std::string> built;  // node-based: references stay valid
  std::lock_guard lock(mu);
  if (auto it = built.find(size); it != built.end()) return it->second;
  std::string& out = built[size];
  {
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    std::string zeros(1 << 20, '\0');
    char buf[1 << 16];
    for (std::int64_t done = 0; done < size; done += static_cast<std::int64_t>(zeros.size())) {
      zs.next_in = reinterpret_cast<Bytef*>(zeros.data());
      zs.avail_in = static_cast<uInt>(zeros.size());
      int flush = done + static_cast<std::int64_t>(zeros.size()) >= size ? Z_FINISH : Z_NO_FLUSH;
      do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        deflate(&zs, flush);
        out.append(buf, sizeof buf - zs.avail_out);
      } while (zs.avail_out == 0);
    }
    deflateEnd(&zs);
  }
  return out;
}

std::string malform(std::string html) {
  // Unclosed and stray tags, a broken attribute quote: what sloppy CMS templates produce.
  for (const char* t : {"</li>", "</div>", "</td>", "</p>"})
    for (auto pos = html.find(t); pos != std::string::npos; pos = html.find(t, pos)) html.erase(pos, std::string(t).size());
  auto b = html.find("<body>");
  if (b != std::string::npos) html.insert(b + 6, "\n<table><tr><td><div class=\"banner><b><i>通知公告</b></i></table></span>\n");
  return html;
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<const World> world;
  FaultPlan faults;
  httplib::Server svr;
  std::thread thread;
  int port = 0;
  // TLS twin on a second port for https portals (same handler).
  std::unique_ptr<TlsMaterial> tls;
  std::unique_ptr<httplib::SSLServer> ssl;
  std::thread ssl_thread;
  int tls_port = 0;
  int refused = 0;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> served{0};
  std::mutex log_mu;
  std::ofstream log;
  std::mutex last_mu;
  std::map<std::string, double> last_seen;  // host → time of previous request (429 min_interval)

  bool sleep_ms(std::int64_t ms) {  // false when stopping
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end) {
      if (stopping) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(50, ms)));
    }
    return true;
  }

  void write_log(const std::string& host, const httplib::Request& req, int status, std::size_t bytes,
                 const std::string& fault, double t0) {
    if (!log.is_open()) return;
    nlohmann::json j = {{"t", t0},          {"host", host},   {"method", req.method},
                        {"path", req.target}, {"status", status}, {"bytes", bytes},
                        {"ms", static_cast<int>((now_s() - t0) * 1000)}};
    if (!fault.empty()) j["fault"] = fault;
    if (req.has_header("Referer")) j["referer"] = req.get_header_value("Referer");
    if (req.has_header("User-Agent")) j["ua"] = req.get_header_value("User-Agent");
    std::lock_guard<std::mutex> g(log_mu);
    log << j.dump() << "\n";
    log.flush();
  }

  // Hold the connection without answering, then drop it.
  void hold(httplib::Response& res) {
    sleep_ms(static_cast<std::int64_t>(faults.timeout_hold_s) * 1000);
    res.set_content_provider(
        1, "text/html", [](size_t, size_t, httplib::DataSink&) { return false; });
  }

  void reset(const httplib::Request& req, httplib::Response& res) {
    int fd = find_socket(req.local_port, req.remote_port);
    if (fd >= 0) {
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);  // close() then sends RST
    }
    res.set_header("Connection", "close");
    res.set_content_provider(
        100000, "text/html", [](size_t, size_t, httplib::DataSink&) { return false; });
  }

  void handle(const httplib::Request& hreq, httplib::Response& res) {
    double t0 = now_s();
    ++served;
    std::string host = hreq.get_header_value("Host");
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (host.size() > 3 && host.substr(host.size() - 3) == ":80") host.resize(host.size() - 3);
    std::string fault;
    int status = 200;
    std::size_t bytes = 0;
    struct Finally {
      Impl* self;
      const std::string& host;
      const httplib::Request& req;
      int& status;
      std::size_t& bytes;
      std::string& fault;
      double t0;
      ~Finally() { self->write_log(host, req, status, bytes, fault, t0); }
    } fin{this, host, hreq, status, bytes, fault, t0};

    auto portals = world->by_host(host);
    // A moved portal's 2021 URL: 302 to where the twin serves it now.
    if (auto rd = world->redirects.find(host); rd != world->redirects.end()) {
      auto at = rd->second.find(hreq.path);
      if (at != rd->second.end() || portals.empty()) {
        status = res.status = 302;
        fault = "moved";
        res.set_header("Location", at != rd->second.end() ? at->second : rd->second.begin()->second);
        return;
      }
    }
    if (portals.empty()) {
      if (world->gov_homes.count(host)) {
        res.set_content(html_page("人民政府门户网站", "<h1>人民政府门户网站</h1><ul><li><a href=\"/zwgk/\">政务公开</a></li>"
                                                       "<li><a href=\"/zwfw/\">政务服务</a></li></ul>"),
                        "text/html; charset=UTF-8");
        bytes = res.body.size();
        return;
      }
      // Unknown host: 421 + close. The crawler should never send it (see connect_to()).
      status = res.status = 421;
      fault = "unknown-host";
      res.set_header("Connection", "close");
      res.set_content("Misdirected Request: unknown host\n", "text/plain");
      bytes = res.body.size();
      return;
    }
    HostCtx ctx{host, portals};
    const Portal& p = ctx.first();
    const HostFaults* hf = faults.for_host(host);
    if (hf) ctx.session_requests = hf->session_requests;

    // Reachability (World already applied fault-file overrides).
    switch (p.reach) {
      case Reach::kTimeout:
        fault = "timeout";
        status = 0;
        hold(res);
        return;
      case Reach::kHttpError:
        status = res.status = p.http_status;
        res.set_content(html_page(std::to_string(p.http_status), "<h1>" + std::to_string(p.http_status) + "</h1>"),
                        "text/html; charset=UTF-8");
        bytes = res.body.size();
        return;
      case Reach::kRedirectHome:
        status = res.status = 302;
        res.set_header("Location", p.gov_home());
        return;
      case Reach::kDns:
      case Reach::kRefused:
        status = res.status = 421;
        fault = "unmapped-host";
        res.set_header("Connection", "close");
        return;
      default:
        break;
    }

    // Faults that replace the answer.
    bool trap = false, do_truncate = false, do_slow = false, do_malform = false;
    std::int64_t slow_bps = 1024;
    if (hf) {
      for (const auto& r : hf->rules) {
        if (r.fault == "spider-trap") trap = true;
        if (hreq.target.rfind(r.path, 0) != 0) continue;
        if (r.fault == "429" && r.min_interval_ms > 0) {
          std::lock_guard<std::mutex> g(last_mu);
          double& last = last_seen[host];
          bool too_soon = last > 0 && (t0 - last) * 1000 < r.min_interval_ms;
          last = t0;
          if (too_soon) {
            fault = "429";
            status = res.status = 429;
            res.set_header("Retry-After", std::to_string(r.retry_after));
            res.set_content("Too Many Requests\n", "text/plain");
            bytes = res.body.size();
            return;
          }
          continue;
        }
        std::int64_t n = ++*r.seen;
        if (r.first > 0 && n > r.first) continue;
        if ((n - 1) % r.every != 0) continue;
        if (r.latency_ms > 0 && !sleep_ms(r.latency_ms)) return;
        const std::string& f = r.fault;
        if (f == "latency" || f == "spider-trap") continue;
        fault = f;
        if (f == "429" || f == "503") {
          status = res.status = f == "429" ? 429 : 503;
          res.set_header("Retry-After", std::to_string(r.retry_after));
          res.set_content(status == 429 ? "Too Many Requests\n" : "Service Unavailable\n", "text/plain");
          bytes = res.body.size();
          return;
        }
        if (f == "status") {
          status = res.status = r.status;
          res.set_content(html_page(std::to_string(r.status), "<h1>" + std::to_string(r.status) + "</h1>"),
                          "text/html; charset=UTF-8");
          bytes = res.body.size();
          return;
        }
        if (f == "timeout") {
          status = 0;
          hold(res);
          return;
        }
        if (f == "reset") {
          status = 0;
          reset(hreq, res);
          return;
        }
        if (f == "redirect-loop") {
          std::string target = hreq.path;
          if (!hreq.has_param("loop")) target += (hreq.target.find('?') == std::string::npos ? "?" : "&") + std::string("loop=1");
          else target = hreq.path;
          status = res.status = 302;
          res.set_header("Location", target);
          return;
        }
        if (f == "oversize") {
          std::int64_t size = std::clamp<std::int64_t>(r.bytes > 0 ? r.bytes : 64LL << 20, 1, 1LL << 30);
          status = 200;
          bytes = static_cast<std::size_t>(size);
          auto stopping_flag = &stopping;
          res.set_content_provider(static_cast<size_t>(size), "text/html; charset=UTF-8",
                                   [stopping_flag](size_t offset, size_t length, httplib::DataSink& sink) {
                                     if (*stopping_flag) return false;
                                     static const std::string chunk = [] {
                                       std::string c;
                                       while (c.size() < 65536) c += "<p>数据开放平台 填充内容 padding</p>\n";
                                       return c.substr(0, 65536);
                                     }();
                                     size_t n = std::min(length, chunk.size());
                                     sink.write(chunk.data(), n);
                                     (void)offset;
                                     return true;
                                   });
          return;
        }
        if (f == "gzip-bomb") {
          const std::string& bomb = gzip_bomb(std::clamp<std::int64_t>(r.bytes > 0 ? r.bytes : 256LL << 20, 1 << 20, 1LL << 30));
          status = 200;
          res.set_header("Content-Encoding", "gzip");
          // A provider with a length: cpp-httplib does not re-compress it.
          res.set_content_provider(bomb.size(), "text/html; charset=UTF-8",
                                   [&bomb](size_t offset, size_t length, httplib::DataSink& sink) {
                                     sink.write(bomb.data() + offset, std::min(length, bomb.size() - offset));
                                     return true;
                                   });
          bytes = bomb.size();
          return;
        }
        if (f == "truncate") do_truncate = true;
        if (f == "slow") {
          do_slow = true;
          if (r.bytes > 0) slow_bps = r.bytes;
        }
        if (f == "malformed") do_malform = true;
      }
    }

    // Normal answer.
    Req req;
    req.method = hreq.method;
    req.path = hreq.path;
    req.host = host;
    req.body = hreq.body;
    for (const auto& [k, v] : hreq.params) req.params.emplace(k, v);
    for (const auto& [k, v] : hreq.headers) {
      std::string lk = k;
      for (auto& c : lk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[lk] = v;
    }
    Resp resp;
    const Family* fam = find_family(p.family);
    if (req.path == "/robots.txt") {
      int st = 200;
      const RobotsSpec* spec = hf && hf->robots ? &*hf->robots : nullptr;
      if (spec && spec->mode == "timeout") {
        fault = "robots-timeout";
        status = 0;
        hold(res);
        return;
      }
      if (spec && spec->mode == "redirect") {
        resp.redirect("/robots-moved.txt", 301);
      } else {
        resp.body = robots_txt(p, spec, &st);
        resp.status = st;
        resp.content_type = st == 200 ? "text/plain; charset=UTF-8" : "text/html; charset=UTF-8";
      }
    } else {
      bool handled = false;
      try {
        handled = fam->serve(ctx, req, resp);
        if (!handled) handled = serve_common(ctx, fam, req, resp, trap);
        bool entry = false;  // the registry's entry URL always answers (home page when the family has no page there)
        for (const auto* q : ctx.portals) entry = entry || q->entry_path.substr(0, q->entry_path.find('?')) == req.path;
        if (!handled && (entry || req.path == "/" || req.path == "/index.html" || req.path == "/index.htm")) {
          resp.html(home_page(ctx, fam, trap));
          handled = true;
        }
      } catch (const std::exception& e) {
        resp = Resp();
        resp.status = 500;
        resp.html(html_page("500", "<h1>500</h1>"));
        fault = std::string("exception: ") + e.what();
        handled = true;
      }
      if (!handled) resp.not_found();
    }
    if (resp.hold_s > 0) {  // a planned hang (a download that never comes)
      fault = "hold";
      status = 0;
      sleep_ms(static_cast<std::int64_t>(resp.hold_s) * 1000);
      res.set_content_provider(1, "text/html", [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    }
    if (do_malform && resp.content_type.find("html") != std::string::npos) resp.body = malform(resp.body);
    conditional_get(req, resp);
    // A Range request answered in full: 206, and cpp-httplib sends the bytes asked for with Content-Range.
    if (!hreq.ranges.empty() && resp.status == 200 && !do_truncate && !do_slow) resp.status = 206;
    status = res.status = resp.status;
    for (const auto& [k, v] : resp.headers) res.set_header(k, v);
    bytes = resp.body.size();
    if (do_truncate && resp.body.size() > 1) {
      auto body = std::make_shared<std::string>(std::move(resp.body));
      res.set_header("Connection", "close");
      res.set_content_provider(body->size(), resp.content_type,
                               [body](size_t offset, size_t, httplib::DataSink& sink) {
                                 size_t half = body->size() / 2;
                                 if (offset < half) sink.write(body->data() + offset, half - offset);
                                 return offset < half;  // then fail: connection closed short
                               });
      bytes = body->size() / 2;
      return;
    }
    if (do_slow) {
      auto body = std::make_shared<std::string>(std::move(resp.body));
      std::int64_t step = std::max<std::int64_t>(16, slow_bps / 10);
      auto self = this;
      res.set_content_provider(body->size(), resp.content_type,
                               [body, step, self](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (!self->sleep_ms(100)) return false;
                                 size_t n = std::min<size_t>(static_cast<size_t>(step), body->size() - offset);
                                 sink.write(body->data() + offset, n);
                                 return true;
                               });
      return;
    }
    res.body = std::move(resp.body);
    res.set_header("Content-Type", resp.content_type);
  }
};

Server::Server(std::shared_ptr<const World> world) : impl_(std::make_unique<Impl>()) {
  impl_->world = std::move(world);
  if (!impl_->world->options.faults_file.empty()) impl_->faults = FaultPlan::load(impl_->world->options.faults_file);
}

Server::~Server() { stop(); }

int Server::start(int port) {
  auto& s = impl_->svr;
  int threads = std::clamp(impl_->world->options.threads, 2, 256);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.set_keep_alive_max_count(100);
  s.set_keep_alive_timeout(1);  // idle keep-alive connections hold a worker thread: keep it short
  // httplib writes headers and body separately: without TCP_NODELAY, Nagle holds the body until the
  // client's delayed ACK (~40 ms per response on loopback).
  s.set_tcp_nodelay(true);
  s.set_read_timeout(10);
  s.set_write_timeout(10);
  s.set_payload_max_length(4 << 20);
  auto h = [this](const httplib::Request& rq, httplib::Response& rs) { impl_->handle(rq, rs); };
  s.Get(".*", h);
  s.Post(".*", h);
  if (!impl_->world->options.log_file.empty()) {
    impl_->log.open(impl_->world->options.log_file, std::ios::app);
    if (!impl_->log) throw Failure("sim: cannot open log file " + impl_->world->options.log_file);
  }
  if (port == 0) impl_->port = s.bind_to_any_port("127.0.0.1");
  else impl_->port = s.bind_to_port("127.0.0.1", port) ? port : -1;
  if (impl_->port <= 0) throw Failure("sim: cannot bind 127.0.0.1:" + std::to_string(port));
  // A port with no listener for "connection refused" hosts: bind, note, close. (An httplib::Server
  // probe kept its listening socket open, so those hosts accepted and timed out: found by the fault
  // matrix, tests/sim/test_fault_matrix.cpp.)
  {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      impl_->refused = ntohs(a.sin_port);
    if (fd >= 0) ::close(fd);
  }
  impl_->thread = std::thread([this] { impl_->svr.listen_after_bind(); });
  std::vector<std::string> https_hosts;
  for (const auto& p : impl_->world->portals)
    if (p.https) https_hosts.push_back(p.host.substr(0, p.host.find(':')));
  for (const auto& [host, paths] : impl_->world->redirects)
    if (!impl_->world->by_host(host).size()) https_hosts.push_back(host.substr(0, host.find(':')));
  if (!https_hosts.empty()) {
    impl_->tls = make_tls(https_hosts);
    impl_->ssl = std::make_unique<httplib::SSLServer>(impl_->tls->cert, impl_->tls->key);
    auto& t = *impl_->ssl;
    t.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(std::max(2, threads / 4))); };
    t.set_keep_alive_max_count(100);
    t.set_keep_alive_timeout(1);
    t.set_tcp_nodelay(true);
    t.set_read_timeout(10);
    t.set_write_timeout(10);
    t.set_payload_max_length(4 << 20);
    t.Get(".*", h);
    t.Post(".*", h);
    impl_->tls_port = t.bind_to_any_port("127.0.0.1");
    if (impl_->tls_port <= 0) throw Failure("sim: cannot bind the TLS port");
    impl_->ssl_thread = std::thread([this] { impl_->ssl->listen_after_bind(); });
  }
  for (int i = 0; i < 5000 && (!impl_->svr.is_running() || (impl_->ssl && !impl_->ssl->is_running())); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return impl_->port;
}

void Server::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->stopping = true;
  impl_->svr.stop();
  impl_->thread.join();
  if (impl_->ssl) {
    impl_->ssl->stop();
    impl_->ssl_thread.join();
  }
}

int Server::tls_port() const { return impl_->tls_port; }
std::string Server::tls_ca_pem() const { return impl_->tls ? impl_->tls->cert_pem : std::string(); }

int Server::port() const { return impl_->port; }
int Server::refused_port() const { return impl_->refused; }
std::uint64_t Server::requests_served() const { return impl_->served; }

}  // namespace odh::sim
