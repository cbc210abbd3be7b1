// The reconnect schedule and dead-connection detection (PROTOCOL 9.2), driven by an injected
// random source and a fake clock instead of sleeps.
#include "realtime/backoff.hpp"
#include "realtime/liveness.hpp"
#include "realtime/send_pacer.hpp"

#include <cocobase/protocol/realtime_codes.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace cocobase::detail {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

RealtimeOptions protocol_defaults() { return RealtimeOptions{}; }

std::vector<std::int64_t> schedule(Backoff& b, int n, std::uint16_t code = 1006) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(b.next_delay(code).count());
  return out;
}

TEST(Backoff, DoublesFromOneSecondUpToThirtyWithoutJitterAtMidpoint) {
  Backoff b(protocol_defaults(), [] { return 0.5; });  // factor exactly 1
  EXPECT_EQ(schedule(b, 7), (std::vector<std::int64_t>{1000, 2000, 4000, 8000, 16000, 30000, 30000}));
}

TEST(Backoff, JitterStaysWithinTwentyPercent) {
  Backoff low(protocol_defaults(), [] { return 0.0; });
  Backoff high(protocol_defaults(), [] { return 0.999999; });
  EXPECT_EQ(schedule(low, 3), (std::vector<std::int64_t>{800, 1600, 3200}));
  const auto h = schedule(high, 6);
  EXPECT_EQ(h[0], 1199);
  EXPECT_EQ(h[5], 35999);  // the cap applies before jitter
}

TEST(Backoff, ResetAfterConfirmationStartsOver) {
  Backoff b(protocol_defaults(), [] { return 0.5; });
  schedule(b, 4);
  EXPECT_EQ(b.attempt(), 4);
  b.reset();
  EXPECT_EQ(b.attempt(), 0);
  EXPECT_EQ(b.next_delay(1006), 1000ms);
}

TEST(Backoff, RateLimitedCloseWaitsAtLeastFiveSeconds) {
  Backoff b(protocol_defaults(), [] { return 0.0; });
  EXPECT_EQ(b.next_delay(protocol::kCloseRateLimited), 5000ms);
  EXPECT_EQ(b.next_delay(1006), 1600ms);  // other codes keep the plain schedule
}

TEST(Backoff, ManyAttemptsDoNotOverflow) {
  Backoff b(protocol_defaults(), [] { return 0.5; });
  schedule(b, 200);
  EXPECT_EQ(b.next_delay(1006), 30000ms);
}

TEST(CloseReaction, FollowsTheTableOfTheProtocol) {
  using protocol::CloseReaction;
  using protocol::close_reaction;
  for (std::uint16_t c : {4400, 4401, 4403, 4404}) EXPECT_EQ(close_reaction(c), CloseReaction::terminal) << c;
  for (std::uint16_t c : {1001, 1003, 1006, 1007, 1009, 1011, 4408, 4509})
    EXPECT_EQ(close_reaction(c), CloseReaction::reconnect) << c;
  EXPECT_EQ(close_reaction(4429), CloseReaction::reconnect_slowly);
  EXPECT_EQ(close_reaction(1000), CloseReaction::done);
}

class LivenessTest : public ::testing::Test {
 protected:
  Liveness::Clock::time_point t0 = Liveness::Clock::time_point{} + 1h;
  Liveness live{30s, 10s};
};

TEST_F(LivenessTest, PingsEveryIntervalWhileTheServerAnswers) {
  live.on_open(t0);
  EXPECT_EQ(live.poll(t0 + 29s), Liveness::Action::none);
  EXPECT_EQ(live.next_deadline(), t0 + 30s);
  EXPECT_EQ(live.poll(t0 + 30s), Liveness::Action::send_ping);
  live.on_received(t0 + 30s + 5ms);  // the pong
  EXPECT_EQ(live.poll(t0 + 59s), Liveness::Action::none);
  EXPECT_EQ(live.poll(t0 + 60s), Liveness::Action::send_ping);
  live.on_received(t0 + 60s + 5ms);
  EXPECT_EQ(live.poll(t0 + 89s), Liveness::Action::none);
}

TEST_F(LivenessTest, SilenceForIntervalPlusTimeoutIsADeadConnection) {
  live.on_open(t0);
  EXPECT_EQ(live.poll(t0 + 30s), Liveness::Action::send_ping);  // no pong comes
  EXPECT_EQ(live.next_deadline(), t0 + 40s);
  EXPECT_EQ(live.poll(t0 + 39s), Liveness::Action::none);
  EXPECT_EQ(live.poll(t0 + 40s), Liveness::Action::dead);
}

TEST_F(LivenessTest, AnyReceivedFramePostponesDeath) {
  live.on_open(t0);
  live.on_received(t0 + 35s);  // an event, not a pong
  EXPECT_EQ(live.poll(t0 + 40s), Liveness::Action::send_ping);  // the next ping is due at 70 s
  EXPECT_EQ(live.poll(t0 + 69s), Liveness::Action::none);
  EXPECT_EQ(live.poll(t0 + 70s), Liveness::Action::send_ping);
  EXPECT_EQ(live.poll(t0 + 74s), Liveness::Action::none);
  EXPECT_EQ(live.poll(t0 + 75s), Liveness::Action::dead);  // 40 s after the last frame
}

TEST(SendPacer, AllowsABurstThenTheSustainedRate) {
  const auto t0 = SendPacer::Clock::time_point{} + 1h;
  SendPacer pacer(10, 3);
  EXPECT_TRUE(pacer.try_take(t0));
  EXPECT_TRUE(pacer.try_take(t0));
  EXPECT_TRUE(pacer.try_take(t0));
  EXPECT_FALSE(pacer.try_take(t0));
  EXPECT_EQ(pacer.next_available(t0), t0 + 100ms);
  EXPECT_FALSE(pacer.try_take(t0 + 99ms));
  EXPECT_TRUE(pacer.try_take(t0 + 101ms));
  // A long pause refills only up to the burst.
  int sent = 0;
  while (pacer.try_take(t0 + 1h)) ++sent;
  EXPECT_EQ(sent, 3);
}

}  // namespace
}  // namespace cocobase::detail
