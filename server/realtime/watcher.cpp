#include "realtime/watcher.hpp"

#include "realtime/ws_error.hpp"

namespace cocobase::server::realtime {

std::optional<std::string> Watcher::owner() const {
  std::lock_guard lock(mutex_);
  return scope_.owner;
}

bool Watcher::owner_allows(const std::string& owner_id) const {
  std::lock_guard lock(mutex_);
  return allows_locked(owner_id);
}

// The lock is per watcher and held while queueing (Connection::send only enqueues), so that a
// live event cannot overtake the flush of the buffer in go_live.
void Watcher::deliver(std::uint64_t seq, const std::string& owner_id, const Frame& frame) {
  std::lock_guard lock(mutex_);
  if (overflowed_ || !allows_locked(owner_id)) return;
  if (!live_) {
    buffered_bytes_ += frame->size();
    buffer_.push_back(Buffered{seq, owner_id, frame});
    while (buffered_bytes_ > max_buffer_bytes_ && !buffer_.empty()) {
      dropped_through_ = buffer_.front().seq;  // judged in go_live, once the head is known
      buffered_bytes_ -= buffer_.front().frame->size();
      buffer_.pop_front();
    }
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
  if (dropped_through_ > head) {
    // Events the client needs were dropped: a replay slower than the writers gets the same
    // treatment as a slow reader (8f), and resumes.
    overflowed_ = true;
    buffer_.clear();
    if (auto c = conn_.lock()) c->close(kCloseSlowConsumer, "SLOW_CONSUMER");
    return;
  }
  if (auto c = conn_.lock()) {
    for (auto& b : buffer_)
      if (b.seq > head && allows_locked(b.owner_id)) c->send(std::move(b.frame));
  }
  buffer_.clear();
  buffer_.shrink_to_fit();
}

void Watcher::set_owner(std::optional<std::string> owner) {
  std::lock_guard lock(mutex_);
  scope_.owner = std::move(owner);
}

void Watcher::stop() {
  std::lock_guard lock(mutex_);
  overflowed_ = true;
  buffer_.clear();
}

}  // namespace cocobase::server::realtime
