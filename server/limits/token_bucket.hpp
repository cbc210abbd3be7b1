#pragma once
// A token bucket as a pure state machine: the time is an argument, so tests drive it with a
// fake clock. Holds at most `burst` tokens, refilled at `rate` per second; each request takes
// one. Used per API key / user and per client IP for REST (PROTOCOL 8f).
#include <algorithm>
#include <chrono>
#include <cmath>

namespace cocobase::server::limits {

using Clock = std::chrono::steady_clock;

struct RateDecision {
  bool allowed = true;
  double remaining = 0;                  // whole tokens left after this request
  std::chrono::milliseconds retry_after{0};  // refused: until one token is back
  std::chrono::milliseconds until_full{0};   // until the bucket is full again
};

class TokenBucket {
 public:
  TokenBucket(double burst, Clock::time_point now) : tokens_(burst), updated_(now) {}

  // Refills for the time since the last call, then takes one token if there is a whole one.
  RateDecision take(double rate, double burst, Clock::time_point now) {
    refill(rate, burst, now);
    RateDecision d;
    d.allowed = tokens_ >= 1;
    if (d.allowed) tokens_ -= 1;
    d.remaining = std::floor(tokens_);
    if (!d.allowed) d.retry_after = millis((1 - tokens_) / rate);
    d.until_full = millis((burst - tokens_) / rate);
    return d;
  }

  // A bucket that is full again is the same as no bucket: it may be forgotten.
  bool full_at(double rate, double burst, Clock::time_point now) const {
    return tokens_ + seconds(now - updated_) * rate >= burst;
  }

 private:
  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
  static std::chrono::milliseconds millis(double s) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(s * 1000)));
  }
  void refill(double rate, double burst, Clock::time_point now) {
    if (now > updated_) tokens_ = std::min(burst, tokens_ + seconds(now - updated_) * rate);
    updated_ = std::max(updated_, now);
  }

  double tokens_;
  Clock::time_point updated_;
};

}  // namespace cocobase::server::limits
