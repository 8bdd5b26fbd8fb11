// A raw TCP listener on 127.0.0.1 (a free port), for what HTTP servers will not do: count connections,
// close them at once, answer garbage, or never accept at all. Shared by the crawl and sim tests.
#pragma once
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

namespace odh::test {

class RawListener {
 public:
  // A background thread accepts every connection, hands its socket to `on_connection` and closes it.
  // Without a handler nothing is accepted: the accept queue (`backlog`) fills and later connects hang.
  explicit RawListener(std::function<void(int socket)> on_connection, int backlog = 16) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, backlog);
    if (!on_connection) return;
    th_ = std::thread([this, handle = std::move(on_connection)] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        handle(c);
        close(c);
      }
    });
  }
  ~RawListener() {
    stop_ = true;
    if (th_.joinable()) th_.join();
    close(fd_);
  }
  RawListener(const RawListener&) = delete;
  RawListener& operator=(const RawListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread th_;
};

}  // namespace odh::test
