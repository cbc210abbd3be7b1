#pragma once
// The REST API: routes a request to its handler, authenticates it, and shapes every response
// (error body, CORS). Independent of the network layer.
#include "api/blocking_pool.hpp"
#include "api/http_types.hpp"
#include "api/request_limits.hpp"
#include "auth/jwt.hpp"
#include "config/server_config.hpp"
#include "realtime/room_directory.hpp"
#include "store/store.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace cocobase::server::api {

struct Metrics {
  std::atomic<std::uint64_t> http_requests{0};
  std::atomic<std::uint64_t> http_errors{0};
  std::atomic<std::uint64_t> documents_written{0};
  std::atomic<std::uint64_t> change_events{0};
};

class Api {
 public:
  Api(Store& store, const auth::JwtCodec& jwt, const ServerConfig& config);

  // Handles one request; `respond` is called exactly once (maybe later, from the store's
  // writer thread). Never throws.
  void handle(HttpRequest request, Respond respond);

  Metrics& metrics() { return metrics_; }
  // While draining, /health answers 503 and other routes 503 UNAVAILABLE.
  void set_draining(bool on) { draining_ = on; }
  // Serves GET /realtime/rooms from the realtime module; set once before serving (null: the
  // listing answers with no rooms).
  void set_room_directory(realtime::RoomDirectory* rooms) { rooms_ = rooms; }
  // More Prometheus text appended to GET /metrics (the realtime counters); set once before
  // serving.
  void set_metrics_source(std::function<std::string()> source) { extra_metrics_ = std::move(source); }

 private:
  void dispatch(HttpRequest& request, Respond& respond);

  Store& store_;
  const auth::JwtCodec& jwt_;
  const ServerConfig& config_;
  BlockingPool blocking_{2};  // password hashing
  RequestLimits limits_;
  Metrics metrics_;
  std::atomic<bool> draining_{false};
  realtime::RoomDirectory* rooms_ = nullptr;
  std::function<std::string()> extra_metrics_;
};

}  // namespace cocobase::server::api
