// ProjectBroadcast and RoomChat (client.realtime().broadcast / .room) and list_rooms against the
// real server binary.
#include "realtime_support.hpp"

#include <cocobase/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

namespace cocobase {
namespace {

using namespace rt_test;
using testing::ServerProcess;

class RealtimeRoomsTest : public ServerSuite {
 protected:
  Client c1_{config()};
  Client c2_{config()};
};

// Messages whose data carries this test's tag (other tests' broadcasts share the project).
auto tagged(const std::string& tag) {
  return [tag](const BroadcastMessage& m) {
    return m.data.is_object() && m.data.as_object().if_contains("tag") &&
           m.data.as_object().at("tag") == tag.c_str();
  };
}

std::size_t count_tagged(const std::vector<BroadcastMessage>& v, const std::string& tag) {
  return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), tagged(tag)));
}

// ---------------------------------------------------------------- broadcast

TEST_F(RealtimeRoomsTest, BroadcastReachesEveryConnectionIncludingSender) {
  const std::string tag = test_name();
  Recorder<json::object> conn1, conn2;
  Recorder<BroadcastMessage> got1, got2;
  Recorder<RealtimeError> errors;
  auto b1 = c1_.realtime().broadcast("u1", "Alice");
  auto b2 = c2_.realtime().broadcast("u2", "Bob");
  EXPECT_FALSE(b1.is_connected());
  b1.on_connected(conn1.fn()).on_message(got1.fn()).on_error(errors.fn());
  b2.on_connected(conn2.fn()).on_message(got2.fn()).on_error(errors.fn());
  b1.connect();
  b2.connect();
  ASSERT_TRUE(conn1.wait_for_count(1));
  ASSERT_TRUE(conn2.wait_for_count(1));
  EXPECT_EQ(str(conn1.at(0), "event"), "connected");
  EXPECT_EQ(str(conn1.at(0), "user_id"), "u1");
  EXPECT_EQ(str(conn1.at(0), "user_name"), "Alice");
  EXPECT_EQ(str(conn1.at(0), "project_id"), "default");
  EXPECT_EQ(str(conn2.at(0), "user_id"), "u2");
  EXPECT_TRUE(eventually([&] { return b1.is_connected() && b2.is_connected(); }));

  b1.send(json::object{{"tag", tag}, {"text", "hello"}});
  auto has = [&](std::size_t n) {
    return [&, n](const std::vector<BroadcastMessage>& v) { return count_tagged(v, tag) >= n; };
  };
  ASSERT_TRUE(got1.wait_until(has(1))) << "the sender did not receive its own message";
  ASSERT_TRUE(got2.wait_until(has(1)));
  for (const auto& recorder : {&got1, &got2}) {
    auto v = recorder->items();
    auto it = std::find_if(v.begin(), v.end(), tagged(tag));
    ASSERT_NE(it, v.end());
    EXPECT_EQ(it->user_id, "u1");
    EXPECT_EQ(it->user_name, "Alice");
    EXPECT_EQ(it->data.as_object().at("text"), "hello");
    EXPECT_FALSE(it->timestamp.empty());
    EXPECT_EQ(str(it->raw, "type"), "message");
  }

  b2.send(json::object{{"tag", tag}, {"text", "hi back"}});
  ASSERT_TRUE(got1.wait_until(has(2)));
  ASSERT_TRUE(got2.wait_until(has(2)));
  auto v1 = got1.items();
  auto last = std::find_if(v1.rbegin(), v1.rend(), tagged(tag));
  EXPECT_EQ(last->user_id, "u2");
  EXPECT_EQ(last->user_name, "Bob");
  EXPECT_EQ(errors.size(), 0u);
}

// send() before connect() is queued and goes out once connected; no identity: anon-...
TEST_F(RealtimeRoomsTest, BroadcastSendBeforeConnectIsQueuedAndAnonymousIdIsAssigned) {
  const std::string tag = test_name();
  Recorder<json::object> conn1, conn2;
  Recorder<BroadcastMessage> got2;
  auto b2 = c2_.realtime().broadcast("u2", "Bob");
  b2.on_connected(conn2.fn()).on_message(got2.fn());
  b2.connect();
  ASSERT_TRUE(conn2.wait_for_count(1));

  auto b1 = c1_.realtime().broadcast();
  b1.on_connected(conn1.fn());
  b1.send(json::object{{"tag", tag}, {"n", 1}});
  b1.send(json::object{{"tag", tag}, {"n", 2}});
  b1.connect();
  ASSERT_TRUE(conn1.wait_for_count(1));
  const std::string anon = str(conn1.at(0), "user_id");
  EXPECT_EQ(anon.rfind("anon-", 0), 0u) << anon;
  EXPECT_EQ(str(conn1.at(0), "user_name"), anon);

  ASSERT_TRUE(got2.wait_until([&](const auto& v) { return count_tagged(v, tag) >= 2; }));
  std::vector<std::int64_t> order;
  for (const auto& m : got2.items())
    if (tagged(tag)(m)) {
      order.push_back(m.data.as_object().at("n").as_int64());
      EXPECT_EQ(m.user_id, anon);
    }
  EXPECT_EQ(order, (std::vector<std::int64_t>{1, 2}));
}

