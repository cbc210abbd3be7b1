#pragma once
// Batcher<T>: groups items into batches, e.g. watch events into one UI update or many small
// writes into one batch_create. A batch is handed over when it holds max_items, or max_delay
// after its first item was pushed, whichever comes first.
//
// Threading contract:
// - push(), flush() and pending() may be called from any thread, including from inside fn.
// - fn always runs on the batcher's own thread, so calls of fn never overlap and batches arrive
//   in push order. It must not throw: an exception escaping it ends the program, as from any
//   std::thread.
// - push() never blocks: items wait in memory until fn takes them, so when fn is slower than
//   the producers the backlog grows. Producers that must stay bounded check pending().
// - flush() hands the open batch over at once. From another thread it returns after fn has
//   processed every item pushed before the call; from inside fn it only queues the batch.
// - The destructor delivers what is pending, waits for fn to process it, then stops. Called
//   from inside fn it does not wait (that would wait for itself) and discards what is pending,
//   because fn may refer to whatever is being destroyed. No member may be called concurrently
//   with the destructor.
#include <cocobase/patterns/worker_thread.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace cocobase {

template <class T>
class Batcher {
 public:
  using Batch = std::vector<T>;

  // Throws std::invalid_argument when max_items is 0 or fn is empty.
  Batcher(std::size_t max_items, std::chrono::milliseconds max_delay,
          std::function<void(Batch)> fn)
      : state_(std::make_shared<State>(max_items, max_delay, std::move(fn))) {
    if (max_items == 0) throw std::invalid_argument("Batcher: max_items must be at least 1");
    if (!state_->fn) throw std::invalid_argument("Batcher: empty function");
    worker_ = std::thread([state = state_] { run(*state); });
  }

  ~Batcher() {
    const bool inside_fn = std::this_thread::get_id() == worker_.get_id();
    {
      std::lock_guard lock(state_->mutex);
      if (inside_fn) {
        state_->open.clear();
        state_->ready.clear();
      } else {
        close_open_batch(*state_);
      }
      state_->stopping = true;
    }
    state_->wake.notify_all();
    state_->finished.notify_all();
    detail::join_or_detach(worker_);
  }

  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Notifies under the lock: once it is released, fn may destroy this Batcher.
  void push(T item) {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    const bool first = s.open.empty();
    if (first) s.open_deadline = Clock::now() + s.max_delay;
    s.open.push_back(std::move(item));
    const bool full = s.open.size() >= s.max_items;
    if (full) close_open_batch(s);
    // Only a new deadline or a complete batch is news to the worker.
    if (first || full) s.wake.notify_all();
  }

  void flush() {
    const bool inside_fn = std::this_thread::get_id() == worker_.get_id();
    // A copy, because a batch waited for may destroy this Batcher.
    const std::shared_ptr<State> state = state_;
    std::unique_lock lock(state->mutex);
    close_open_batch(*state);
    state->wake.notify_all();
    if (inside_fn) return;
    // Every batch queued now, and the one fn may be processing, must be finished.
    const std::uint64_t target = state->batches_taken + state->ready.size();
    state->finished.wait(lock, [&] { return state->batches_finished >= target || state->stopping; });
  }

  // Items pushed and not yet handed to fn.
  std::size_t pending() const {
    std::lock_guard lock(state_->mutex);
    std::size_t n = state_->open.size();
    for (const Batch& b : state_->ready) n += b.size();
    return n;
  }

 private:
  using Clock = std::chrono::steady_clock;

  // Shared with the worker thread, so that it outlives a Batcher destroyed from inside fn.
  struct State {
    State(std::size_t n, std::chrono::milliseconds d, std::function<void(Batch)> f)
        : max_items(n), max_delay(d), fn(std::move(f)) {}
    const std::size_t max_items;
    const std::chrono::milliseconds max_delay;
    const std::function<void(Batch)> fn;
    mutable std::mutex mutex;
    std::condition_variable wake;      // open, ready or stopping changed
    std::condition_variable finished;  // batches_finished changed
    Batch open;                        // the batch being filled
    Clock::time_point open_deadline;   // when `open` is handed over whatever its size
    std::deque<Batch> ready;           // complete batches waiting for fn, oldest first
    bool stopping = false;
    std::uint64_t batches_taken = 0, batches_finished = 0;
  };

  // Precondition: s.mutex is held.
  static void close_open_batch(State& s) {
    if (s.open.empty()) return;
    s.ready.push_back(std::move(s.open));
    s.open.clear();  // a moved-from vector is valid but not necessarily empty
  }

  static void run(State& s) {
    std::unique_lock lock(s.mutex);
    for (;;) {
      if (!s.open.empty() && Clock::now() >= s.open_deadline) close_open_batch(s);
      if (!s.ready.empty()) {
        Batch batch = std::move(s.ready.front());
        s.ready.pop_front();
        ++s.batches_taken;
        lock.unlock();
        s.fn(std::move(batch));
        lock.lock();
        ++s.batches_finished;
        s.finished.notify_all();
      } else if (s.stopping) {
        return;
      } else if (s.open.empty()) {
        s.wake.wait(lock);
      } else {
        const Clock::time_point deadline = s.open_deadline;
        s.wake.wait_until(lock, deadline);
      }
    }
  }

  std::shared_ptr<State> state_;
  std::thread worker_;
};

}  // namespace cocobase
