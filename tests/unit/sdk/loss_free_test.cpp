// Loss-free reconnect (PROTOCOL 8a, 9.2), end to end against the real server binary: while a
// writer creates, updates and deletes steadily, the server is SIGKILLed and restarted twice, the
// network path is cut (testing/tcp_proxy.hpp resets the TCP connections) and black-holed (a
// stall the SDK must detect as a dead connection). A watch_collection callback and
// LiveCollections (one unfiltered, one filtered) end with exactly the server's state, and the
// watcher saw every seq once, in order.
//
// Timing is never the success criterion: every wait is for a condition, with a generous
// timeout that only guards against hangs.
#include "realtime/watch_state.hpp"
#include "testing/server_process.hpp"
#include "testing/tcp_proxy.hpp"

#include <cocobase/client.hpp>
#include <cocobase/live_collection.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace cocobase {
namespace {

using namespace std::chrono_literals;
using testing::ServerProcess;
using testing::TcpProxy;

constexpr auto kWait = 30s;  // only against hangs

std::string test_collection() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::string("lf_") + info->name()).substr(0, 64);
}

// Short backoff and keepalive so reconnects and dead-connection detection are quick.
ClientConfig through(const TcpProxy& proxy, const ServerProcess& server) {
  ClientConfig config;
  config.base_url = proxy.url();
  config.api_key = server.api_key();
  config.request_timeout = 5s;
  config.realtime.initial_backoff = 100ms;
  config.realtime.max_backoff = 1000ms;
  config.realtime.ping_interval = 300ms;
  config.realtime.pong_timeout = 700ms;
  // A reconnect attempt into the stalled path must give up and retry soon after the stall ends.
  config.realtime.connect_timeout = 2000ms;
  return config;
}

ClientConfig direct(const ServerProcess& server) {
  ClientConfig config;
  config.base_url = server.url();
  config.api_key = server.api_key();
  config.request_timeout = 3s;
  return config;
}

const char* type_name(WatchEventType t) {
  switch (t) {
    case WatchEventType::connected: return "connected";
    case WatchEventType::create: return "create";
    case WatchEventType::update: return "update";
    case WatchEventType::delete_: return "delete";
    case WatchEventType::replay_done: return "replay_done";
    case WatchEventType::resync: return "resync";
  }
  return "?";
}

// What one watcher saw, filled on the client's I/O thread.
struct WatchLog {
  struct Change {
    WatchEventType type;
    std::int64_t seq;
    std::string id;
    bool replay;
  };

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<Change> changes;  // create/update/delete and resync, in delivery order
  std::optional<std::int64_t> first_head;  // head_seq of the first `connected`
  int connected = 0, resyncs = 0, closes = 0, reconnects = 0, replayed = 0;
  std::vector<RealtimeError> errors;
  std::int64_t last_seq = -1;
  std::map<std::string, Document> state;  // rebuilt from the events

  void on_event(const WatchEvent& ev) {
    std::lock_guard lock(mutex);
    switch (ev.type) {
      case WatchEventType::connected:
        ++connected;
        if (!first_head) first_head = ev.seq;
        break;
      case WatchEventType::create:
      case WatchEventType::update:
        state.insert_or_assign(ev.document.id, ev.document);
        record(ev);
        break;
      case WatchEventType::delete_:
        state.erase(ev.document.id);
        record(ev);
        break;
      case WatchEventType::resync:
        ++resyncs;
        state.clear();
        for (const auto& d : ev.snapshot) state.insert_or_assign(d.id, d);
        changes.push_back({ev.type, ev.seq, "", false});
        last_seq = ev.seq;
        break;
      case WatchEventType::replay_done:
        break;
    }
    changed.notify_all();
  }
  void record(const WatchEvent& ev) {
    changes.push_back({ev.type, ev.seq, ev.document.id, ev.replay});
    if (ev.replay) ++replayed;
    last_seq = ev.seq;
  }
  void on_error(const RealtimeError& e) {
    std::lock_guard lock(mutex);
    errors.push_back(e);
    changed.notify_all();
  }
  void on_close(const CloseInfo&) {
    std::lock_guard lock(mutex);
    ++closes;
    changed.notify_all();
  }
  void on_reconnect(const ReconnectInfo&) {
    std::lock_guard lock(mutex);
    ++reconnects;
    changed.notify_all();
  }

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return pred(*this); });
  }
  template <class F>
  auto with(F f) const {
    std::lock_guard lock(mutex);
    return f(*this);
  }
  int error_count(const std::string& code) const {
    int n = 0;
    for (const auto& e : errors) n += e.code == code;
    return n;
  }
};

