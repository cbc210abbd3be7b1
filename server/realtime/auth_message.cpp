#include "realtime/auth_message.hpp"

#include "auth/api_keys.hpp"

namespace cocobase::server::realtime {
namespace {

namespace json = protocol::json;

constexpr std::size_t kMaxUserBytes = 128;   // user_id, user_name (PROTOCOL 1.4)
constexpr std::size_t kMaxTitleBytes = 200;  // room_title (5.1.3)

WsError invalid_message(std::string detail) {
  WsError e{"INVALID_MESSAGE", {}};
  e.extra["error_detail"] = std::move(detail);
  return e;
}

// A string member; nullopt when absent or null. Throws WsError on another type or over max.
std::optional<std::string> string_member(const json::object& o, const char* name, std::size_t max,
                                         bool number_ok) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  const json::value& v = it->value();
  std::string s;
  if (v.is_string()) s = std::string(v.get_string());
  else if (number_ok && v.is_number()) s = protocol::number_text(v);
  else throw invalid_message(std::string(name) + " has the wrong type");
  if (s.size() > max) throw invalid_message(std::string(name) + " is too long");
  return s;
}

}  // namespace

std::variant<AuthMessage, WsError> authenticate(std::string_view text, Store& store, const auth::JwtCodec* jwt,
                                                std::size_t max_json_depth) {
  json::value v;
  try {
    v = protocol::parse_json(text, {max_json_depth});
  } catch (const protocol::JsonParseError&) {
    return WsError{"INVALID_JSON", {}};
  }
  if (!v.is_object()) return invalid_message("the auth message must be a JSON object");
  AuthMessage m;
  m.raw = std::move(v.as_object());
  std::optional<std::string> api_key, token;
  try {
    api_key = string_member(m.raw, "api_key", SIZE_MAX, false);
    token = string_member(m.raw, "token", SIZE_MAX, false);
    m.user_id = string_member(m.raw, "user_id", kMaxUserBytes, true);
    m.user_name = string_member(m.raw, "user_name", kMaxUserBytes, true);
    m.room_title = string_member(m.raw, "room_title", kMaxTitleBytes, false);
  } catch (WsError& e) {
    return std::move(e);
  }
  if (m.user_id && m.user_id->empty()) m.user_id.reset();
  if (m.user_name && m.user_name->empty()) m.user_name.reset();
  bool has_key = api_key && !api_key->empty();
  bool has_token = token && !token->empty();
  if (!has_key && !has_token) return WsError{"AUTH_REQUIRED", {}};
  if (has_key) {
    auto principal = auth::principal_for_api_key(store, *api_key);
    if (!principal) {
      WsError e{"INVALID_API_KEY", {}};
      e.extra["error_detail"] = "Project not found";
      return e;
    }
    m.project = principal->project;
    m.principal = std::move(*principal);
    m.api_key_id = auth::api_key_id(*api_key);
  }
  if (!has_token) return m;
  // 8d: a bad token closes even beside a valid key (only libcocobase sends tokens on sockets,
  // and it sends fresh ones).
  if (!jwt || token->size() > auth::kMaxTokenBytes) return WsError{"INVALID_TOKEN", {}};
  auth::TokenCheck check = jwt->verify(*token);
  if (check.status == auth::TokenStatus::invalid || !store.project_exists(check.claims.project_id))
    return WsError{"INVALID_TOKEN", {}};
  if (check.status == auth::TokenStatus::expired) return WsError{"TOKEN_EXPIRED", {}};
  if (has_key && m.project != check.claims.project_id) return WsError{"PROJECT_MISMATCH", {}};
  m.project = check.claims.project_id;
  // As on REST (docs/auth.md), a valid token makes the socket act as its user.
  m.principal = auth::Principal{m.project, auth::Principal::Kind::user, check.claims.sub};
  m.user_id = check.claims.sub;
  m.user_name = check.claims.name.empty() ? check.claims.sub : check.claims.name;
  return m;
}

}  // namespace cocobase::server::realtime
