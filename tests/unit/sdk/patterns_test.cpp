// Debouncer, Batcher and FanOut. Timing-dependent checks only wait (with a generous ceiling) for
// something to happen and assert lower bounds on delays; coalescing is tested with delays so
// long that only flush() or the destructor can end them, so nothing here depends on scheduling.
#include <cocobase/patterns.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using cocobase::Batcher;
using cocobase::Debouncer;
using cocobase::FanOut;
using cocobase::Subscription;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNever = std::chrono::milliseconds(std::chrono::hours(1));
constexpr auto kPatience = 20s;  // only reached when the code under test is broken

bool eventually(const std::function<bool()>& done) {
  const auto give_up = Clock::now() + kPatience;
  while (!done()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Runs `body(i)` on `n` threads at once and joins them.
void on_threads(int n, const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(body, i);
  for (auto& t : threads) t.join();
}

// Collects what a Batcher hands over; safe to read while the batcher runs.
template <class T>
struct BatchLog {
  std::mutex mutex;
  std::vector<std::vector<T>> batches;

  std::function<void(std::vector<T>)> sink() {
    return [this](std::vector<T> b) {
      std::lock_guard lock(mutex);
      batches.push_back(std::move(b));
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return batches.size();
  }
  std::vector<std::vector<T>> snapshot() {
    std::lock_guard lock(mutex);
    return batches;
  }
};

}  // namespace

// --- Debouncer

TEST(Debouncer, BurstOfTriggersRunsOnce) {
  std::atomic<int> calls{0};
  Debouncer d(kNever, [&] { ++calls; });
  on_threads(4, [&](int) {
    for (int i = 0; i < 1000; ++i) d.trigger();
  });
  d.flush();
  EXPECT_EQ(calls, 1);
  d.flush();  // nothing pending any more
  EXPECT_EQ(calls, 1);
}

TEST(Debouncer, RunsDelayAfterTheLastTrigger) {
  constexpr auto delay = 100ms;
  std::atomic<int> calls{0};
  std::atomic<Clock::rep> last_call{0};
  Debouncer d(delay, [&] {
    last_call = Clock::now().time_since_epoch().count();
    ++calls;
  });
  d.trigger();
  std::this_thread::sleep_for(30ms);
  d.trigger();
  std::this_thread::sleep_for(30ms);
  const auto last_trigger = Clock::now();
  d.trigger();
  ASSERT_TRUE(eventually([&] { return Clock::time_point(Clock::duration(last_call)) > last_trigger; }));
  EXPECT_GE(Clock::time_point(Clock::duration(last_call)) - last_trigger, delay);
  EXPECT_GE(calls, 1);
}

TEST(Debouncer, FlushWithNothingPendingDoesNothing) {
  std::atomic<int> calls{0};
  Debouncer d(1ms, [&] { ++calls; });
  d.flush();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(calls, 0);
}

TEST(Debouncer, DestructorCancelsThePendingCall) {
  std::atomic<int> calls{0};
  {
    Debouncer d(kNever, [&] { ++calls; });
    d.trigger();
  }
  EXPECT_EQ(calls, 0);
}

TEST(Debouncer, DestructorWaitsForARunningCall) {
  std::atomic<bool> started{false}, finished{false};
  {
    Debouncer d(1ms, [&] {
      started = true;
      std::this_thread::sleep_for(100ms);
      finished = true;
    });
    d.trigger();
    ASSERT_TRUE(eventually([&] { return started.load(); }));
  }
  EXPECT_TRUE(finished);
}

TEST(Debouncer, TriggerAndFlushFromInsideFn) {
  std::atomic<int> calls{0};
  std::unique_ptr<Debouncer> d;
  d = std::make_unique<Debouncer>(kNever, [&] {
    if (++calls == 1) {
      d->trigger();
      d->flush();  // must not wait for itself; the next call follows this one
    }
  });
  d->trigger();
  d->flush();
  ASSERT_TRUE(eventually([&] { return calls == 2; }));
  d.reset();
  EXPECT_EQ(calls, 2);
}

TEST(Debouncer, DestroyedFromInsideFn) {
  // The state the callback touches outlives the test body: the worker finishes after it.
  struct Shared {
    std::unique_ptr<Debouncer> debouncer;
    std::atomic<bool> destroyed{false};
  };
  auto shared = std::make_shared<Shared>();
  shared->debouncer = std::make_unique<Debouncer>(1ms, [weak = std::weak_ptr(shared)] {
    const auto s = weak.lock();
    if (!s) return;
    s->debouncer.reset();
    s->destroyed = true;
  });
  shared->debouncer->trigger();
  EXPECT_TRUE(eventually([&] { return shared->destroyed.load(); }));
}

TEST(Debouncer, RejectsAnEmptyFunction) {
  EXPECT_THROW(Debouncer(1ms, nullptr), std::invalid_argument);
}

// --- Batcher

TEST(Batcher, HandsOverFullBatchesWithoutWaiting) {
  BatchLog<int> log;
  Batcher<int> b(3, kNever, log.sink());
  for (int i = 1; i <= 7; ++i) b.push(i);
  ASSERT_TRUE(eventually([&] { return log.count() == 2; }));
  EXPECT_EQ(b.pending(), 1u);
  b.flush();
  EXPECT_EQ(log.snapshot(), (std::vector<std::vector<int>>{{1, 2, 3}, {4, 5, 6}, {7}}));
  EXPECT_EQ(b.pending(), 0u);
}

TEST(Batcher, HandsOverAnOpenBatchAfterMaxDelay) {
  constexpr auto max_delay = 50ms;
  BatchLog<int> log;
  std::atomic<Clock::rep> delivered{0};
  Batcher<int> b(100, max_delay, [&](std::vector<int> batch) {
    delivered = Clock::now().time_since_epoch().count();
    log.sink()(std::move(batch));
  });
  const auto first_push = Clock::now();
  b.push(1);
  b.push(2);
  ASSERT_TRUE(eventually([&] { return b.pending() == 0 && log.count() > 0; }));
  EXPECT_GE(Clock::time_point(Clock::duration(delivered)) - first_push, max_delay);
  std::vector<int> all;
  for (const auto& batch : log.snapshot()) all.insert(all.end(), batch.begin(), batch.end());
  EXPECT_EQ(all, (std::vector<int>{1, 2}));  // one batch unless the pushes were 50 ms apart
}

TEST(Batcher, DestructorDeliversWhatIsPending) {
  BatchLog<int> log;
  {
    Batcher<int> b(10, kNever, log.sink());
    b.push(1);
    b.push(2);
  }
  EXPECT_EQ(log.snapshot(), (std::vector<std::vector<int>>{{1, 2}}));
}

TEST(Batcher, FlushWaitsForTheBatchBeingProcessed) {
  std::atomic<bool> started{false}, finished{false};
  Batcher<int> b(1, kNever, [&](std::vector<int>) {
    started = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  b.push(1);
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  b.flush();
  EXPECT_TRUE(finished);
}

TEST(Batcher, ConcurrentProducersLoseNothing) {
  constexpr int threads = 4, per_thread = 1000;
  constexpr std::size_t max_items = 7;
  BatchLog<int> log;
  {
    Batcher<int> b(max_items, 1ms, log.sink());
    on_threads(threads, [&](int t) {
      for (int i = 0; i < per_thread; ++i) b.push(t * per_thread + i);
    });
  }
  std::vector<int> all;
  for (const auto& batch : log.snapshot()) {
    EXPECT_FALSE(batch.empty());
    EXPECT_LE(batch.size(), max_items);
    all.insert(all.end(), batch.begin(), batch.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<int> expected(threads * per_thread);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);
}

TEST(Batcher, MoveOnlyItems) {
  std::vector<int> seen;
  {
    Batcher<std::unique_ptr<int>> b(2, kNever, [&](std::vector<std::unique_ptr<int>> batch) {
      for (auto& p : batch) seen.push_back(*p);
    });
    b.push(std::make_unique<int>(1));
    b.push(std::make_unique<int>(2));
    b.push(std::make_unique<int>(3));
  }
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
}

TEST(Batcher, PushAndFlushFromInsideFn) {
  BatchLog<int> log;
  std::unique_ptr<Batcher<int>> b;
  b = std::make_unique<Batcher<int>>(10, kNever, [&](std::vector<int> batch) {
    if (batch.front() == 1) {
      b->push(2);
      b->flush();  // must not wait for itself
    }
    log.sink()(std::move(batch));
  });
  b->push(1);
  b->flush();
  ASSERT_TRUE(eventually([&] { return log.count() == 2; }));
  b.reset();
  EXPECT_EQ(log.snapshot(), (std::vector<std::vector<int>>{{1}, {2}}));
}

TEST(Batcher, DestroyedFromInsideFnDiscardsWhatIsPending) {
  struct Shared {
    std::unique_ptr<Batcher<int>> batcher;
    std::atomic<int> batches{0};
    std::atomic<bool> destroyed{false};
  };
  auto shared = std::make_shared<Shared>();
  shared->batcher = std::make_unique<Batcher<int>>(1, kNever, [weak = std::weak_ptr(shared)](std::vector<int>) {
    const auto s = weak.lock();
    if (!s) return;
    ++s->batches;
    s->batcher.reset();
    s->destroyed = true;
  });
  shared->batcher->push(1);  // delivered alone: max_items is 1
  ASSERT_TRUE(eventually([&] { return shared->destroyed.load(); }));
  EXPECT_EQ(shared->batches, 1);
}

TEST(Batcher, RejectsBadArguments) {
  EXPECT_THROW(Batcher<int>(0, 1ms, [](std::vector<int>) {}), std::invalid_argument);
  EXPECT_THROW(Batcher<int>(1, 1ms, nullptr), std::invalid_argument);
}

// --- FanOut

TEST(FanOut, PublishReachesEverySubscriberInOrder) {
  FanOut<int> fan;
  std::vector<std::string> calls;
  auto a = fan.subscribe([&](int v) { calls.push_back("a" + std::to_string(v)); });
  auto b = fan.subscribe([&](int v) { calls.push_back("b" + std::to_string(v)); });
  EXPECT_EQ(fan.size(), 2u);
  fan.publish(1);
  fan.publish(2);
  EXPECT_EQ(calls, (std::vector<std::string>{"a1", "b1", "a2", "b2"}));
}

TEST(FanOut, SubscriptionEndsOnResetDestructionAndMove) {
  FanOut<int> fan;
  int calls = 0;
  {
    auto sub = fan.subscribe([&](int) { ++calls; });
    Subscription moved = std::move(sub);
    EXPECT_FALSE(sub);
    EXPECT_TRUE(moved);
    sub.reset();  // the moved-from one owns nothing
    EXPECT_EQ(fan.size(), 1u);
    fan.publish(0);
  }
  EXPECT_EQ(fan.size(), 0u);
  fan.publish(0);
  auto sub = fan.subscribe([&](int) { ++calls; });
  sub.reset();
  EXPECT_FALSE(sub);
  fan.publish(0);
  EXPECT_EQ(calls, 1);
}

TEST(FanOut, UnsubscribeAndSubscribeFromInsideACallback) {
  FanOut<int> fan;
  std::vector<int> once_seen, late_seen;
  Subscription once, late;
  once = fan.subscribe([&](int v) {
    once_seen.push_back(v);
    once.reset();
    late = fan.subscribe([&](int w) { late_seen.push_back(w); });
  });
  fan.publish(1);
  fan.publish(2);
  EXPECT_EQ(once_seen, std::vector<int>{1});
  EXPECT_EQ(late_seen, std::vector<int>{2});  // added during publish(1): not called for it
  EXPECT_EQ(fan.size(), 1u);
}

TEST(FanOut, PublishFromInsideACallback) {
  FanOut<int> fan;
  std::vector<int> seen;
  auto sub = fan.subscribe([&](int v) {
    seen.push_back(v);
    if (v < 3) fan.publish(v + 1);
  });
  fan.publish(1);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
}

TEST(FanOut, ResetWaitsForACallRunningOnAnotherThread) {
  FanOut<int> fan;
  std::atomic<bool> started{false}, finished{false};
  auto sub = fan.subscribe([&](int) {
    started = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  std::thread publisher([&] { fan.publish(1); });
  ASSERT_TRUE(eventually([&] { return started.load(); }));
  sub.reset();
  EXPECT_TRUE(finished);
  publisher.join();
}

TEST(FanOut, SubscriptionMayOutliveTheFanOut) {
  Subscription sub;
  {
    FanOut<int> fan;
    sub = fan.subscribe([](int) {});
  }
  sub.reset();
  EXPECT_FALSE(sub);
}

TEST(FanOut, ConcurrentPublishersAndSubscribers) {
  FanOut<int> fan;
  std::atomic<long> total{0};
  auto steady = fan.subscribe([&](int v) { total += v; });
  on_threads(4, [&](int t) {
    for (int i = 0; i < 500; ++i) {
      if (t % 2 == 0) {
        fan.publish(1);
      } else {
        auto churn = fan.subscribe([](int) {});
        fan.publish(0);
      }
    }
  });
  EXPECT_EQ(total, 2 * 500);
  EXPECT_EQ(fan.size(), 1u);
}

TEST(FanOut, RejectsAnEmptyCallback) {
  FanOut<int> fan;
  EXPECT_THROW((void)fan.subscribe(nullptr), std::invalid_argument);
}
