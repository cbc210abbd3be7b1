#include "limits/keyed_limiter.hpp"

#include <algorithm>

namespace cocobase::server::limits {
namespace {
// Full buckets are swept at most this often: each sweep walks the map under the lock.
constexpr auto kPruneInterval = std::chrono::seconds(1);
}  // namespace

KeyedRateLimiter::KeyedRateLimiter(double rate, double burst, std::size_t max_keys)
    : rate_(rate), burst_(std::max(1.0, burst)), max_keys_(std::max<std::size_t>(1, max_keys)) {}

RateDecision KeyedRateLimiter::take(std::string_view key, Clock::time_point now) {
  if (!enabled()) return RateDecision{true, burst_, {}, {}};
  std::lock_guard lock(mutex_);
  if (now - last_prune_ >= kPruneInterval || buckets_.size() >= max_keys_) prune(now);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) it = buckets_.emplace(std::string(key), TokenBucket(burst_, now)).first;
  return it->second.take(rate_, burst_, now);
}

std::size_t KeyedRateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void KeyedRateLimiter::prune(Clock::time_point now) {
  last_prune_ = now;
  std::erase_if(buckets_, [&](const auto& kv) { return kv.second.full_at(rate_, burst_, now); });
  if (buckets_.size() < max_keys_) return;
  // Every tracked key is active: evict an eighth, so that the next sweep is that many new keys
  // away (a sweep per request would cost O(keys) each under a flood of distinct keys).
  std::size_t evict = std::max<std::size_t>(1, max_keys_ / 8);
  for (auto it = buckets_.begin(); it != buckets_.end() && evict > 0; --evict) it = buckets_.erase(it);
}

}  // namespace cocobase::server::limits
