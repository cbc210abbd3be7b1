// Realtime load benchmark against a running server, Cocobase or nats-server (its WebSocket
// listener), with the same workload for both so every figure is also a ratio:
//   fanout  : 1 publisher, N subscribers, M messages as fast as possible: deliveries/s, loss
//   steady  : 1 publisher at R messages/s for S seconds to N subscribers: latency p50/p99
//   write   : N collection watchers, REST creates at R/s (Cocobase only): write->event p50/p99
//   idle    : N idle authenticated connections: server RSS per connection (needs --server-pid)
// bench/run_realtime.sh starts both servers pinned to one core and this program to the other.
#include "http_load_client.hpp"
#include "ws_peer.hpp"

#include <CLI/CLI.hpp>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <thread>

#include <unistd.h>

using namespace cocobase::bench;
using Clock = std::chrono::steady_clock;

namespace {

// The send time carried in a message body: {"t":<ns>,"i":<n>}.
std::int64_t sent_at(std::string_view payload) {
  auto p = payload.find("\"t\":");
  if (p == std::string_view::npos) return -1;
  std::int64_t t = -1;
  std::from_chars(payload.data() + p + 4, payload.data() + payload.size(), t);
  return t;
}

// The message number carried in a message body (SIZE_MAX when absent).
std::size_t message_index(std::string_view payload) {
  auto p = payload.find("\"i\":");
  std::size_t i = static_cast<std::size_t>(-1);
  if (p != std::string_view::npos) std::from_chars(payload.data() + p + 4, payload.data() + payload.size(), i);
  return i;
}

bool is_message(Target target, std::string_view payload) {
  return target == Target::nats || payload.find("\"t\":") != std::string_view::npos;
}

std::string body(std::int64_t i) { return "{\"t\":" + std::to_string(now_ns()) + ",\"i\":" + std::to_string(i) + "}"; }

long rss_kb(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

void fanout(const Endpoint& ep, std::size_t n, std::size_t messages) {
  PeerSet subs(ep), pub(ep);
  subs.open(n, true);
  pub.open(1, false);
  std::uint64_t received = 0, expected = std::uint64_t(n) * messages;
  auto start = Clock::now();
  auto last = start;
  OnDelivery count = [&](std::size_t, std::string_view p) {
    if (is_message(ep.target, p)) ++received;
  };
  std::size_t sent = 0;
  auto idle_since = Clock::now();
  while (received < expected) {
    // Publish in small bursts between polls, so the client never starves either side.
    for (int k = 0; k < 50 && sent < messages; ++k) pub.publish(0, body(static_cast<std::int64_t>(sent++)));
    std::uint64_t before = received;
    subs.poll(std::chrono::milliseconds(sent < messages ? 0 : 100), count);
    pub.poll(std::chrono::milliseconds(0), [](std::size_t, std::string_view) {});
    if (received != before) {
      last = Clock::now();
      idle_since = last;
    } else if (sent == messages && Clock::now() - idle_since > std::chrono::seconds(3)) {
      break;  // nothing for 3 s after the last publish: the rest is lost
    }
  }
  double secs = std::chrono::duration<double>(last - start).count();
  std::printf("fanout n=%zu messages=%zu: %.0f deliveries/s, received %llu of %llu (loss %.4f%%), %.2f s\n", n,
              messages, double(received) / secs, (unsigned long long)received, (unsigned long long)expected,
              100.0 * double(expected - received) / double(expected), secs);
}

void steady(const Endpoint& ep, std::size_t n, double rate, double seconds) {
  PeerSet subs(ep), pub(ep);
  subs.open(n, true);
  pub.open(1, false);
  std::vector<double> lat_ms;
  lat_ms.reserve(static_cast<std::size_t>(double(n) * rate * seconds));
  OnDelivery record = [&](std::size_t, std::string_view p) {
    std::int64_t t = sent_at(p);
    if (t > 0) lat_ms.push_back(double(now_ns() - t) / 1e6);
  };
  auto start = Clock::now();
  auto period = std::chrono::duration<double>(1.0 / rate);
  std::size_t total = static_cast<std::size_t>(rate * seconds);
  for (std::size_t i = 0; i < total; ++i) {
    auto due = start + std::chrono::duration_cast<Clock::duration>(period * double(i));
    while (Clock::now() < due) subs.poll(std::chrono::milliseconds(1), record);
    pub.publish(0, body(static_cast<std::int64_t>(i)));
  }
  auto end = Clock::now() + std::chrono::seconds(2);
  while (Clock::now() < end && lat_ms.size() < n * total) subs.poll(std::chrono::milliseconds(10), record);
  std::printf("steady n=%zu rate=%.0f/s for %.0f s: p50 %.2f ms, p99 %.2f ms, received %zu of %zu\n", n, rate, seconds,
              percentile(lat_ms, 50), percentile(lat_ms, 99), lat_ms.size(), n * total);
}

void write_event(const Endpoint& ep, std::size_t n, double rate, double seconds) {
  Endpoint watch = ep;
  watch.path = "/realtime/collections/benchwatch";
  PeerSet watchers(watch);
  watchers.open(n, true);
  std::vector<double> lat_ms;
  std::size_t total = static_cast<std::size_t>(rate * seconds);
  // The first watcher's latency per write isolates the write path from the fan-out.
  std::vector<double> first_ms(total, 1e9);
  OnDelivery record = [&](std::size_t, std::string_view p) {
    std::int64_t t = sent_at(p);
    if (t <= 0 || p.find("\"event\":\"create\"") == std::string_view::npos) return;
    double ms = double(now_ns() - t) / 1e6;
    lat_ms.push_back(ms);
    std::size_t i = message_index(p);
    if (i < total) first_ms[i] = std::min(first_ms[i], ms);
  };
  auto start = Clock::now();
  auto period = std::chrono::duration<double>(1.0 / rate);
  // REST writes from a second thread (one blocking keep-alive connection, as an SDK keeps one)
  // so polling never stalls.
  std::atomic<std::size_t> written{0};
  std::thread writer([&] {
    int fd = connect_to(ep.host, ep.port);
    for (std::size_t i = 0; i < total; ++i) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(period * double(i)));
      std::string b = "{\"data\":" + body(static_cast<std::int64_t>(i)) + "}";
      std::string req = "POST /collections/documents?collection=benchwatch HTTP/1.1\r\nHost: b\r\nx-api-key: " +
                        ep.api_key + "\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(b.size()) + "\r\n\r\n" + b;
      if (http_exchange(fd, req) == 201) ++written;
    }
    close(fd);
  });
  auto end = start + std::chrono::duration<double>(seconds + 5);
  while (Clock::now() < end && lat_ms.size() < n * total) watchers.poll(std::chrono::milliseconds(10), record);
  writer.join();
  std::printf("write->event n=%zu rate=%.0f/s for %.0f s: p50 %.2f ms, p99 %.2f ms, received %zu of %zu (%zu writes); "
              "first watcher per write: p50 %.2f ms, p99 %.2f ms\n",
              n, rate, seconds, percentile(lat_ms, 50), percentile(lat_ms, 99), lat_ms.size(), n * total, written.load(),
              percentile(first_ms, 50), percentile(first_ms, 99));
}

