// PROTOCOL 8f / 5.1.6: a watcher that stops reading while its outbound queue grows beyond
// --ws-max-queue-bytes is closed with 4509 (no error message: the queue is discarded), and a
// resume (8a) from the last event it got delivers the rest.
#include "wire_support.hpp"

namespace cocobase::wire_test {
namespace {

constexpr int kQueueBytes = 65536;
constexpr int kBatches = 6;
constexpr int kBatchSize = 250;
constexpr std::size_t kPad = 4000;  // each event carries the document twice (`data`, `document`)

class WireSlowConsumer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_.start({"--ws-max-queue-bytes", std::to_string(kQueueBytes)}); }
  static void TearDownTestSuite() { shared_.stop(); }

  const ServerProcess& server() { return *shared_.server; }
  std::string key() { return shared_.server->api_key(); }

  static SharedServer shared_;
};
SharedServer WireSlowConsumer::shared_;

TEST_F(WireSlowConsumer, WatcherThatStopsReadingIsClosed4509AndResumesWithoutLoss) {
  // A small receive buffer, set before connect, so the server's writes back up early.
  RawWsOptions options;
  options.receive_buffer = 4096;
  json::object first;
  auto w = connect_authed(server(), "/realtime/collections/slow", R"({"api_key":)" + quote(key()) + "}", "connected",
                          &first, options);
  ASSERT_EQ(js(first.at("head_seq")), "0");
  w->stop_reading();

  // ~kBatches * kBatchSize events of ~2 * kPad bytes: far beyond what the kernel buffers and the
  // 64 KiB queue hold.
  const std::string pad(kPad, 'p');
  std::int64_t head = 0;
  for (int b = 0; b < kBatches; ++b) {
    std::string body = R"({"documents":[)";
    for (int i = 0; i < kBatchSize; ++i)
      body += (i ? "," : "") + std::string(R"({"i":)") + std::to_string(b * kBatchSize + i) + R"(,"pad":")" + pad + "\"}";
    body += "]}";
    auto r = testing::http_request(server().port(), "POST", "/collections/slow/batch/documents/create",
                                   {{"X-API-Key", key()}}, body);
    ASSERT_EQ(r.status, 201) << r.status_line << " " << r.body.substr(0, 300);
    auto seq = r.header("X-Cocobase-Seq");
    ASSERT_TRUE(seq.has_value());
    head = std::stoll(*seq);
  }
  ASSERT_EQ(head, kBatches * kBatchSize);

  // Read again: what the kernel buffers held, then the close. (If the server gave up on the
  // closing handshake before we read, the TCP connection ends without the close frame; this
  // has not been seen, and would fail the first assertion below.)
  w->resume_reading();
  CloseInfo close = w->expect_close(std::chrono::seconds(30));
  ASSERT_TRUE(close.frame_received) << "EOF after " << close.messages.size() << " messages, without a close frame";
  EXPECT_EQ(close.code, 4509);
  // The delivered events are a gap-free prefix 1..k in order; no error message (the queue was
  // discarded, 5.1.6 table).
  std::int64_t last = 0;
  for (const auto& text : close.messages) {
    auto m = parse_object(text);
    ASSERT_NE(str(m, "type"), "error") << "4509 has no error message first: " << text.substr(0, 300);
    ASSERT_EQ(str(m, "event"), "create") << text.substr(0, 300);
    ASSERT_EQ(m.at("seq").to_number<std::int64_t>(), last + 1) << "gap or reorder";
    last = m.at("seq").to_number<std::int64_t>();
  }
  EXPECT_LT(last, head) << "a slow consumer cannot have received every event";

  // 8a: resume from the last event received: the rest, each once, in order, then replay_done.
  auto r = connect_authed(server(), "/realtime/collections/slow",
                          R"({"api_key":)" + quote(key()) + R"(,"resume_from":)" + std::to_string(last) + "}",
                          "connected", &first);
  EXPECT_EQ(first.at("head_seq").to_number<std::int64_t>(), head);
  for (std::int64_t seq = last + 1; seq <= head; ++seq) {
    auto m = parse_object(r->next_message(kWait));
    ASSERT_EQ(str(m, "event"), "create") << js(m).substr(0, 300);
    ASSERT_EQ(m.at("seq").to_number<std::int64_t>(), seq);
    ASSERT_EQ(js(m.at("replay")), "true");
  }
  auto done = parse_object(r->next_message(kWait));
  EXPECT_EQ(str(done, "event"), "replay_done");
  EXPECT_EQ(done.at("head_seq").to_number<std::int64_t>(), head);
  EXPECT_EQ(done.at("replayed").to_number<std::int64_t>(), head - last);
}

}  // namespace
}  // namespace cocobase::wire_test
