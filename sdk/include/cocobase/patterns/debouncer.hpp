#pragma once
// Debouncer: coalesces a burst of triggers into one call, `delay` after the last of them
// (e.g. save a document once the user stops typing, or re-render once watch events settle).
//
// Threading contract:
// - trigger() and flush() may be called from any thread, including from inside fn.
// - fn always runs on the debouncer's own thread, so calls of fn never overlap. It must not
//   throw: an exception escaping it ends the program, as from any std::thread.
// - flush() runs a pending call at once. From another thread it returns after that call has
//   finished; from inside fn it only schedules it (it runs right after the current fn returns).
//   With nothing pending it does nothing.
// - The destructor cancels a pending call and waits for a running one. Called from inside fn it
//   does not wait (that would wait for itself): the thread finishes on its own once fn returns.
//   No member may be called concurrently with the destructor.
#include <cocobase/patterns/worker_thread.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

namespace cocobase {

class Debouncer {
 public:
  // Throws std::invalid_argument when fn is empty.
  Debouncer(std::chrono::milliseconds delay, std::function<void()> fn)
      : state_(std::make_shared<State>(delay, std::move(fn))) {
    if (!state_->fn) throw std::invalid_argument("Debouncer: empty function");
    worker_ = std::thread([state = state_] { run(*state); });
  }

  ~Debouncer() {
    {
      std::lock_guard lock(state_->mutex);
      state_->stopping = true;
      state_->due.reset();
    }
    state_->wake.notify_all();
    state_->finished.notify_all();
    detail::join_or_detach(worker_);
  }

  Debouncer(const Debouncer&) = delete;
  Debouncer& operator=(const Debouncer&) = delete;

  // (Re)starts the delay: fn runs `delay` after the last trigger.
  // Notifies under the lock: once it is released, fn may destroy this Debouncer.
  void trigger() {
    std::lock_guard lock(state_->mutex);
    state_->due = Clock::now() + state_->delay;
    state_->wake.notify_all();
  }

  void flush() {
    const bool inside_fn = std::this_thread::get_id() == worker_.get_id();
    // A copy, because the call waited for may destroy this Debouncer.
    const std::shared_ptr<State> state = state_;
    std::unique_lock lock(state->mutex);
    if (!state->due) return;
    state->due = Clock::time_point::min();
    state->wake.notify_all();
    if (inside_fn) return;
    // The worker takes the pending call after the one it may be running now.
    const std::uint64_t target = state->calls_started + 1;
    state->finished.wait(lock, [&] { return state->calls_finished >= target || state->stopping; });
  }

 private:
  using Clock = std::chrono::steady_clock;

  // Shared with the worker thread, so that it outlives a Debouncer destroyed from inside fn.
  struct State {
    State(std::chrono::milliseconds d, std::function<void()> f) : delay(d), fn(std::move(f)) {}
    const std::chrono::milliseconds delay;
    const std::function<void()> fn;
    std::mutex mutex;
    std::condition_variable wake;      // due or stopping changed
    std::condition_variable finished;  // calls_finished changed
    std::optional<Clock::time_point> due;  // when the pending call runs; none pending if empty
    bool stopping = false;
    std::uint64_t calls_started = 0, calls_finished = 0;
  };

  static void run(State& s) {
    std::unique_lock lock(s.mutex);
    while (!s.stopping) {
      if (!s.due) {
        s.wake.wait(lock);
      } else if (const auto due = *s.due; Clock::now() < due) {
        s.wake.wait_until(lock, due);
      } else {
        s.due.reset();
        ++s.calls_started;
        lock.unlock();
        s.fn();
        lock.lock();
        ++s.calls_finished;
        s.finished.notify_all();
      }
    }
  }

  std::shared_ptr<State> state_;
  std::thread worker_;
};

}  // namespace cocobase
