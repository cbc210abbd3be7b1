#pragma once
// Internal to the patterns: the one thing Debouncer and Batcher share, ending their thread.
#include <thread>

namespace cocobase::detail {

// Joins `worker`, or detaches it when called on that very thread: the owner is then being
// destroyed from inside its own callback, and joining would wait for itself. The worker keeps
// its state alive through a shared_ptr and exits once the callback returns.
inline void join_or_detach(std::thread& worker) {
  if (!worker.joinable()) return;
  if (worker.get_id() == std::this_thread::get_id()) {
    worker.detach();
  } else {
    worker.join();
  }
}

}  // namespace cocobase::detail
