#pragma once
// The one control frame of a kind (our pong, our ping) that a connection may owe at a time.
//
// RFC 6455 5.5.3 lets an endpoint that has not yet answered several pings answer only the most
// recent one. A client that sends pings and never reads would otherwise make the server queue
// one pong per ping without bound (issue 12: ~180 MB/s, 1.6 GB on one unauthenticated socket).
// So a new pong replaces the queued one while that one has not begun to be written; a frame
// partly written must be finished, or the stream would be corrupt. The same holds for our
// keepalive ping: a second one is not queued behind an unsent first.
//
// Pure bookkeeping over the write queue's indexes (the session owns the queue): the session
// tells it where the frame went and when the queue was cut or cleared.
#include <cstddef>
#include <limits>

namespace cocobase::server::net {

class ControlSlot {
 public:
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

  // The index of the queued frame that a new one of this kind may replace (it has not begun
  // to be written: at or after `head`, and not the partly written head), or npos.
  std::size_t replaceable(std::size_t head, std::size_t head_offset) const {
    if (index_ == npos) return npos;
    if (index_ > head || (index_ == head && head_offset == 0)) return index_;
    return npos;
  }

  // A frame of this kind was appended at `index`.
  void queued(std::size_t index) { index_ = index; }

  // The queue was cut to its first `size` frames (0: cleared); indexes past it are gone.
  void truncated(std::size_t size) {
    if (index_ != npos && index_ >= size) index_ = npos;
  }

 private:
  std::size_t index_ = npos;
};

}  // namespace cocobase::server::net
