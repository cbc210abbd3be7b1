#include "realtime/watcher.hpp"

#include "realtime/ws_error.hpp"

namespace cocobase::server::realtime {

// The lock is per watcher and held while queueing (Connection::send only enqueues), so that a
// live event cannot overtake the flush of the buffer in go_live.
void Watcher::deliver(std::uint64_t seq, const Frame& frame) {
  std::lock_guard lock(mutex_);
  if (overflowed_) return;
  if (!live_) {
    buffered_bytes_ += frame->size();
    if (buffered_bytes_ > max_buffer_bytes_) {
      // A replay slower than the writers: the same treatment as a slow reader (8f).
      overflowed_ = true;
      buffer_.clear();
      if (auto c = conn_.lock()) c->close(kCloseSlowConsumer, "SLOW_CONSUMER");
      return;
    }
    buffer_.emplace_back(seq, frame);
    return;
  }
  if (seq <= head_) return;
  if (auto c = conn_.lock()) c->send(frame);
}

void Watcher::go_live(std::uint64_t head) {
  std::lock_guard lock(mutex_);
  head_ = head;
  live_ = true;
  if (overflowed_) return;
  if (auto c = conn_.lock()) {
    for (auto& [seq, frame] : buffer_)
      if (seq > head) c->send(std::move(frame));
  }
  buffer_.clear();
  buffer_.shrink_to_fit();
}

}  // namespace cocobase::server::realtime