// The watcher saw every seq from its first to `head` exactly once, strictly increasing; a resync
// at S (a snapshot reflecting every write up to S) continues the stream at S + 1.
void expect_every_seq_once(const WatchLog& l, std::int64_t head) {
  ASSERT_TRUE(l.first_head.has_value());
  ASSERT_FALSE(l.changes.empty());
  std::int64_t expected = *l.first_head + 1;
  std::int64_t delivered = 0;
  std::ostringstream trouble;
  int bad = 0;
  for (const auto& c : l.changes) {
    if (c.type == WatchEventType::resync) {
      if (c.seq < expected - 1 && bad++ < 10)
        trouble << "resync at " << c.seq << " goes back behind " << expected - 1 << "\n";
      expected = c.seq + 1;
      continue;
    }
    ++delivered;
    if (c.seq != expected && bad++ < 10)
      trouble << "expected seq " << expected << ", got " << c.seq << " (" << type_name(c.type)
              << " " << c.id << (c.replay ? " replay" : "") << ")\n";
    expected = c.seq + 1;
  }
  EXPECT_EQ(bad, 0) << trouble.str();
  EXPECT_EQ(l.changes.back().seq, head);
  if (l.resyncs == 0) {
    EXPECT_EQ(l.changes.front().seq, *l.first_head + 1);
    EXPECT_EQ(delivered, head - *l.first_head);
  }
}

// Waits until the helper reported a DEAD_CONNECTION.
bool dead_once(WatchLog& l) {
  return l.wait([](const WatchLog& x) { return x.error_count("DEAD_CONNECTION") >= 1; });
}

// Documents by id, as the text of the fields that must agree.
std::map<std::string, std::string> by_id(const std::vector<Document>& docs) {
  std::map<std::string, std::string> out;
  for (const auto& d : docs)
    out[d.id] = json::serialize(d.data) + " " + d.created_at + " " + d.updated_at;
  return out;
}
std::map<std::string, std::string> by_id(const std::map<std::string, Document>& docs) {
  std::vector<Document> v;
  for (const auto& [id, d] : docs) v.push_back(d);
  return by_id(v);
}

// Creates, updates and deletes documents steadily in one collection, on its own thread and
// with its own Client straight to the server; errors (server down) are tolerated.
class Writer {
 public:
  Writer(const ServerProcess& server, std::string collection)
      : config_(direct(server)), collection_(std::move(collection)), thread_([this] { run(); }) {}
  ~Writer() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int ok() const { return ok_.load(); }
  int failed() const { return failed_.load(); }
  // Waits until `n` more writes succeeded than at the call.
  bool wait_progress(int n, std::chrono::milliseconds timeout = kWait) const {
    const int target = ok_.load() + n;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (ok_.load() < target) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  void run() {
    Client client(config_);
    std::mt19937 rng(12345);
    std::vector<std::string> ids;  // documents this writer believes exist
    std::int64_t n = 0;
    while (!stop_) {
      ++n;
      const int dice = static_cast<int>(rng() % 100);
      try {
        if (ids.size() < 5 || (dice < 45 && ids.size() < 60)) {
          json::object data{{"n", n}, {"bucket", n % 3}, {"v", 0}, {"text", "doc " + std::to_string(n)}};
          ids.push_back(client.create_document(collection_, data).id);
        } else if (dice < 80) {
          const std::string& id = ids[rng() % ids.size()];
          client.update_document(collection_, id, json::object{{"bucket", n % 3}, {"v", n}});
        } else {
          const std::size_t at = rng() % ids.size();
          const std::string id = ids[at];
          ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(at));
          client.delete_document(collection_, id);
        }
        ok_.fetch_add(1);
      } catch (const ApiError&) {
        // A 404 after an update/delete whose outcome was lost: forget nothing more, go on.
        failed_.fetch_add(1);
        std::this_thread::sleep_for(20ms);
      } catch (const Error&) {
        failed_.fetch_add(1);  // server down or killed mid-request
        std::this_thread::sleep_for(20ms);
      }
      std::this_thread::sleep_for(5ms);
    }
  }

