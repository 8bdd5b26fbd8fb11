// Loopback HTTP/1.1 server with many virtual hosts for crawl benchmarks: epoll, one event loop per
// worker thread (SO_REUSEPORT listeners), keep-alive and pipelining, no per-connection threads, so
// 670 idle keep-alive connections cost nothing and a burst of 670 requests is answered in
// milliseconds. Same pages as vhost_server.py: /robots.txt, / linking /p1../p{M-1}, /pK (~2 KB)
// linking / and a neighbour.
//
// Build: g++ -O2 -std=c++17 -pthread bench/vhost_server.cpp -o build/bench_vhost_server
// Usage: bench_vhost_server PORT PAGES_PER_HOST [THREADS [LOGFILE]]
//   prints "ready" when listening; on SIGTERM/SIGINT writes LOGFILE (one line per request:
//   "<CLOCK_MONOTONIC seconds> <host> <path>") and exits 0.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};
int g_pages = 10;
std::string g_filler;

void on_signal(int) { g_stop.store(true); }

double mono() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Conn {
  std::string in, out;
};

struct LogLine {
  double t;
  std::string host, path;
};

std::string respond(const std::string& host, const std::string& path, bool head, bool close) {
  int status = 200;
  std::string ctype = "text/html; charset=utf-8", body;
  int k = path.size() > 2 && path.compare(0, 2, "/p") == 0 ? std::atoi(path.c_str() + 2) : 0;
  if (path == "/robots.txt") {
    ctype = "text/plain";
    body = "User-agent: *\nDisallow: /private/\n";
  } else if (path == "/") {
    body = "<html><head><title>" + host + "</title></head><body><ul>";
    for (int i = 1; i < g_pages; ++i) body += "<li><a href=\"/p" + std::to_string(i) + "\">page</a></li>";
    body += "</ul>" + g_filler + "</body></html>";
  } else if (k > 0 && k < g_pages) {
    int next = k % (g_pages - 1) + 1;
    body = "<html><body><a href=\"/\">home</a><a href=\"/p" + std::to_string(next) + "\">next</a><h1>" +
           host + " " + std::to_string(k) + "</h1>" + g_filler + "</body></html>";
  } else {
    status = 404;
    ctype = "text/plain";
    body = "not found";
  }
  std::string r = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
                  "\r\nContent-Type: " + ctype + "\r\nContent-Length: " + std::to_string(body.size()) +
                  (close ? "\r\nConnection: close" : "\r\nConnection: keep-alive") + "\r\n\r\n";
  if (!head) r += body;
  return r;
}

// Parses every complete request in c.in; appends the responses to c.out. False: close after writing.
bool serve(Conn& c, std::vector<LogLine>* log) {
  bool keep = true;
  size_t pos = 0;
  while (keep) {
    size_t end = c.in.find("\r\n\r\n", pos);
    if (end == std::string::npos) break;
    std::string head = c.in.substr(pos, end - pos);
    pos = end + 4;
    size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1), eol = head.find("\r\n");
    if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
    std::string method = head.substr(0, sp1), target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string path = target.substr(0, target.find('?')), host;
    bool close = head.compare(sp2 + 1, 8, "HTTP/1.0") == 0;
    for (size_t i = eol; i != std::string::npos && i < head.size();) {
      size_t b = i + 2, e = head.find("\r\n", b);
      std::string line = head.substr(b, e == std::string::npos ? std::string::npos : e - b);
      if (strncasecmp(line.c_str(), "host:", 5) == 0) {
        host = line.substr(5);
        host.erase(0, host.find_first_not_of(" \t"));
        host = host.substr(0, host.find(':'));
      } else if (strncasecmp(line.c_str(), "connection:", 11) == 0) {
        close = strcasestr(line.c_str() + 11, "close") != nullptr;
      }
      i = e;
    }
    if (log) log->push_back({mono(), host, path});
    c.out += respond(host, path, method == "HEAD", close);
    keep = !close;
  }
  c.in.erase(0, pos);
  if (c.in.size() > (1u << 16)) return false;  // no request head is this large
  return keep;
}

int listener(int port) {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(ls, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(ls, 4096) != 0) {
    std::perror("bind/listen");
    std::exit(1);
  }
  return ls;
}

void worker(int ls, bool want_log, std::vector<LogLine>* log) {
  int one = 1;
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = ls;
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  std::unordered_map<int, Conn> conns;
  std::vector<epoll_event> evs(512);
  char buf[65536];
  auto drop = [&](int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    conns.erase(fd);
  };
  while (!g_stop.load()) {
    int n = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 100);
    for (int i = 0; i < n; ++i) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event ce{};
          ce.events = EPOLLIN | EPOLLRDHUP;
          ce.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
          conns[c];
        }
        continue;
      }
      auto it = conns.find(fd);
      if (it == conns.end()) continue;
      Conn& c = it->second;
      bool ok = true;
      if (evs[i].events & EPOLLIN) {
        ssize_t r;
        while ((r = read(fd, buf, sizeof buf)) > 0) c.in.append(buf, static_cast<size_t>(r));
        if (r == 0) ok = false;
        if (!serve(c, want_log ? log : nullptr)) ok = false;
      }
      if (evs[i].events & (EPOLLHUP | EPOLLERR)) ok = false;
      while (!c.out.empty()) {
        ssize_t w = write(fd, c.out.data(), c.out.size());
        if (w <= 0) break;
        c.out.erase(0, static_cast<size_t>(w));
      }
      if (!c.out.empty() && ok) {  // socket buffer full: wait for EPOLLOUT
        epoll_event ce{};
        ce.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        ce.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ce);
      } else if (c.out.empty() && (evs[i].events & EPOLLOUT)) {
        epoll_event ce{};
        ce.events = EPOLLIN | EPOLLRDHUP;
        ce.data.fd = fd;
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ce);
      }
      if (!ok || ((evs[i].events & EPOLLRDHUP) && c.in.empty() && c.out.empty())) drop(fd);
    }
  }
  for (auto& [fd, c] : conns) close(fd);
  close(ls);
  close(ep);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PORT PAGES_PER_HOST [THREADS [LOGFILE]]\n", argv[0]);
    return 2;
  }
  int port = std::atoi(argv[1]);
  g_pages = std::atoi(argv[2]);
  int threads = argc > 3 ? std::max(1, std::atoi(argv[3])) : 2;
  std::string logfile = argc > 4 ? argv[4] : "";
  g_filler = "<p>";
  for (int i = 0; i < 60; ++i) g_filler += "开放数据 open data ";
  g_filler += "</p>";
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::vector<LogLine>> logs(static_cast<size_t>(threads));
  std::vector<std::thread> ths;
  for (int i = 0; i < threads; ++i)  // bound before "ready": clients may connect at once
    ths.emplace_back(worker, listener(port), !logfile.empty(), &logs[static_cast<size_t>(i)]);
  std::printf("ready\n");
  std::fflush(stdout);
  for (auto& t : ths) t.join();
  if (!logfile.empty()) {
    FILE* f = std::fopen(logfile.c_str(), "w");
    if (!f) return 1;
    for (auto& l : logs)
      for (auto& x : l) std::fprintf(f, "%.6f %s %s\n", x.t, x.host.c_str(), x.path.c_str());
    std::fclose(f);
  }
  return 0;
}
