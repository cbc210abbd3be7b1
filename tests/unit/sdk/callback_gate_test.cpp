// The threading contract's core (realtime.hpp): closing from another thread waits for a running
// callback and no callback starts afterwards; closing from inside a callback does not deadlock.
#include "realtime/callback_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace cocobase::detail {
namespace {

TEST(CallbackGate, CloseFromAnotherThreadWaitsForTheRunningCallback) {
  CallbackGate gate;
  std::promise<void> entered;
  std::atomic<bool> release{false}, finished{false};
  std::thread io([&] {
    gate.run([&] {
      entered.set_value();
      while (!release) std::this_thread::yield();
      finished = true;
    });
  });
  entered.get_future().wait();
  std::thread closer([&] {
    gate.close();
    // close() returned: the callback must have finished.
    EXPECT_TRUE(finished.load());
  });
  release = true;
  closer.join();
  io.join();
  bool ran = false;
  gate.run([&] { ran = true; });
  EXPECT_FALSE(ran);
  EXPECT_TRUE(gate.closed());
}

// close() from another thread takes effect at once: callbacks that had not started are skipped
// even if the I/O thread runs them before the closing thread gets the mutex (it is not fair).
TEST(CallbackGate, CloseFromAnotherThreadSkipsCallbacksQueuedBehindTheRunningOne) {
  CallbackGate gate;
  std::promise<void> entered;
  std::atomic<bool> saw_closed{false};
  int later_calls = 0;
  std::thread io([&] {
    gate.run([&] {
      entered.set_value();
      // The closer is blocked on the mutex; the gate must already read as closed.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!gate.closed() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      saw_closed = gate.closed();
    });
    for (int i = 0; i < 100; ++i) gate.run([&] { ++later_calls; });
  });
  entered.get_future().wait();
  std::thread closer([&] { gate.close(); });
  closer.join();
  io.join();
  EXPECT_TRUE(saw_closed.load());
  EXPECT_EQ(later_calls, 0);
}

TEST(CallbackGate, CloseFromInsideACallbackReturnsAndStopsLaterCallbacks) {
  CallbackGate gate;
  int calls = 0;
  gate.run([&] {
    ++calls;
    gate.close();
  });
  gate.run([&] { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(CallbackGate, ACallbackMayRegisterOnItsOwnGate) {
  CallbackGate gate;
  bool registered = false;
  gate.run([&] { gate.with_lock([&] { registered = true; }); });
  EXPECT_TRUE(registered);
}

}  // namespace
}  // namespace cocobase::detail
