#pragma once
// The listener's answer to running out of file descriptors (EMFILE, ENFILE). Accepting again at
// once fails again at once: the loop spun at 87% of a core and logged 9 MB/s (issue 12). It waits
// instead, longer each time up to a bound, and reports at most once per interval with a count of
// what it did not report. Pure: the caller owns the timer and the clock.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>

namespace cocobase::server::net {

class AcceptBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  // Short enough that a freed descriptor is used soon; long enough that a spin costs nothing.
  static constexpr std::chrono::milliseconds kFirstDelay{50};
  static constexpr std::chrono::milliseconds kMaxDelay{1000};
  // One log line per this interval at most, however long the shortage lasts.
  static constexpr std::chrono::seconds kReportInterval{10};

  // An accept failed for lack of descriptors: the wait before the next accept.
  std::chrono::milliseconds exhausted() {
    delay_ = delay_.count() == 0 ? kFirstDelay : std::min(delay_ * 2, kMaxDelay);
    return delay_;
  }
  // An accept succeeded: the next shortage starts from the first delay again.
  void accepted() { delay_ = {}; }

  // A failure to report at `now`: the number of earlier ones not reported (to say so in the
  // line), or nothing when this one is to be counted and not reported.
  std::optional<std::size_t> report(Clock::time_point now) {
    if (reported_ && now - *reported_ < kReportInterval) {
      ++suppressed_;
      return std::nullopt;
    }
    reported_ = now;
    std::size_t n = suppressed_;
    suppressed_ = 0;
    return n;
  }

 private:
  std::chrono::milliseconds delay_{0};
  std::optional<Clock::time_point> reported_;
  std::size_t suppressed_ = 0;
};

}  // namespace cocobase::server::net
