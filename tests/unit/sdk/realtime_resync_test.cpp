// resync_required (PROTOCOL 8a, 9.2): when the server cannot replay, the watcher re-reads the
// collection over REST with its filters, hands over the snapshot, and continues with the events
// after the snapshot's seq.
#include "realtime_support.hpp"

#include <cocobase/client.hpp>

#include <gtest/gtest.h>

#include <set>

namespace cocobase {
namespace {

using namespace rt_test;
using testing::ServerProcess;

class RealtimeResyncTest : public ::testing::Test {
 protected:
  // A resume more than 2 events back cannot be replayed: reason too_many.
  static void SetUpTestSuite() {
    testing::ServerOptions options;
    options.args = {"--ws-max-replay-events", "2"};
    server_ = new ServerProcess(options);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
  Client client_{fast_config(server_->url(), server_->api_key())};
};

ServerProcess* RealtimeResyncTest::server_ = nullptr;

std::set<std::string> ids_of(const std::vector<Document>& docs) {
  std::set<std::string> ids;
  for (const auto& d : docs) ids.insert(d.id);
  return ids;
}

void expect_resync_then_live(Client& client, const std::string& col, WatchOptions options,
                             const std::set<std::string>& expected_ids, std::int64_t expected_seq) {
  Recorder<Snapshot> snapshots;
  Recorder<WatchEvent> events;
  CollectionWatcher w = client.realtime().collection(col, std::move(options));
  w.on_resync(snapshots.fn()).on_event(events.fn());
  w.connect();
  ASSERT_TRUE(snapshots.wait_for_count(1));
  const Snapshot snap = snapshots.at(0);
  EXPECT_EQ(snap.seq, expected_seq);
  EXPECT_EQ(ids_of(snap.documents), expected_ids);
  ASSERT_TRUE(eventually([&] { return w.last_seq() == expected_seq; }));

  const Document later = client.create_document(col, {{"kind", "a"}, {"n", 100}});
  ASSERT_TRUE(events.wait_until([&](const std::vector<WatchEvent>& all) {
    return !all.empty() && all.back().type == WatchEventType::create;
  }));
  const auto all = events.items();
  // connected, resync (with the same snapshot), then the live create with the next seq
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].type, WatchEventType::connected);
  EXPECT_EQ(all[1].type, WatchEventType::resync);
  EXPECT_EQ(ids_of(all[1].snapshot), expected_ids);
  EXPECT_EQ(all[2].seq, expected_seq + 1);
  EXPECT_EQ(all[2].document.id, later.id);
  EXPECT_FALSE(all[2].replay);
}

TEST_F(RealtimeResyncTest, TooManyToReplayGivesASnapshotOfTheCollection) {
  const auto col = test_name();
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.insert(client_.create_document(col, {{"kind", i % 2 ? "b" : "a"}}).id);
  WatchOptions options;
  options.resume_from = 0;  // 5 events back, over the limit of 2
  expect_resync_then_live(client_, col, options, ids, 5);
}

TEST_F(RealtimeResyncTest, AResumePointAheadOfTheServerGivesASnapshot) {
  const auto col = test_name();
  std::set<std::string> ids{client_.create_document(col, {{"kind", "a"}}).id};
  WatchOptions options;
  options.resume_from = 1000;  // from another store, or the store was reset
  expect_resync_then_live(client_, col, options, ids, 1);
}

TEST_F(RealtimeResyncTest, TheSnapshotHonoursTheWatchersFilter) {
  const auto col = test_name();
  std::set<std::string> kind_a;
  for (int i = 0; i < 6; ++i) {
    const Document d = client_.create_document(col, {{"kind", i % 2 ? "b" : "a"}});
    if (i % 2 == 0) kind_a.insert(d.id);
  }
  WatchOptions options;
  options.filters = {{"kind", "a"}};
  options.resume_from = 0;
  expect_resync_then_live(client_, col, options, kind_a, 6);
}

}  // namespace
}  // namespace cocobase