TEST_F(RealtimeRoomsTest, BroadcastSendOverMaxMessageBytesThrows) {
  const std::string tag = test_name();
  ClientConfig cfg = config();
  cfg.realtime.max_message_bytes = 1000;
  Client small(cfg);
  Recorder<json::object> conn;
  Recorder<BroadcastMessage> got;
  Recorder<CloseInfo> closes;
  auto b = small.realtime().broadcast("u1", "Alice");
  b.on_connected(conn.fn()).on_message(got.fn()).on_close(closes.fn());
  b.connect();
  ASSERT_TRUE(conn.wait_for_count(1));

  EXPECT_THROW(b.send(json::string(std::string(2000, 'x'))), Error);
  // The default limit is the server's 64 KiB.
  auto d = c1_.realtime().broadcast("u1", "Alice");
  EXPECT_THROW(d.send(json::string(std::string(70000, 'x'))), Error);
  // Too big for the configured limit, but the connection is unaffected and small messages flow.
  b.send(json::object{{"tag", tag}, {"pad", std::string(500, 'y')}});
  ASSERT_TRUE(got.wait_until([&](const auto& v) { return count_tagged(v, tag) == 1; }));
  EXPECT_TRUE(b.is_connected());
  EXPECT_EQ(closes.size(), 0u);
}

// ---------------------------------------------------------------- rooms

// Points into `rooms`; a temporary cannot bind.
const RoomSummary* find_room(const std::vector<RoomSummary>&& rooms, const std::string& id) = delete;
const RoomSummary* find_room(const std::vector<RoomSummary>& rooms, const std::string& id) {
  auto it = std::find_if(rooms.begin(), rooms.end(), [&](const RoomSummary& r) { return r.id == id; });
  return it == rooms.end() ? nullptr : &*it;
}

