// The fan-out thread between the store writer and the watch hub (issue #12, finding 4).
#include "bus/fanout_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using namespace cocobase::server;

namespace {

ChangeEventPtr event(std::uint64_t seq) {
  auto e = std::make_shared<ChangeEvent>();
  e->seq = seq;
  return e;
}

}  // namespace

TEST(FanoutThread, DeliversInPostOrderOnItsOwnThread) {
  std::mutex m;
  std::vector<std::uint64_t> seen;
  std::thread::id handler_thread;
  {
    FanoutThread f(
        [&](const ChangeEventPtr& e) {
          std::lock_guard lock(m);
          handler_thread = std::this_thread::get_id();
          seen.push_back(e->seq);
        },
        8);
    for (std::uint64_t i = 1; i <= 1000; ++i) f.post(event(i));
    f.stop();  // delivers everything queued first
  }
  ASSERT_EQ(seen.size(), 1000u);
  for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i + 1);
  EXPECT_NE(handler_thread, std::this_thread::get_id());
}

// A handler that stalls must hold the poster back once max_queued events wait, not let the
// queue grow. The poster tries for 100 events while the handler is stuck on the first.
TEST(FanoutThread, PostWaitsWhenTheQueueIsFull) {
  constexpr std::size_t kMaxQueued = 4;
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  std::atomic<std::size_t> delivered{0};
  FanoutThread f(
      [&, first = true](const ChangeEventPtr&) mutable {
        if (first) {
          first = false;
          entered.set_value();
          released.wait();
        }
        delivered.fetch_add(1);
      },
      kMaxQueued);
  f.post(event(1));
  entered.get_future().wait();
  std::atomic<std::size_t> posted{1};
  std::thread poster([&] {
    for (std::uint64_t i = 2; i <= 100; ++i) {
      f.post(event(i));
      posted.fetch_add(1);
    }
  });
  while (posted.load() < 1 + kMaxQueued) std::this_thread::yield();
  // Give an unbounded queue every chance to show itself; no timing is asserted.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(posted.load(), 1 + kMaxQueued);
  release.set_value();
  poster.join();
  f.stop();
  EXPECT_EQ(delivered.load(), 100u);
}
