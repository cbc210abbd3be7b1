// The floor under the latency figures on this machine: a sender that does nothing but send()
// small records to its receivers (no WebSocket, no JSON, no queues, no other work), pinned to
// one core, and a receiver process reading like the load program (level-triggered epoll, 256
// events, recv) pinned to the other. A server pays at least these sends on the same cores, so
// its steady and write->event latencies cannot go below what this prints; docs/benchmarks.md
// puts the two side by side.
#include "http_load_client.hpp"
#include "ws_peer.hpp"

#include <CLI/CLI.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using cocobase::bench::now_ns;
using cocobase::bench::percentile;

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t receivers = 1000;
  double rate = 50;
  double seconds = 10;
  std::size_t bytes = 164;  // the size of the server's broadcast frame in this workload
  int sender_core = 1;
  int receiver_core = 0;
};

void pin(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) throw std::runtime_error("sched_setaffinity failed");
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

int listen_loopback(std::uint16_t& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  check(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "bind");
  check(listen(fd, 4096) == 0, "listen");
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

// Each record starts with the sender's timestamp; the rest is padding.
void receive(const Options& o, std::uint16_t port, int ready_pipe) {
  pin(o.receiver_core);
  std::vector<int> fds;
  int ep = epoll_create1(0);
  for (std::size_t i = 0; i < o.receivers; ++i) {
    fds.push_back(cocobase::bench::connect_to("127.0.0.1", port));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, fds.back(), &ev);
  }
  std::vector<std::string> partial(o.receivers);
  char one = 1;
  check(write(ready_pipe, &one, 1) == 1, "ready");
  std::size_t expected = o.receivers * static_cast<std::size_t>(o.rate * o.seconds);
  std::vector<double> lat_ms;
  lat_ms.reserve(expected);
  auto end = Clock::now() + std::chrono::duration<double>(o.seconds + 3);
  epoll_event events[256];
  static char buf[1 << 16];
  while (lat_ms.size() < expected && Clock::now() < end) {
    int n = epoll_wait(ep, events, 256, 10);
    for (int k = 0; k < n; ++k) {
      std::size_t i = events[k].data.u64;
      ssize_t got = recv(fds[i], buf, sizeof buf, 0);
      if (got <= 0) continue;
      std::int64_t at = now_ns();
      std::string& in = partial[i];
      in.append(buf, static_cast<std::size_t>(got));
      std::size_t pos = 0;
      for (; in.size() - pos >= o.bytes; pos += o.bytes) {
        std::int64_t sent;
        std::memcpy(&sent, in.data() + pos, sizeof sent);
        lat_ms.push_back(double(at - sent) / 1e6);
      }
      in.erase(0, pos);
    }
  }
  std::printf("floor n=%zu rate=%.0f/s for %.0f s, %zu-byte records: p50 %.2f ms, p99 %.2f ms, received %zu of %zu\n",
              o.receivers, o.rate, o.seconds, o.bytes, percentile(lat_ms, 50), percentile(lat_ms, 99),
              lat_ms.size(), expected);
}

// Cycles over the receivers; each send carries every message published since that receiver's
// last one, so a round longer than the period coalesces instead of falling behind (what any
// server must do at 10,000 receivers), and a message published mid-round reaches the receivers
// later in that round at once. Each record is stamped with its publish time.
void send_steadily(const Options& o, const std::vector<int>& fds) {
  pin(o.sender_core);
  std::size_t total = static_cast<std::size_t>(o.rate * o.seconds);
  std::int64_t start = now_ns() + 1'000'000;
  std::int64_t period = static_cast<std::int64_t>(1e9 / o.rate);
  auto published = [&] {
    std::int64_t t = now_ns();
    return t < start ? std::size_t{0} : std::min(total, static_cast<std::size_t>((t - start) / period) + 1);
  };
  std::vector<std::size_t> sent(fds.size(), 0);
  std::string out;
  std::size_t short_sends = 0;
  while (sent.back() < total || sent.front() < total) {
    bool wrote = false;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      std::size_t upto = published();
      if (sent[i] >= upto) continue;
      out.assign((upto - sent[i]) * o.bytes, 'x');
      for (std::size_t m = sent[i]; m < upto; ++m) {
        std::int64_t stamp = start + static_cast<std::int64_t>(m) * period;
        std::memcpy(out.data() + (m - sent[i]) * o.bytes, &stamp, sizeof stamp);
      }
      if (send(fds[i], out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT) != static_cast<ssize_t>(out.size()))
        ++short_sends;
      sent[i] = upto;
      wrote = true;
    }
    if (!wrote && published() < total) {
      std::int64_t next = start + static_cast<std::int64_t>(published()) * period;
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<std::int64_t>(0, next - now_ns())));
    }
  }
  if (short_sends) std::printf("sender: %zu sends did not take the whole buffer\n", short_sends);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Steady fan-out floor: one send() per receiver per message, nothing else"};
  app.add_option("-n,--receivers", o.receivers)->check(CLI::PositiveNumber);
  app.add_option("--rate", o.rate, "messages per second")->check(CLI::PositiveNumber);
  app.add_option("--seconds", o.seconds)->check(CLI::PositiveNumber);
  app.add_option("--bytes", o.bytes, "record size")->check(CLI::Range(8, 65536));
  app.add_option("--sender-core", o.sender_core);
  app.add_option("--receiver-core", o.receiver_core);
  CLI11_PARSE(app, argc, argv);
  try {
    std::uint16_t port = 0;
    int listener = listen_loopback(port);
    int ready[2];
    check(pipe(ready) == 0, "pipe");
    pid_t child = fork();
    if (child == 0) {
      close(listener);
      receive(o, port, ready[1]);
      std::fflush(stdout);
      _exit(0);
    }
    std::vector<int> fds;
    for (std::size_t i = 0; i < o.receivers; ++i) {
      int fd = accept(listener, nullptr, nullptr);
      check(fd >= 0, "accept");
      int on = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      fds.push_back(fd);
    }
    char one;
    check(read(ready[0], &one, 1) == 1, "receiver setup");
    send_steadily(o, fds);
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "send_floor: %s\n", e.what());
    return 1;
  }
}
