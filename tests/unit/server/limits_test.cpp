// The REST rate limiter and the login throttle as pure state machines, driven by a fake clock.
#include "limits/keyed_limiter.hpp"
#include "limits/login_throttle.hpp"
#include "limits/token_bucket.hpp"

#include <gtest/gtest.h>

using namespace cocobase::server::limits;
using namespace std::chrono_literals;

namespace {
const Clock::time_point t0 = Clock::time_point(1000h);
}

TEST(TokenBucket, BurstThenRefusedUntilRefilled) {
  TokenBucket b(3, t0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(2, 3, t0).allowed) << i;
  auto d = b.take(2, 3, t0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 500ms);   // one token at 2/s
  EXPECT_EQ(d.until_full, 1500ms);   // three tokens
  EXPECT_FALSE(b.take(2, 3, t0 + 499ms).allowed);
  auto later = b.take(2, 3, t0 + 500ms);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 0);
}

TEST(TokenBucket, NeverHoldsMoreThanBurst) {
  TokenBucket b(2, t0);
  EXPECT_TRUE(b.take(1, 2, t0 + 1h).allowed);
  EXPECT_TRUE(b.take(1, 2, t0 + 1h).allowed);
  EXPECT_FALSE(b.take(1, 2, t0 + 1h).allowed);
  EXPECT_TRUE(b.full_at(1, 2, t0 + 1h + 2s));
  EXPECT_FALSE(b.full_at(1, 2, t0 + 1h + 1s));
}

TEST(TokenBucket, ClockGoingBackwardsGrantsNothing) {
  TokenBucket b(1, t0);
  EXPECT_TRUE(b.take(1, 1, t0).allowed);
  EXPECT_FALSE(b.take(1, 1, t0 - 10s).allowed);
  EXPECT_FALSE(b.take(1, 1, t0 + 999ms).allowed);
}

TEST(KeyedRateLimiter, KeysAreIndependent) {
  KeyedRateLimiter l(1, 2, 100);
  EXPECT_TRUE(l.take("a", t0).allowed);
  EXPECT_TRUE(l.take("a", t0).allowed);
  EXPECT_FALSE(l.take("a", t0).allowed);
  EXPECT_TRUE(l.take("b", t0).allowed);
}

TEST(KeyedRateLimiter, OffStoresNothing) {
  KeyedRateLimiter l(0, 2, 100);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.take("a", t0).allowed);
  EXPECT_EQ(l.size(), 0u);
}

TEST(KeyedRateLimiter, IdleBucketsArePruned) {
  KeyedRateLimiter l(10, 5, 1000000);
  for (int i = 0; i < 1000; ++i) l.take("k" + std::to_string(i), t0);
  EXPECT_EQ(l.size(), 1000u);
  // 0.1 s later every bucket has its token back: the next sweep (>= 1 s) drops them all.
  l.take("new", t0 + 2s);
  EXPECT_EQ(l.size(), 1u);
}

TEST(KeyedRateLimiter, PrunedKeyStillLimited) {
  // A bucket that is not full is kept through a sweep, so its key stays limited.
  KeyedRateLimiter l(0.1, 2, 100);
  l.take("a", t0);
  l.take("a", t0);
  EXPECT_FALSE(l.take("a", t0 + 2s).allowed);  // sweep ran at t0+2s; "a" had 0.2 tokens
  EXPECT_EQ(l.size(), 1u);
}

TEST(KeyedRateLimiter, MemoryBoundedUnderDistinctKeys) {
  KeyedRateLimiter l(1, 10, 1000);  // nothing refills within the test: every bucket stays busy
  for (int i = 0; i < 100000; ++i) {
    l.take("ip" + std::to_string(i), t0);
    ASSERT_LE(l.size(), 1000u);
  }
}

