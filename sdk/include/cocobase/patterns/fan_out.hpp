#pragma once
// FanOut<T>: one publisher, many subscribers (e.g. one watcher's events feeding a cache, a UI
// and a log), each subscription an RAII Subscription.
//
// Threading contract:
// - subscribe(), publish(), size() and Subscription::reset() may be called from any thread,
//   including from inside a callback (no lock is held while a callback runs).
// - publish() calls, on the publishing thread, every subscriber registered when it started, in
//   subscription order. Concurrent publishes call subscribers concurrently. An exception from a
//   callback propagates out of publish(); the later subscribers miss that value.
// - Subscription::reset() (and its destructor): no call of the callback starts afterwards.
//   From any thread other than the callback's, it also waits for calls of the callback running
//   on other threads; from inside the callback, it returns at once. So two callbacks must not
//   reset each other's subscriptions at the same time: each would wait for the other.
// - A Subscription may outlive its FanOut; resetting it then does nothing more. No member of
//   FanOut may be called concurrently with its destructor.
#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace cocobase {

// Ends a subscription when reset or destroyed. Move-only; an empty Subscription (default,
// moved-from, reset) does nothing.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> unsubscribe) : unsubscribe_(std::move(unsubscribe)) {}
  Subscription(Subscription&& other) noexcept : unsubscribe_(std::exchange(other.unsubscribe_, nullptr)) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      reset();
      unsubscribe_ = std::exchange(other.unsubscribe_, nullptr);
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }

  void reset() {
    if (auto unsubscribe = std::exchange(unsubscribe_, nullptr)) unsubscribe();
  }
  explicit operator bool() const noexcept { return static_cast<bool>(unsubscribe_); }

 private:
  std::function<void()> unsubscribe_;
};

namespace detail {

// Admits calls until closed; close() waits for the admitted calls of other threads to leave.
// A thread's own calls are not waited for, so a callback may close its own gate.
class CallGate {
 public:
  // Leaves the gate on destruction, if it was admitted.
  class Pass {
   public:
    explicit Pass(CallGate* gate) : gate_(gate) {}
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;
    ~Pass() {
      if (gate_) gate_->leave();
    }
    explicit operator bool() const noexcept { return gate_ != nullptr; }

   private:
    CallGate* gate_;
  };

  Pass enter() {
    std::lock_guard lock(mutex_);
    if (!open_) return Pass(nullptr);
    inside_.push_back(std::this_thread::get_id());
    return Pass(this);
  }

  void close() {
    const auto me = std::this_thread::get_id();
    std::unique_lock lock(mutex_);
    open_ = false;
    idle_.wait(lock, [&] {
      return std::all_of(inside_.begin(), inside_.end(), [&](auto id) { return id == me; });
    });
  }

 private:
  void leave() {
    {
      std::lock_guard lock(mutex_);
      inside_.erase(std::find(inside_.begin(), inside_.end(), std::this_thread::get_id()));
    }
    idle_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable idle_;
  bool open_ = true;
  std::vector<std::thread::id> inside_;  // one entry per running call, repeated when re-entered
};

}  // namespace detail

template <class T>
class FanOut {
 public:
  using Callback = std::function<void(const T&)>;

  FanOut() = default;
  FanOut(const FanOut&) = delete;
  FanOut& operator=(const FanOut&) = delete;

  // Throws std::invalid_argument when callback is empty. A subscriber added during a publish
  // is called from the next publish on.
  [[nodiscard]] Subscription subscribe(Callback callback) {
    if (!callback) throw std::invalid_argument("FanOut: empty callback");
    auto subscriber = std::make_shared<Subscriber>(std::move(callback));
    {
      std::lock_guard lock(registry_->mutex);
      registry_->subscribers.push_back(subscriber);
    }
    return Subscription([registry = std::weak_ptr<Registry>(registry_), subscriber] {
      subscriber->gate.close();
      if (auto r = registry.lock()) r->remove(subscriber.get());
    });
  }

  void publish(const T& value) const {
    for (const auto& subscriber : registry_->snapshot()) {
      if (auto pass = subscriber->gate.enter()) subscriber->callback(value);
    }
  }

  std::size_t size() const {
    std::lock_guard lock(registry_->mutex);
    return registry_->subscribers.size();
  }

 private:
  struct Subscriber {
    explicit Subscriber(Callback cb) : callback(std::move(cb)) {}
    detail::CallGate gate;
    const Callback callback;
  };

  // Shared with the Subscriptions (weakly), which may outlive the FanOut.
  struct Registry {
    mutable std::mutex mutex;
    std::vector<std::shared_ptr<Subscriber>> subscribers;  // in subscription order

    std::vector<std::shared_ptr<Subscriber>> snapshot() const {
      std::lock_guard lock(mutex);
      return subscribers;
    }
    void remove(const Subscriber* s) {
      std::lock_guard lock(mutex);
      std::erase_if(subscribers, [&](const auto& p) { return p.get() == s; });
    }
  };

  std::shared_ptr<Registry> registry_ = std::make_shared<Registry>();
};

}  // namespace cocobase