  ClientConfig config_;
  std::string collection_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0}, failed_{0};
  std::thread thread_;  // last: starts once the rest is ready
};

template <class F>
auto retry(F f, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      return f();
    } catch (const Error&) {
      if (std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(50ms);
    }
  }
}

// --- the proxy itself

TEST(LossFreeProxy, ForwardsCutsAndStalls) {
  ServerProcess server;
  TcpProxy proxy("127.0.0.1", server.port());
  ClientConfig config = through(proxy, server);
  config.request_timeout = 1500ms;
  Client client(config);
  const std::string coll = test_collection();

  client.create_document(coll, json::object{{"a", 1}});
  EXPECT_GE(proxy.connection_count(), 1);
  EXPECT_EQ(client.list_documents(coll).documents.size(), 1u);

  proxy.cut();  // the kept-alive connection is reset; a request afterwards reconnects
  EXPECT_EQ(proxy.open_count(), 0);
  retry([&] { return client.list_documents(coll); });

  proxy.stall(true);
  EXPECT_THROW(client.list_documents(coll), TransportError);
  proxy.stall(false);
  EXPECT_EQ(retry([&] { return client.list_documents(coll); }).documents.size(), 1u);

  server.kill();  // target down: the proxy closes what it accepted
  EXPECT_THROW(client.list_documents(coll), TransportError);
  server.restart();
  EXPECT_EQ(retry([&] { return client.list_documents(coll); }).documents.size(), 1u);
}

// --- dead-connection detection

TEST(LossFree, StalledPathIsDetectedAsDeadConnectionAndReconnects) {
  ServerProcess server;
  TcpProxy proxy("127.0.0.1", server.port());
  WatchLog log;  // outlives the client's callbacks
  Client client(through(proxy, server));
  Client writer(direct(server));
  const std::string coll = test_collection();

  CollectionWatcher watcher = client.realtime().collection(coll);
  watcher.on_event([&](const WatchEvent& ev) { log.on_event(ev); })
      .on_error([&](const RealtimeError& e) { log.on_error(e); })
      .on_close([&](const CloseInfo& c) { log.on_close(c); })
      .on_reconnect([&](const ReconnectInfo& r) { log.on_reconnect(r); });
  watcher.connect();
  ASSERT_TRUE(log.wait([](const WatchLog& l) { return l.connected == 1; }));
  ASSERT_TRUE(watcher.is_connected());
  const int opened_before = proxy.connection_count();

  // Nothing is written: only the SDK's pings would keep the connection alive, and they do not
  // get through.
  proxy.stall(true);
  ASSERT_TRUE(log.wait([](const WatchLog& l) { return l.error_count("DEAD_CONNECTION") >= 1; }))
      << "no DEAD_CONNECTION while the path was stalled";
  // The error comes first, then the close and the scheduled reconnect.
  ASSERT_TRUE(log.wait([](const WatchLog& l) { return l.reconnects >= 1; }));
  log.with([](const WatchLog& l) {
    for (const auto& e : l.errors) {
      EXPECT_FALSE(e.terminal) << e.code << ": " << e.message;
      if (e.code == "DEAD_CONNECTION") {
        EXPECT_EQ(e.close_code, 1006);
      }
    }
    EXPECT_GE(l.closes, 1);
    EXPECT_GE(l.reconnects, 1);
    EXPECT_EQ(l.connected, 1);  // nothing got through while stalled
  });
  proxy.stall(false);

  ASSERT_TRUE(log.wait([](const WatchLog& l) { return l.connected >= 2; }))
      << "no reconnect after the stall ended";
  EXPECT_GT(proxy.connection_count(), opened_before);

  // The new connection carries events, and the resumed watcher has no gap.
  const Document doc = writer.create_document(coll, json::object{{"after", "stall"}});
  ASSERT_TRUE(log.wait([&](const WatchLog& l) { return l.state.count(doc.id) == 1; }));
  log.with([](const WatchLog& l) {
    EXPECT_EQ(l.resyncs, 0);
    ASSERT_EQ(l.changes.size(), 1u);
    EXPECT_EQ(l.changes[0].seq, 1);
    EXPECT_EQ(l.changes[0].type, WatchEventType::create);
  });
  watcher.disconnect();
}

