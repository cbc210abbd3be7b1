#include "realtime/backoff.hpp"

#include <cocobase/protocol/realtime_codes.hpp>

#include <algorithm>
#include <random>

namespace cocobase::detail {

Backoff::Backoff(const RealtimeOptions& options, std::function<double()> random01)
    : initial_(options.initial_backoff),
      max_(options.max_backoff),
      rate_limited_(options.rate_limited_backoff),
      jitter_(options.jitter),
      random01_(std::move(random01)) {}

std::chrono::milliseconds Backoff::next_delay(std::uint16_t close_code) {
  // Doubling stops at max; the shift is bounded so it cannot overflow after many attempts.
  const int doublings = std::min(attempt_, 30);
  const double base =
      std::min<double>(static_cast<double>(initial_.count()) * double(1LL << doublings),
                       static_cast<double>(max_.count()));
  ++attempt_;
  const double factor = 1.0 + jitter_ * (2.0 * random01_() - 1.0);
  auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(base * factor));
  if (protocol::close_reaction(close_code) == protocol::CloseReaction::reconnect_slowly)
    delay = std::max(delay, rate_limited_);
  return delay;
}

double default_random01() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace cocobase::detail
