#pragma once
// The first client message on every realtime endpoint (PROTOCOL 5.1.3) and the common part of
// its checks (5.1.4 steps 2-6). Endpoint-specific members (filters, resume_from, action,
// history) are left in `raw` for the endpoint to check (step 7).
#include "auth/access_rules.hpp"
#include "auth/jwt.hpp"
#include "realtime/ws_error.hpp"
#include "store/store.hpp"

#include <cocobase/protocol/json.hpp>

#include <optional>
#include <string>
#include <variant>

namespace cocobase::server::realtime {

struct AuthMessage {
  protocol::json::object raw;
  std::string project;                   // from the API key or the token
  auth::Principal principal;             // who is asking, for the access rules (docs/auth.md)
  std::string api_key_id;                // the public id of the API key given, if any (revocation)
  // Absent, null or "" -> nullopt; numbers as text. With a token: its sub and name (8d).
  std::optional<std::string> user_id;
  std::optional<std::string> user_name;
  std::optional<std::string> room_title;
};

// Parses and authenticates `text`. Returns the error to send (it closes) on failure.
// Costs at most one API-key lookup: rejected clients reconnect forever (5.1.6).
// `jwt` null: every token is refused as INVALID_TOKEN.
std::variant<AuthMessage, WsError> authenticate(std::string_view text, Store& store, const auth::JwtCodec* jwt,
                                                std::size_t max_json_depth);

}  // namespace cocobase::server::realtime
