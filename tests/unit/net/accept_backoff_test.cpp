// AcceptBackoff: the wait doubles to its bound and starts over after a success; one report per
// interval, counting the failures it did not report.
#include "net/accept_backoff.hpp"
#include "net/connection_limit.hpp"
#include "net/fd_budget.hpp"

#include <gtest/gtest.h>

namespace cocobase::server::net {
namespace {

using namespace std::chrono_literals;

TEST(AcceptBackoff, DelayDoublesToItsBoundAndResets) {
  AcceptBackoff b;
  EXPECT_EQ(b.exhausted(), 50ms);
  EXPECT_EQ(b.exhausted(), 100ms);
  EXPECT_EQ(b.exhausted(), 200ms);
  for (int i = 0; i < 10; ++i) b.exhausted();
  EXPECT_EQ(b.exhausted(), AcceptBackoff::kMaxDelay);
  b.accepted();
  EXPECT_EQ(b.exhausted(), 50ms);
}

TEST(AcceptBackoff, ReportsOncePerIntervalWithWhatItSkipped) {
  AcceptBackoff b;
  auto t0 = AcceptBackoff::Clock::time_point{} + 1h;
  EXPECT_TRUE(b.report(t0).has_value());
  EXPECT_FALSE(b.report(t0 + 1s).has_value());
}

TEST(AcceptBackoff, SuppressedCountComesWithTheNextReport) {
  AcceptBackoff b;
  auto t0 = AcceptBackoff::Clock::time_point{} + 1h;
  EXPECT_EQ(b.report(t0), std::optional<std::size_t>(0));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(b.report(t0 + 1ms * i).has_value());
  EXPECT_FALSE(b.report(t0 + AcceptBackoff::kReportInterval - 1ms).has_value());
  EXPECT_EQ(b.report(t0 + AcceptBackoff::kReportInterval), std::optional<std::size_t>(1001));
}

TEST(ConnectionLimit, SlotsAreCountedAndReleased) {
  ConnectionLimit limit(2);
  auto a = limit.try_acquire();
  auto b = limit.try_acquire();
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_FALSE(limit.try_acquire());
  EXPECT_EQ(limit.open(), 2u);
  b.release();
  EXPECT_EQ(limit.open(), 1u);
  {
    auto c = limit.try_acquire();
    EXPECT_TRUE(c);
    auto moved = std::move(c);
    EXPECT_EQ(limit.open(), 2u);
  }
  EXPECT_EQ(limit.open(), 1u);
}

TEST(FdBudget, CapIsClampedBelowTheDescriptorLimit) {
  EXPECT_EQ(http_connection_cap(10000, 0, 20), 10000u);                   // limit unknown
  EXPECT_EQ(http_connection_cap(10000, 1048576, 20), 10000u);             // plenty
  EXPECT_EQ(http_connection_cap(10000, 1024, 20), 1024u - 20 - kFdHeadroom);
  EXPECT_EQ(http_connection_cap(100, 1024, 20), 100u);                    // the flag is lower
  EXPECT_EQ(http_connection_cap(10000, 50, 20), 1u);                      // never zero
}

}  // namespace
}  // namespace cocobase::server::net
