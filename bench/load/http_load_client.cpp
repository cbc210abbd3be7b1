#include "http_load_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace cocobase::bench {
namespace {

using Clock = std::chrono::steady_clock;


struct Conn {
  int fd = -1;
  std::string in;
  Clock::time_point sent_at;
};

// Length of a complete response at the start of `in`, or 0 if incomplete. Sets status.
std::size_t complete_response(const std::string& in, int& status) {
  auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  status = std::atoi(in.c_str() + 9);
  std::size_t length = 0;
  auto cl = in.find("Content-Length: ");
  if (cl != std::string::npos && cl < end) length = std::strtoul(in.c_str() + cl + 16, nullptr, 10);
  std::size_t total = end + 4 + length;
  return in.size() >= total ? total : 0;
}

void send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

int connect_to(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("connect: " + std::string(strerror(errno)));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

LoadResult run_closed_loop(const std::string& host, int port, const std::string& request, int connections,
                           std::chrono::milliseconds duration, int expected_status) {
  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<std::size_t>(connections));
  for (std::size_t i = 0; i < conns.size(); ++i) {
    conns[i].fd = connect_to(host, port);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }
  LoadResult r;
  auto start = Clock::now();
  auto deadline = start + duration;
  for (auto& c : conns) {
    c.sent_at = Clock::now();
    send_all(c.fd, request);
  }
  std::vector<epoll_event> events(conns.size());
  char buf[65536];
  std::size_t in_flight = conns.size();
  while (in_flight > 0) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
    for (int k = 0; k < n; ++k) {
      Conn& c = conns[events[k].data.u64];
      ssize_t got = recv(c.fd, buf, sizeof buf, 0);
      if (got <= 0) throw std::runtime_error("connection closed by server");
      c.in.append(buf, static_cast<std::size_t>(got));
      int status = 0;
      std::size_t len = complete_response(c.in, status);
      if (len == 0) continue;
      c.in.erase(0, len);
      auto now = Clock::now();
      r.latencies_us.push_back(std::chrono::duration<double, std::micro>(now - c.sent_at).count());
      ++r.completed;
      if (status != expected_status) ++r.unexpected_status;
      if (now < deadline) {
        c.sent_at = now;
        send_all(c.fd, request);
      } else {
        --in_flight;
      }
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& c : conns) close(c.fd);
  close(ep);
  return r;
}

int http_exchange(int fd, const std::string& request) {
  send_all(fd, request);
  std::string in;
  char buf[65536];
  int status = 0;
  while (complete_response(in, status) == 0) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return 0;
    in.append(buf, static_cast<std::size_t>(n));
  }
  return status;
}

std::string http_get(const std::string& host, int port, const std::string& path) {
  int fd = connect_to(host, port);
  send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
  std::string in;
  char buf[65536];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) in.append(buf, static_cast<std::size_t>(n));
  close(fd);
  auto body = in.find("\r\n\r\n");
  return body == std::string::npos ? "" : in.substr(body + 4);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace cocobase::bench
