// CollectionWatcher (client.realtime().collection) against the real server binary: events and
// their members, filters and left_filter, last_seq, disconnect(), terminal errors reported once
// without a reconnect loop, and the threading contract of realtime.hpp.
#include "realtime_support.hpp"

#include <cocobase/client.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cocobase {
namespace {

using namespace rt_test;
using testing::ServerProcess;

class RealtimeWatchTest : public ServerSuite {
 protected:
  Client client_{config()};
};

std::vector<std::int64_t> seqs_of(const std::vector<WatchEvent>& events) {
  std::vector<std::int64_t> out;
  for (const auto& e : events)
    if (e.type == WatchEventType::create || e.type == WatchEventType::update ||
        e.type == WatchEventType::delete_)
      out.push_back(e.seq);
  return out;
}

TEST_F(RealtimeWatchTest, DeliversCreateUpdateDeleteWithDocumentsAndSeq) {
  const auto col = test_name();
  client_.create_document(col, {{"name", "seed"}});
  const std::int64_t head = client_.list_documents(col).seq;
  ASSERT_EQ(head, 1);

  Recorder<WatchEvent> connected, created, updated, deleted, all;
  Recorder<RealtimeError> errors;
  CollectionWatcher w = client_.realtime().collection(col);
  EXPECT_EQ(w.collection(), col);
  EXPECT_FALSE(w.is_connected());
  EXPECT_FALSE(w.is_closed());
  EXPECT_FALSE(w.last_seq().has_value());
  w.on_connected(connected.fn())
      .on_create(created.fn())
      .on_update(updated.fn())
      .on_delete(deleted.fn())
      .on_event(all.fn())
      .on_error(errors.fn());
  w.connect();

  ASSERT_TRUE(connected.wait_for_count(1));
  const WatchEvent c = connected.at(0);
  EXPECT_EQ(c.type, WatchEventType::connected);
  EXPECT_EQ(c.seq, head);  // head_seq
  EXPECT_EQ(c.collection, col);
  EXPECT_EQ(str(c.raw, "event"), "connected");
  EXPECT_EQ(str(c.raw, "collection_id"), col);
  EXPECT_EQ(num(c.raw, "head_seq"), head);
  EXPECT_TRUE(eventually([&] { return w.is_connected(); }));
  EXPECT_EQ(w.last_seq(), head);

  const Document a = client_.create_document(col, {{"name", "Ann"}, {"status", "active"}});
  const Document a2 = client_.update_document(col, a.id, {{"status", "premium"}});
  client_.delete_document(col, a.id);
  ASSERT_TRUE(deleted.wait_for_count(1));

  ASSERT_EQ(created.size(), 1u);
  const WatchEvent cr = created.at(0);
  EXPECT_EQ(cr.type, WatchEventType::create);
  EXPECT_EQ(cr.seq, head + 1);
  EXPECT_EQ(cr.collection, col);
  EXPECT_EQ(cr.document.id, a.id);
  EXPECT_EQ(cr.document.collection, col);
  EXPECT_EQ(cr.document.collection_id, a.collection_id);
  EXPECT_EQ(cr.document.data, a.data);
  EXPECT_EQ(cr.document.created_at, a.created_at);
  EXPECT_FALSE(cr.old_data.has_value());
  EXPECT_FALSE(cr.replay);
  EXPECT_FALSE(cr.left_filter);
  EXPECT_EQ(str(cr.raw, "event"), "create");

  ASSERT_EQ(updated.size(), 1u);
  const WatchEvent up = updated.at(0);
  EXPECT_EQ(up.type, WatchEventType::update);
  EXPECT_EQ(up.seq, head + 2);
  EXPECT_EQ(up.document.id, a.id);
  EXPECT_EQ(up.document.data, a2.data);
  EXPECT_EQ(up.document.data.at("status"), "premium");
  ASSERT_TRUE(up.old_data.has_value());
  EXPECT_EQ(*up.old_data, a.data);
  EXPECT_FALSE(up.left_filter);

  const WatchEvent del = deleted.at(0);
  EXPECT_EQ(del.type, WatchEventType::delete_);
  EXPECT_EQ(del.seq, head + 3);
  EXPECT_EQ(del.document.id, a.id);
  EXPECT_EQ(del.document.data, a2.data);  // the last state
  EXPECT_FALSE(del.old_data.has_value());

  // on_event saw everything, in order (it runs after the typed callback of the same event).
  ASSERT_TRUE(all.wait_for_count(4));
  const auto events = all.items();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, WatchEventType::connected);
  EXPECT_EQ(events[1].type, WatchEventType::create);
  EXPECT_EQ(events[2].type, WatchEventType::update);
  EXPECT_EQ(events[3].type, WatchEventType::delete_);
  EXPECT_EQ(seqs_of(events), (std::vector<std::int64_t>{head + 1, head + 2, head + 3}));
  EXPECT_TRUE(eventually([&] { return w.last_seq() == head + 3; }));
  EXPECT_EQ(connected.size(), 1u);
  EXPECT_EQ(errors.size(), 0u);
}

