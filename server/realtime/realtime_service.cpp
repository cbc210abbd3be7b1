#include "realtime/realtime_service.hpp"

#include "realtime/room_session.hpp"
#include "realtime/watch_session.hpp"

#include <thread>
#include <vector>

namespace cocobase::server::realtime {

RealtimeService::RealtimeService(Store& store, EventBus& bus, const auth::JwtCodec* jwt, const ServerConfig& config)
    : deps_{store, jwt, config, metrics_, access_}, hub_(bus, config, metrics_),
      access_(store, hub_, config.access_recheck_ms), rooms_(config) {}

std::unique_ptr<Session> RealtimeService::open(const Route& route, Connection& self, std::weak_ptr<Connection> weak) {
  {
    std::lock_guard lock(open_mutex_);
    open_.emplace(&self, weak);
  }
  switch (route.endpoint) {
    case Endpoint::collection:
      RealtimeMetrics::add(metrics_.watch_sessions);
      return std::make_unique<WatchSession>(deps_, hub_, route.param, self, std::move(weak));
    case Endpoint::broadcast:
      RealtimeMetrics::add(metrics_.broadcast_sessions);
      return std::make_unique<BroadcastSession>(deps_, broadcast_, self, std::move(weak));
    case Endpoint::room:
      RealtimeMetrics::add(metrics_.room_sessions);
      return std::make_unique<RoomSession>(deps_, rooms_, route.param, self, std::move(weak));
  }
  return nullptr;
}

std::string RealtimeService::metrics_text() const {
  return realtime::metrics_text(metrics_, connections_.load(std::memory_order_relaxed));
}

bool RealtimeService::try_acquire_connection() {
  std::size_t n = connections_.fetch_add(1, std::memory_order_relaxed);
  if (n < deps_.config.ws_max_connections) return true;
  connections_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void RealtimeService::release_connection(const Connection* c) {
  {
    std::lock_guard lock(open_mutex_);
    open_.erase(c);
  }
  access_.remove(c);
  connections_.fetch_sub(1, std::memory_order_relaxed);
}

void RealtimeService::shutdown(std::chrono::milliseconds wait) {
  draining_.store(true, std::memory_order_relaxed);
  std::vector<std::shared_ptr<Connection>> all;
  {
    std::lock_guard lock(open_mutex_);
    for (auto& [_, weak] : open_)
      if (auto c = weak.lock()) all.push_back(std::move(c));
  }
  for (auto& c : all) c->close(kCloseGoingAway, "");
  all.clear();
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (connections_.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace cocobase::server::realtime
