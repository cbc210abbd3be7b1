#include "auth/jwt.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <ctime>

using namespace cocobase::server::auth;

namespace {

std::string b64url(std::string_view in) {
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string hs256(const std::string& secret, const std::string& header, const std::string& payload) {
  std::string signing = b64url(header) + "." + b64url(payload);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signing.data()), signing.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return signing + "." + b64url(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

std::int64_t now() { return std::time(nullptr); }

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
  JwtCodec codec{"secret", 3600, 30};
  TokenClaims claims() {
    TokenClaims c;
    c.sub = "user-1";
    c.project_id = "default";
    c.email = "a@b.c";
    c.name = "Ann";
    return c;
  }
  std::string payload(std::int64_t exp, const std::string& extra = "") {
    return R"({"sub":"u","project_id":"p","iss":"cocobase","iat":1,"exp":)" + std::to_string(exp) + extra + "}";
  }
};

TEST_F(JwtTest, IssuedTokenVerifiesWithItsClaims) {
  auto check = codec.verify(codec.issue(claims()));
  ASSERT_EQ(check.status, TokenStatus::ok);
  EXPECT_EQ(check.claims.sub, "user-1");
  EXPECT_EQ(check.claims.project_id, "default");
  EXPECT_EQ(check.claims.name, "Ann");
  EXPECT_EQ(check.claims.exp - check.claims.iat, 3600);
}

TEST_F(JwtTest, OtherSecretOrTamperedPartsAreInvalid) {
  std::string token = codec.issue(claims());
  EXPECT_EQ(JwtCodec("other", 3600, 30).verify(token).status, TokenStatus::invalid);
  std::string tampered_sig = token;
  tampered_sig.back() = tampered_sig.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(codec.verify(tampered_sig).status, TokenStatus::invalid);
  auto dot = token.find('.');
  std::string tampered_payload = token.substr(0, dot + 1) + b64url(payload(now() + 100)) + token.substr(token.rfind('.'));
  EXPECT_EQ(codec.verify(tampered_payload).status, TokenStatus::invalid);
}

TEST_F(JwtTest, OnlyHs256IsAccepted) {
  std::string p = payload(now() + 100);
  EXPECT_EQ(codec.verify(hs256("secret", R"({"alg":"HS256","typ":"JWT"})", p)).status, TokenStatus::ok);
  EXPECT_EQ(codec.verify(hs256("secret", R"({"alg":"HS512","typ":"JWT"})", p)).status, TokenStatus::invalid);
  EXPECT_EQ(codec.verify(hs256("secret", R"({"alg":"RS256","typ":"JWT"})", p)).status, TokenStatus::invalid);
  EXPECT_EQ(codec.verify(b64url(R"({"alg":"none"})") + "." + b64url(p) + ".").status, TokenStatus::invalid);
  EXPECT_EQ(codec.verify(b64url(R"({"alg":"none"})") + "." + b64url(p)).status, TokenStatus::invalid);
}

TEST_F(JwtTest, ExpiryHonoursLeeway) {
  EXPECT_EQ(codec.verify(hs256("secret", R"({"alg":"HS256"})", payload(now() - 10))).status, TokenStatus::ok);
  EXPECT_EQ(codec.verify(hs256("secret", R"({"alg":"HS256"})", payload(now() - 100))).status, TokenStatus::expired);
}

TEST_F(JwtTest, RequiredClaimsAndShape) {
  const std::string h = R"({"alg":"HS256"})";
  EXPECT_EQ(codec.verify(hs256("secret", h, R"({"project_id":"p","iss":"cocobase","exp":9999999999})")).status,
            TokenStatus::invalid);  // no sub
  EXPECT_EQ(codec.verify(hs256("secret", h, R"({"sub":"u","project_id":"p","iss":"cocobase"})")).status,
            TokenStatus::invalid);  // no exp
  EXPECT_EQ(codec.verify(hs256("secret", h, R"({"sub":"u","project_id":"p","iss":"x","exp":9999999999})")).status,
            TokenStatus::invalid);  // wrong iss
  EXPECT_EQ(codec.verify("a.b.c").status, TokenStatus::invalid);
  EXPECT_EQ(codec.verify("a.b").status, TokenStatus::invalid);
  EXPECT_EQ(codec.verify("").status, TokenStatus::invalid);
  std::string good = hs256("secret", h, payload(now() + 100));
  EXPECT_EQ(codec.verify(good + ".x").status, TokenStatus::invalid);
  EXPECT_EQ(codec.verify(std::string(kMaxTokenBytes + 1, 'a')).status, TokenStatus::invalid);
}

}  // namespace
