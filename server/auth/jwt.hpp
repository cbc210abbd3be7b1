#pragma once
// App-user tokens (PROTOCOL 7.7): HS256 JWTs, issued and verified with libjwt, the signature
// also checked in constant time with libsodium before libjwt parses the claims.
#include <cocobase/protocol/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cocobase::server::auth {

struct TokenClaims {
  std::string sub;         // user id
  std::string project_id;
  std::string email;
  protocol::json::array roles;
  std::string name;        // optional display name ("" when absent)
  std::int64_t iat = 0, exp = 0;
};

enum class TokenStatus { ok, invalid, expired };

struct TokenCheck {
  TokenStatus status = TokenStatus::invalid;
  TokenClaims claims;
};

class JwtCodec {
 public:
  // secret: the server-wide HMAC key. ttl_s: lifetime of issued tokens; leeway_s: clock skew
  // tolerated on exp.
  JwtCodec(std::string secret, std::int64_t ttl_s, std::int64_t leeway_s);

  // Signs the claims (iat/exp are set here from the clock). Thread-safe.
  std::string issue(TokenClaims claims) const;
  // Verifies structure, alg == HS256, signature, iss, exp (+ leeway) and a non-empty sub and
  // project_id. Does not check that the project or user exists. Thread-safe.
  TokenCheck verify(std::string_view token) const;

  std::int64_t ttl_s() const { return ttl_s_; }

 private:
  std::string secret_;
  std::int64_t ttl_s_, leeway_s_;
};

// Tokens longer than this are refused unread: nothing we issue comes near it.
inline constexpr std::size_t kMaxTokenBytes = 8192;

}  // namespace cocobase::server::auth
