// Non-terminal closes against the real server binary: a server restart makes every helper
// reconnect (on_close with will_reconnect, on_reconnect, a new confirmation) and the watcher
// resumes from last_seq, replaying the writes it missed while it was away (PROTOCOL 8a, 9.2).
// The exhaustive loss-free test lives elsewhere; this one keeps the scenarios simple.
#include "realtime_support.hpp"

#include <cocobase/client.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

namespace cocobase {
namespace {

using namespace rt_test;
using testing::ServerOptions;
using testing::ServerProcess;
using testing::TempDir;

std::vector<std::int64_t> change_seqs(const std::vector<WatchEvent>& events) {
  std::vector<std::int64_t> out;
  for (const auto& e : events)
    if (e.type == WatchEventType::create || e.type == WatchEventType::update ||
        e.type == WatchEventType::delete_)
      out.push_back(e.seq);
  return out;
}

bool all_non_terminal(const std::vector<RealtimeError>& errors) {
  for (const auto& e : errors)
    if (e.terminal) return false;
  return true;
}

std::string codes_of(const std::vector<RealtimeError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.code + "(" + std::to_string(e.close_code) + ") ";
  return out;
}

// Every helper reconnects after `cocobase serve` restarts on the same port and data dir.
TEST(RealtimeReconnectTest, ServerRestartReconnectsEveryHelper) {
  ServerProcess server;
  const std::string key = server.api_key();
  ASSERT_FALSE(key.empty());
  Client client(fast_config(server.url(), key));
  const auto col = test_name();

  Recorder<WatchEvent> connected, all;
  Recorder<CloseInfo> closes;
  Recorder<ReconnectInfo> reconnects;
  Recorder<RealtimeError> errors;
  auto w = client.realtime().collection(col);
  w.on_connected(connected.fn())
      .on_event(all.fn())
      .on_close(closes.fn())
      .on_reconnect(reconnects.fn())
      .on_error(errors.fn());
  w.connect();

  Recorder<json::object> b_connected;
  Recorder<CloseInfo> b_closes;
  Recorder<RealtimeError> b_errors;
  auto b = client.realtime().broadcast("u1", "Alice");
  b.on_connected(b_connected.fn()).on_close(b_closes.fn()).on_error(b_errors.fn());
  b.connect();

  Recorder<json::object> joined, room_closes, room_reconnects;
  auto room = client.realtime().room(test_name("room-"), "u1", "Alice");
  room.on("joined", joined.fn()).on("close", room_closes.fn()).on("reconnect", room_reconnects.fn());
  room.create("Before restart");

  ASSERT_TRUE(connected.wait_for_count(1));
  ASSERT_TRUE(b_connected.wait_for_count(1));
  ASSERT_TRUE(joined.wait_for_count(1));
  EXPECT_EQ(joined.at(0).at("created"), true);

  client.create_document(col, {{"n", 1}});
  ASSERT_TRUE(all.wait_until([](const auto& v) { return change_seqs(v).size() == 1; }));

  server.restart();

  ASSERT_TRUE(closes.wait_for_count(1));
  EXPECT_TRUE(closes.at(0).will_reconnect);
  EXPECT_NE(closes.at(0).code, 1000);
  ASSERT_TRUE(connected.wait_for_count(2)) << "watcher did not reconnect; errors: " << codes_of(errors.items());
  EXPECT_GE(reconnects.size(), 1u);
  EXPECT_EQ(reconnects.at(0).attempt, 1);
  EXPECT_TRUE(eventually([&] { return w.is_connected(); }));
  EXPECT_FALSE(w.is_closed());

  // Writes after the restart arrive once, in order, after the one seen before.
  client.create_document(col, {{"n", 2}});
  client.create_document(col, {{"n", 3}});
  ASSERT_TRUE(all.wait_until([](const auto& v) { return change_seqs(v).size() >= 3; }));
  EXPECT_EQ(change_seqs(all.items()), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_TRUE(eventually([&] { return w.last_seq() == 3; }));
  EXPECT_TRUE(all_non_terminal(errors.items())) << codes_of(errors.items());

  // The broadcast reconnects too.
  ASSERT_TRUE(b_connected.wait_for_count(2));
  ASSERT_GE(b_closes.size(), 1u);
  EXPECT_TRUE(b_closes.at(0).will_reconnect);
  EXPECT_TRUE(all_non_terminal(b_errors.items())) << codes_of(b_errors.items());

  // Rooms do not survive a restart; the creator re-sends `create` and gets a new room.
  ASSERT_TRUE(joined.wait_for_count(2));
  EXPECT_EQ(joined.at(1).at("created"), true);
  ASSERT_GE(room_closes.size(), 1u);
  EXPECT_EQ(room_closes.at(0).at("will_reconnect"), true);
  EXPECT_GE(room_reconnects.size(), 1u);
  EXPECT_TRUE(eventually([&] { return room.is_joined(); }));
}

// The watcher misses writes while its server is down (they are made through another server
// process on the same data dir), then resumes: the missed events are replayed with replay=true,
// followed by replay_done, then live events. No gap, no duplicate.
TEST(RealtimeReconnectTest, ResumeReplaysWritesMadeWhileDisconnected) {
  TempDir dir;
  auto first = std::make_unique<ServerProcess>(ServerOptions{.args = {}, .data_dir = dir.path()});
  const std::string key = first->api_key();
  const std::uint16_t port = first->port();
  ASSERT_FALSE(key.empty());
  const auto col = test_name();

  Client writer(fast_config(first->url(), key));
  const Document d1 = writer.create_document(col, {{"n", 1}});  // seq 1, before the watch

  Client client(fast_config(first->url(), key));
  Recorder<WatchEvent> connected, all;
  Recorder<CloseInfo> closes;
  Recorder<ReconnectInfo> reconnects;
  Recorder<RealtimeError> errors;
  auto w = client.realtime().collection(col);
  w.on_connected(connected.fn())
      .on_event(all.fn())
      .on_close(closes.fn())
      .on_reconnect(reconnects.fn())
      .on_error(errors.fn());
  w.connect();
  ASSERT_TRUE(connected.wait_for_count(1));
  EXPECT_EQ(connected.at(0).seq, 1);
  const Document d2 = writer.create_document(col, {{"n", 2}});  // seq 2, live
  ASSERT_TRUE(all.wait_until([](const auto& v) { return change_seqs(v).size() == 1; }));
  EXPECT_EQ(w.last_seq(), 2);

  first->stop();
  ASSERT_TRUE(closes.wait_for_count(1));
  EXPECT_TRUE(closes.at(0).will_reconnect);

  {
    // Another process on the same data dir, on another port: the watcher cannot see it.
    ServerProcess other(ServerOptions{.args = {}, .data_dir = dir.path()});
    if (other.port() == port) GTEST_SKIP() << "the kernel reused the watcher's port";
    Client via_other(fast_config(other.url(), key));
    via_other.create_document(col, {{"n", 3}});               // seq 3
    via_other.update_document(col, d2.id, {{"n", 20}});       // seq 4
    via_other.delete_document(col, d1.id);                    // seq 5
    other.stop();
  }
  EXPECT_EQ(connected.size(), 1u) << "the watcher reached a server it should not have";

  ServerProcess third(ServerOptions{.args = {}, .data_dir = dir.path(), .port = port});
  ASSERT_TRUE(connected.wait_for_count(2)) << "no reconnect; errors: " << codes_of(errors.items());
  ASSERT_TRUE(all.wait_until([](const auto& v) {
    for (const auto& e : v)
      if (e.type == WatchEventType::replay_done) return true;
    return false;
  }));
  Client writer3(fast_config(third.url(), key));
  writer3.create_document(col, {{"n", 6}});  // seq 6, live
  ASSERT_TRUE(all.wait_until([](const auto& v) { return change_seqs(v).size() >= 5; }));

  const auto events = all.items();
  EXPECT_EQ(change_seqs(events), (std::vector<std::int64_t>{2, 3, 4, 5, 6}));
  // connected, create 2, connected (head 5), create 3, update 4, delete 5, replay_done, create 6
  std::vector<WatchEventType> types;
  for (const auto& e : events) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<WatchEventType>{
                       WatchEventType::connected, WatchEventType::create, WatchEventType::connected,
                       WatchEventType::create, WatchEventType::update, WatchEventType::delete_,
                       WatchEventType::replay_done, WatchEventType::create}));
  if (events.size() == 8) {
    EXPECT_FALSE(events[1].replay);
    EXPECT_EQ(events[2].seq, 5);  // head_seq of the resumed connection
    EXPECT_TRUE(events[3].replay);
    EXPECT_EQ(events[3].document.data.at("n"), 3);
    EXPECT_TRUE(events[4].replay);
    EXPECT_EQ(events[4].document.id, d2.id);
    ASSERT_TRUE(events[4].old_data.has_value());
    EXPECT_EQ(events[4].old_data->at("n"), 2);
    EXPECT_TRUE(events[5].replay);
    EXPECT_EQ(events[5].document.id, d1.id);
    EXPECT_EQ(events[6].seq, 5);
    EXPECT_EQ(num(events[6].raw, "replayed"), 3);
    EXPECT_FALSE(events[7].replay);
  }
  EXPECT_TRUE(eventually([&] { return w.last_seq() == 6; }));
  EXPECT_GE(reconnects.size(), 1u);
  EXPECT_TRUE(all_non_terminal(errors.items())) << codes_of(errors.items());
}

// WatchOptions::resume_from: a new watcher that starts where an earlier one stopped.
TEST(RealtimeReconnectTest, ResumeFromOptionReplaysFromThatSeq) {
  ServerProcess server;
  Client client(fast_config(server.url(), server.api_key()));
  const auto col = test_name();
  for (int i = 1; i <= 4; ++i) client.create_document(col, {{"n", i}});

  Recorder<WatchEvent> all;
  WatchOptions options;
  options.resume_from = 2;
  auto w = client.realtime().collection(col, options);
  EXPECT_EQ(w.last_seq(), 2);
  w.on_event(all.fn());
  w.connect();
  ASSERT_TRUE(all.wait_until([](const auto& v) {
    return !v.empty() && v.back().type == WatchEventType::replay_done;
  }));
  const auto events = all.items();
  ASSERT_EQ(events.size(), 4u);  // connected, create 3, create 4, replay_done
  EXPECT_EQ(change_seqs(events), (std::vector<std::int64_t>{3, 4}));
  EXPECT_TRUE(events[1].replay);
  EXPECT_TRUE(events[2].replay);
  EXPECT_EQ(events[3].seq, 4);
  EXPECT_EQ(w.last_seq(), 4);
}

}  // namespace
}  // namespace cocobase
