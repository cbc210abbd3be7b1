#pragma once
#include "bus/event_bus.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace cocobase::server {

// In-process bus: publish calls every handler directly. Thread-safe.
class LocalBus final : public EventBus {
 public:
  void publish(const ChangeEventPtr& event) override;
  SubscriptionId subscribe(Handler handler) override;
  void unsubscribe(SubscriptionId id) override;

 private:
  struct Entry {
    SubscriptionId id;
    std::shared_ptr<const Handler> handler;
  };
  std::mutex mutex_;
  std::shared_ptr<const std::vector<Entry>> entries_ = std::make_shared<std::vector<Entry>>();
  SubscriptionId next_id_ = 1;
};

}  // namespace cocobase::server