// A watch may exist before its collection: head_seq 0, then the first create.
TEST_F(RealtimeWatchTest, WatchOfCollectionNotYetWrittenStartsAtZero) {
  const auto col = test_name();
  Recorder<WatchEvent> connected, created;
  auto w = client_.realtime().collection(col);
  w.on_connected(connected.fn()).on_create(created.fn());
  w.connect();
  ASSERT_TRUE(connected.wait_for_count(1));
  EXPECT_EQ(connected.at(0).seq, 0);
  EXPECT_EQ(w.last_seq(), 0);
  client_.create_document(col, {{"n", 1}});
  ASSERT_TRUE(created.wait_for_count(1));
  EXPECT_EQ(created.at(0).seq, 1);
  EXPECT_EQ(created.at(0).document.data.at("n"), 1);
}

TEST_F(RealtimeWatchTest, FilteredWatchDeliversOnlyMatchingEventsAndLeftFilter) {
  const auto col = test_name();
  Recorder<WatchEvent> connected, all, created, updated;
  auto w = client_.realtime().collection(col, {{"status", "active"}});
  w.on_connected(connected.fn()).on_event(all.fn()).on_create(created.fn()).on_update(updated.fn());
  w.connect();
  ASSERT_TRUE(connected.wait_for_count(1));
  EXPECT_EQ(connected.at(0).raw.at("filters"), (json::object{{"status", "active"}}));

  const Document b = client_.create_document(col, {{"name", "B"}, {"status", "inactive"}});  // 1: no
  const Document a = client_.create_document(col, {{"name", "A"}, {"status", "active"}});    // 2: yes
  client_.update_document(col, a.id, {{"status", "premium"}});  // 3: leaves the filter
  client_.update_document(col, a.id, {{"name", "A2"}});         // 4: outside before and after
  client_.update_document(col, b.id, {{"status", "active"}});   // 5: enters the filter
  client_.delete_document(col, b.id);                           // 6: last state matches
  client_.delete_document(col, a.id);                           // 7: last state does not
  const Document s = client_.create_document(col, {{"name", "S"}, {"status", "active"}});  // 8
  ASSERT_TRUE(all.wait_until([&](const auto& v) {
    return !v.empty() && v.back().document.id == s.id;
  })) << "sentinel create not delivered";

  const auto events = all.items();
  EXPECT_EQ(seqs_of(events), (std::vector<std::int64_t>{2, 3, 5, 6, 8}));
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[1].type, WatchEventType::create);
  EXPECT_EQ(events[1].document.id, a.id);

  EXPECT_EQ(events[2].type, WatchEventType::update);
  EXPECT_EQ(events[2].document.id, a.id);
  EXPECT_TRUE(events[2].left_filter);
  EXPECT_EQ(events[2].document.data.at("status"), "premium");
  ASSERT_TRUE(events[2].old_data.has_value());
  EXPECT_EQ(events[2].old_data->at("status"), "active");

  EXPECT_EQ(events[3].type, WatchEventType::update);
  EXPECT_EQ(events[3].document.id, b.id);
  EXPECT_FALSE(events[3].left_filter);
  EXPECT_EQ(events[3].old_data->at("status"), "inactive");

  EXPECT_EQ(events[4].type, WatchEventType::delete_);
  EXPECT_EQ(events[4].document.id, b.id);
  EXPECT_EQ(events[5].type, WatchEventType::create);
  EXPECT_EQ(updated.size(), 2u);
  // last_seq follows delivered events.
  EXPECT_TRUE(eventually([&] { return w.last_seq() == 8; })) << w.last_seq().value_or(-1);
}

