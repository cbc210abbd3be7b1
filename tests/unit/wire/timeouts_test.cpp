// PROTOCOL 5.1.4 step 1 and 5.1.7: AUTH_TIMEOUT and IDLE_TIMEOUT (both 4408), and what keeps a
// socket alive. One server with short timeouts and frequent pings.
#include "wire_support.hpp"

#include <thread>

namespace cocobase::wire_test {
namespace {

constexpr int kAuthTimeoutMs = 800;
constexpr int kIdleTimeoutMs = 1500;
constexpr int kPingIntervalMs = 150;

class WireTimeouts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_.start({"--ws-auth-timeout-ms", std::to_string(kAuthTimeoutMs), "--ws-idle-timeout-ms",
                   std::to_string(kIdleTimeoutMs), "--ws-ping-interval-ms", std::to_string(kPingIntervalMs)});
  }
  static void TearDownTestSuite() { shared_.stop(); }

  const ServerProcess& server() { return *shared_.server; }
  std::string auth(const std::string& extra = "") {
    return R"({"api_key":)" + quote(shared_.server->api_key()) + (extra.empty() ? "" : "," + extra) + "}";
  }

  static SharedServer shared_;
};
SharedServer WireTimeouts::shared_;

TEST_F(WireTimeouts, NoAuthMessageGivesAuthTimeout4408) {
  // all three at once (the timeouts run concurrently); the client answers pings, sends nothing else
  std::vector<std::unique_ptr<RawWsClient>> clients;
  for (const std::string path : {"/realtime/collections/users", "/realtime/broadcast", "/realtime/rooms/general"})
    clients.push_back(open_ws(server(), path));
  for (auto& c : clients) {
    SCOPED_TRACE(c->path());
    auto r = expect_error_close(*c, "AUTH_TIMEOUT", "Authentication timeout", 4408);
    EXPECT_EQ(r.error.size(), 3u) << js(r.error);
  }
}

TEST_F(WireTimeouts, SilentClientAfterAuthGetsIdleTimeout4408) {
  // Neither data nor pongs from the client after its auth message: the server's pings go
  // unanswered and the idle cut-off closes it.
  auto c = connect_authed(server(), "/realtime/broadcast", auth(), "connected");
  c->set_auto_pong(false);
  auto r = expect_error_close(*c, "IDLE_TIMEOUT", "Idle timeout", 4408);
  EXPECT_EQ(r.error.size(), 3u) << js(r.error);
  EXPECT_GT(c->pings_received(), 0) << "the server sends ping frames (--ws-ping-interval-ms)";
  // before the close: the server's pings and the error message, nothing else
  for (const auto& f : r.close.frames)
    EXPECT_TRUE(f.opcode == testing::kOpPing || f.opcode == testing::kOpText) << "opcode " << int(f.opcode);
}

TEST_F(WireTimeouts, AnsweringPingsKeepsTheSocketOpenPastTheIdleTimeout) {
  // Pongs are frames from the client: they reset the idle timer (5.1.7).
  auto c = connect_authed(server(), "/realtime/collections/users", auth(), "connected");
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2 * kIdleTimeoutMs);
  while (std::chrono::steady_clock::now() < until) {
    auto m = c->next_message_or_timeout(std::chrono::milliseconds(100));  // answers pings
    ASSERT_FALSE(m.has_value()) << "unexpected message: " << *m;
  }
  EXPECT_GT(c->pings_received(), 0);
  expect_usable(*c);
}

TEST_F(WireTimeouts, ClientPingFramesAlsoCountAsActivity) {
  // With pongs off, the client's own ping frames keep it alive.
  auto c = connect_authed(server(), "/realtime/broadcast", auth(), "connected");
  c->set_auto_pong(false);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2 * kIdleTimeoutMs);
  while (std::chrono::steady_clock::now() < until) {
    c->send_ping("keepalive");
    // the server's pong (skipped) and its pings (not answered); no text message
    auto m = c->next_message_or_timeout(std::chrono::milliseconds(150));
    ASSERT_FALSE(m.has_value()) << "unexpected message: " << *m;
  }
  c->set_auto_pong(true);
  expect_usable(*c);
}

}  // namespace
}  // namespace cocobase::wire_test
