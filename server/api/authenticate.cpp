#include "api/handlers.hpp"
#include "auth/api_keys.hpp"

namespace cocobase::server::api {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool has_bearer_token(const HttpRequest& request) {
  const std::string* h = request.header("authorization");
  if (!h) return false;
  std::string_view v = trim(*h);
  if (v.size() < 7) return false;
  for (std::size_t i = 0; i < 6; ++i)
    if (std::tolower(static_cast<unsigned char>(v[i])) != "bearer"[i]) return false;
  return v[6] == ' ';
}

}  // namespace

std::string authenticate_project(Store& store, const HttpRequest& request) {
  if (const std::string* key = request.header("x-api-key")) {
    // A valid key makes the Authorization header irrelevant: the JS SDK attaches whatever token
    // it has stored, possibly expired, to every request.
    if (auto project = auth::project_for_api_key(store, trim(*key))) return *project;
    throw ApiError{401, "INVALID_API_KEY", "Invalid API key", {}, {}};
  }
  if (has_bearer_token(request)) {
    // App-user tokens are not issued by this server yet (JWT support is a later step), so no
    // token can be valid: refuse it rather than ignore it.
    throw ApiError{401, "INVALID_TOKEN", "Invalid token or token expired", {}, {}};
  }
  throw ApiError{401, "AUTH_REQUIRED", "Authentication required", {}, {}};
}

}  // namespace cocobase::server::api
