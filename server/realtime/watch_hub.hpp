#pragma once
// The collection-watch hub: subscribes once to the EventBus and fans each change event out to
// the watchers of its (project, collection). Watchers are grouped by filter, so each distinct
// filter is evaluated once per event and each frame variant is serialized once and shared.
//
// Thread-safety: all members may be called from any thread. The registry is sharded by
// (project, collection); a shard's lock is held only to copy the receivers out, never while
// frames are built or queued.
#include "bus/event_bus.hpp"
#include "config/server_config.hpp"
#include "realtime/realtime_metrics.hpp"
#include "realtime/watcher.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cocobase::server::realtime {

class WatchHub {
 public:
  WatchHub(EventBus& bus, const ServerConfig& config, RealtimeMetrics& metrics);
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  void add(const std::shared_ptr<Watcher>& w);
  void remove(const Watcher& w);
  // Gives a registered watcher a new owner restriction (its collection's rules changed) and
  // moves it to the matching group. No event is delivered under the old one afterwards.
  void restrict(Watcher& w, std::optional<std::string> owner);

 private:
  struct Group {
    std::shared_ptr<const protocol::Filter> filter;
    auth::ReadScope scope;  // every watcher of a group has the same owner restriction
    std::unordered_map<const Watcher*, std::shared_ptr<Watcher>> watchers;
  };
  struct Topic {
    std::unordered_map<std::string, Group> groups;  // by filter key and owner
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Topic> topics;  // by project '\0' collection
  };
  // Enough shards that writers to different collections rarely meet on a lock.
  static constexpr std::size_t kShards = 16;

  void on_event(const ChangeEventPtr& e);
  static void add_locked(Topic& topic, const std::shared_ptr<Watcher>& w, const std::optional<std::string>& owner);
  // The watcher's entry, removed; null when it was not registered.
  static std::shared_ptr<Watcher> remove_locked(Shard& shard, const std::string& key, const Watcher& w);
  Shard& shard_for(const std::string& topic_key);

  EventBus& bus_;
  const ServerConfig& config_;
  RealtimeMetrics& metrics_;
  EventBus::SubscriptionId subscription_ = 0;
  std::array<Shard, kShards> shards_;
};

}  // namespace cocobase::server::realtime
