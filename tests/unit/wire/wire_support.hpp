#pragma once
// Shared by the wire/*_test.cpp files: black-box tests of the realtime wire protocol (PROTOCOL
// 5.1.6 error messages and close codes, 5.1.2 frame rules) against the real `cocobase serve`
// binary, spoken to with the raw client of testing/raw_ws_client.hpp.
//
// The expected values (codes, texts, close statuses) are written out literally from the
// protocol's tables, never taken from the server's own constants. Waits are generous timeouts
// only: a passing test never waits for them, and nothing asserts on timing.
#include "testing/raw_ws_client.hpp"
#include "testing/server_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace cocobase::wire_test {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::CloseInfo;
using testing::HttpResponse;
using testing::RawWsClient;
using testing::RawWsOptions;
using testing::ServerOptions;
using testing::ServerProcess;
using testing::WireError;

// Long enough for a loaded 2-core machine; a passing test never waits this long.
constexpr std::chrono::milliseconds kWait = 10s;

// The context members an error message may carry besides type/error/code (5.1.6).
inline const std::set<std::string>& allowed_error_members() {
  static const std::set<std::string> members{"type",  "error", "code",         "error_detail",
                                             "room_id", "key",   "limit",      "received_type"};
  return members;
}

inline json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) throw WireError("not JSON (" + ec.message() + "): " + text.substr(0, 300));
  if (!v.is_object()) throw WireError("not a JSON object: " + text.substr(0, 300));
  return std::move(v.as_object());
}

inline std::string str(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string("<missing or not a string>");
}

inline std::string js(const json::value& v) { return json::serialize(v); }
inline std::string js(const json::object& o) { return json::serialize(o); }

// A JSON string literal (quoted, escaped) for building messages by hand.
inline std::string quote(std::string_view s) { return json::serialize(json::value(json::string(s))); }

// Opens a socket on `path`; fails the test (throws) when the upgrade is refused.
inline std::unique_ptr<RawWsClient> open_ws(const ServerProcess& server, const std::string& path,
                                            RawWsOptions options = {}) {
  auto c = std::make_unique<RawWsClient>(server.port(), path, std::move(options));
  if (!c->upgraded())
    throw WireError("upgrade of " + path + " refused: " + c->upgrade_response().status_line + " " +
                    c->upgrade_response().body);
  return c;
}

// Opens, sends `auth`, and reads the confirmation message, which must have event == `event`.
inline std::unique_ptr<RawWsClient> connect_authed(const ServerProcess& server, const std::string& path,
                                                   const std::string& auth, const std::string& event,
                                                   json::object* first = nullptr, RawWsOptions options = {}) {
  auto c = open_ws(server, path, std::move(options));
  c->send_json(auth);
  json::object m = parse_object(c->next_message(kWait));
  if (str(m, "event") != event) throw WireError("expected event '" + event + "' on " + path + ", got " + js(m));
  if (first) *first = std::move(m);
  return c;
}

// What a refused connection received: the messages before the close, and the close.
struct ErrorClose {
  CloseInfo close;
  json::object error;  // the single error message ({} when there was none)
};

// Reads up to the close and checks the 5.1.6 rule for an error that closes: exactly one message,
// the error {type: "error", code, error: text} (only documented members), then a close frame
// with status `close_code` and reason == `code`.
inline ErrorClose expect_error_close(RawWsClient& c, const std::string& code, const std::string& text,
                                     int close_code) {
  ErrorClose out;
  out.close = c.expect_close(kWait);
  EXPECT_TRUE(out.close.frame_received) << "the TCP connection ended without a close frame";
  EXPECT_EQ(out.close.code, close_code) << "close reason: " << out.close.reason;
  EXPECT_EQ(out.close.reason, code);
  EXPECT_EQ(out.close.messages.size(), 1u) << "one error message, then the close";
  if (out.close.messages.empty()) return out;
  out.error = parse_object(out.close.messages.front());
  EXPECT_EQ(str(out.error, "type"), "error") << js(out.error);
  EXPECT_EQ(str(out.error, "code"), code) << js(out.error);
  EXPECT_EQ(str(out.error, "error"), text) << js(out.error);
  for (const auto& m : out.error)
    EXPECT_TRUE(allowed_error_members().count(std::string(m.key())))
        << "undocumented member '" << m.key() << "' in " << js(out.error);
  // Rule G (5.1.8): an error never has `event` or `data` (checked on every endpoint).
  EXPECT_FALSE(out.error.contains("event")) << js(out.error);
  EXPECT_FALSE(out.error.contains("data")) << js(out.error);
  return out;
}

// An error that does not close (INVALID_JSON after auth, UNKNOWN_TYPE): the next message.
inline json::object expect_error(RawWsClient& c, const std::string& code, const std::string& text) {
  json::object e = parse_object(c.next_message(kWait));
  EXPECT_EQ(str(e, "type"), "error") << js(e);
  EXPECT_EQ(str(e, "code"), code) << js(e);
  EXPECT_EQ(str(e, "error"), text) << js(e);
  for (const auto& m : e)
    EXPECT_TRUE(allowed_error_members().count(std::string(m.key())))
        << "undocumented member '" << m.key() << "' in " << js(e);
  return e;
}

// {"type":"ping"} gets {"type":"pong"}: the connection is open and usable.
inline void expect_usable(RawWsClient& c) {
  c.send_json(R"({"type":"ping"})");
  json::object pong = parse_object(c.next_message(kWait));
  EXPECT_EQ(js(pong), R"({"type":"pong"})");
}

// --- JWTs (PROTOCOL 7.7), signed here with the server's --jwt-secret -------------------------

inline std::string base64url(std::string_view bytes) {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

inline std::string sign_jwt(const json::object& claims, const std::string& secret) {
  std::string signing_input = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(json::serialize(claims));
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signing_input.data()),
                                signing_input.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return signing_input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

// A token of 7.7 for `project_id`, valid from `iat` for `ttl_s` seconds.
inline std::string user_token(const std::string& secret, const std::string& project_id, std::int64_t iat,
                              std::int64_t ttl_s, const std::string& sub = "wire-user") {
  json::object claims{{"sub", sub}, {"project_id", project_id}, {"email", "wire@example.com"},
                      {"roles", json::array()}, {"iat", iat}, {"exp", iat + ttl_s}, {"iss", "cocobase"}};
  return sign_jwt(claims, secret);
}

inline std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// A server shared by the tests of one suite (SetUpTestSuite / TearDownTestSuite).
struct SharedServer {
  std::unique_ptr<ServerProcess> server;
  void start(std::vector<std::string> args) {
    ServerOptions options;
    options.args = std::move(args);
    server = std::make_unique<ServerProcess>(std::move(options));
  }
  void stop() {
    if (server) server->stop();
    server.reset();
  }
};

}  // namespace cocobase::wire_test
