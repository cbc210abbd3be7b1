#pragma once
// API keys (PROTOCOL 1.5): issued once in clear, stored as a SHA-256 hash under a public key
// id (the key's first characters), compared in constant time.
#include "auth/access_rules.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cocobase::server::auth {

// The project the key belongs to, or nullopt (unknown, revoked or malformed key).
std::optional<std::string> project_for_api_key(Store& store, std::string_view api_key);
// The same, as a principal: Kind::admin_key for admin keys, Kind::api_key otherwise.
std::optional<Principal> principal_for_api_key(Store& store, std::string_view api_key);

struct IssuedKey {
  std::string api_key;  // shown once, never stored
  ApiKeyInfo info;
};
// nullopt when the project does not exist.
// admin: the key bypasses access rules (for servers and operators, never for client apps).
std::optional<IssuedKey> issue_api_key(Store& store, const std::string& project, bool admin = false);

// The public id of a key: "cb_" and the next 8 characters.
std::string api_key_id(std::string_view api_key);

}  // namespace cocobase::server::auth
