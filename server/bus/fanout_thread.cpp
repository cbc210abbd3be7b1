#include "bus/fanout_thread.hpp"

#include <pthread.h>

#include <vector>

namespace cocobase::server {

FanoutThread::FanoutThread(Handler handler, std::size_t max_queued)
    : handler_(std::move(handler)), max_queued_(max_queued == 0 ? 1 : max_queued) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "cb-fanout");  // shown by top -H, ps -T, perf
    run();
  });
}

void FanoutThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  room_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FanoutThread::post(ChangeEventPtr event) {
  std::unique_lock lock(mutex_);
  room_.wait(lock, [&] { return queue_.size() < max_queued_ || stopping_; });
  queue_.push_back(std::move(event));
  // Only the fan-out thread waits on ready_; it drains everything it finds, so a notify per
  // event is cheap (no waiter, no syscall) while it is busy.
  lock.unlock();
  ready_.notify_one();
}

void FanoutThread::run() {
  std::vector<ChangeEventPtr> taken;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything was delivered
      taken.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
    }
    room_.notify_all();
    for (const auto& e : taken) handler_(e);
    taken.clear();
  }
}

}  // namespace cocobase::server
