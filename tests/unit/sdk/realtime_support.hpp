#pragma once
// Shared by the realtime_*_test.cpp files: recorders that callbacks write to and tests wait on,
// polling helpers, a fast client configuration, and a TCP proxy that counts connections (to
// show that a terminal close is not followed by reconnect attempts).
//
// Every wait has a generous timeout; nothing here asserts tight timing.
#include "testing/server_process.hpp"

#include <cocobase/client.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cocobase::rt_test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Long enough for a loaded 2-core machine; a passing test never waits this long.
constexpr std::chrono::milliseconds kWait = 15s;

// A name of its own for every test (collection names and room ids allow [A-Za-z0-9_-]).
inline std::string test_name(const std::string& prefix = "rt_") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = prefix + info->name();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return name.substr(0, 64);
}

// Polls pred every 10 ms until it holds or the timeout passes; returns its last value.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(10ms);
  }
}

// Collects what a callback receives; tests wait on it from their own thread.
template <class T>
class Recorder {
 public:
  void add(const T& v) {
    std::lock_guard lock(mutex_);
    items_.push_back(v);
    changed_.notify_all();
  }
  // A callback that records into this recorder. The recorder must outlive the helper (declare
  // recorders before helpers in a test).
  std::function<void(const T&)> fn() {
    return [this](const T& v) { add(v); };
  }
  std::vector<T> items() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  T at(std::size_t i) const {
    std::lock_guard lock(mutex_);
    return items_.at(i);
  }
  bool wait_for_count(std::size_t n, std::chrono::milliseconds timeout = kWait) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return items_.size() >= n; });
  }
  // Waits until pred(items) holds.
  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds timeout = kWait) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pred(items_); });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<T> items_;
};

// Short backoffs so that reconnect tests are fast and a reconnect loop would show quickly.
inline ClientConfig fast_config(const std::string& url, std::string api_key) {
  ClientConfig c;
  c.base_url = url;
  c.api_key = std::move(api_key);
  c.request_timeout = 10s;
  c.realtime.initial_backoff = 100ms;
  c.realtime.max_backoff = 500ms;
  c.realtime.rate_limited_backoff = 500ms;
  c.realtime.connect_timeout = 5s;
  return c;
}

// A fixture with one real server for the whole suite (each test makes its own collections or
// rooms, named after the test).
class ServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new testing::ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ClientConfig config(std::string api_key = server_->api_key()) {
    return fast_config(server_->url(), std::move(api_key));
  }
  void SetUp() override { ASSERT_FALSE(server_->api_key().empty()); }

  static inline testing::ServerProcess* server_ = nullptr;
};

inline std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

inline std::int64_t num(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return -1;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return -1;
}

// A TCP proxy on 127.0.0.1 in front of a server port. It counts accepted connections, so a test
// can see every connection attempt a helper makes.
class CountingProxy {
 public:
  explicit CountingProxy(std::uint16_t target_port) : target_port_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket failed");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0)
      throw std::runtime_error("bind/listen failed");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~CountingProxy() {
    stop_ = true;
    accept_thread_.join();
    std::vector<std::thread> pumps;
    {
      std::lock_guard lock(mutex_);
      pumps.swap(pumps_);
    }
    for (auto& t : pumps) t.join();
    ::close(listen_fd_);
  }
  CountingProxy(const CountingProxy&) = delete;
  CountingProxy& operator=(const CountingProxy&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      ++connections_;
      int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(target_port_);
      if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (upstream >= 0) ::close(upstream);
        ::close(client);
        continue;
      }
      std::lock_guard lock(mutex_);
      pumps_.emplace_back([this, client, upstream] { pump(client, upstream); });
    }
  }

  // Copies bytes both ways until either side closes or the proxy stops.
  void pump(int a, int b) {
    char buf[16384];
    bool open = true;
    while (open && !stop_) {
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      for (int i = 0; i < 2 && open; ++i) {
        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const int from = i == 0 ? a : b, to = i == 0 ? b : a;
        ssize_t n = ::read(from, buf, sizeof buf);
        if (n <= 0) {
          open = false;
          break;
        }
        for (ssize_t off = 0; off < n;) {
          ssize_t w = ::send(to, buf + off, static_cast<std::size_t>(n - off), MSG_NOSIGNAL);
          if (w <= 0) {
            open = false;
            break;
          }
          off += w;
        }
      }
    }
    ::close(a);
    ::close(b);
  }

  std::uint16_t target_port_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::vector<std::thread> pumps_;
  std::thread accept_thread_;
};

}  // namespace cocobase::rt_test
