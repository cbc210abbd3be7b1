#pragma once
// The HTTP connections a server holds open, against --http-max-connections: a bound on the
// descriptors and memory that idle or slow clients can take. A WebSocket leaves this count
// when it is upgraded (--ws-max-connections bounds those). Thread-safe.
#include <atomic>
#include <cstddef>
#include <utility>

namespace cocobase::server::net {

class ConnectionLimit {
 public:
  explicit ConnectionLimit(std::size_t max) : max_(max) {}

  // One open connection; releases its place when destroyed or released.
  class Slot {
   public:
    Slot() = default;
    explicit Slot(ConnectionLimit* owner) : owner_(owner) {}
    Slot(Slot&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
    Slot& operator=(Slot&& o) noexcept {
      if (this != &o) {
        release();
        owner_ = std::exchange(o.owner_, nullptr);
      }
      return *this;
    }
    ~Slot() { release(); }
    void release() {
      if (owner_) owner_->open_.fetch_sub(1, std::memory_order_relaxed);
      owner_ = nullptr;
    }
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    ConnectionLimit* owner_ = nullptr;
  };

  // An empty Slot when the limit is reached.
  Slot try_acquire() {
    std::size_t n = open_.load(std::memory_order_relaxed);
    do {
      if (n >= max_) return Slot();
    } while (!open_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    return Slot(this);
  }

  std::size_t open() const { return open_.load(std::memory_order_relaxed); }
  std::size_t max() const { return max_; }

 private:
  const std::size_t max_;
  std::atomic<std::size_t> open_{0};
};

}  // namespace cocobase::server::net
