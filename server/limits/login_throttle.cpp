#include "limits/login_throttle.hpp"

#include <algorithm>

namespace cocobase::server::limits {

using std::chrono::milliseconds;

milliseconds FailureCounter::locked_for(Clock::time_point now) const {
  if (now >= locked_until_) return milliseconds(0);
  return std::chrono::ceil<milliseconds>(locked_until_ - now);
}

void FailureCounter::failed(const LoginPolicy& p, Clock::time_point now) {
  if (failures_ > 0 && now - last_failure_ > p.window) failures_ = 0;
  ++failures_;
  last_failure_ = now;
  if (failures_ < p.max_failures) return;
  int doublings = std::min(failures_ - p.max_failures, 30);  // 2^30 * base is past any cap
  milliseconds delay = std::min(p.max_delay, milliseconds(p.base_delay.count() << doublings));
  locked_until_ = std::max(locked_until_, now + delay);
}

bool FailureCounter::forgettable(const LoginPolicy& p, Clock::time_point now) const {
  return now >= locked_until_ && (failures_ == 0 || now - last_failure_ > p.window);
}

LoginThrottle::LoginThrottle(LoginPolicy per_email, LoginPolicy per_ip, std::size_t max_entries)
    : email_policy_(per_email), ip_policy_(per_ip), max_entries_(std::max<std::size_t>(1, max_entries)) {}

std::optional<LoginRefusal> LoginThrottle::begin_attempt(const std::string& email_key, const std::string& ip,
                                                         Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now - last_prune_ >= std::chrono::seconds(1) || by_email_.size() >= max_entries_ ||
      by_ip_.size() >= max_entries_) {
    last_prune_ = now;
    prune(by_email_, email_policy_, now);
    prune(by_ip_, ip_policy_, now);
  }
  auto e = by_email_.find(email_key);
  auto i = by_ip_.find(ip);
  milliseconds email_wait = e == by_email_.end() ? milliseconds(0) : e->second.locked_for(now);
  milliseconds ip_wait = i == by_ip_.end() ? milliseconds(0) : i->second.locked_for(now);
  if (email_wait.count() > 0 || ip_wait.count() > 0) {
    if (email_wait >= ip_wait) return LoginRefusal{email_wait, email_policy_.max_failures};
    return LoginRefusal{ip_wait, ip_policy_.max_failures};
  }
  by_email_[email_key].failed(email_policy_, now);
  by_ip_[ip].failed(ip_policy_, now);
  return std::nullopt;
}

void LoginThrottle::succeeded(const std::string& email_key, const std::string& ip) {
  std::lock_guard lock(mutex_);
  by_email_.erase(email_key);
  if (auto i = by_ip_.find(ip); i != by_ip_.end()) i->second.undo_one();
}

std::size_t LoginThrottle::size() const {
  std::lock_guard lock(mutex_);
  return by_email_.size() + by_ip_.size();
}

void LoginThrottle::prune(Map& m, const LoginPolicy& p, Clock::time_point now) {
  std::erase_if(m, [&](const auto& kv) { return kv.second.forgettable(p, now); });
  if (m.size() < max_entries_) return;
  // As in KeyedRateLimiter: evict an eighth rather than sweep on every new key.
  std::size_t evict = std::max<std::size_t>(1, max_entries_ / 8);
  for (auto it = m.begin(); it != m.end() && evict > 0; --evict) it = m.erase(it);
}

}  // namespace cocobase::server::limits
