// PROTOCOL 5.4 / 8f: capacity and rate limits, all closing 4429 with `limit`.
// One server: --max-rooms-per-project 1, --max-room-participants 1, and a token bucket of 5
// messages refilled at 0.5/s (so no token comes back during a test's burst).
#include "wire_support.hpp"

#include <thread>

namespace cocobase::wire_test {
namespace {

constexpr int kBurst = 5;

class WireLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_.start({"--max-rooms-per-project", "1", "--max-room-participants", "1", "--ws-rate-per-sec", "0.5",
                   "--ws-rate-burst", std::to_string(kBurst)});
  }
  static void TearDownTestSuite() { shared_.stop(); }

  // Rooms are removed when their last participant leaves (6.2); the close is asynchronous, so
  // wait until the project has no room before a test that counts rooms.
  void SetUp() override {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    for (;;) {
      auto r = testing::http_request(server().port(), "GET", "/realtime/rooms", {{"X-API-Key", key()}});
      ASSERT_EQ(r.status, 200) << r.body;
      if (parse_object(r.body).at("total").to_number<std::int64_t>() == 0) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "rooms of an earlier test never went away: " << r.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  const ServerProcess& server() { return *shared_.server; }
  std::string key() { return shared_.server->api_key(); }
  std::string auth(const std::string& extra = "") {
    return R"({"api_key":)" + quote(key()) + (extra.empty() ? "" : "," + extra) + "}";
  }

  static SharedServer shared_;
};
SharedServer WireLimits::shared_;

TEST_F(WireLimits, CreateBeyondMaxRoomsPerProjectIsRoomLimit4429) {
  auto held = connect_authed(server(), "/realtime/rooms/lim-a", auth(R"("action":"create","user_id":"a")"), "joined");
  auto c = open_ws(server(), "/realtime/rooms/lim-b");
  c->send_json(auth(R"("action":"create","user_id":"a")"));
  auto r = expect_error_close(*c, "ROOM_LIMIT", "Room limit reached", 4429);
  ASSERT_TRUE(r.error.contains("limit")) << js(r.error);
  EXPECT_EQ(js(r.error.at("limit")), "1");
  // `create` of the existing room is a join (5.4), not a new room: no ROOM_LIMIT
  json::object first;
  auto again = connect_authed(server(), "/realtime/rooms/lim-a", auth(R"("action":"create","user_id":"a")"), "joined",
                              &first);
  EXPECT_EQ(js(first.at("created")), "false");
}

TEST_F(WireLimits, JoinBeyondMaxRoomParticipantsIsRoomFull4429) {
  auto held = connect_authed(server(), "/realtime/rooms/full", auth(R"("action":"create","user_id":"u1")"), "joined");
  for (const std::string action : {R"("join")", R"("create")"}) {
    SCOPED_TRACE(action);
    auto c = open_ws(server(), "/realtime/rooms/full");
    c->send_json(auth(R"("user_id":"u2","action":)" + action));
    auto r = expect_error_close(*c, "ROOM_FULL", "Room is full", 4429);
    ASSERT_TRUE(r.error.contains("limit")) << js(r.error);
    EXPECT_EQ(js(r.error.at("limit")), "1");
  }
  // a user_id already among the participants may open another connection (5.4)
  json::object first;
  auto same = connect_authed(server(), "/realtime/rooms/full", auth(R"("user_id":"u1")"), "joined", &first);
  EXPECT_EQ(js(first.at("participants")), "1");
}

TEST_F(WireLimits, MessagesBeyondTheBucketAreRateLimited4429) {
  // Every client message after auth takes a token, pings included (5.1.5, 8f): the first
  // --ws-rate-burst are answered, the next one is refused and closes.
  auto c = connect_authed(server(), "/realtime/broadcast", auth(), "connected");
  std::string burst;
  for (int i = 0; i < 2 * kBurst; ++i) burst += RawWsClient::encode_frame(testing::kOpText, R"({"type":"ping"})");
  c->send_raw(burst);  // all at once
  CloseInfo close = c->expect_close(kWait);
  EXPECT_TRUE(close.frame_received);
  EXPECT_EQ(close.code, 4429);
  EXPECT_EQ(close.reason, "RATE_LIMITED");
  ASSERT_EQ(close.messages.size(), static_cast<std::size_t>(kBurst + 1)) << "pongs for the burst, then the error";
  for (int i = 0; i < kBurst; ++i) EXPECT_EQ(close.messages[i], R"({"type":"pong"})");
  auto e = parse_object(close.messages.back());
  EXPECT_EQ(str(e, "type"), "error");
  EXPECT_EQ(str(e, "code"), "RATE_LIMITED");
  EXPECT_EQ(str(e, "error"), "Rate limit exceeded");
  ASSERT_TRUE(e.contains("limit")) << js(e);
  // the limit that was crossed: the configured rate (--ws-rate-per-sec)
  EXPECT_TRUE(e.at("limit").is_number()) << js(e);
  EXPECT_EQ(e.at("limit").to_number<double>(), 0.5) << js(e);
}

}  // namespace
}  // namespace cocobase::wire_test
