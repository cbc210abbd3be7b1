#include "net/http_server.hpp"

#include "net/accept_backoff.hpp"
#include "net/connection_limit.hpp"
#include "net/fd_budget.hpp"
#include "net/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/spdlog.h>

#include <pthread.h>
#include <sys/socket.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cocobase::server::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  api::Api& api;
  realtime::RealtimeService* realtime;
  const ServerConfig& config;
  std::unique_ptr<ConnectionLimit> connections;  // outlives the sessions the contexts hold
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> accept_timer;  // the acceptor's thread only, as backoff
  AcceptBackoff backoff;
  std::size_t next_context = 0;

  Impl(api::Api& a, realtime::RealtimeService* r, const ServerConfig& c) : api(a), realtime(r), config(c) {}

  // Each accepted socket goes to the next io_context in turn and stays there.
  void accept_next() {
    if (!acceptor->is_open()) return;  // stopped
    auto& target = *contexts[next_context++ % contexts.size()];
    acceptor->async_accept(target, [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (out_of_resources(ec)) return wait_for_descriptors(ec);
      if (ec) {
        spdlog::debug("accept: {}", ec.message());  // e.g. the client reset before we took it
      } else {
        backoff.accepted();
        admit(std::move(socket));
      }
      accept_next();
    });
  }

  static bool out_of_resources(const boost::system::error_code& ec) {
    return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
           ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
  }

  // The pending connections stay in the kernel's backlog meanwhile.
  void wait_for_descriptors(const boost::system::error_code& ec) {
    if (auto unreported = backoff.report(AcceptBackoff::Clock::now()))
      spdlog::warn("accept: {} ({} more since the last report, {} HTTP connections open); pausing accepts",
                   ec.message(), *unreported, connections->open());
    accept_timer->expires_after(backoff.exhausted());
    accept_timer->async_wait([this](boost::system::error_code e) {
      if (!e) accept_next();
    });
  }

  void admit(tcp::socket socket) {
    auto slot = connections->try_acquire();
    if (!slot) return refuse(std::move(socket));
    start_http_session(std::move(socket), std::move(slot), api, realtime, config);
  }

  // Over --http-max-connections: answered at once, on the acceptor's thread, and closed, as
  // Redis answers past maxclients; the client learns why and when to retry. A fresh socket's
  // send buffer takes the few bytes whole, so the send does not block.
  static void refuse(tcp::socket socket) {
    static const std::string response = [] {
      std::string body = R"({"detail":"Too many connections","code":"UNAVAILABLE"})";
      return "HTTP/1.1 503 Service Unavailable\r\nServer: cocobase\r\nContent-Type: application/json\r\n"
             "Retry-After: 1\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    int fd = socket.native_handle();
    // What the client already sent is read first, so that closing does not reset the
    // connection (a reset can destroy the answer before the client reads it).
    char scratch[4096];
    for (int i = 0; i < 16 && ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0; ++i) {
    }
    (void)::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
  }
};

namespace {

tcp::endpoint parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--listen must be HOST:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("--listen: invalid address '" + host + "'");
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::runtime_error("--listen: invalid port in '" + listen + "'");
  return {addr, static_cast<unsigned short>(port)};
}

}  // namespace

HttpServer::HttpServer(api::Api& api, realtime::RealtimeService* realtime, const ServerConfig& config)
    : impl_(std::make_unique<Impl>(api, realtime, config)) {}

HttpServer::~HttpServer() { stop(); }

std::string HttpServer::start() {
  unsigned n = impl_->config.io_threads ? impl_->config.io_threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    impl_->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl_->guards.push_back(asio::make_work_guard(*impl_->contexts.back()));
  }
  tcp::endpoint ep = parse_listen(impl_->config.listen);
  auto& acceptor = impl_->acceptor;
  acceptor = std::make_unique<tcp::acceptor>(*impl_->contexts[0]);
  boost::system::error_code ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + impl_->config.listen + ": " + ec.message());
  std::size_t fd_limit = raise_fd_limit();
  std::size_t cap = http_connection_cap(impl_->config.http_max_connections, fd_limit, open_fds());
  if (cap < impl_->config.http_max_connections)
    spdlog::info("HTTP connections capped at {} (descriptor limit {})", cap, fd_limit);
  impl_->connections = std::make_unique<ConnectionLimit>(cap);
  impl_->accept_timer = std::make_unique<asio::steady_timer>(*impl_->contexts[0]);
  impl_->accept_next();
  // Create spdlog's registry here, before the I/O threads can log: its lazy initialisation
  // happens inside libspdlog, where ThreadSanitizer cannot see that it is synchronised.
  spdlog::default_logger_raw();
  for (std::size_t i = 0; i < impl_->contexts.size(); ++i)
    impl_->threads.emplace_back([c = impl_->contexts[i].get(), name = "cb-io-" + std::to_string(i)] {
      pthread_setname_np(pthread_self(), name.c_str());
      c->run();
    });

  auto bound = acceptor->local_endpoint();
  std::string host = bound.address().to_string();
  if (bound.address().is_v6()) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(bound.port());
}

void HttpServer::stop() {
  if (!impl_ || impl_->threads.empty()) return;
  asio::post(*impl_->contexts[0], [this] {
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
    impl_->accept_timer->cancel();
  });
  impl_->guards.clear();
  for (auto& ctx : impl_->contexts) ctx->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace cocobase::server::net
