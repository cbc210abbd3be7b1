// PROTOCOL 5.1.4 / 5.1.6: the errors of the auth message and of the path, each with its error
// message and its close (status, and reason == code). One server for the suite.
#include "wire_support.hpp"

namespace cocobase::wire_test {
namespace {

const std::string kSecret = "wire-test-secret-0123456789abcdef";

class WireAuthErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_.start({"--jwt-secret", kSecret});
    // A second project, for PROJECT_MISMATCH (the CLI writes the store the server reads).
    auto r = testing::run_cli({"project", "create", "wireb", "--data", shared_.server->data_dir().string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    key_b_ = str(parse_object(r.out), "api_key");
  }
  static void TearDownTestSuite() { shared_.stop(); }

  const ServerProcess& server() { return *shared_.server; }
  std::string key() { return shared_.server->api_key(); }
  std::string auth(const std::string& extra = "") {
    return R"({"api_key":)" + quote(key()) + (extra.empty() ? "" : "," + extra) + "}";
  }

  // Opens `path`, sends `message`, and checks the error-then-close sequence.
  ErrorClose refused(const std::string& path, const std::string& message, const std::string& code,
                     const std::string& text, int close_code) {
    SCOPED_TRACE(path + " <- " + message.substr(0, 200));
    auto c = open_ws(server(), path);
    c->send_json(message);
    return expect_error_close(*c, code, text, close_code);
  }

  static SharedServer shared_;
  static std::string key_b_;
};
SharedServer WireAuthErrors::shared_;
std::string WireAuthErrors::key_b_;

TEST_F(WireAuthErrors, AuthRequiredWithoutCredential4401) {
  // absent, null and empty api_key (and token) all count as no credential (5.1.3)
  for (const std::string msg : {R"({})", R"({"api_key":null})", R"({"api_key":""})",
                                R"({"api_key":"","token":""})", R"({"filters":{}})"}) {
    auto r = refused("/realtime/collections/users", msg, "AUTH_REQUIRED", "API key is required", 4401);
    EXPECT_EQ(r.error.size(), 3u) << "no context members: " << js(r.error);
  }
  refused("/realtime/broadcast", "{}", "AUTH_REQUIRED", "API key is required", 4401);
  refused("/realtime/rooms/general", R"({"action":"create"})", "AUTH_REQUIRED", "API key is required", 4401);
}

TEST_F(WireAuthErrors, InvalidApiKeyWithErrorDetail4401) {
  const std::string unknown = R"({"api_key":"cb_)" + std::string(40, 'x') + R"(","action":"create"})";
  for (const std::string path : {"/realtime/collections/users", "/realtime/broadcast", "/realtime/rooms/general"}) {
    auto r = refused(path, unknown, "INVALID_API_KEY", "Invalid API key", 4401);
    EXPECT_EQ(str(r.error, "error_detail"), "Project not found") << js(r.error);
  }
}

TEST_F(WireAuthErrors, InvalidTokenEvenBesideAValidKey4401) {
  const auto now = unix_now();
  const std::vector<std::string> cases{
      R"({"token":"garbage"})",
      auth(R"("token":"garbage")"),  // 8d: a bad token closes even beside a valid key
      R"({"token":)" + quote(user_token("another-secret", "default", now, 3600)) + "}",
      R"({"token":)" + quote(user_token(kSecret, "no-such-project", now, 3600)) + "}",
  };
  for (const auto& msg : cases) refused("/realtime/broadcast", msg, "INVALID_TOKEN", "Invalid token", 4401);
}

TEST_F(WireAuthErrors, TokenExpired4401) {
  const auto now = unix_now();
  // exp an hour ago: beyond the default 30 s leeway
  const std::string token = user_token(kSecret, "default", now - 7200, 3600);
  refused("/realtime/collections/users", R"({"token":)" + quote(token) + "}", "TOKEN_EXPIRED", "Token expired", 4401);
}

TEST_F(WireAuthErrors, ProjectMismatch4403) {
  const std::string token = user_token(kSecret, "default", unix_now(), 3600);
  ASSERT_FALSE(key_b_.empty());
  refused("/realtime/collections/users", R"({"api_key":)" + quote(key_b_) + R"(,"token":)" + quote(token) + "}",
          "PROJECT_MISMATCH", "Token and API key belong to different projects", 4403);
  // the same token alone is fine: the mismatch is what was refused
  auto c = connect_authed(server(), "/realtime/collections/users", R"({"token":)" + quote(token) + "}", "connected");
}

TEST_F(WireAuthErrors, InvalidJsonDuringAuth4400) {
  for (const std::string msg : {"not json", "{oops", R"({"api_key":)"}) {
    auto r = refused("/realtime/broadcast", msg, "INVALID_JSON", "Invalid JSON", 4400);
    EXPECT_EQ(r.error.size(), 3u) << js(r.error);
  }
  // deeper than --max-json-depth (64): INVALID_JSON during auth too (8f)
  refused("/realtime/broadcast", auth(R"("x":)" + std::string(100, '[') + std::string(100, ']')), "INVALID_JSON",
          "Invalid JSON", 4400);
}

TEST_F(WireAuthErrors, InvalidMessageWrongMemberType4400) {
  const std::vector<std::string> cases{
      "[1,2]", R"("str")", "5", "null",         // JSON, but not an object
      R"({"api_key":5})",                       // api_key must be a string
      R"({"token":true})",                      // token must be a string
      auth(R"("user_id":{})"),                  // string or number
      auth(R"("user_name":[1])"),               // string or number
      auth(R"("room_title":7)"),                // string
  };
  for (const auto& msg : cases) {
    auto r = refused("/realtime/broadcast", msg, "INVALID_MESSAGE", "Invalid auth message", 4400);
    EXPECT_TRUE(r.error.contains("error_detail")) << "INVALID_MESSAGE carries error_detail: " << js(r.error);
  }
}

TEST_F(WireAuthErrors, InvalidMessageOverlongUserId4400) {
  // 5.3: more than 128 bytes is refused; exactly 128 is accepted
  const std::string long_id(129, 'u'), max_id(128, 'u');
  auto r = refused("/realtime/broadcast", auth(R"("user_id":)" + quote(long_id)), "INVALID_MESSAGE",
                   "Invalid auth message", 4400);
  EXPECT_TRUE(r.error.contains("error_detail")) << js(r.error);
  refused("/realtime/rooms/general", auth(R"("action":"create","user_name":)" + quote(long_id)),
          "INVALID_MESSAGE", "Invalid auth message", 4400);
  refused("/realtime/rooms/general", auth(R"("action":"create","room_title":)" + quote(std::string(201, 't'))),
          "INVALID_MESSAGE", "Invalid auth message", 4400);
  json::object first;
  auto ok = connect_authed(server(), "/realtime/broadcast", auth(R"("user_id":)" + quote(max_id)), "connected", &first);
  EXPECT_EQ(str(first, "user_id"), max_id);
}

TEST_F(WireAuthErrors, InvalidFilter4400) {
  // an object operand (4.5), a bad group prefix (4.3 step 1), a bad isnull operand (4.6)
  for (const std::string f : {R"({"status":{"a":1}})", R"({"[bad":"x"})", R"({"age_isnull":"maybe"})"}) {
    auto r = refused("/realtime/collections/users", auth(R"("filters":)" + f), "INVALID_FILTER", "Invalid filter", 4400);
    EXPECT_TRUE(r.error.contains("error_detail")) << js(r.error);
  }
  // filters that are not an object (5.2)
  for (const std::string f : {"[1]", R"("status=a")", "5", "true"})
    refused("/realtime/collections/users", auth(R"("filters":)" + f), "INVALID_FILTER", "Invalid filter", 4400);
  // more than --max-filter-conditions (64) conditions (8f)
  std::string many = "{";
  for (int i = 0; i < 65; ++i) many += (i ? "," : "") + quote("f" + std::to_string(i)) + R"(:"x")";
  many += "}";
  refused("/realtime/collections/users", auth(R"("filters":)" + many), "INVALID_FILTER", "Invalid filter", 4400);
}

// 5.1.6 table: INVALID_FILTER carries `key`, the offending filter key (besides error_detail).
TEST_F(WireAuthErrors, InvalidFilterNamesTheOffendingKey) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"({"status":{"a":1}})", "status"},
      {R"({"[bad":"x"})", "[bad"},
      {R"({"ok":"x","age_isnull":"maybe"})", "age_isnull"},
  };
  for (const auto& [f, key] : cases) {
    auto r = refused("/realtime/collections/users", auth(R"("filters":)" + f), "INVALID_FILTER", "Invalid filter", 4400);
    EXPECT_EQ(str(r.error, "key"), key) << js(r.error);
  }
}

// 5.1.1: an invalid {name} / {room_id} is reported right after the upgrade, before the auth
// message is read: the client sends nothing at all here.
TEST_F(WireAuthErrors, InvalidCollectionNameRightAfterUpgrade4400) {
  for (const std::string& path : std::vector<std::string>{"/realtime/collections/bad%20name!", "/realtime/collections/documents",
                                 "/realtime/collections/file",
                                 "/realtime/collections/" + std::string(65, 'n')}) {
    SCOPED_TRACE(path.substr(0, 60));
    auto c = open_ws(server(), path);
    auto r = expect_error_close(*c, "INVALID_COLLECTION_NAME", "Invalid collection name", 4400);
  }
}

TEST_F(WireAuthErrors, InvalidRoomIdRightAfterUpgrade4400) {
  for (const std::string& path : std::vector<std::string>{"/realtime/rooms/bad%20room", "/realtime/rooms/" + std::string(129, 'r')}) {
    SCOPED_TRACE(path.substr(0, 60));
    auto c = open_ws(server(), path);
    expect_error_close(*c, "INVALID_ROOM_ID", "Invalid room id", 4400);
  }
}

TEST_F(WireAuthErrors, InvalidAction4400) {
  for (const std::string a : {R"("foo")", R"("JOIN")", "5", "{}"})
    refused("/realtime/rooms/wire-action", auth(R"("action":)" + a), "INVALID_ACTION", "Invalid action", 4400);
}

TEST_F(WireAuthErrors, InvalidResume4400) {
  for (const std::string v : {"-1", "1.5", R"("3")", "{}", "true"})
    refused("/realtime/collections/users", auth(R"("resume_from":)" + v), "INVALID_RESUME", "Invalid resume_from",
            4400);
}

TEST_F(WireAuthErrors, InvalidHistory4400) {
  for (const std::string v : {"-1", "2.5", R"("10")", "[]"})
    refused("/realtime/rooms/wire-history", auth(R"("action":"create","history":)" + v), "INVALID_HISTORY",
            "Invalid history", 4400);
}

TEST_F(WireAuthErrors, RoomNotFoundWithRoomId4404) {
  auto r = refused("/realtime/rooms/nowhere", auth(R"("action":"join")"), "ROOM_NOT_FOUND", "Room not found", 4404);
  EXPECT_EQ(str(r.error, "room_id"), "nowhere") << js(r.error);
  // an absent (or null) action means join
  r = refused("/realtime/rooms/nowhere-2", auth(), "ROOM_NOT_FOUND", "Room not found", 4404);
  EXPECT_EQ(str(r.error, "room_id"), "nowhere-2") << js(r.error);
  r = refused("/realtime/rooms/nowhere-3", auth(R"("action":null)"), "ROOM_NOT_FOUND", "Room not found", 4404);
  EXPECT_EQ(str(r.error, "room_id"), "nowhere-3") << js(r.error);
}

}  // namespace
}  // namespace cocobase::wire_test
