// Loopback HTTP/1.1 server with many virtual hosts for crawl benchmarks (cpp-httplib, one worker
// thread per keep-alive connection). Same pages as vhost_server.py: /robots.txt, / linking
// /p1../p{M-1}, /pK (~2 KB) linking / and a neighbour.
// Build: g++ -O2 -std=c++17 bench/vhost_server.cpp -lcpp-httplib -lpthread -o build/bench_vhost_server
// Usage: bench_vhost_server PORT PAGES_PER_HOST [THREADS]   (prints "ready" when listening)
#include <httplib.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  int port = std::atoi(argv[1]), m = std::atoi(argv[2]);
  int threads = argc > 3 ? std::atoi(argv[3]) : 1024;
  std::string filler = "<p>";
  for (int i = 0; i < 60; ++i) filler += "开放数据 open data ";
  filler += "</p>";
  httplib::Server srv;
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  srv.set_keep_alive_max_count(1000000);
  srv.set_keep_alive_timeout(30);
  srv.Get(".*", [&](const httplib::Request& q, httplib::Response& r) {
    std::string host = q.get_header_value("Host");
    host = host.substr(0, host.find(':'));
    const std::string& p = q.path;
    if (p == "/robots.txt") {
      r.set_content("User-agent: *\nDisallow: /private/\n", "text/plain");
    } else if (p == "/") {
      std::string b = "<html><head><title>" + host + "</title></head><body><ul>";
      for (int k = 1; k < m; ++k) b += "<li><a href=\"/p" + std::to_string(k) + "\">page</a></li>";
      r.set_content(b + "</ul>" + filler + "</body></html>", "text/html; charset=utf-8");
    } else if (p.size() > 2 && p.compare(0, 2, "/p") == 0 && std::atoi(p.c_str() + 2) > 0 &&
               std::atoi(p.c_str() + 2) < m) {
      int k = std::atoi(p.c_str() + 2), next = k % (m - 1) + 1;
      r.set_content("<html><body><a href=\"/\">home</a><a href=\"/p" + std::to_string(next) +
                        "\">next</a><h1>" + host + " " + std::to_string(k) + "</h1>" + filler +
                        "</body></html>",
                    "text/html; charset=utf-8");
    } else {
      r.status = 404;
      r.set_content("not found", "text/plain");
    }
  });
  if (!srv.bind_to_port("127.0.0.1", port)) return 1;
  std::printf("ready\n");
  std::fflush(stdout);
  srv.listen_after_bind();
}