// An unknown suffix is part of the field name (PROTOCOL 4.3): not an error.
TEST_F(RealtimeWatchTest, UnknownSuffixIsAFieldNameNotAnError) {
  const auto col = test_name();
  Recorder<WatchEvent> connected, created;
  Recorder<RealtimeError> errors;
  auto w = client_.realtime().collection(col, {{"age__foo", 1}});
  w.on_connected(connected.fn()).on_create(created.fn()).on_error(errors.fn());
  w.connect();
  ASSERT_TRUE(connected.wait_for_count(1));
  client_.create_document(col, {{"age", 1}});
  client_.create_document(col, {{"age__foo", 1}});
  ASSERT_TRUE(created.wait_for_count(1));
  EXPECT_EQ(created.at(0).document.data.at("age__foo"), 1);
  EXPECT_EQ(errors.size(), 0u);
  EXPECT_FALSE(w.is_closed());
}

TEST_F(RealtimeWatchTest, DisconnectStopsCallbacks) {
  const auto col = test_name();
  Client other(config());
  Recorder<WatchEvent> witness_events, connected, events;
  Recorder<CloseInfo> closes;
  auto witness = other.realtime().collection(col);
  witness.on_create(witness_events.fn());
  witness.connect();
  auto w = client_.realtime().collection(col);
  w.on_connected(connected.fn()).on_create(events.fn()).on_close(closes.fn());
  w.connect();
  ASSERT_TRUE(connected.wait_for_count(1));
  ASSERT_TRUE(eventually([&] { return witness.is_connected(); }));

  client_.create_document(col, {{"n", 1}});
  ASSERT_TRUE(events.wait_for_count(1));
  ASSERT_TRUE(witness_events.wait_for_count(1));

  w.disconnect();
  EXPECT_TRUE(w.is_closed());
  EXPECT_FALSE(w.is_connected());
  w.disconnect();  // idempotent
  EXPECT_TRUE(w.is_closed());

  client_.create_document(col, {{"n", 2}});
  client_.create_document(col, {{"n", 3}});
  ASSERT_TRUE(witness_events.wait_for_count(3));
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(closes.size(), 0u) << "on_close after disconnect()";
  EXPECT_EQ(w.last_seq(), 1);
}

// --- terminal errors: reported once, no reconnect (counted at a proxy in front of the server)

struct TerminalCase {
  const char* label;
  enum Key { good, bad, none } key = good;
  json::object filters;
  std::string collection;  // empty: the test's own
  const char* code;
  std::uint16_t close_code;
};

void PrintTo(const TerminalCase& c, std::ostream* os) { *os << c.label; }

class RealtimeTerminalTest : public RealtimeWatchTest,
                             public ::testing::WithParamInterface<TerminalCase> {};

