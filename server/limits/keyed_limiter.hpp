#pragma once
// One token bucket per key (an API key id, a user, a client IP), in memory that stays bounded
// however many distinct keys arrive: buckets that are full again are dropped (a new one would
// start full, so nothing is forgotten), and when `max_keys` are tracked anyway some are evicted
// (those keys get a fresh burst: the price of the bound). Thread-safe.
#include "limits/token_bucket.hpp"

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cocobase::server::limits {

class KeyedRateLimiter {
 public:
  // rate <= 0: off (every take() is allowed and nothing is stored).
  KeyedRateLimiter(double rate, double burst, std::size_t max_keys);

  bool enabled() const { return rate_ > 0; }
  double burst() const { return burst_; }
  RateDecision take(std::string_view key, Clock::time_point now);
  std::size_t size() const;

 private:
  void prune(Clock::time_point now);  // under mutex_

  double rate_, burst_;
  std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, TokenBucket> buckets_;
  Clock::time_point last_prune_{};
};

}  // namespace cocobase::server::limits
