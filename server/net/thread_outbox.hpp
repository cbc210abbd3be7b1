#pragma once
// The frames sent to the connections of one I/O thread, from any thread. A sender appends to
// one list under one short lock (or, inside a realtime::SendBatch, hands a whole fan-out over
// at once); the I/O thread swaps the list out, gives each connection its frames, then writes
// each connection once. A fan-out to N connections of a thread costs one post rather than N,
// and the I/O thread takes no per-connection lock.
//
// A write turn yields to the reactor after kTurnBudget and takes the newly sent frames first:
// a message read while a long fan-out is being written joins the queues of the connections
// not yet written in this turn instead of waiting for the whole turn (docs/benchmarks.md).
#include "realtime/connection.hpp"

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace cocobase::server::net {

class OutboxTarget {
 public:
  virtual ~OutboxTarget() = default;
  // On the outbox's thread, in the order the frames were sent. Returns true when the target
  // wants a write() in this turn and has not asked for one yet.
  virtual bool accept(realtime::Frame frame) = 0;
  // On the outbox's thread: writes what was accepted.
  virtual void write() = 0;
  // Keeps the target alive while the outbox holds it.
  virtual std::shared_ptr<OutboxTarget> strong() = 0;
};

// One per io_context (an Asio service: asio::use_service<ThreadOutbox>(io_context)).
class ThreadOutbox final : public boost::asio::execution_context::service {
 public:
  using key_type = ThreadOutbox;
  static boost::asio::execution_context::id id;

  explicit ThreadOutbox(boost::asio::execution_context& ctx);

  // Thread-safe. Frames sent to one target are accepted in the order of these calls; frames
  // another thread sends inside a realtime::SendBatch count as sent when the batch ends. On the
  // outbox's own thread the target accepts the frame at once (no letter).
  void send(OutboxTarget& target, realtime::Frame frame);

  // Shorter lowered the 10,000-receiver steady latency (more messages read mid-turn join it)
  // but raised the write->event latency, where each yield let the REST request and the store
  // writer's commit cut into the turn: 2 ms measured p99 105 ms and 22 ms on those two, 10 ms
  // measured 121 ms and 12 ms (docs/benchmarks.md).
  static constexpr std::chrono::microseconds kTurnBudget{10000};
  static constexpr std::size_t kCheckEvery = 32;  // writes between two looks at the clock

  // On the outbox's thread: whether a turn has connections left to write.
  bool writing() const { return next_ < writing_.size(); }

 private:
  struct Letter {
    std::shared_ptr<OutboxTarget> target;
    realtime::Frame frame;
  };
  class Staging;

  void hand_over(std::vector<Letter>& letters);

  void shutdown() override;
  void post_turn_locked();
  void run_turn();
  void take_letters();
  void take(OutboxTarget& target, realtime::Frame frame);

  boost::asio::io_context& io_;
  std::mutex mutex_;
  std::vector<Letter> incoming_;  // guarded
  bool posted_ = false;           // guarded: a run_turn is queued or running

  // The I/O thread's own.
  std::vector<Letter> taken_;
  std::vector<std::shared_ptr<OutboxTarget>> writing_;  // [next_, end) still to write this turn
  std::size_t next_ = 0;
};

}  // namespace cocobase::server::net
