#include "auth/jwt.hpp"

#include <jwt.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <memory>

namespace cocobase::server::auth {
namespace {

namespace json = protocol::json;

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }  // libjwt 1.10 returns malloc'd strings
};

std::int64_t now_s() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string out(in.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(), in.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

// Header alg must be exactly HS256: checked before anything else so that `none` and every
// other algorithm (including RS256 with our secret misread as a key) never reach libjwt.
bool header_is_hs256(std::string_view header_b64) {
  auto header = base64url_decode(header_b64);
  if (!header) return false;
  try {
    json::value h = protocol::parse_json(*header, {8});
    const json::value* alg = h.is_object() ? h.get_object().if_contains("alg") : nullptr;
    return alg && alg->is_string() && alg->get_string() == "HS256";
  } catch (const protocol::JsonParseError&) {
    return false;
  }
}

// libjwt compares signatures as strings; this comparison is constant-time.
bool signature_matches(const std::string& secret, std::string_view signed_part, std::string_view sig_b64) {
  auto sig = base64url_decode(sig_b64);
  if (!sig || sig->size() != crypto_auth_hmacsha256_BYTES) return false;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return sodium_memcmp(mac, sig->data(), sizeof mac) == 0;
}

std::string grant_string(jwt_t* j, const char* name) {
  const char* v = jwt_get_grant(j, name);
  return v ? std::string(v) : std::string();
}

}  // namespace

JwtCodec::JwtCodec(std::string secret, std::int64_t ttl_s, std::int64_t leeway_s)
    : secret_(std::move(secret)), ttl_s_(ttl_s), leeway_s_(leeway_s) {}

std::string JwtCodec::issue(TokenClaims c) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr j(raw);
  c.iat = now_s();
  c.exp = c.iat + ttl_s_;
  json::object grants{{"sub", c.sub}, {"project_id", c.project_id}, {"email", c.email}, {"roles", c.roles},
                      {"iat", c.iat}, {"exp", c.exp}, {"iss", "cocobase"}};
  if (!c.name.empty()) grants["name"] = c.name;
  std::string grants_json = protocol::to_json(grants);
  if (jwt_add_grants_json(j.get(), grants_json.c_str()) != 0 ||
      jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
                  static_cast<int>(secret_.size())) != 0)
    throw std::runtime_error("jwt encoding failed");
  std::unique_ptr<char, FreeDeleter> out(jwt_encode_str(j.get()));
  if (!out) throw std::runtime_error("jwt encoding failed");
  return out.get();
}

TokenCheck JwtCodec::verify(std::string_view token) const {
  TokenCheck r;
  if (token.empty() || token.size() > kMaxTokenBytes) return r;
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) return r;
  if (!header_is_hs256(token.substr(0, dot1))) return r;
  if (!signature_matches(secret_, token.substr(0, dot2), token.substr(dot2 + 1))) return r;

  jwt_t* raw = nullptr;
  std::string text(token);
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                 static_cast<int>(secret_.size())) != 0)
    return r;
  JwtPtr j(raw);
  if (jwt_get_alg(j.get()) != JWT_ALG_HS256) return r;
  TokenClaims& c = r.claims;
  c.sub = grant_string(j.get(), "sub");
  c.project_id = grant_string(j.get(), "project_id");
  c.email = grant_string(j.get(), "email");
  c.name = grant_string(j.get(), "name");
  if (grant_string(j.get(), "iss") != "cocobase" || c.sub.empty() || c.project_id.empty()) return r;
  errno = 0;
  c.exp = jwt_get_grant_int(j.get(), "exp");
  if (errno != 0) return r;  // exp missing or not an integer
  c.iat = jwt_get_grant_int(j.get(), "iat");
  if (std::unique_ptr<char, FreeDeleter> roles{jwt_get_grants_json(j.get(), "roles")}) {
    try {
      json::value v = protocol::parse_json(roles.get(), {8});
      if (v.is_array()) c.roles = v.get_array();
    } catch (const protocol::JsonParseError&) {
    }
  }
  r.status = now_s() <= c.exp + leeway_s_ ? TokenStatus::ok : TokenStatus::expired;
  return r;
}

}  // namespace cocobase::server::auth