// --- the acceptance test

TEST(LossFree, WatcherAndLiveCollectionsSurviveKillsCutsAndStalls) {
  ServerProcess server;
  TcpProxy proxy("127.0.0.1", server.port());
  WatchLog log, live_log, filtered_log;  // outlive the client's callbacks
  Client client(through(proxy, server));
  Client reader(direct(server));
  const std::string coll = test_collection();
  const json::object filter{{"bucket", 0}};

  WatchCollectionOptions options;
  options.on_error = [&](const RealtimeError& e) { log.on_error(e); };
  auto conn = client.watch_collection(coll, [&](const WatchEvent& ev) { log.on_event(ev); },
                                      "loss-free", std::move(options));
  conn->watcher().on_close([&](const CloseInfo& c) { log.on_close(c); });
  conn->watcher().on_reconnect([&](const ReconnectInfo& r) { log.on_reconnect(r); });

  LiveCollection live(client, coll);
  LiveCollection live_filtered(client, coll, filter);
  live.on_error([&](const RealtimeError& e) { live_log.on_error(e); });
  live_filtered.on_error([&](const RealtimeError& e) { filtered_log.on_error(e); });
  live.start();
  live_filtered.start();

  ASSERT_TRUE(log.wait([](const WatchLog& l) { return l.connected >= 1; }));
  ASSERT_TRUE(live.wait_for_seq(0, kWait));
  ASSERT_TRUE(live_filtered.wait_for_seq(0, kWait));

  Writer writer(server, coll);
  // Waits until the watcher lost its connection and came back on a new one.
  auto reconnected_after = [&](int connected_before) {
    return log.wait([&](const WatchLog& l) { return l.connected > connected_before; });
  };
  auto connected_now = [&] { return log.with([](const WatchLog& l) { return l.connected; }); };

  // 1. run, then SIGKILL the server and restart it.
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(writer.wait_progress(20));
  int before = connected_now();
  server.kill();
  ASSERT_TRUE(log.wait([](const WatchLog& l) { return l.closes >= 1; }));
  std::this_thread::sleep_for(300ms);  // reconnect attempts meet a server that is down
  server.restart();
  ASSERT_TRUE(reconnected_after(before)) << "no reconnect after the first restart";

  // 2. run, then cut the network path.
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(writer.wait_progress(20));
  before = connected_now();
  proxy.cut();
  ASSERT_TRUE(reconnected_after(before)) << "no reconnect after the cut";

  // 3. run, then SIGKILL and restart again.
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(writer.wait_progress(20));
  before = connected_now();
  const int closes_before = log.with([](const WatchLog& l) { return l.closes; });
  server.kill();
  ASSERT_TRUE(log.wait([&](const WatchLog& l) { return l.closes > closes_before; }));
  server.restart();
  ASSERT_TRUE(reconnected_after(before)) << "no reconnect after the second restart";

  // 4. run, then black-hole the path until the SDK declares the connection dead.
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(writer.wait_progress(20));
  before = connected_now();
  proxy.stall(true);
  // Stalled until every connection has been declared dead (so each of them must resume).
  ASSERT_TRUE(dead_once(log)) << "the stall was not detected by the watcher";
  ASSERT_TRUE(dead_once(live_log)) << "the stall was not detected by the LiveCollection";
  ASSERT_TRUE(dead_once(filtered_log)) << "the stall was not detected by the filtered one";
  std::this_thread::sleep_for(300ms);  // reconnect attempts run into the stalled path too
  proxy.stall(false);
  ASSERT_TRUE(reconnected_after(before)) << "no reconnect after the stall";

  // 5. run, then stop the writer; one last write that passes the filter, so that the filtered
  // view too must reach the head.
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(writer.wait_progress(20));
  writer.stop();
  retry([&] { return reader.create_document(coll, json::object{{"bucket", 0}, {"last", true}}); });

  const ListResult final_list =
      reader.list_documents(coll, Query().sort("created_at", Order::asc).limit(1000));
  const ListResult final_filtered = reader.list_documents(
      coll, Query::from_filter_object(filter).sort("created_at", Order::asc).limit(1000));
  const std::int64_t head = final_list.seq;
  ASSERT_EQ(final_filtered.seq, head);
  ASSERT_LT(final_list.documents.size(), 1000u);

  ASSERT_TRUE(log.wait([&](const WatchLog& l) { return l.last_seq >= head; }))
      << "watcher stuck at " << log.with([](const WatchLog& l) { return l.last_seq; })
      << ", head " << head;
  ASSERT_TRUE(live.wait_for_seq(head, kWait)) << "LiveCollection at " << live.seq().value_or(-1);
  ASSERT_TRUE(live_filtered.wait_for_seq(head, kWait))
      << "filtered LiveCollection at " << live_filtered.seq().value_or(-1);

  // Every seq from the first to the head exactly once, strictly increasing.
  log.with([&](const WatchLog& l) {
    EXPECT_EQ(l.resyncs, 0) << "resync with the default change-log retention";
    expect_every_seq_once(l, head);
    // The state rebuilt from the events is the server's.
    EXPECT_EQ(by_id(l.state), by_id(final_list.documents));
    // Reconnects happened: two restarts, a cut and a stall.
    EXPECT_GE(l.reconnects, 4);
    EXPECT_GE(l.connected, 5);
    EXPECT_GE(l.error_count("DEAD_CONNECTION"), 1);
    for (const auto& e : l.errors) EXPECT_FALSE(e.terminal) << e.code << ": " << e.message;
    std::printf("[ info ] head %lld, %zu events (%d replayed), %d connections, %d reconnects, "
                "%d errors; writer ok %d failed %d; proxy connections %d\n",
                static_cast<long long>(head), l.changes.size(), l.replayed, l.connected,
                l.reconnects, static_cast<int>(l.errors.size()), writer.ok(), writer.failed(),
                proxy.connection_count());
  });

  EXPECT_EQ(live.seq(), head);
  EXPECT_EQ(by_id(live.documents()), by_id(final_list.documents));
  EXPECT_EQ(live.size(), final_list.documents.size());
  EXPECT_EQ(live_filtered.seq(), head);
  EXPECT_EQ(by_id(live_filtered.documents()), by_id(final_filtered.documents));
  // LiveCollection::documents() is in the server's order (created_at, then id).
  std::vector<std::string> live_order, server_order;
  for (const auto& d : live.documents()) live_order.push_back(d.id);
  for (const auto& d : final_list.documents) server_order.push_back(d.id);
  if (std::adjacent_find(final_list.documents.begin(), final_list.documents.end(),
                         [](const Document& a, const Document& b) {
                           return a.created_at == b.created_at;
                         }) == final_list.documents.end()) {
    EXPECT_EQ(live_order, server_order);
  }
  // Three watch connections, each opened at least five times (plus the snapshot reads).
  EXPECT_GE(proxy.connection_count(), 3 * 5);
  for (const WatchLog* l : {&live_log, &filtered_log})
    l->with([](const WatchLog& x) {
      for (const auto& e : x.errors) EXPECT_FALSE(e.terminal) << e.code << ": " << e.message;
    });

  live.close();
  live_filtered.close();
  client.close_all_connections();
}