TEST_F(RealtimeRoomsTest, RoomCreateJoinMessageListAndLeave) {
  const std::string rid = test_name("room-");
  Recorder<json::object> joined1, user_joined1, messages1, user_left1, errors1;
  Recorder<RoomMessage> typed1, typed2;
  Recorder<json::object> joined2, messages2;

  auto creator = c1_.realtime().room(rid, "u1", "Alice");
  EXPECT_EQ(creator.room_id(), rid);
  EXPECT_FALSE(creator.is_joined());
  creator.on("joined", joined1.fn())
      .on("user_joined", user_joined1.fn())
      .on("message", messages1.fn())
      .on("user_left", user_left1.fn())
      .on("error", errors1.fn())
      .on_message(typed1.fn());
  creator.create("Title One");
  ASSERT_TRUE(joined1.wait_for_count(1));
  const json::object j1 = joined1.at(0);
  EXPECT_EQ(str(j1, "event"), "joined");
  EXPECT_EQ(j1.at("created"), true);
  EXPECT_EQ(str(j1, "room_id"), rid);
  EXPECT_EQ(str(j1, "room_title"), "Title One");
  EXPECT_EQ(num(j1, "participants"), 1);
  EXPECT_EQ(str(j1, "user_id"), "u1");
  EXPECT_EQ(str(j1, "user_name"), "Alice");
  EXPECT_TRUE(eventually([&] { return creator.is_joined(); }));

  auto joiner = c2_.realtime().room(rid, "u2", "Bob");
  joiner.on("joined", joined2.fn()).on("message", messages2.fn()).on_message(typed2.fn());
  joiner.join();
  ASSERT_TRUE(joined2.wait_for_count(1));
  EXPECT_EQ(joined2.at(0).at("created"), false);
  EXPECT_EQ(str(joined2.at(0), "room_title"), "Title One");
  EXPECT_EQ(num(joined2.at(0), "participants"), 2);
  EXPECT_EQ(joined2.at(0).at("participant_list"),
            (json::array{json::object{{"id", "u1"}, {"name", "Alice"}},
                         json::object{{"id", "u2"}, {"name", "Bob"}}}));
  ASSERT_TRUE(user_joined1.wait_for_count(1));
  EXPECT_EQ(str(user_joined1.at(0), "user_id"), "u2");
  EXPECT_EQ(str(user_joined1.at(0), "user_name"), "Bob");
  EXPECT_EQ(num(user_joined1.at(0).at("room_info").as_object(), "participants"), 2);

  // Both REST listings show the room with its participants.
  for (auto rooms : {c1_.list_rooms(), c2_.realtime().list_rooms()}) {
    const RoomSummary* r = find_room(rooms, rid);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->title, "Title One");
    EXPECT_EQ(r->created_by, "u1");
    EXPECT_EQ(r->participants, 2);
    ASSERT_EQ(r->participant_list.size(), 2u);
    EXPECT_EQ(r->participant_list[0].id, "u1");
    EXPECT_EQ(r->participant_list[0].name, "Alice");
    EXPECT_EQ(r->participant_list[1].id, "u2");
    EXPECT_EQ(r->participant_list[1].name, "Bob");
    EXPECT_GT(r->created_at, 1600000000);
  }

  // Messages of two senders are ordered by the server; the second is sent once the first has
  // arrived everywhere so that the order is known.
  creator.send_message("hello");
  ASSERT_TRUE(typed1.wait_for_count(1));
  ASSERT_TRUE(typed2.wait_for_count(1));
  joiner.send_message(json::object{{"text", "hi"}, {"n", 2}});
  ASSERT_TRUE(messages1.wait_for_count(2));
  ASSERT_TRUE(messages2.wait_for_count(2));
  ASSERT_TRUE(typed1.wait_for_count(2));
  ASSERT_TRUE(typed2.wait_for_count(2));
  EXPECT_EQ(str(messages1.at(0), "type"), "message");
  EXPECT_EQ(messages1.at(0).at("content"), "hello");
  EXPECT_EQ(str(messages2.at(0), "user_id"), "u1");
  for (const auto* typed : {&typed1, &typed2}) {
    const RoomMessage m0 = typed->at(0), m1 = typed->at(1);  // one order for everybody
    EXPECT_EQ(m0.user_id, "u1");
    EXPECT_EQ(m0.user_name, "Alice");
    EXPECT_EQ(m0.content, "hello");
    EXPECT_FALSE(m0.replay);
    EXPECT_FALSE(m0.timestamp.empty());
    EXPECT_EQ(m1.user_id, "u2");
    EXPECT_EQ(m1.content, (json::object{{"text", "hi"}, {"n", 2}}));
  }

  joiner.leave();
  EXPECT_TRUE(joiner.is_closed());
  EXPECT_FALSE(joiner.is_joined());
  ASSERT_TRUE(user_left1.wait_for_count(1));
  EXPECT_EQ(str(user_left1.at(0), "user_id"), "u2");
  EXPECT_EQ(num(user_left1.at(0).at("room_info").as_object(), "participants"), 1);
  EXPECT_TRUE(eventually([&] {
    const auto rooms = c1_.list_rooms();  // find_room points into it
    const RoomSummary* r = find_room(rooms, rid);
    return r && r->participants == 1;
  }));

  // The last participant leaves: the room is gone.
  creator.leave();
  EXPECT_TRUE(eventually([&] {
    const auto rooms = c1_.list_rooms();
    return find_room(rooms, rid) == nullptr;
  }));
  EXPECT_EQ(errors1.size(), 0u);
}

TEST_F(RealtimeRoomsTest, WithHistoryReplaysMessagesToALateJoiner) {
  const std::string rid = test_name("room-");
  Recorder<json::object> joined1, messages1;
  auto creator = c1_.realtime().room(rid, "u1", "Alice");
  creator.on("joined", joined1.fn()).on("message", messages1.fn());
  creator.create("History");
  ASSERT_TRUE(joined1.wait_for_count(1));
  for (int i = 1; i <= 3; ++i) creator.send_message(i);
  ASSERT_TRUE(messages1.wait_for_count(3));

  Recorder<json::object> joined3, messages3;
  Recorder<RoomMessage> typed3;
  auto late = c2_.realtime().room(rid, "u3", "Carol");
  late.with_history(2).on("joined", joined3.fn()).on("message", messages3.fn()).on_message(typed3.fn());
  late.join();
  ASSERT_TRUE(joined3.wait_for_count(1));
  ASSERT_TRUE(typed3.wait_for_count(2));
  creator.send_message(4);
  ASSERT_TRUE(typed3.wait_for_count(3));
  const auto t = typed3.items();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].content, 2);
  EXPECT_TRUE(t[0].replay);
  EXPECT_EQ(t[0].user_id, "u1");
  EXPECT_EQ(t[1].content, 3);
  EXPECT_TRUE(t[1].replay);
  EXPECT_EQ(t[2].content, 4);
  EXPECT_FALSE(t[2].replay);
  EXPECT_EQ(messages3.size(), 3u);
  EXPECT_EQ(messages3.at(0).at("replay"), true);

  // Without with_history nothing is replayed.
  Recorder<json::object> joined4;
  Recorder<RoomMessage> typed4;
  auto plain = c2_.realtime().room(rid, "u4", "Dan");
  plain.on("joined", joined4.fn()).on_message(typed4.fn());
  plain.join();
  ASSERT_TRUE(joined4.wait_for_count(1));
  creator.send_message(5);
  ASSERT_TRUE(typed4.wait_for_count(1));
  EXPECT_EQ(typed4.at(0).content, 5);
  EXPECT_FALSE(typed4.at(0).replay);
}