TEST_P(RealtimeTerminalTest, ReportedOnceWithoutReconnect) {
  const TerminalCase& tc = GetParam();
  CountingProxy proxy(server_->port());
  std::string key = tc.key == TerminalCase::good ? server_->api_key()
                    : tc.key == TerminalCase::bad ? std::string("cb_not_a_real_key_0123456789")
                                                  : std::string();
  ClientConfig cfg = fast_config(proxy.url(), key);
  cfg.realtime.initial_backoff = 50ms;
  cfg.realtime.max_backoff = 200ms;
  Client client(cfg);

  Recorder<RealtimeError> errors;
  Recorder<CloseInfo> closes;
  Recorder<ReconnectInfo> reconnects;
  Recorder<WatchEvent> events;
  std::atomic<int> closed_in_on_close{-1}, closed_in_on_error{-1};
  const std::string col = tc.collection.empty() ? test_name() : tc.collection;
  auto w = client.realtime().collection(col, tc.filters);
  w.on_error([&](const RealtimeError& e) {
     if (e.terminal) closed_in_on_error = w.is_closed();
     errors.add(e);
   })
      .on_close([&](const CloseInfo& c) {
        closed_in_on_close = w.is_closed();
        closes.add(c);
      })
      .on_reconnect(reconnects.fn())
      .on_event(events.fn());
  w.connect();

  ASSERT_TRUE(closes.wait_for_count(1)) << "no on_close";
  ASSERT_TRUE(eventually([&] { return w.is_closed(); }));
  // With 50..200 ms backoff a reconnect loop would make several attempts in this time.
  std::this_thread::sleep_for(1000ms);

  EXPECT_EQ(proxy.connections(), 1) << "the helper reconnected after a terminal close";
  EXPECT_EQ(reconnects.size(), 0u);
  ASSERT_EQ(errors.size(), 1u);
  const RealtimeError e = errors.at(0);
  EXPECT_EQ(e.code, tc.code) << e.message << " raw: " << e.raw;
  EXPECT_EQ(e.close_code, tc.close_code);
  EXPECT_TRUE(e.terminal);
  EXPECT_FALSE(e.message.empty());
  EXPECT_NE(e.raw.find(tc.code), std::string::npos) << e.raw;
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes.at(0).code, tc.close_code);
  EXPECT_EQ(closes.at(0).reason, tc.code);
  EXPECT_FALSE(closes.at(0).will_reconnect);
  EXPECT_EQ(closed_in_on_error, 1) << "is_closed() false inside the terminal on_error";
  EXPECT_EQ(closed_in_on_close, 1) << "is_closed() false inside on_close(will_reconnect=false)";
  EXPECT_TRUE(w.is_closed());
  EXPECT_FALSE(w.is_connected());
  EXPECT_EQ(events.size(), 0u);
  EXPECT_FALSE(w.last_seq().has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Codes, RealtimeTerminalTest,
    ::testing::Values(
        TerminalCase{"BadApiKey", TerminalCase::bad, {}, "", "INVALID_API_KEY", 4401},
        TerminalCase{"NoCredentials", TerminalCase::none, {}, "", "AUTH_REQUIRED", 4401},
        TerminalCase{"BadGroupPrefix", TerminalCase::good, {{"[x]a", 1}}, "", "INVALID_FILTER", 4400},
        TerminalCase{"ObjectOperand", TerminalCase::good, {{"age", json::object{{"gt", 1}}}}, "",
                     "INVALID_FILTER", 4400},
        TerminalCase{"BadIsnullOperand", TerminalCase::good, {{"age_isnull", "maybe"}}, "",
                     "INVALID_FILTER", 4400},
        TerminalCase{"BadCollectionName", TerminalCase::good, {}, "bad name!",
                     "INVALID_COLLECTION_NAME", 4400}),
    [](const auto& info) { return std::string(info.param.label); });

// --- threading contract

