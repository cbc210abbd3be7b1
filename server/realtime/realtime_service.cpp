#include "realtime/realtime_service.hpp"

#include "realtime/room_session.hpp"
#include "realtime/watch_session.hpp"

namespace cocobase::server::realtime {

RealtimeService::RealtimeService(Store& store, EventBus& bus, const ServerConfig& config)
    : store_(store), config_(config), hub_(bus, config), rooms_(config) {}

std::unique_ptr<Session> RealtimeService::open(const Route& route, Connection& self, std::weak_ptr<Connection> weak) {
  switch (route.endpoint) {
    case Endpoint::collection:
      return std::make_unique<WatchSession>(store_, config_, hub_, route.param, self, std::move(weak));
    case Endpoint::broadcast:
      return std::make_unique<BroadcastSession>(store_, config_, broadcast_, self, std::move(weak));
    case Endpoint::room:
      return std::make_unique<RoomSession>(store_, config_, rooms_, route.param, self, std::move(weak));
  }
  return nullptr;
}

bool RealtimeService::try_acquire_connection() {
  std::size_t n = connections_.fetch_add(1, std::memory_order_relaxed);
  if (n < config_.ws_max_connections) return true;
  connections_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void RealtimeService::release_connection() { connections_.fetch_sub(1, std::memory_order_relaxed); }

}  // namespace cocobase::server::realtime
