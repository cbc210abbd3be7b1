#pragma once
// The realtime module's front door: owns the watch hub and the broadcast and room registries,
// and creates the Session for each upgraded socket. The network layer holds one of these.
#include "bus/event_bus.hpp"
#include "config/server_config.hpp"
#include "realtime/broadcast.hpp"
#include "realtime/room_registry.hpp"
#include "realtime/route.hpp"
#include "realtime/session.hpp"
#include "realtime/watch_hub.hpp"
#include "store/store.hpp"

#include <atomic>
#include <memory>

namespace cocobase::server::realtime {

class RealtimeService {
 public:
  RealtimeService(Store& store, EventBus& bus, const ServerConfig& config);

  // The logic for one upgraded socket. `self` owns the returned session and outlives it.
  std::unique_ptr<Session> open(const Route& route, Connection& self, std::weak_ptr<Connection> weak);

  // --ws-max-connections: false when the upgrade must be refused (429).
  bool try_acquire_connection();
  void release_connection();

  RoomDirectory& rooms() { return rooms_; }

 private:
  Store& store_;
  const ServerConfig& config_;
  WatchHub hub_;
  BroadcastRegistry broadcast_;
  RoomRegistry rooms_;
  std::atomic<std::size_t> connections_{0};
};

}  // namespace cocobase::server::realtime
