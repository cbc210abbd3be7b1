#pragma once
// The reconnect delay schedule of PROTOCOL 9.2: starts at initial_backoff, doubles up to
// max_backoff, each delay scaled by a random factor in [1 - jitter, 1 + jitter]; after close
// 4429 the delay is at least rate_limited_backoff. reset() after a confirmation.
//
// Pure: the random source is injected, so tests check the exact schedule.
#include <cocobase/config.hpp>

#include <chrono>
#include <cstdint>
#include <functional>

namespace cocobase::detail {

class Backoff {
 public:
  // random01 returns a value in [0, 1).
  Backoff(const RealtimeOptions& options, std::function<double()> random01);

  std::chrono::milliseconds next_delay(std::uint16_t close_code);
  void reset() { attempt_ = 0; }
  // Reconnect attempts since the last reset.
  int attempt() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_, max_, rate_limited_;
  double jitter_;
  std::function<double()> random01_;
  int attempt_ = 0;
};

// A random01 source for production: a per-thread Mersenne twister seeded from random_device.
double default_random01();

}  // namespace cocobase::detail
