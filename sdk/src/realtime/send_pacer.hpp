#pragma once
// Paces outgoing messages below the server's per-connection rate limit (PROTOCOL 8f, 9.2): a
// token bucket of `burst` tokens refilled at `rate_per_sec`.
//
// Pure: time is passed in.
#include <algorithm>
#include <chrono>

namespace cocobase::detail {

class SendPacer {
 public:
  using Clock = std::chrono::steady_clock;

  SendPacer(double rate_per_sec, int burst)
      : rate_(rate_per_sec > 0 ? rate_per_sec : 1), burst_(std::max(burst, 1)), tokens_(burst_) {}

  // Takes a token if one is available at `now`.
  bool try_take(Clock::time_point now) {
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // When the next token will be available (now if one is).
  Clock::time_point next_available(Clock::time_point now) {
    refill(now);
    if (tokens_ >= 1.0) return now;
    const double wait_s = (1.0 - tokens_) / rate_;
    return now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s));
  }

 private:
  void refill(Clock::time_point now) {
    if (last_ != Clock::time_point{}) {
      const double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min<double>(burst_, tokens_ + elapsed * rate_);
    }
    last_ = now;
  }

  double rate_;
  int burst_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace cocobase::detail
