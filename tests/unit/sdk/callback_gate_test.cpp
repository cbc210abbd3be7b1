// The threading contract's core (realtime.hpp): closing from another thread waits for a running
// callback and no callback starts afterwards; closing from inside a callback does not deadlock.
#include "realtime/callback_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
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
