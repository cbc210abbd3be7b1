#pragma once
// Login throttling (docs/auth.md): after `max_failures` failed logins for one email (and, with
// a higher threshold, from one client IP) with no pause longer than `window` between them,
// each further failure locks further attempts out for base_delay * 2^(failures - max_failures),
// at most max_delay; attempts while locked out get 429 without a password check. A successful
// login resets the email's count (not the IP's: one valid account must not reset an IP that
// guesses at others).
//
// Attempts are counted when they start, as if they would fail, and a success takes its count
// back: otherwise many concurrent attempts, all checked before the first hash finished, would
// pass together. FailureCounter is pure (time is an argument); LoginThrottle adds the maps,
// bounded like the rate limiter's, and a lock.
#include "limits/token_bucket.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace cocobase::server::limits {

struct LoginPolicy {
  int max_failures = 5;
  std::chrono::seconds window{900};
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{300000};
};

class FailureCounter {
 public:
  // How long attempts are still locked out at `now` (zero: one may try).
  std::chrono::milliseconds locked_for(Clock::time_point now) const;
  void failed(const LoginPolicy& p, Clock::time_point now);
  // A failure counted in advance turned out a success: its count is taken back.
  void undo_one() { failures_ = std::max(0, failures_ - 1); }
  int failures() const { return failures_; }
  Clock::time_point locked_until() const { return locked_until_; }
  // Nothing left to remember: the window passed since the last failure, and not locked out.
  bool forgettable(const LoginPolicy& p, Clock::time_point now) const;

 private:
  int failures_ = 0;
  Clock::time_point last_failure_{}, locked_until_{};
};

struct LoginRefusal {
  std::chrono::milliseconds retry_after;
  int limit;  // the threshold that was crossed (X-RateLimit-Limit)
};

class LoginThrottle {
 public:
  LoginThrottle(LoginPolicy per_email, LoginPolicy per_ip, std::size_t max_entries);

  // Refuses when the email or the IP is locked out; otherwise counts the attempt as a failure.
  std::optional<LoginRefusal> begin_attempt(const std::string& email_key, const std::string& ip,
                                            Clock::time_point now);
  // The attempt begun with the same arguments succeeded.
  void succeeded(const std::string& email_key, const std::string& ip);
  std::size_t size() const;

 private:
  using Map = std::unordered_map<std::string, FailureCounter>;
  void prune(Map& m, const LoginPolicy& p, Clock::time_point now);

  LoginPolicy email_policy_, ip_policy_;
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  Map by_email_, by_ip_;
  Clock::time_point last_prune_{};
};

}  // namespace cocobase::server::limits
