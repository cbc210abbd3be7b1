#include "api/request_limits.hpp"

#include "auth/api_keys.hpp"

#include <cocobase/protocol/text.hpp>

#include <limits>

namespace cocobase::server::api {
namespace {

using std::chrono::milliseconds;

limits::LoginPolicy login_policy(const ServerConfig& c, int max_failures) {
  // 0 = off: a threshold no count reaches.
  return {max_failures > 0 ? max_failures : std::numeric_limits<int>::max(),
          std::chrono::seconds(c.login_failure_window_s), milliseconds(c.login_delay_base_ms),
          milliseconds(c.login_delay_max_ms)};
}

std::string whole_seconds(milliseconds ms) { return std::to_string((ms.count() + 999) / 1000); }

// Whom the per-key bucket counts: "k:" + the API key's public id, or "u:" + project/user for a
// token without a key; "" when the request carries neither (it gets 401 anyway).
std::string rate_identity(const HttpRequest& request, const auth::JwtCodec& jwt) {
  if (const std::string* key = request.header("x-api-key"))
    return "k:" + auth::api_key_id(protocol::trim_blanks(*key));
  const std::string* h = request.header("authorization");
  if (!h) return {};
  std::string_view v = protocol::trim_blanks(*h);
  if (v.size() < 8) return {};
  auto check = jwt.verify(protocol::trim_blanks(v.substr(7)));
  if (check.status != auth::TokenStatus::ok) return {};
  return "u:" + check.claims.project_id + "/" + check.claims.sub;
}

}  // namespace

RequestLimits::RequestLimits(const ServerConfig& c)
    : by_ip_(c.http_ip_rate_per_sec, c.http_ip_rate_burst, c.max_tracked_clients),
      by_key_(c.http_rate_per_sec, c.http_rate_burst, c.max_tracked_clients),
      logins_(login_policy(c, c.login_max_failures), login_policy(c, c.login_ip_max_failures), c.max_tracked_clients) {}

void RequestLimits::charge(const HttpRequest& request, const auth::JwtCodec& jwt, limits::Clock::time_point now) {
  if (by_ip_.enabled()) {
    auto d = by_ip_.take(request.remote_ip, now);
    if (!d.allowed) throw rate_limited(d.retry_after, by_ip_.burst(), d.remaining, d.until_full);
  }
  if (!by_key_.enabled()) return;
  std::string who = rate_identity(request, jwt);
  if (who.empty()) return;
  auto d = by_key_.take(who, now);
  if (!d.allowed) throw rate_limited(d.retry_after, by_key_.burst(), d.remaining, d.until_full);
}

ApiError rate_limited(milliseconds retry_after, double limit, double remaining, milliseconds until_reset) {
  auto reset = std::chrono::system_clock::now() + until_reset;
  auto reset_s = std::chrono::ceil<std::chrono::seconds>(reset.time_since_epoch()).count();
  return ApiError{429, "RATE_LIMIT_EXCEEDED", "Too many requests; retry after the time in Retry-After", {},
                  {{"Retry-After", whole_seconds(std::max(retry_after, milliseconds(1)))},
                   {"X-RateLimit-Limit", std::to_string(static_cast<long long>(limit))},
                   {"X-RateLimit-Remaining", std::to_string(static_cast<long long>(std::max(0.0, remaining)))},
                   {"X-RateLimit-Reset", std::to_string(reset_s)}}};
}

}  // namespace cocobase::server::api
