// Client-level realtime features against the real server binary: Go-style named watch
// connections (watch_collection and its registry), JWT authentication of realtime sockets
// (use_jwt, PROTOCOL 8d) and LiveCollection.
#include "realtime_support.hpp"

#include <cocobase/client.hpp>
#include <cocobase/live_collection.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>

namespace cocobase {
namespace {

using namespace rt_test;
using testing::ServerProcess;

class RealtimeClientTest : public ServerSuite {
 protected:
  Client client_{config()};
};

bool has_type(const std::vector<WatchEvent>& v, WatchEventType t) {
  return std::any_of(v.begin(), v.end(), [t](const WatchEvent& e) { return e.type == t; });
}

// ---------------------------------------------------------------- Go-style registry

TEST_F(RealtimeClientTest, WatchCollectionDefaultNameAndEvents) {
  const auto col = test_name();
  Recorder<WatchEvent> events;
  auto conn = client_.watch_collection(col, events.fn());
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->name(), "watch-" + col);
  EXPECT_EQ(client_.connection("watch-" + col), conn);
  EXPECT_EQ(client_.connection_names(), (std::vector<std::string>{"watch-" + col}));
  EXPECT_EQ(conn->watcher().collection(), col);

  // Connects at once; the callback gets every event, `connected` included (like Go).
  ASSERT_TRUE(events.wait_until([](const auto& v) { return has_type(v, WatchEventType::connected); }));
  const Document d = client_.create_document(col, {{"name", "Ann"}});
  client_.update_document(col, d.id, {{"name", "Bea"}});
  client_.delete_document(col, d.id);
  ASSERT_TRUE(events.wait_for_count(4));
  const auto v = events.items();
  EXPECT_EQ(v[0].type, WatchEventType::connected);
  EXPECT_EQ(v[1].type, WatchEventType::create);
  EXPECT_EQ(v[1].document.id, d.id);
  EXPECT_EQ(v[1].document.data.at("name"), "Ann");
  EXPECT_EQ(v[2].type, WatchEventType::update);
  EXPECT_EQ(v[3].type, WatchEventType::delete_);
  EXPECT_FALSE(conn->is_closed());
  EXPECT_TRUE(conn->watcher().is_connected());

