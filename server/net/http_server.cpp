#include "net/http_server.hpp"

#include "net/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <pthread.h>

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
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::size_t next_context = 0;

  Impl(api::Api& a, realtime::RealtimeService* r, const ServerConfig& c) : api(a), realtime(r), config(c) {}

  // Each accepted socket goes to the next io_context in turn and stays there.
  void accept_next() {
    auto& target = *contexts[next_context++ % contexts.size()];
    acceptor->async_accept(target, [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        spdlog::warn("accept: {}", ec.message());  // e.g. out of file descriptors; keep going
      } else {
        start_http_session(std::move(socket), api, realtime, config);
      }
      accept_next();
    });
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
  });
  impl_->guards.clear();
  for (auto& ctx : impl_->contexts) ctx->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace cocobase::server::net