// --- resync: the change log no longer reaches back to the watchers' resume point

// True once a watch resuming from `resume_from` gets resync_required (the server pruned the log
// beyond it), false when it replays.
bool server_pruned_beyond(Client& client, const std::string& coll, std::int64_t resume_from) {
  WatchOptions options;
  options.resume_from = resume_from;
  CollectionWatcher probe = client.realtime().collection(coll, options);
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<bool> pruned;
  probe.on_event([&](const WatchEvent& ev) {
    std::lock_guard lock(mutex);
    if (ev.type == WatchEventType::resync) pruned = true;
    if (ev.type == WatchEventType::replay_done && !pruned) pruned = false;
    cv.notify_all();
  });
  probe.connect();
  std::unique_lock lock(mutex);
  cv.wait_for(lock, kWait, [&] { return pruned.has_value(); });
  const bool result = pruned.value_or(false);
  lock.unlock();
  probe.disconnect();
  return result;
}

TEST(LossFree, ResyncWhenTheChangeLogNoLongerReachesBack) {
  testing::ServerOptions server_options;
  server_options.args = {"--changelog-max-events", "5"};  // pruned about once a second
  ServerProcess server(server_options);
  TcpProxy proxy("127.0.0.1", server.port());
  WatchLog log, live_log, filtered_log;  // outlive the client's callbacks
  Client client(through(proxy, server));
  Client reader(direct(server));
  const std::string coll = test_collection();
  const json::object filter{{"bucket", 0}};

  WatchCollectionOptions options;
  options.on_error = [&](const RealtimeError& e) { log.on_error(e); };
  auto conn = client.watch_collection(coll, [&](const WatchEvent& ev) { log.on_event(ev); },
                                      "resync", std::move(options));
  LiveCollection live(client, coll);
  LiveCollection live_filtered(client, coll, filter);
  live.on_error([&](const RealtimeError& e) { live_log.on_error(e); });
  live_filtered.on_error([&](const RealtimeError& e) { filtered_log.on_error(e); });
  live.start();
  live_filtered.start();
  ASSERT_TRUE(log.wait([](const WatchLog& l) { return l.connected >= 1; }));
  ASSERT_TRUE(live.wait_for_seq(0, kWait));
  ASSERT_TRUE(live_filtered.wait_for_seq(0, kWait));

  Writer writer(server, coll);
  ASSERT_TRUE(writer.wait_progress(20));

  // Black-hole the path; while the watchers cannot reconnect, the writer goes on until the
  // server has pruned its log past every watcher's resume point.
  proxy.stall(true);
  ASSERT_TRUE(dead_once(log));
  ASSERT_TRUE(dead_once(live_log));
  ASSERT_TRUE(dead_once(filtered_log));
  const int connected_before = log.with([](const WatchLog& l) { return l.connected; });
  std::int64_t resume = conn->watcher().last_seq().value_or(0);
  resume = std::min({resume, live.seq().value_or(0), live_filtered.seq().value_or(0)});
  const auto give_up = std::chrono::steady_clock::now() + kWait;
  while (!server_pruned_beyond(reader, coll, resume)) {
    ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the log was never pruned";
    std::this_thread::sleep_for(200ms);
  }
  proxy.stall(false);
  ASSERT_TRUE(log.wait([&](const WatchLog& l) { return l.connected > connected_before && l.resyncs >= 1; }))
      << "no resync after the stall";

  std::this_thread::sleep_for(500ms);
  ASSERT_TRUE(writer.wait_progress(20));
  writer.stop();
  retry([&] { return reader.create_document(coll, json::object{{"bucket", 0}, {"last", true}}); });
  const ListResult final_list =
      reader.list_documents(coll, Query().sort("created_at", Order::asc).limit(1000));
  const ListResult final_filtered = reader.list_documents(
      coll, Query::from_filter_object(filter).sort("created_at", Order::asc).limit(1000));
  const std::int64_t head = final_list.seq;
  ASSERT_EQ(final_filtered.seq, head);

  ASSERT_TRUE(log.wait([&](const WatchLog& l) { return l.last_seq >= head; }));
  ASSERT_TRUE(live.wait_for_seq(head, kWait)) << "LiveCollection at " << live.seq().value_or(-1);
  ASSERT_TRUE(live_filtered.wait_for_seq(head, kWait))
      << "filtered LiveCollection at " << live_filtered.seq().value_or(-1);

  log.with([&](const WatchLog& l) {
    EXPECT_GE(l.resyncs, 1);
    expect_every_seq_once(l, head);
    EXPECT_EQ(by_id(l.state), by_id(final_list.documents));
    for (const auto& e : l.errors) EXPECT_FALSE(e.terminal) << e.code << ": " << e.message;
  });
  EXPECT_EQ(live.seq(), head);
  EXPECT_EQ(by_id(live.documents()), by_id(final_list.documents));
  EXPECT_EQ(live_filtered.seq(), head);
  EXPECT_EQ(by_id(live_filtered.documents()), by_id(final_filtered.documents));

  live.close();
  live_filtered.close();
  client.close_all_connections();
}

