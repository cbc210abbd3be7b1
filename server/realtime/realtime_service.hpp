#pragma once
// The realtime module's front door: owns the watch hub and the broadcast and room registries,
// and creates the Session for each upgraded socket. The network layer holds one of these.
#include "bus/event_bus.hpp"
#include "realtime/access_recheck.hpp"
#include "config/server_config.hpp"
#include "realtime/broadcast.hpp"
#include "realtime/room_registry.hpp"
#include "realtime/route.hpp"
#include "realtime/session.hpp"
#include "realtime/watch_hub.hpp"
#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace cocobase::server::realtime {

class RealtimeService {
 public:
  // `jwt` may be null (tokens are then refused); it must outlive the service.
  RealtimeService(Store& store, EventBus& bus, const auth::JwtCodec* jwt, const ServerConfig& config);

  // The logic for one upgraded socket. `self` owns the returned session and outlives it.
  std::unique_ptr<Session> open(const Route& route, Connection& self, std::weak_ptr<Connection> weak);

  // --ws-max-connections: false when the upgrade must be refused (429). Every successful
  // acquire is matched by one release (from the socket's destructor).
  bool try_acquire_connection();
  void release_connection(const Connection* c);

  // Closes every open socket with 1001 (going away) and waits until they are gone or `wait`
  // has passed. For shutdown, while the I/O threads still run.
  void shutdown(std::chrono::milliseconds wait);
  // True from shutdown() on: new upgrades are refused (503).
  bool draining() const { return draining_.load(std::memory_order_relaxed); }

  RoomDirectory& rooms() { return rooms_; }
  RealtimeMetrics& metrics() { return metrics_; }
  // The realtime part of GET /metrics.
  std::string metrics_text() const;

 private:
  RealtimeMetrics metrics_;  // before deps_ and hub_, which hold references to it
  SessionDeps deps_;
  WatchHub hub_;
  AccessRecheck access_;  // after hub_: its thread stops before the hub goes
  BroadcastRegistry broadcast_;
  RoomRegistry rooms_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<bool> draining_{false};
  std::mutex open_mutex_;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> open_;  // for shutdown()
};

}  // namespace cocobase::server::realtime