  EXPECT_TRUE(client_.close_connection("watch-" + col));
  EXPECT_TRUE(conn->is_closed());
  EXPECT_EQ(client_.connection("watch-" + col), nullptr);
  EXPECT_TRUE(client_.connection_names().empty());
  EXPECT_FALSE(client_.close_connection("watch-" + col));
  EXPECT_FALSE(client_.close_connection("never-existed"));
}

TEST_F(RealtimeClientTest, SeveralNamedWatchesCloseOneAndCloseAll) {
  const auto col_a = test_name("a_"), col_b = test_name("b_");
  Recorder<WatchEvent> ev_default, ev_mine, ev_other, witness;
  auto c_default = client_.watch_collection(col_a, ev_default.fn());
  auto c_mine = client_.watch_collection(col_a, ev_mine.fn(), "mine");
  auto c_other = client_.watch_collection(col_b, ev_other.fn(), "other");
  EXPECT_EQ(client_.connection_names(),
            (std::vector<std::string>{"mine", "other", "watch-" + col_a}));
  EXPECT_EQ(client_.connection("mine"), c_mine);
  EXPECT_EQ(client_.connection("other")->watcher().collection(), col_b);
  for (auto* r : {&ev_default, &ev_mine, &ev_other}) ASSERT_TRUE(r->wait_for_count(1));

  client_.create_document(col_a, {{"n", 1}});
  client_.create_document(col_b, {{"n", 1}});
  ASSERT_TRUE(ev_default.wait_for_count(2));
  ASSERT_TRUE(ev_mine.wait_for_count(2));
  ASSERT_TRUE(ev_other.wait_for_count(2));

  EXPECT_TRUE(client_.close_connection("mine"));
  EXPECT_TRUE(c_mine->is_closed());
  EXPECT_FALSE(c_default->is_closed());
  EXPECT_EQ(client_.connection_names(), (std::vector<std::string>{"other", "watch-" + col_a}));

  // A watch that is not in the registry shows that later events were delivered.
  auto w = client_.realtime().collection(col_a);
  w.on_create(witness.fn());
  Recorder<WatchEvent> w_connected;
  w.on_connected(w_connected.fn());
  w.connect();
  ASSERT_TRUE(w_connected.wait_for_count(1));
  client_.create_document(col_a, {{"n", 2}});
  ASSERT_TRUE(witness.wait_for_count(1));
  ASSERT_TRUE(ev_default.wait_for_count(3));
  EXPECT_EQ(ev_mine.size(), 2u) << "a closed connection still delivered";

  client_.close_all_connections();
  EXPECT_TRUE(client_.connection_names().empty());
  EXPECT_TRUE(c_default->is_closed());
  EXPECT_TRUE(c_other->is_closed());
  client_.create_document(col_a, {{"n", 3}});
  ASSERT_TRUE(witness.wait_for_count(2));
  EXPECT_EQ(ev_default.size(), 3u);
}

TEST_F(RealtimeClientTest, SameNameReplacesAndClosesTheOldConnection) {
  const auto col = test_name();
  Recorder<WatchEvent> ev_old, ev_new;
  auto old_conn = client_.watch_collection(col, ev_old.fn(), "dup");
  ASSERT_TRUE(ev_old.wait_for_count(1));
  auto new_conn = client_.watch_collection(col, ev_new.fn(), "dup");
  EXPECT_TRUE(old_conn->is_closed());
  EXPECT_FALSE(new_conn->is_closed());
  EXPECT_EQ(client_.connection("dup"), new_conn);
  EXPECT_EQ(client_.connection_names(), (std::vector<std::string>{"dup"}));
  ASSERT_TRUE(ev_new.wait_for_count(1));
  client_.create_document(col, {{"n", 1}});
  ASSERT_TRUE(ev_new.wait_for_count(2));
  EXPECT_EQ(ev_old.size(), 1u);
}

TEST_F(RealtimeClientTest, WatchCollectionOptionsFiltersAndOnError) {
  const auto col = test_name();
  Recorder<WatchEvent> events;
  Recorder<RealtimeError> errors;
  WatchCollectionOptions options;
  options.watch.filters = {{"kind", "x"}};
  options.on_error = errors.fn();
  auto conn = client_.watch_collection(col, events.fn(), "filtered", options);
  ASSERT_TRUE(events.wait_for_count(1));
  client_.create_document(col, {{"kind", "y"}});
  const Document x = client_.create_document(col, {{"kind", "x"}});
  ASSERT_TRUE(events.wait_for_count(2));
  EXPECT_EQ(events.at(1).document.id, x.id);
  EXPECT_EQ(events.at(1).seq, 2);

  WatchCollectionOptions bad;
  bad.watch.filters = {{"[x]kind", "x"}};
  bad.on_error = errors.fn();
  auto bad_conn = client_.watch_collection(col, events.fn(), "bad", bad);
  ASSERT_TRUE(errors.wait_for_count(1));
  EXPECT_EQ(errors.at(0).code, "INVALID_FILTER");
  EXPECT_TRUE(errors.at(0).terminal);
  EXPECT_TRUE(eventually([&] { return bad_conn->is_closed(); }));
}

TEST_F(RealtimeClientTest, DestroyingTheClientClosesItsNamedConnections) {
  const auto col = test_name();
  auto client = std::make_unique<Client>(config());
  Recorder<WatchEvent> e1, e2;
  auto c1 = client->watch_collection(col, e1.fn());
  auto c2 = client->watch_collection(col, e2.fn(), "second");
  ASSERT_TRUE(e1.wait_for_count(1));
  ASSERT_TRUE(e2.wait_for_count(1));
  const auto t0 = Clock::now();
  client.reset();
  EXPECT_LT(Clock::now() - t0, 10s);
  EXPECT_TRUE(c1->is_closed());
  EXPECT_TRUE(c2->is_closed());
  client_.create_document(col, {{"n", 1}});
  // Another watcher sees the write; the closed ones must not.
  Recorder<WatchEvent> witness;
  auto w = client_.realtime().collection(col, WatchOptions{{}, 0, false});  // replays seq 1
  w.on_create(witness.fn());
  w.connect();
  ASSERT_TRUE(witness.wait_for_count(1));
  EXPECT_EQ(e1.size(), 1u);
  EXPECT_EQ(e2.size(), 1u);
}

// ---------------------------------------------------------------- JWT (8d)

TEST_F(RealtimeClientTest, UseJwtAuthenticatesSocketsWithTheUserToken) {
  const std::string email = test_name("u_") + "@example.com";
  AuthResult auth = client_.signup(email, "password123", {{"name", "Jay"}});
  ASSERT_FALSE(auth.access_token.empty());
  EXPECT_EQ(client_.token(), auth.access_token);  // signup stores the token
  client_.logout();
  AuthResult login = client_.login(email, "password123");
  EXPECT_EQ(client_.token(), login.access_token);
  const auto col = test_name();

  // A client with no API key at all, only the token.
  ClientConfig cfg = config("");
  cfg.token = login.access_token;
  cfg.use_jwt = true;
  Client token_only(cfg);
  Recorder<WatchEvent> connected, created;
  Recorder<RealtimeError> errors;
  auto w = token_only.realtime().collection(col);
  w.on_connected(connected.fn()).on_create(created.fn()).on_error(errors.fn());
  w.connect();
  ASSERT_TRUE(connected.wait_for_count(1)) << (errors.size() ? errors.at(0).code : "");
  client_.create_document(col, {{"n", 1}});
  ASSERT_TRUE(created.wait_for_count(1));
  EXPECT_EQ(errors.size(), 0u);

  // Broadcast identity comes from the token: user_id is the user's id.
  Recorder<json::object> b_connected;
  auto b = token_only.realtime().broadcast("ignored", "ignored");
  b.on_connected(b_connected.fn());
  b.connect();
  ASSERT_TRUE(b_connected.wait_for_count(1));
  EXPECT_EQ(str(b_connected.at(0), "user_id"), login.user.id);

  // Without use_jwt the same client sends no credential at all: AUTH_REQUIRED, terminal.
  ClientConfig off = cfg;
  off.use_jwt = false;
  Client no_jwt(off);
  Recorder<RealtimeError> off_errors;
  auto w_off = no_jwt.realtime().collection(col);
  w_off.on_error(off_errors.fn());
  w_off.connect();
  ASSERT_TRUE(off_errors.wait_for_count(1));
  EXPECT_EQ(off_errors.at(0).code, "AUTH_REQUIRED");
  EXPECT_TRUE(off_errors.at(0).terminal);

  // ... and Client::use_jwt(true) switches it on for later connections.
  no_jwt.use_jwt(true);
  Recorder<WatchEvent> on_connected;
  auto w_on = no_jwt.realtime().collection(col);
  w_on.on_connected(on_connected.fn());
  w_on.connect();
  ASSERT_TRUE(on_connected.wait_for_count(1));
}

TEST_F(RealtimeClientTest, UseJwtWithTokenFromSetToken) {
  const std::string email = test_name("u_") + "@example.com";
  const AuthResult auth = client_.signup(email, "password123");
  Client c(config(""));
  c.set_token(auth.access_token);
  c.use_jwt(true);
  Recorder<WatchEvent> connected;
  auto w = c.realtime().collection(test_name());
  w.on_connected(connected.fn());
  w.connect();
  ASSERT_TRUE(connected.wait_for_count(1));
}

TEST_F(RealtimeClientTest, InvalidTokenIsTerminal) {
  for (const std::string& key : {std::string(), server_->api_key()}) {
    SCOPED_TRACE(key.empty() ? "token only" : "token and a valid API key");
    ClientConfig cfg = config(key);
    cfg.token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl";
    cfg.use_jwt = true;
    cfg.realtime.initial_backoff = 50ms;
    Client c(cfg);
    Recorder<RealtimeError> errors;
    Recorder<CloseInfo> closes;
    Recorder<ReconnectInfo> reconnects;
    auto w = c.realtime().collection(test_name());
    w.on_error(errors.fn()).on_close(closes.fn()).on_reconnect(reconnects.fn());
    w.connect();
    ASSERT_TRUE(closes.wait_for_count(1));
    std::this_thread::sleep_for(500ms);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors.at(0).code, "INVALID_TOKEN");
    EXPECT_EQ(errors.at(0).close_code, 4401);
    EXPECT_TRUE(errors.at(0).terminal);
    EXPECT_FALSE(closes.at(0).will_reconnect);
    EXPECT_EQ(closes.size(), 1u);
    EXPECT_EQ(reconnects.size(), 0u);
    EXPECT_TRUE(eventually([&] { return w.is_closed(); }));
  }
}

