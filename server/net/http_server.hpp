#pragma once
// The network layer: one TCP listener for HTTP/1.1 and WebSocket upgrades, N I/O
// threads each with its own io_context; a connection lives on one thread for its whole life.
// Beast and Asio stay behind this header.
#include "api/api.hpp"
#include "config/server_config.hpp"
#include "realtime/realtime_service.hpp"

#include <memory>
#include <string>

namespace cocobase::server::net {

class HttpServer {
 public:
  // `realtime` may be null: then the realtime routes are never upgraded.
  HttpServer(api::Api& api, realtime::RealtimeService* realtime, const ServerConfig& config);
  ~HttpServer();

  // Binds config.listen and starts the I/O threads. Returns the base URL actually bound
  // (port 0 picks a free port). Throws std::runtime_error when the address cannot be bound.
  std::string start();
  // Stops accepting, closes connections and joins the I/O threads.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cocobase::server::net
