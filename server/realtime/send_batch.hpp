#pragma once
// Groups the frames one thread sends during a fan-out, so that each receiving I/O thread is
// handed them at once (one lock, one wake-up) rather than once per receiver. Without it, a
// fan-out from the store writer to N watchers could wake their I/O thread N times, and on a
// shared core each wake-up preempted the fan-out (docs/benchmarks.md).
//
// A fan-out opens a SendBatch; a Connection implementation asks `open()` in send() and, when a
// batch is open, keeps the frame and registers a Sink that hands the kept frames over when
// the outermost batch of the thread ends. Frames one thread sends keep their order.
//
// Receivers that must agree on one order across publishing threads (a broadcast channel, a
// room) get it from the registry's lock: such a fan-out ends its batch while it still holds
// that lock, and so must not run inside an outer batch (which would defer the hand-over).
namespace cocobase::server::realtime {

class SendBatch {
 public:
  class Sink {
   public:
    virtual void flush_batch() = 0;

   protected:
    ~Sink() = default;
  };

  SendBatch();
  ~SendBatch();
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;

  // Whether a batch is open on the calling thread.
  static bool open();
  // Calls sink.flush_batch() once when the outermost batch of the calling thread ends.
  static void flush_at_end(Sink& sink);
};

}  // namespace cocobase::server::realtime