// ROOM_NOT_FOUND (4404) is terminal: reported once to on_error and to the "error" listeners,
// "close" with will_reconnect=false, no "reconnect", one connection attempt.
TEST_F(RealtimeRoomsTest, JoinOfMissingRoomIsTerminal) {
  CountingProxy proxy(server_->port());
  ClientConfig cfg = fast_config(proxy.url(), server_->api_key());
  cfg.realtime.initial_backoff = 50ms;
  cfg.realtime.max_backoff = 200ms;
  Client client(cfg);
  Recorder<RealtimeError> errors;
  Recorder<json::object> error_listener, closes, reconnects, joined;
  auto room = client.realtime().room(test_name("missing-"), "u1", "Alice");
  room.on_error(errors.fn())
      .on("error", error_listener.fn())
      .on("close", closes.fn())
      .on("reconnect", reconnects.fn())
      .on("joined", joined.fn());
  room.join();
  ASSERT_TRUE(closes.wait_for_count(1));
  ASSERT_TRUE(eventually([&] { return room.is_closed(); }));
  std::this_thread::sleep_for(1000ms);  // a reconnect loop would show here

  EXPECT_EQ(proxy.connections(), 1);
  EXPECT_EQ(reconnects.size(), 0u);
  EXPECT_EQ(joined.size(), 0u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.at(0).code, "ROOM_NOT_FOUND");
  EXPECT_EQ(errors.at(0).close_code, 4404);
  EXPECT_TRUE(errors.at(0).terminal);
  ASSERT_EQ(error_listener.size(), 1u);
  EXPECT_EQ(str(error_listener.at(0), "code"), "ROOM_NOT_FOUND");
  EXPECT_EQ(str(error_listener.at(0), "room_id"), test_name("missing-"));
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(num(closes.at(0), "code"), 4404);
  EXPECT_EQ(closes.at(0).at("will_reconnect"), false);
  EXPECT_TRUE(room.is_closed());
  EXPECT_FALSE(room.is_joined());
}

TEST_F(RealtimeRoomsTest, BadApiKeyIsTerminalForBroadcastAndRoom) {
  CountingProxy proxy(server_->port());
  ClientConfig cfg = fast_config(proxy.url(), "cb_wrong_key_for_this_test_0000000000");
  cfg.realtime.initial_backoff = 50ms;
  cfg.realtime.max_backoff = 200ms;
  Client client(cfg);
  Recorder<RealtimeError> b_errors, r_errors;
  Recorder<CloseInfo> b_closes;
  Recorder<ReconnectInfo> b_reconnects;
  Recorder<json::object> r_closes, r_reconnects;
  auto b = client.realtime().broadcast("u1", "Alice");
  b.on_error(b_errors.fn()).on_close(b_closes.fn()).on_reconnect(b_reconnects.fn());
  b.connect();
  auto room = client.realtime().room(test_name("room-"), "u1", "Alice");
  room.on_error(r_errors.fn()).on("close", r_closes.fn()).on("reconnect", r_reconnects.fn());
  room.create("never");
  ASSERT_TRUE(b_closes.wait_for_count(1));
  ASSERT_TRUE(r_closes.wait_for_count(1));
  std::this_thread::sleep_for(1000ms);

  EXPECT_EQ(proxy.connections(), 2);
  EXPECT_EQ(b_reconnects.size(), 0u);
  EXPECT_EQ(r_reconnects.size(), 0u);
  ASSERT_EQ(b_errors.size(), 1u);
  EXPECT_EQ(b_errors.at(0).code, "INVALID_API_KEY");
  EXPECT_EQ(b_errors.at(0).close_code, 4401);
  EXPECT_TRUE(b_errors.at(0).terminal);
  EXPECT_FALSE(b_closes.at(0).will_reconnect);
  ASSERT_EQ(r_errors.size(), 1u);
  EXPECT_EQ(r_errors.at(0).code, "INVALID_API_KEY");
  EXPECT_TRUE(r_errors.at(0).terminal);
  EXPECT_TRUE(b.is_closed());
  EXPECT_TRUE(room.is_closed());
}

}  // namespace
}  // namespace cocobase
