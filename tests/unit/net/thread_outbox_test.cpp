// ThreadOutbox and realtime::SendBatch: order of the frames a target accepts, one write per
// turn, hand-over at the end of a batch, and release of the targets when the io_context goes.
#include "net/thread_outbox.hpp"
#include "realtime/broadcast.hpp"
#include "realtime/send_batch.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cocobase::server::net {
namespace {

namespace asio = boost::asio;
using realtime::make_frame;

// Only ever touched on the io_context's thread, as a connection is.
class RecordingTarget final : public OutboxTarget, public std::enable_shared_from_this<RecordingTarget> {
 public:
  bool accept(realtime::Frame frame) override {
    accepted.emplace_back(frame->text());
    if (in_turn_) return false;
    in_turn_ = true;
    return true;
  }
  void write() override {
    in_turn_ = false;
    writes.push_back(accepted.size());
  }
  std::shared_ptr<OutboxTarget> strong() override { return shared_from_this(); }

  std::vector<std::string> accepted;
  std::vector<std::size_t> writes;  // frames accepted so far, at each write()

 private:
  bool in_turn_ = false;
};

TEST(ThreadOutbox, AcceptsInSendOrderAndWritesOncePerTurn) {
  asio::io_context io;
  auto& outbox = asio::use_service<ThreadOutbox>(io);
  auto target = std::make_shared<RecordingTarget>();
  outbox.send(*target, make_frame("a"));
  outbox.send(*target, make_frame("b"));
  outbox.send(*target, make_frame("c"));
  io.run();
  EXPECT_EQ(target->accepted, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(target->writes, (std::vector<std::size_t>{3}));

  outbox.send(*target, make_frame("d"));  // a later turn writes again
  io.restart();
  io.run();
  EXPECT_EQ(target->accepted.back(), "d");
  EXPECT_EQ(target->writes, (std::vector<std::size_t>{3, 4}));
}

TEST(ThreadOutbox, EachTargetIsWrittenOnceForManyFrames) {
  asio::io_context io;
  auto& outbox = asio::use_service<ThreadOutbox>(io);
  std::vector<std::shared_ptr<RecordingTarget>> targets;
  for (int i = 0; i < 100; ++i) targets.push_back(std::make_shared<RecordingTarget>());
  for (int round = 0; round < 5; ++round)
    for (auto& t : targets) outbox.send(*t, make_frame(std::to_string(round)));
  io.run();
  for (auto& t : targets) {
    EXPECT_EQ(t->accepted, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
    EXPECT_EQ(t->writes, (std::vector<std::size_t>{5}));
  }
}

TEST(ThreadOutbox, SendsFromManyThreadsKeepEachThreadsOrder) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  auto& outbox = asio::use_service<ThreadOutbox>(io);
  auto target = std::make_shared<RecordingTarget>();
  std::thread runner([&] { io.run(); });
  constexpr int kThreads = 4, kFrames = 2000;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t)
    senders.emplace_back([&, t] {
      auto send = [&](int i) { outbox.send(*target, make_frame(std::to_string(t) + ":" + std::to_string(i))); };
      for (int i = 0; i < kFrames;) {
        if (i % 100 == 0) {
          realtime::SendBatch batch;  // batched and direct sends interleave
          for (int j = 0; j < 10; ++j) send(i++);
        } else {
          send(i++);
        }
      }
    });
  for (auto& s : senders) s.join();
  guard.reset();
  runner.join();

  ASSERT_EQ(target->accepted.size(), std::size_t(kThreads * kFrames));
  std::vector<int> next(kThreads, 0);
  for (const auto& text : target->accepted) {
    int t = std::stoi(text.substr(0, text.find(':')));
    int i = std::stoi(text.substr(text.find(':') + 1));
    ASSERT_EQ(i, next[t]) << "thread " << t << " out of order";
    ++next[t];
  }
}

TEST(ThreadOutbox, ASendOnItsOwnThreadComesAfterLettersFromOtherThreads) {
  asio::io_context io;
  auto& outbox = asio::use_service<ThreadOutbox>(io);
  auto target = std::make_shared<RecordingTarget>();
  asio::post(io, [&] {
    EXPECT_TRUE(target->accepted.empty()) << "this handler runs before the outbox's turn";
    outbox.send(*target, make_frame("own thread"));
  });
  outbox.send(*target, make_frame("letter"));  // io is not running here: a letter
  io.run();
  EXPECT_EQ(target->accepted, (std::vector<std::string>{"letter", "own thread"}));
  EXPECT_EQ(target->writes, (std::vector<std::size_t>{2}));
}

TEST(SendBatch, HandsOverWhenTheOutermostBatchEnds) {
  asio::io_context io_a, io_b;
  auto& a = asio::use_service<ThreadOutbox>(io_a);
  auto& b = asio::use_service<ThreadOutbox>(io_b);
  auto ta = std::make_shared<RecordingTarget>();
  auto tb = std::make_shared<RecordingTarget>();
  {
    realtime::SendBatch outer;
    EXPECT_TRUE(realtime::SendBatch::open());
    a.send(*ta, make_frame("a1"));
    {
      realtime::SendBatch inner;
      b.send(*tb, make_frame("b1"));
      a.send(*ta, make_frame("a2"));
    }
    io_a.poll();
    io_b.poll();
    EXPECT_TRUE(ta->accepted.empty()) << "handed over before the outer batch ended";
    EXPECT_TRUE(tb->accepted.empty());
  }
  EXPECT_FALSE(realtime::SendBatch::open());
  io_a.restart();  // the empty polls above stopped them
  io_b.restart();
  io_a.poll();
  io_b.poll();
  EXPECT_EQ(ta->accepted, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(tb->accepted, (std::vector<std::string>{"b1"}));
  EXPECT_EQ(ta->writes, (std::vector<std::size_t>{2}));
}

TEST(SendBatch, FramesSentBeforeABatchStayAhead) {
  asio::io_context io;
  auto& outbox = asio::use_service<ThreadOutbox>(io);
  auto target = std::make_shared<RecordingTarget>();
  outbox.send(*target, make_frame("direct"));
  {
    realtime::SendBatch batch;
    outbox.send(*target, make_frame("batched"));
  }
  outbox.send(*target, make_frame("after"));
  io.run();
  EXPECT_EQ(target->accepted, (std::vector<std::string>{"direct", "batched", "after"}));
}

TEST(ThreadOutbox, ReleasesItsTargetsWhenTheIoContextGoes) {
  auto target = std::make_shared<RecordingTarget>();
  std::weak_ptr<RecordingTarget> weak = target;
  {
    asio::io_context io;
    asio::use_service<ThreadOutbox>(io).send(*target, make_frame("never written"));
    target.reset();
    EXPECT_FALSE(weak.expired()) << "the outbox holds what it has to deliver";
  }
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace cocobase::server::net

namespace cocobase::server::net {
namespace {

// A realtime::Connection whose frames go through an outbox, recording what it accepts.
class OutboxConnection final : public realtime::Connection,
                               public OutboxTarget,
                               public std::enable_shared_from_this<OutboxConnection> {
 public:
  explicit OutboxConnection(ThreadOutbox& outbox) : outbox_(outbox) {}
  void send(realtime::Frame frame) override { outbox_.send(*this, std::move(frame)); }
  void close(std::uint16_t, std::string) override {}
  std::size_t queued_bytes() const override { return 0; }
  void when_drained(std::function<void()>) override {}
  bool accept(realtime::Frame frame) override {
    seen.emplace_back(frame->text());
    if (in_turn_) return false;
    in_turn_ = true;
    return true;
  }
  void write() override { in_turn_ = false; }
  std::shared_ptr<OutboxTarget> strong() override { return shared_from_this(); }

  std::vector<std::string> seen;

 private:
  ThreadOutbox& outbox_;
  bool in_turn_ = false;
};

// BC-05 at the unit level: two I/O threads publish to one channel whose members live on both;
// every member must see the messages in the same order. Publishing on an I/O thread takes the
// own-thread path for that thread's members, so a batch handed over after the channel lock is
// released lets the other thread's message overtake it.
TEST(SendBatch, BroadcastMembersOnTwoThreadsSeeOneOrder) {
  asio::io_context io_a, io_b;
  auto guard_a = asio::make_work_guard(io_a);
  auto guard_b = asio::make_work_guard(io_b);
  auto& outbox_a = asio::use_service<ThreadOutbox>(io_a);
  auto& outbox_b = asio::use_service<ThreadOutbox>(io_b);
  realtime::BroadcastRegistry registry;
  std::vector<std::shared_ptr<OutboxConnection>> members;
  for (int i = 0; i < 4; ++i) {
    members.push_back(std::make_shared<OutboxConnection>(i % 2 ? outbox_b : outbox_a));
    registry.join("p", members.back().get(), members.back());
  }
  constexpr int kMessages = 3000;
  std::atomic<int> published{0};
  for (int k = 0; k < kMessages; ++k) {
    asio::post(io_a, [&, k] { registry.publish("p", make_frame("a" + std::to_string(k))); ++published; });
    asio::post(io_b, [&, k] { registry.publish("p", make_frame("b" + std::to_string(k))); ++published; });
  }
  std::thread run_a([&] { io_a.run(); });
  std::thread run_b([&] { io_b.run(); });
  // Every hand-over is posted by the time its publish returns; the guards keep both threads
  // running until then, and run() returns only once what was posted has run.
  while (published.load() < 2 * kMessages) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  guard_a.reset();
  guard_b.reset();
  run_a.join();
  run_b.join();

  ASSERT_EQ(members[0]->seen.size(), std::size_t(2 * kMessages));
  for (std::size_t m = 1; m < members.size(); ++m) {
    ASSERT_EQ(members[m]->seen.size(), members[0]->seen.size());
    for (std::size_t i = 0; i < members[0]->seen.size(); ++i)
      ASSERT_EQ(members[m]->seen[i], members[0]->seen[i]) << "member " << m << " differs at " << i;
  }
}

}  // namespace
}  // namespace cocobase::server::net