// ---------------------------------------------------------------- LiveCollection

std::vector<std::string> ids_of(const std::vector<Document>& docs) {
  std::vector<std::string> ids;
  for (const auto& d : docs) ids.push_back(d.id);
  return ids;
}

// The server's list in the LiveCollection's order (created_at, then id).
std::vector<Document> server_view(Client& c, const std::string& col, const Query& q = {}) {
  auto docs = c.list_documents(col, q).documents;
  std::sort(docs.begin(), docs.end(), [](const Document& a, const Document& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return docs;
}

void expect_same(const std::vector<Document>& live, const std::vector<Document>& server) {
  ASSERT_EQ(ids_of(live), ids_of(server));
  for (std::size_t i = 0; i < live.size(); ++i) {
    EXPECT_EQ(live[i].data, server[i].data) << live[i].id;
    EXPECT_EQ(live[i].updated_at, server[i].updated_at) << live[i].id;
  }
}

TEST_F(RealtimeClientTest, LiveCollectionMirrorsTheServer) {
  const auto col = test_name();
  std::vector<Document> seeded;
  for (int i = 0; i < 3; ++i) seeded.push_back(client_.create_document(col, {{"n", i}}));

  Recorder<LiveChange> changes;
  Recorder<RealtimeError> errors;
  LiveCollection live(client_, col);
  EXPECT_FALSE(live.seq().has_value());
  EXPECT_EQ(live.size(), 0u);
  live.on_change(changes.fn()).on_error(errors.fn());
  live.start();
  ASSERT_TRUE(live.wait_for_seq(3, kWait));
  EXPECT_EQ(live.seq(), 3);
  expect_same(live.documents(), server_view(client_, col));
  ASSERT_TRUE(changes.wait_for_count(1));
  EXPECT_EQ(changes.at(0).kind, LiveChange::Kind::reset);
  EXPECT_EQ(changes.at(0).seq, 3);

  const Document added = client_.create_document(col, {{"n", 10}});    // 4
  client_.update_document(col, seeded[0].id, {{"n", 100}});           // 5
  client_.delete_document(col, seeded[1].id);                          // 6
  const std::int64_t head = client_.list_documents(col).seq;
  ASSERT_EQ(head, 6);
  ASSERT_TRUE(live.wait_for_seq(head, kWait));
  expect_same(live.documents(), server_view(client_, col));
  EXPECT_EQ(live.size(), 3u);
  ASSERT_TRUE(live.get(added.id).has_value());
  EXPECT_EQ(live.get(added.id)->data.at("n"), 10);
  EXPECT_EQ(live.get(seeded[0].id)->data.at("n"), 100);
  EXPECT_FALSE(live.get(seeded[1].id).has_value());

  ASSERT_TRUE(changes.wait_for_count(4));
  const auto ch = changes.items();
  EXPECT_EQ(ch[1].kind, LiveChange::Kind::upsert);
  EXPECT_EQ(ch[1].document.id, added.id);
  EXPECT_EQ(ch[1].seq, 4);
  EXPECT_EQ(ch[2].kind, LiveChange::Kind::upsert);
  EXPECT_EQ(ch[3].kind, LiveChange::Kind::remove);
  EXPECT_EQ(ch[3].document.id, seeded[1].id);
  EXPECT_FALSE(ch[3].left_filter);

  // wait_for_seq times out for a seq nobody wrote, and fails once closed.
  EXPECT_FALSE(live.wait_for_seq(head + 100, 200ms));
  live.close();
  const auto t0 = Clock::now();
  EXPECT_FALSE(live.wait_for_seq(head + 100, kWait));
  EXPECT_LT(Clock::now() - t0, 10s);
  EXPECT_EQ(errors.size(), 0u);
}

TEST_F(RealtimeClientTest, FilteredLiveCollectionRemovesDocumentsLeavingTheFilter) {
  const auto col = test_name();
  const Document a = client_.create_document(col, {{"status", "active"}, {"n", 1}});
  const Document b = client_.create_document(col, {{"status", "active"}, {"n", 2}});
  const Document c = client_.create_document(col, {{"status", "inactive"}, {"n", 3}});

  Recorder<LiveChange> changes;
  LiveCollection live(client_, col, {{"status", "active"}});
  live.on_change(changes.fn());
  live.start();
  ASSERT_TRUE(live.wait_for_seq(3, kWait));
  Query active;
  active.where("status", "active");
  expect_same(live.documents(), server_view(client_, col, active));
  EXPECT_EQ(live.size(), 2u);

  client_.update_document(col, a.id, {{"status", "inactive"}});  // 4: leaves
  client_.update_document(col, c.id, {{"status", "active"}});    // 5: enters
  client_.update_document(col, a.id, {{"n", 10}});               // 6: not delivered
  ASSERT_TRUE(live.wait_for_seq(5, kWait));
  EXPECT_FALSE(live.get(a.id).has_value());
  EXPECT_TRUE(live.get(b.id).has_value());
  ASSERT_TRUE(live.get(c.id).has_value());
  EXPECT_EQ(live.get(c.id)->data.at("status"), "active");
  expect_same(live.documents(), server_view(client_, col, active));

  ASSERT_TRUE(changes.wait_for_count(3));  // on_change runs after the state is visible
  const auto ch = changes.items();
  ASSERT_GE(ch.size(), 3u);
  EXPECT_EQ(ch[1].kind, LiveChange::Kind::remove);
  EXPECT_EQ(ch[1].document.id, a.id);
  EXPECT_TRUE(ch[1].left_filter);
  EXPECT_EQ(ch[2].kind, LiveChange::Kind::upsert);
  EXPECT_EQ(ch[2].document.id, c.id);
}

TEST_F(RealtimeClientTest, LiveCollectionOnEmptyCollection) {
  const auto col = test_name();
  LiveCollection live(client_, col);
  live.start();
  ASSERT_TRUE(live.wait_for_seq(0, kWait));
  EXPECT_EQ(live.seq(), 0);
  EXPECT_TRUE(live.documents().empty());
  const Document d = client_.create_document(col, {{"n", 1}});
  ASSERT_TRUE(live.wait_for_seq(1, kWait));
  EXPECT_EQ(ids_of(live.documents()), (std::vector<std::string>{d.id}));
}

}  // namespace
}  // namespace cocobase
