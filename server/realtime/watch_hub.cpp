#include "realtime/watch_hub.hpp"

#include "realtime/event_frame.hpp"
#include "realtime/send_batch.hpp"

#include <functional>
#include <vector>

namespace cocobase::server::realtime {
namespace {

std::string topic_key(const std::string& project, const std::string& collection) {
  std::string k;
  k.reserve(project.size() + collection.size() + 1);
  k += project;
  k += '\0';
  k += collection;
  return k;
}

// Watchers share a group when both their filter and their owner restriction are equal.
std::string group_key(const std::string& filter_key, const std::optional<std::string>& owner) {
  std::string k = filter_key;
  k += '\0';
  if (owner) (k += 'o') += *owner;
  return k;
}

struct Receivers {
  std::shared_ptr<const protocol::Filter> filter;
  auth::ReadScope scope;
  std::vector<std::shared_ptr<Watcher>> watchers;
};

}  // namespace

WatchHub::WatchHub(EventBus& bus, const ServerConfig& config, RealtimeMetrics& metrics)
    : bus_(bus), config_(config), metrics_(metrics) {
  subscription_ = bus_.subscribe([this](const ChangeEventPtr& e) { on_event(e); });
}

WatchHub::~WatchHub() { bus_.unsubscribe(subscription_); }

WatchHub::Shard& WatchHub::shard_for(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

void WatchHub::add(const std::shared_ptr<Watcher>& w) {
  auto key = topic_key(w->project, w->collection);
  auto& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  add_locked(shard.topics[key], w, w->owner());
}

void WatchHub::add_locked(Topic& topic, const std::shared_ptr<Watcher>& w, const std::optional<std::string>& owner) {
  auto& group = topic.groups[group_key(w->filter_key, owner)];
  if (!group.filter) {
    group.filter = w->filter;
    group.scope = auth::ReadScope{true, owner};
  }
  group.watchers.emplace(w.get(), w);
}

std::shared_ptr<Watcher> WatchHub::remove_locked(Shard& shard, const std::string& key, const Watcher& w) {
  auto topic = shard.topics.find(key);
  if (topic == shard.topics.end()) return nullptr;
  auto group = topic->second.groups.find(group_key(w.filter_key, w.owner()));
  if (group == topic->second.groups.end()) return nullptr;
  auto it = group->second.watchers.find(&w);
  if (it == group->second.watchers.end()) return nullptr;
  std::shared_ptr<Watcher> kept = std::move(it->second);
  group->second.watchers.erase(it);
  if (group->second.watchers.empty()) topic->second.groups.erase(group);
  if (topic->second.groups.empty()) shard.topics.erase(topic);
  return kept;
}

void WatchHub::remove(const Watcher& w) {
  auto key = topic_key(w.project, w.collection);
  auto& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  remove_locked(shard, key, w);
}

void WatchHub::restrict(Watcher& w, std::optional<std::string> owner) {
  auto key = topic_key(w.project, w.collection);
  auto& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  if (w.owner() == owner) return;
  auto kept = remove_locked(shard, key, w);
  w.set_owner(owner);  // from here on, deliver() applies the new owner (under the watcher's lock)
  if (kept) add_locked(shard.topics[key], kept, owner);
}

// Runs on the store's writer thread, once per committed write, in seq order.
void WatchHub::on_event(const ChangeEventPtr& e) {
  auto key = topic_key(e->project, e->document.collection);
  std::vector<Receivers> receivers;
  {
    auto& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    auto topic = shard.topics.find(key);
    if (topic == shard.topics.end()) return;
    receivers.reserve(topic->second.groups.size());
    for (auto& [_, g] : topic->second.groups) {
      Receivers r{g.filter, g.scope, {}};
      r.watchers.reserve(g.watchers.size());
      for (auto& [_, w] : g.watchers) r.watchers.push_back(w);
      receivers.push_back(std::move(r));
    }
  }
  // Each variant is serialized at most once per event and shared by every receiver.
  Frame plain, left;
  SendBatch batch;
  for (const auto& r : receivers) {
    if (!r.scope.allows(e->owner_id)) continue;  // the read decision (auth/read_access.hpp)
    FilterOutcome o = apply_filter(*r.filter, *e);
    if (!o.deliver) continue;
    Frame& f = o.left_filter ? left : plain;
    if (!f) f = make_frame(event_frame(*e, {o.left_filter, false}, config_.ws_document_alias));
    for (const auto& w : r.watchers) w->deliver(e->seq, e->owner_id, f);
    RealtimeMetrics::add(metrics_.watch_deliveries, r.watchers.size());
  }
}

}  // namespace cocobase::server::realtime
