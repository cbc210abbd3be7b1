#pragma once
// Hands committed change events from the store's writer thread to one fan-out thread, in
// order. Watch filters run where the events are delivered; on the writer thread, one costly
// filter on one collection delayed every write of every collection (issue #12, finding 4).
// Now a slow fan-out delays only the watchers.
//
// Thread-safety: post() from one thread at a time (the writer); the handler runs on the
// fan-out thread only. The queue is bounded: when the fan-out falls `max_queued` events behind,
// post() waits, so memory stays bounded and the writer slows instead of the process growing.
#include "store/change_event.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cocobase::server {

class FanoutThread {
 public:
  using Handler = std::function<void(const ChangeEventPtr&)>;

  FanoutThread(Handler handler, std::size_t max_queued);
  ~FanoutThread() { stop(); }
  FanoutThread(const FanoutThread&) = delete;
  FanoutThread& operator=(const FanoutThread&) = delete;

  void post(ChangeEventPtr event);
  // Delivers what is queued, then joins the thread. Call after the last post (the store is
  // closed) and before the consumers go away. Idempotent.
  void stop();

 private:
  void run();

  Handler handler_;
  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<ChangeEventPtr> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cocobase::server
