#pragma once
// The EventBus carries committed change events from the store to every consumer (the realtime
// hub). Implementations: LocalBus (in-process, default); a Redis bus for scale-out later.
#include "store/change_event.hpp"

#include <cstdint>
#include <functional>

namespace cocobase::server {

class EventBus {
 public:
  using Handler = std::function<void(const ChangeEventPtr&)>;
  using SubscriptionId = std::uint64_t;

  virtual ~EventBus() = default;
  // Delivers to every subscriber, in publish order. Called from the store's writer thread.
  virtual void publish(const ChangeEventPtr& event) = 0;
  // Handlers run on the publishing thread: they must not block.
  virtual SubscriptionId subscribe(Handler handler) = 0;
  virtual void unsubscribe(SubscriptionId id) = 0;
};

}  // namespace cocobase::server
