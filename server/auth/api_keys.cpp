#include "auth/api_keys.hpp"

#include <cocobase/protocol/ids.hpp>
#include <cocobase/protocol/time.hpp>

#include <sodium.h>

namespace cocobase::server::auth {
namespace {

constexpr std::size_t kKeyIdLength = 11;  // "cb_" + 8 base62 chars: 47 bits, public

// SHA-256 is enough here: keys carry 238 bits of entropy, so a slow password hash would only
// cost latency on every request without making a stolen hash any easier to reverse.
std::string hash_key(std::string_view key) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return out;
}

}  // namespace

std::string api_key_id(std::string_view api_key) { return std::string(api_key.substr(0, kKeyIdLength)); }

std::optional<Principal> principal_for_api_key(Store& store, std::string_view api_key) {
  if (api_key.size() < kKeyIdLength || api_key.size() > 256) return std::nullopt;
  std::string hash = hash_key(api_key);
  std::optional<Principal> who;
  for (const auto& k : store.api_keys_with_id(api_key_id(api_key))) {
    bool same = k.hash.size() == hash.size() &&
                sodium_memcmp(k.hash.data(), hash.data(), hash.size()) == 0;
    if (same && !k.info.revoked)
      who = Principal{k.info.project, k.info.admin ? Principal::Kind::admin_key : Principal::Kind::api_key, {}};
  }
  return who;
}

std::optional<std::string> project_for_api_key(Store& store, std::string_view api_key) {
  auto who = principal_for_api_key(store, api_key);
  return who ? std::optional<std::string>(who->project) : std::nullopt;
}

std::optional<IssuedKey> issue_api_key(Store& store, const std::string& project, bool admin) {
  for (int attempt = 0; attempt < 8; ++attempt) {  // retry only on a key-id collision
    IssuedKey k;
    k.api_key = protocol::new_api_key();
    k.info = ApiKeyInfo{api_key_id(k.api_key), project, protocol::now_timestamp(), false, admin};
    if (store.insert_api_key(StoredApiKey{k.info, hash_key(k.api_key)})) return k;
    bool project_exists = false;
    for (const auto& p : store.list_projects()) project_exists |= p.id == project;
    if (!project_exists) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace cocobase::server::auth