TEST_F(RealtimeWatchTest, DisconnectInsideCallbackStopsFurtherCallbacks) {
  const auto col = test_name();
  Client other(config());
  Recorder<WatchEvent> witness_events;
  auto witness = other.realtime().collection(col);
  witness.on_create(witness_events.fn());
  witness.connect();

  std::atomic<int> creates{0}, closes{0}, connected{0};
  auto w = client_.realtime().collection(col);
  w.on_connected([&](const WatchEvent&) { ++connected; })
      .on_create([&](const WatchEvent&) {
        ++creates;
        w.disconnect();
        EXPECT_TRUE(w.is_closed());
      })
      .on_close([&](const CloseInfo&) { ++closes; });
  w.connect();
  ASSERT_TRUE(eventually([&] { return connected == 1 && witness.is_connected(); }));

  for (int i = 0; i < 3; ++i) client_.create_document(col, {{"n", i}});
  ASSERT_TRUE(witness_events.wait_for_count(3));
  EXPECT_EQ(creates, 1);
  EXPECT_EQ(closes, 0);
  EXPECT_TRUE(w.is_closed());
}

// disconnect() from another thread returns only after the running callback finished, and no
// callback starts afterwards.
TEST_F(RealtimeWatchTest, DisconnectFromAnotherThreadWaitsForRunningCallback) {
  const auto col = test_name();
  Client other(config());
  Recorder<WatchEvent> witness_events;
  auto witness = other.realtime().collection(col);
  witness.on_create(witness_events.fn());
  witness.connect();

  std::atomic<int> started{0}, finished{0}, connected{0};
  std::atomic<bool> release{false};
  auto w = client_.realtime().collection(col);
  w.on_connected([&](const WatchEvent&) { ++connected; })
      .on_create([&](const WatchEvent&) {
        ++started;
        eventually([&] { return release.load(); });
        ++finished;
      });
  w.connect();
  ASSERT_TRUE(eventually([&] { return connected == 1 && witness.is_connected(); }));

  for (int i = 0; i < 3; ++i) client_.create_document(col, {{"n", i}});
  ASSERT_TRUE(eventually([&] { return started == 1; }));

  std::atomic<bool> returned{false};
  std::atomic<int> finished_at_return{-1};
  std::thread t([&] {
    w.disconnect();
    finished_at_return = finished.load();
    returned = true;
  });
  // The callback is blocked until `release`: disconnect() cannot have returned.
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(returned.load()) << "disconnect() returned while a callback was running";
  release = true;
  t.join();
  EXPECT_EQ(finished_at_return, 1);

  ASSERT_TRUE(witness_events.wait_for_count(3));
  EXPECT_EQ(started, 1) << "a callback started after disconnect() returned";
  EXPECT_TRUE(w.is_closed());
}

TEST_F(RealtimeWatchTest, DestroyingHandleFromAnotherThreadWhileCallbackRuns) {
  const auto col = test_name();
  Client other(config());
  Recorder<WatchEvent> witness_events;
  auto witness = other.realtime().collection(col);
  witness.on_create(witness_events.fn());
  witness.connect();

  std::atomic<int> started{0}, finished{0}, connected{0};
  std::atomic<bool> release{false};
  auto w = std::make_unique<CollectionWatcher>(client_.realtime().collection(col));
  w->on_connected([&](const WatchEvent&) { ++connected; }).on_create([&](const WatchEvent&) {
    ++started;
    eventually([&] { return release.load(); });
    ++finished;
  });
  w->connect();
  ASSERT_TRUE(eventually([&] { return connected == 1 && witness.is_connected(); }));
  for (int i = 0; i < 3; ++i) client_.create_document(col, {{"n", i}});
  ASSERT_TRUE(eventually([&] { return started == 1; }));

  std::atomic<int> finished_at_return{-1};
  std::thread t([&] {
    w.reset();
    finished_at_return = finished.load();
  });
  std::this_thread::sleep_for(100ms);
  release = true;
  t.join();
  EXPECT_EQ(finished_at_return, 1);
  ASSERT_TRUE(witness_events.wait_for_count(3));
  EXPECT_EQ(started, 1);
}