void idle(const Endpoint& ep, std::size_t n, int pid) {
  long before = rss_kb(pid);
  PeerSet conns(ep);
  conns.open(n, true);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  long after = rss_kb(pid);
  std::printf("idle n=%zu: server RSS %ld -> %ld KiB, %.0f bytes per connection\n", n, before, after,
              double(after - before) * 1024.0 / double(n));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Realtime load benchmark (Cocobase or nats-server over WebSocket)"};
  Endpoint ep;
  std::string target = "cocobase", mode = "fanout";
  std::size_t n = 1000, messages = 2000;
  double rate = 50, seconds = 10;
  int pid = 0;
  app.add_option("--target", target, "cocobase or nats")->check(CLI::IsMember({"cocobase", "nats"}));
  app.add_option("--mode", mode, "fanout, steady, write or idle")->check(CLI::IsMember({"fanout", "steady", "write", "idle"}));
  app.add_option("--port", ep.port)->required();
  app.add_option("--api-key", ep.api_key);
  app.add_option("-n,--connections", n);
  app.add_option("--messages", messages);
  app.add_option("--rate", rate);
  app.add_option("--seconds", seconds);
  app.add_option("--server-pid", pid);
  CLI11_PARSE(app, argc, argv);
  ep.target = target == "nats" ? Target::nats : Target::cocobase;
  ep.path = "/realtime/broadcast";
  std::printf("[%s] ", target.c_str());
  try {
    if (mode == "fanout") fanout(ep, n, messages);
    else if (mode == "steady") steady(ep, n, rate, seconds);
    else if (mode == "write") write_event(ep, n, rate, seconds);
    else idle(ep, n, pid);
  } catch (const std::exception& e) {
    std::printf("failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
