// The REST auth classes of PROTOCOL 1.5: project, key and user.
#include "api/handlers.hpp"
#include "auth/api_keys.hpp"

#include <cocobase/protocol/text.hpp>

namespace cocobase::server::api {
namespace {

using protocol::trim_blanks;

// The token of an `Authorization: Bearer <jwt>` header (scheme case-insensitive), if any.
std::optional<std::string_view> bearer_token(const HttpRequest& request) {
  const std::string* h = request.header("authorization");
  if (!h) return std::nullopt;
  std::string_view v = trim_blanks(*h);
  if (v.size() < 7 || v[6] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < 6; ++i)
    if (std::tolower(static_cast<unsigned char>(v[i])) != "bearer"[i]) return std::nullopt;
  return trim_blanks(v.substr(7));
}

[[noreturn]] void invalid_token(bool expired = false) {
  if (expired) throw ApiError{401, "TOKEN_EXPIRED", "Invalid token or token expired", {}, {}};
  throw ApiError{401, "INVALID_TOKEN", "Invalid token or token expired", {}, {}};
}

auth::TokenClaims verified_claims(Store& store, const auth::JwtCodec& jwt, std::string_view token) {
  auto check = jwt.verify(token);
  if (check.status == auth::TokenStatus::invalid) invalid_token();
  if (!store.project_exists(check.claims.project_id)) invalid_token();
  if (check.status == auth::TokenStatus::expired) invalid_token(true);
  return std::move(check.claims);
}

}  // namespace

auth::Principal authenticate_project(Store& store, const auth::JwtCodec& jwt, const HttpRequest& request) {
  if (const std::string* key = request.header("x-api-key")) {
    auto who = auth::principal_for_api_key(store, trim_blanks(*key));
    if (!who) throw ApiError{401, "INVALID_API_KEY", "Invalid API key", {}, {}};
    // A valid key means the request never fails because of its token: the JS SDK attaches
    // whatever token it has stored, possibly expired, to every request. A valid token of the
    // key's project still says who the user is, for the access rules (docs/auth.md).
    if (who->is_admin()) return *who;
    if (auto token = bearer_token(request)) {
      auto check = jwt.verify(*token);
      if (check.status == auth::TokenStatus::ok && check.claims.project_id == who->project)
        return auth::Principal{who->project, auth::Principal::Kind::user, check.claims.sub};
    }
    return *who;
  }
  if (auto token = bearer_token(request)) {
    auto claims = verified_claims(store, jwt, *token);
    return auth::Principal{claims.project_id, auth::Principal::Kind::user, claims.sub};
  }
  throw ApiError{401, "AUTH_REQUIRED", "Authentication required", {}, {}};
}

auth::Principal authenticate_key(Store& store, const HttpRequest& request, bool token_only_is_forbidden) {
  if (const std::string* key = request.header("x-api-key")) {
    if (auto who = auth::principal_for_api_key(store, trim_blanks(*key))) return *who;
    throw ApiError{401, "INVALID_API_KEY", "Invalid API key", {}, {}};
  }
  if (token_only_is_forbidden && bearer_token(request))
    throw ApiError{403, "FORBIDDEN", "API key required", {}, {}};
  throw ApiError{401, "AUTH_REQUIRED", "API key required", {}, {}};
}

UserRecord authenticate_user(Store& store, const auth::JwtCodec& jwt, const HttpRequest& request) {
  auto token = bearer_token(request);
  if (!token) throw ApiError{401, "AUTH_REQUIRED", "Authentication required", {}, {}};
  auto claims = verified_claims(store, jwt, *token);
  auto user = store.user_by_id(claims.project_id, claims.sub);
  if (!user) invalid_token();  // a deleted user's token no longer opens user routes
  return std::move(*user);
}

}  // namespace cocobase::server::api