// --- the same guarantee at the level of the watcher's seq bookkeeping

WatchEvent watch_event(WatchEventType type, std::int64_t seq) {
  WatchEvent e;
  e.type = type;
  e.seq = seq;
  e.document.id = "d" + std::to_string(seq);
  return e;
}

// A connection that gets resync_required drops while the snapshot read is in flight; the next
// connection (resuming from the same, too old, point) gets resync_required again with a later
// head. Events between the two connections reach the watcher on neither, so a snapshot read
// before the second head must not be handed over: it would leave a gap that nothing repairs.
TEST(LossFreeWatchState, SnapshotOlderThanALaterResyncHeadIsReadAgain) {
  detail::WatchState s(std::nullopt, false);
  s.on_connected(watch_event(WatchEventType::connected, 10));
  s.on_change(watch_event(WatchEventType::create, 11));
  // Reconnect: the log no longer reaches back to 11.
  s.on_connected(watch_event(WatchEventType::connected, 100));
  ASSERT_TRUE(s.on_resync_required().fetch_snapshot);
  s.on_change(watch_event(WatchEventType::create, 101));
  s.on_change(watch_event(WatchEventType::create, 102));
  // The connection drops; 103..150 are written meanwhile. The next one resyncs again.
  s.on_connected(watch_event(WatchEventType::connected, 150));
  s.on_resync_required();
  s.on_change(watch_event(WatchEventType::create, 151));
  // The snapshot that was read right after the first resync_required arrives: handing it over
  // would deliver 101, 102, 151 after it and lose 103..150 for good. It is read again.
  auto out = s.on_snapshot(Snapshot{{}, 100});
  EXPECT_TRUE(out.deliver.empty());
  EXPECT_TRUE(out.fetch_snapshot);
  EXPECT_TRUE(s.awaiting_snapshot());
  // A snapshot that reflects the second head is handed over, then the events after it.
  out = s.on_snapshot(Snapshot{{}, 150});
  std::vector<std::int64_t> delivered;
  for (const auto& e : out.deliver) delivered.push_back(e.seq);
  EXPECT_EQ(delivered, (std::vector<std::int64_t>{150, 151}));
  EXPECT_EQ(s.last_seq(), 151);
  EXPECT_FALSE(s.awaiting_snapshot());
}

}  // namespace
}  // namespace cocobase