TEST(FailureCounter, LockoutDoublesUpToCap) {
  LoginPolicy p{3, 900s, 1000ms, 8000ms};
  FailureCounter c;
  c.failed(p, t0);
  c.failed(p, t0);
  EXPECT_EQ(c.locked_for(t0), 0ms);
  c.failed(p, t0);  // third: 1 s
  EXPECT_EQ(c.locked_for(t0), 1000ms);
  c.failed(p, t0 + 1s);  // 2 s
  EXPECT_EQ(c.locked_for(t0 + 1s), 2000ms);
  c.failed(p, t0 + 3s);  // 4 s
  c.failed(p, t0 + 7s);  // 8 s
  c.failed(p, t0 + 15s);  // capped at 8 s
  EXPECT_EQ(c.locked_for(t0 + 15s), 8000ms);
  for (int i = 0; i < 100; ++i) c.failed(p, t0 + 20s);  // no overflow
  EXPECT_EQ(c.locked_for(t0 + 20s), 8000ms);
}

TEST(FailureCounter, ForgottenAfterQuietWindow) {
  LoginPolicy p{2, 60s, 1000ms, 8000ms};
  FailureCounter c;
  c.failed(p, t0);
  EXPECT_FALSE(c.forgettable(p, t0 + 60s));
  EXPECT_TRUE(c.forgettable(p, t0 + 61s));
  c.failed(p, t0 + 61s);  // the window passed: counts from 1 again
  EXPECT_EQ(c.failures(), 1);
  EXPECT_EQ(c.locked_for(t0 + 61s), 0ms);
}

TEST(LoginThrottle, EmailLockedAfterFailuresSuccessResets) {
  LoginThrottle t({3, 900s, 1000ms, 60000ms}, {100, 900s, 1000ms, 60000ms}, 1000);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.begin_attempt("p\nann", "1.2.3.4", t0)) << i;
  auto r = t.begin_attempt("p\nann", "5.6.7.8", t0 + 100ms);  // another IP: still the email
  ASSERT_TRUE(r);
  EXPECT_EQ(r->retry_after, 900ms);
  EXPECT_EQ(r->limit, 3);
  EXPECT_FALSE(t.begin_attempt("p\nbob", "1.2.3.4", t0 + 100ms));  // other emails are unaffected
  // After the lockout: one more try; failing again doubles the lockout.
  EXPECT_FALSE(t.begin_attempt("p\nann", "1.2.3.4", t0 + 1s));
  auto r2 = t.begin_attempt("p\nann", "1.2.3.4", t0 + 1s);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->retry_after, 2000ms);
  // That attempt succeeded: the email starts afresh.
  t.succeeded("p\nann", "1.2.3.4");
  EXPECT_FALSE(t.begin_attempt("p\nann", "1.2.3.4", t0 + 1s));
}

TEST(LoginThrottle, IpLockedAcrossEmailsAndNotResetBySuccess) {
  LoginThrottle t({100, 900s, 1000ms, 60000ms}, {4, 900s, 1000ms, 60000ms}, 1000);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(t.begin_attempt("p\nu" + std::to_string(i), "9.9.9.9", t0));
  t.succeeded("p\nu3", "9.9.9.9");  // takes one count back, the lockout set meanwhile stays
  auto r = t.begin_attempt("p\nother", "9.9.9.9", t0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit, 4);
  EXPECT_FALSE(t.begin_attempt("p\nother", "8.8.8.8", t0));  // another IP
}

TEST(LoginThrottle, ConcurrentAttemptsCountedUpFront) {
  LoginThrottle t({2, 900s, 1000ms, 60000ms}, {100, 900s, 1000ms, 60000ms}, 1000);
  EXPECT_FALSE(t.begin_attempt("p\nann", "ip", t0));
  EXPECT_FALSE(t.begin_attempt("p\nann", "ip", t0));
  EXPECT_TRUE(t.begin_attempt("p\nann", "ip", t0));  // no result known yet: still refused
}

TEST(LoginThrottle, MemoryBounded) {
  LoginThrottle t({5, 900s, 1000ms, 60000ms}, {50, 900s, 1000ms, 60000ms}, 500);
  for (int i = 0; i < 20000; ++i) {
    t.begin_attempt("p\n" + std::to_string(i), "ip" + std::to_string(i), t0);
    ASSERT_LE(t.size(), 1000u);
  }
  t.begin_attempt("p\nx", "ipx", t0 + 901s);  // all forgotten after the window
  EXPECT_EQ(t.size(), 2u);
}
