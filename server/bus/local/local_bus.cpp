#include "bus/local/local_bus.hpp"

#include <algorithm>

namespace cocobase::server {

void LocalBus::publish(const ChangeEventPtr& event) {
  // Copy-on-write list: publishing takes the lock only to grab the current list, never while
  // handlers run.
  std::shared_ptr<const std::vector<Entry>> entries;
  {
    std::lock_guard lock(mutex_);
    entries = entries_;
  }
  for (const auto& e : *entries) (*e.handler)(event);
}

EventBus::SubscriptionId LocalBus::subscribe(Handler handler) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<Entry>>(*entries_);
  SubscriptionId id = next_id_++;
  next->push_back(Entry{id, std::make_shared<const Handler>(std::move(handler))});
  entries_ = std::move(next);
  return id;
}

void LocalBus::unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<Entry>>(*entries_);
  std::erase_if(*next, [&](const Entry& e) { return e.id == id; });
  entries_ = std::move(next);
}

}  // namespace cocobase::server
