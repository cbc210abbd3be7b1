#pragma once
// Runs a helper's callbacks one at a time and stops them for good on close (the threading
// contract of realtime.hpp): close() from another thread waits for a running callback to
// finish; close() from inside a callback (same thread) just marks the gate closed. The mutex is
// recursive so that a callback may register callbacks (with_lock) on its own helper.
#include <atomic>
#include <mutex>
#include <thread>

namespace cocobase::detail {

class CallbackGate {
 public:
  template <class F>
  void run(F&& f) {
    std::lock_guard lock(mutex_);
    if (closed_.load(std::memory_order_acquire)) return;
    running_in_.store(std::this_thread::get_id(), std::memory_order_release);
    struct Reset {
      std::atomic<std::thread::id>& id;
      ~Reset() { id.store(std::thread::id{}, std::memory_order_release); }
    } reset{running_in_};
    f();
  }

  template <class F>
  void with_lock(F&& f) {
    std::lock_guard lock(mutex_);
    f();
  }

  void close() {
    // Marked first, so that callbacks not started yet are skipped even when the I/O thread
    // wins the mutex again before this thread gets it (the mutex is not fair: with closed_ set
    // only under the lock, a steady stream of messages could keep close() waiting while further
    // callbacks ran).
    closed_.store(true, std::memory_order_release);
    if (running_in_.load(std::memory_order_acquire) == std::this_thread::get_id()) return;
    std::lock_guard lock(mutex_);  // waits for a running callback to finish
  }

  bool closed() const { return closed_.load(std::memory_order_acquire); }

 private:
  std::recursive_mutex mutex_;
  std::atomic<bool> closed_{false};
  std::atomic<std::thread::id> running_in_{};
};

}  // namespace cocobase::detail
