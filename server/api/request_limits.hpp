#pragma once
// The REST request limits of PROTOCOL 8f: a token bucket per client IP and one per API key
// (per user for requests with a token and no key), and login throttling (docs/auth.md).
// Thread-safe; one per Api.
#include "api/api_error.hpp"
#include "auth/jwt.hpp"
#include "config/server_config.hpp"
#include "limits/keyed_limiter.hpp"
#include "limits/login_throttle.hpp"

namespace cocobase::server::api {

class RequestLimits {
 public:
  explicit RequestLimits(const ServerConfig& config);

  // Takes a token from the request's IP bucket, then from its key's or user's; throws 429
  // RATE_LIMIT_EXCEEDED (Retry-After, X-RateLimit-*) when one is empty. The key is told by its
  // public id before it is looked up (no store read here); an invalid token charges nothing
  // but its IP (it is refused with 401 right after).
  void charge(const HttpRequest& request, const auth::JwtCodec& jwt, limits::Clock::time_point now);

  limits::LoginThrottle& logins() { return logins_; }

 private:
  limits::KeyedRateLimiter by_ip_, by_key_;
  limits::LoginThrottle logins_;
};

// 429 RATE_LIMIT_EXCEEDED with Retry-After (whole seconds, at least 1) and the X-RateLimit-*
// headers of PROTOCOL 1.6 (Reset in Unix seconds).
ApiError rate_limited(std::chrono::milliseconds retry_after, double limit, double remaining,
                      std::chrono::milliseconds until_reset);

}  // namespace cocobase::server::api
