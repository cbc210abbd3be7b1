#pragma once
// What the realtime logic needs from a WebSocket: queue a text frame, close. The network layer
// (server/net) implements it; this module never sees sockets.
#include "realtime/wire_frame.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace cocobase::server::realtime {

// One serialized server message, framed. Immutable and shared: a fan-out builds it once and
// hands the same pointer to every receiver.
using Frame = std::shared_ptr<const WireFrame>;

class Connection {
 public:
  virtual ~Connection() = default;

  // Queues a text frame. Thread-safe; frames queued from one thread are sent in call order.
  // Over --ws-max-queue-bytes the queue is discarded and the socket closed with 4509.
  virtual void send(Frame frame) = 0;

  // Sends the close frame (status `code`, reason `reason`) after the frames already queued and
  // stops delivering client messages. Thread-safe; later calls are ignored.
  virtual void close(std::uint16_t code, std::string reason) = 0;

  // Bytes queued and not yet written. Any thread.
  virtual std::size_t queued_bytes() const = 0;
  // Calls `fn` once on the connection's thread when everything queued so far has been written;
  // never after the socket closed. Only from the connection's thread; one pending call at a time.
  // Lets a long replay keep the queue short instead of tripping the slow-consumer bound.
  virtual void when_drained(std::function<void()> fn) = 0;
};

inline Frame make_frame(std::string_view text) { return std::make_shared<const WireFrame>(WsOpcode::text, text); }

}  // namespace cocobase::server::realtime
