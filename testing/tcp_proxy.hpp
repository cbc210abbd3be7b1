#pragma once
// Test support: a TCP proxy on 127.0.0.1 that forwards to a target host:port, so that a test
// can break the network path between a client and the server.
//
//   TcpProxy proxy("127.0.0.1", server.port());
//   Client c({.base_url = proxy.url(), ...});   // the client talks to the server through it
//   proxy.cut();          // abort (RST) every current connection; new ones are still accepted
//   proxy.stall(true);    // black-hole the path: no byte moves either way, nothing is closed
//   proxy.stall(false);   // bytes flow again (held ones first)
//
// A connection the proxy cannot open upstream (target down) is closed at once.
// While stalled, new connections are accepted and connected upstream, but no byte moves on them
// either (and an end of stream seen on one side is not passed on) until stall(false).
//
// Runs on a thread of its own with Boost.Asio. Every public member may be called from any
// thread; cut() returns after every connection it saw is closed. The destructor closes
// everything and joins the thread. Header-only (there is no testing library target).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cocobase::testing {

class TcpProxy {
 public:
  TcpProxy(const std::string& target_host, std::uint16_t target_port)
      : work_(io_.get_executor()), acceptor_(io_) {
    namespace asio = boost::asio;
    using tcp = asio::ip::tcp;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(target_host, std::to_string(target_port));
    for (const auto& r : results) target_.push_back(r.endpoint());
    const tcp::endpoint listen(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(listen.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(listen);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~TcpProxy() {
    run_on_io([this] {
      stopping_ = true;
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      close_all(/*abort=*/true);
    });
    work_.reset();
    thread_.join();
  }

  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Connections accepted so far (including those closed since).
  int connection_count() const { return accepted_.load(); }
  // Connections currently open (both sides connected and not yet closed).
  int open_count() const { return open_.load(); }

  // Aborts every current connection, both sides, with a TCP reset. New connections are
  // accepted as before.
  void cut() {
    run_on_io([this] { close_all(/*abort=*/true); });
  }

  // true: stop moving bytes in both directions on every connection (current and new) without
  // closing anything. false: move the held bytes and carry on.
  void stall(bool on) {
    run_on_io([this, on] {
      stalled_ = on;
      if (on) return;
      auto parked = std::move(parked_);
      parked_.clear();
      for (auto& resume : parked) resume();
    });
  }
  bool stalled() const { return stalled_flag_.load(); }

 private:
  using tcp = boost::asio::ip::tcp;

  // One accepted connection: the client side `down` and the server side `up`.
  struct Session : std::enable_shared_from_this<Session> {
    Session(TcpProxy& proxy, tcp::socket down)
        : proxy(proxy), down(std::move(down)), up(proxy.io_) {}

    // One direction: reads from `from`, writes to `to`.
    struct Pipe {
      tcp::socket* from = nullptr;
      tcp::socket* to = nullptr;
      std::array<char, 16384> buffer{};
      bool done = false;  // end of stream passed on (or the session closed)
    };

    void start_pipes() {
      pipes[0].from = &down;
      pipes[0].to = &up;
      pipes[1].from = &up;
      pipes[1].to = &down;
      read(0);
      read(1);
    }

    void read(int i) {
      if (closed) return;
      auto self = shared_from_this();
      pipes[i].from->async_read_some(
          boost::asio::buffer(pipes[i].buffer),
          [self, i](boost::system::error_code ec, std::size_t n) { self->on_read(i, ec, n); });
    }

    void on_read(int i, boost::system::error_code ec, std::size_t n) {
      if (closed) return;
      if (proxy.stalled_) {
        // Hold what came (data or the end of the stream) until the stall ends.
        auto self = shared_from_this();
        proxy.parked_.push_back([self, i, ec, n] { self->on_read(i, ec, n); });
        return;
      }
      if (ec == boost::asio::error::eof) {
        // Pass the half-close on; the session ends when both directions have ended.
        boost::system::error_code ignored;
        pipes[i].to->shutdown(tcp::socket::shutdown_send, ignored);
        pipes[i].done = true;
        if (pipes[0].done && pipes[1].done) close(/*abort=*/false);
        return;
      }
      if (ec) return close(/*abort=*/true);
      auto self = shared_from_this();
      boost::asio::async_write(*pipes[i].to, boost::asio::buffer(pipes[i].buffer.data(), n),
                               [self, i](boost::system::error_code ec, std::size_t) {
                                 if (self->closed) return;
                                 if (ec) return self->close(/*abort=*/true);
                                 self->read(i);
                               });
    }

    void close(bool abort) {
      if (closed) return;
      closed = true;
      if (counted_open) proxy.open_.fetch_sub(1);
      for (tcp::socket* s : {&down, &up}) {
        boost::system::error_code ignored;
        if (!s->is_open()) continue;
        if (abort) s->set_option(boost::asio::socket_base::linger(true, 0), ignored);
        s->close(ignored);
      }
    }

    TcpProxy& proxy;
    tcp::socket down, up;
    Pipe pipes[2];
    bool closed = false;
    bool counted_open = false;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (stopping_) return;
      if (!ec) {
        accepted_.fetch_add(1);
        auto session = std::make_shared<Session>(*this, std::move(socket));
        sessions_[next_id_++] = session;
        prune();
        connect_upstream(session, 0);
      }
      accept();
    });
  }

  void connect_upstream(const std::shared_ptr<Session>& s, std::size_t index) {
    if (index >= target_.size()) return s->close(/*abort=*/true);
    s->up.async_connect(target_[index], [this, s, index](boost::system::error_code ec) {
      if (s->closed) return;
      if (ec) {
        boost::system::error_code ignored;
        s->up.close(ignored);
        return connect_upstream(s, index + 1);
      }
      boost::system::error_code ignored;
      s->up.set_option(tcp::no_delay(true), ignored);
      s->down.set_option(tcp::no_delay(true), ignored);
      s->counted_open = true;
      open_.fetch_add(1);
      s->start_pipes();
    });
  }

  void close_all(bool abort) {
    for (auto& [id, weak] : sessions_)
      if (auto s = weak.lock()) s->close(abort);
    sessions_.clear();
    // Held completions of closed sessions do nothing when resumed; drop them now.
    parked_.clear();
  }

  void prune() {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      auto s = it->second.lock();
      if (!s || s->closed) {
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Runs f on the proxy's thread and waits for it.
  template <class F>
  void run_on_io(F f) {
    // The promise is shared with the handler, so that set_value() never touches a promise
    // the waiting thread has already destroyed.
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    boost::asio::post(io_, [this, &f, done] {
      f();
      stalled_flag_ = stalled_;
      done->set_value();
    });
    finished.wait();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  std::vector<tcp::endpoint> target_;
  std::uint16_t port_ = 0;
  std::thread thread_;

  // The proxy's thread only:
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions_;
  std::uint64_t next_id_ = 0;
  bool stalled_ = false;
  bool stopping_ = false;
  std::vector<std::function<void()>> parked_;

  std::atomic<int> accepted_{0}, open_{0};
  std::atomic<bool> stalled_flag_{false};
};

}  // namespace cocobase::testing
