// A loopback HTTP server for crawl tests: virtual hosts by Host header, a handler per test, and
// a request log (arrival time, host, method, path, status). Runs on 127.0.0.1, random port.
#pragma once
#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace odh::test {

struct LoggedRequest {
  double t;  // steady clock seconds at arrival
  std::string host, method, path;
  int status = 0;
  std::string user_agent, if_none_match, accept_encoding;
  int remote_port = 0;  // the client's TCP port: one value per connection
};

inline double steady_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class TestServer {
 public:
  // handler(host_without_port, request, response)
  using Handler = std::function<void(const std::string&, const httplib::Request&, httplib::Response&)>;

  explicit TestServer(Handler h) : handler_(std::move(h)) {
    srv_.new_task_queue = [] { return new httplib::ThreadPool(48); };
    srv_.set_keep_alive_timeout(2);
    auto route = [this](const httplib::Request& req, httplib::Response& res) {
      double t = steady_s();
      std::string host = req.get_header_value("Host");
      if (auto c = host.rfind(':'); c != std::string::npos) host = host.substr(0, c);
      handler_(host, req, res);
      std::lock_guard<std::mutex> g(mu_);
      log_.push_back({t, host, req.method, req.target, res.status, req.get_header_value("User-Agent"),
                      req.get_header_value("If-None-Match"), req.get_header_value("Accept-Encoding"),
                      req.remote_port});
    };
    srv_.Get(".*", route);
    srv_.Post(".*", route);
    srv_.Options(".*", route);
    port_ = srv_.bind_to_any_port("127.0.0.1");
    th_ = std::thread([this] { srv_.listen_after_bind(); });
    while (!srv_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() {
    srv_.stop();
    th_.join();
  }
  int port() const { return port_; }
  // --connect-to value mapping every host on port 80 to this server.
  std::string connect_to() const { return "::127.0.0.1:" + std::to_string(port_); }
  std::vector<LoggedRequest> log() {
    std::lock_guard<std::mutex> g(mu_);
    return log_;
  }
  std::vector<LoggedRequest> log_for(const std::string& host) {
    std::vector<LoggedRequest> out;
    for (auto& r : log())
      if (r.host == host) out.push_back(r);
    return out;
  }

 private:
  Handler handler_;
  httplib::Server srv_;
  int port_ = 0;
  std::thread th_;
  std::mutex mu_;
  std::vector<LoggedRequest> log_;
};

}  // namespace odh::test