// The handle may be destroyed inside its own callback: the helper stays alive until the callback
// returns, and nothing is delivered afterwards.
TEST_F(RealtimeWatchTest, DestroyingHandleInsideItsOwnCallback) {
  const auto col = test_name();
  Client other(config());
  Recorder<WatchEvent> witness_events;
  auto witness = other.realtime().collection(col);
  witness.on_create(witness_events.fn());
  witness.connect();

  std::mutex m;
  std::atomic<int> creates{0}, connected{0};
  std::atomic<bool> destroyed{false};
  auto w = std::make_unique<CollectionWatcher>(client_.realtime().collection(col));
  w->on_connected([&](const WatchEvent&) { ++connected; }).on_create([&](const WatchEvent& ev) {
    ++creates;
    const std::string id = ev.document.id;  // ev stays valid: only the handle goes
    std::lock_guard lock(m);
    w.reset();
    destroyed = !id.empty();
  });
  w->connect();
  ASSERT_TRUE(eventually([&] { return connected == 1 && witness.is_connected(); }));
  for (int i = 0; i < 3; ++i) client_.create_document(col, {{"n", i}});
  ASSERT_TRUE(witness_events.wait_for_count(3));
  ASSERT_TRUE(eventually([&] { return destroyed.load(); }));
  EXPECT_EQ(creates, 1);
  std::lock_guard lock(m);
  EXPECT_EQ(w, nullptr);
}

// Destroying the Client while helpers exist returns promptly; the helpers keep working (they
// hold what they need), named connections are closed.
TEST_F(RealtimeWatchTest, DestroyingClientWhileHelpersExist) {
  const auto col = test_name();
  auto client = std::make_unique<Client>(config());
  Recorder<WatchEvent> connected, created, named_events;
  auto w = client->realtime().collection(col);
  w.on_connected(connected.fn()).on_create(created.fn());
  w.connect();
  auto b = client->realtime().broadcast("u1", "U");
  std::atomic<int> b_connected{0};
  b.on_connected([&](const json::object&) { ++b_connected; });
  b.connect();
  auto conn = client->watch_collection(col, named_events.fn());
  ASSERT_TRUE(connected.wait_for_count(1));
  ASSERT_TRUE(named_events.wait_for_count(1));
  ASSERT_TRUE(eventually([&] { return b_connected == 1; }));

  const auto t0 = Clock::now();
  client.reset();
  EXPECT_LT(Clock::now() - t0, 10s);
  EXPECT_TRUE(conn->is_closed());
  EXPECT_FALSE(w.is_closed());

  client_.create_document(col, {{"n", 1}});
  ASSERT_TRUE(created.wait_for_count(1)) << "helper stopped working after its Client went away";
  EXPECT_EQ(named_events.size(), 1u);

  const auto t1 = Clock::now();
  w.disconnect();
  b.disconnect();
  conn.reset();
  EXPECT_LT(Clock::now() - t1, 10s);
}

// The last reference to the client's internals released on the I/O thread itself (the Client is
// gone and the helper's handle is destroyed inside its callback): no hang, no crash.
TEST_F(RealtimeWatchTest, LastHelperDestroyedInsideCallbackAfterClientIsGone) {
  const auto col = test_name();
  auto client = std::make_unique<Client>(config());
  std::mutex m;
  std::atomic<int> connected{0};
  std::atomic<bool> destroyed{false};
  auto w = std::make_unique<CollectionWatcher>(client->realtime().collection(col));
  w->on_connected([&](const WatchEvent&) { ++connected; }).on_create([&](const WatchEvent&) {
    std::lock_guard lock(m);
    w.reset();
    destroyed = true;
  });
  w->connect();
  ASSERT_TRUE(eventually([&] { return connected == 1; }));
  const auto t0 = Clock::now();
  client.reset();
  EXPECT_LT(Clock::now() - t0, 10s);
  client_.create_document(col, {{"n", 1}});
  ASSERT_TRUE(eventually([&] { return destroyed.load(); }));
  // The SDK's I/O thread winds down on its own; a later client works as usual.
  Client again(config());
  EXPECT_EQ(again.list_documents(col).documents.size(), 1u);
}

}  // namespace
}  // namespace cocobase
