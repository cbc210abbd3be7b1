// The watcher's seq bookkeeping (PROTOCOL 9.2), message by message.
#include "realtime/messages.hpp"
#include "realtime/watch_state.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cocobase::detail {
namespace {

WatchEvent connected(std::int64_t head) {
  WatchEvent e;
  e.type = WatchEventType::connected;
  e.seq = head;
  return e;
}

WatchEvent change(std::int64_t seq, std::string id = "d") {
  WatchEvent e;
  e.type = WatchEventType::create;
  e.seq = seq;
  e.document.id = std::move(id);
  return e;
}

WatchEvent replay_done(std::int64_t head) {
  WatchEvent e;
  e.type = WatchEventType::replay_done;
  e.seq = head;
  return e;
}

std::vector<std::int64_t> seqs(const WatchState::Output& out) {
  std::vector<std::int64_t> s;
  for (const auto& e : out.deliver)
    if (e.type == WatchEventType::create) s.push_back(e.seq);
  return s;
}

TEST(WatchState, FirstConnectedSetsTheResumePoint) {
  WatchState s(std::nullopt, false);
  EXPECT_FALSE(s.resume_point());
  auto out = s.on_connected(connected(42));
  ASSERT_EQ(out.deliver.size(), 1u);
  EXPECT_EQ(s.resume_point(), 42);
  EXPECT_FALSE(out.fetch_snapshot);
}

TEST(WatchState, EventsMoveLastSeqAndDuplicatesAreDropped) {
  WatchState s(std::nullopt, false);
  s.on_connected(connected(0));
  EXPECT_EQ(seqs(s.on_change(change(1))), std::vector<std::int64_t>{1});
  EXPECT_EQ(seqs(s.on_change(change(2))), std::vector<std::int64_t>{2});
  EXPECT_TRUE(s.on_change(change(2)).deliver.empty());
  EXPECT_TRUE(s.on_change(change(1)).deliver.empty());
  EXPECT_EQ(s.last_seq(), 2);
}

TEST(WatchState, AResumedConnectedDoesNotMoveLastSeq) {
  WatchState s(std::nullopt, false);
  s.on_connected(connected(5));
  s.on_change(change(6));
  s.on_connected(connected(9));  // reconnect: replays of 7..9 follow
  EXPECT_EQ(s.resume_point(), 6);
  EXPECT_EQ(seqs(s.on_change(change(7))), std::vector<std::int64_t>{7});
  s.on_replay_done(replay_done(9));
  EXPECT_EQ(s.last_seq(), 9);  // a filtered watcher processed up to head even if 8, 9 did not pass
}

TEST(WatchState, ReplayDoneNeverMovesBackwards) {
  WatchState s(std::nullopt, false);
  s.on_connected(connected(0));
  s.on_change(change(10));
  s.on_replay_done(replay_done(3));
  EXPECT_EQ(s.last_seq(), 10);
}

TEST(WatchState, AnApplicationResumePointIsSentOnTheFirstConnect) {
  WatchState s(17, false);
  EXPECT_EQ(s.resume_point(), 17);
  s.on_connected(connected(30));
  EXPECT_EQ(s.resume_point(), 17);
}

TEST(WatchState, ResyncBuffersUntilTheSnapshotAndDropsWhatItReflects) {
  WatchState s(std::nullopt, false);
  s.on_connected(connected(100));
  auto r = s.on_resync_required();
  EXPECT_TRUE(r.fetch_snapshot);
  EXPECT_TRUE(s.awaiting_snapshot());
  EXPECT_TRUE(s.on_change(change(103)).deliver.empty());
  EXPECT_TRUE(s.on_change(change(101)).deliver.empty());
  EXPECT_TRUE(s.on_change(change(104)).deliver.empty());
  EXPECT_FALSE(s.on_resync_required().fetch_snapshot);  // one read at a time

  Snapshot snap;
  snap.seq = 102;
  snap.documents.push_back(Document{"a", "c", "cid", {}, "t", "t"});
  auto out = s.on_snapshot(std::move(snap));
  ASSERT_GE(out.deliver.size(), 1u);
  EXPECT_EQ(out.deliver[0].type, WatchEventType::resync);
  EXPECT_EQ(out.deliver[0].seq, 102);
  EXPECT_EQ(out.deliver[0].snapshot.size(), 1u);
  EXPECT_EQ(seqs(out), (std::vector<std::int64_t>{103, 104}));  // in order, 101 dropped
  EXPECT_EQ(s.last_seq(), 104);
  EXPECT_FALSE(s.awaiting_snapshot());
}

TEST(WatchState, ReplayDoneWhileAwaitingASnapshotIsNotDelivered) {
  WatchState s(std::nullopt, true);
  s.on_connected(connected(3));
  EXPECT_TRUE(s.on_replay_done(replay_done(50)).deliver.empty());
  EXPECT_EQ(s.last_seq(), 3);
}

TEST(WatchState, AFailedSnapshotIsRetried) {
  WatchState s(std::nullopt, false);
  s.on_connected(connected(1));
  EXPECT_TRUE(s.on_resync_required().fetch_snapshot);
  s.on_snapshot_failed();
  EXPECT_TRUE(s.retry_snapshot().fetch_snapshot);
}

TEST(WatchState, SnapshotFirstWatcherBuffersFromTheStart) {
  WatchState s(std::nullopt, true);
  auto out = s.on_connected(connected(7));
  EXPECT_TRUE(out.fetch_snapshot);
  EXPECT_TRUE(s.on_change(change(8)).deliver.empty());
  Snapshot snap;
  snap.seq = 7;
  EXPECT_EQ(seqs(s.on_snapshot(std::move(snap))), std::vector<std::int64_t>{8});
  // A reconnect does not read a new snapshot.
  EXPECT_FALSE(s.on_connected(connected(8)).fetch_snapshot);
}

TEST(WatchState, AReplayedDuplicateInTheBufferIsDeliveredOnce) {
  WatchState s(std::nullopt, true);
  s.on_connected(connected(0));
  s.on_change(change(1));
  s.on_change(change(1));  // the same seq again after a reconnect's replay
  Snapshot snap;
  EXPECT_EQ(seqs(s.on_snapshot(std::move(snap))), std::vector<std::int64_t>{1});
}

json::object parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(WatchMessages, DecodesAnUpdateWithItsExtensions) {
  auto m = decode_watch_message(parse(R"({"event":"update","collection_id":"users","seq":44,
    "data":{"id":"x","collection":"users","collection_id":"c","data":{"s":"b"},
            "created_at":"2025-11-04T12:00:00.000Z","updated_at":"2025-11-04T12:07:00.000Z"},
    "old_data":{"s":"a"},"left_filter":true,"replay":true,"future_member":1})"), "users");
  ASSERT_EQ(m.kind, WatchMessageKind::change);
  EXPECT_EQ(m.event.type, WatchEventType::update);
  EXPECT_EQ(m.event.seq, 44);
  EXPECT_EQ(m.event.document.id, "x");
  EXPECT_EQ(m.event.document.data.at("s"), "b");
  ASSERT_TRUE(m.event.old_data);
  EXPECT_EQ(m.event.old_data->at("s"), "a");
  EXPECT_TRUE(m.event.left_filter);
  EXPECT_TRUE(m.event.replay);
}

TEST(WatchMessages, UnknownEventsAndPongsAreIgnored) {
  EXPECT_EQ(decode_watch_message(parse(R"({"event":"something_new"})"), "c").kind, WatchMessageKind::other);
  EXPECT_EQ(decode_watch_message(parse(R"({"type":"pong"})"), "c").kind, WatchMessageKind::other);
  EXPECT_EQ(decode_watch_message(parse(R"({"event":"resync_required","reason":"too_old"})"), "c").kind,
            WatchMessageKind::resync_required);
}

TEST(WatchMessages, AChangeWithoutSeqOrDocumentIsAnError) {
  EXPECT_THROW(decode_watch_message(parse(R"({"event":"create","data":{"id":"x","data":{}}})"), "c"), Error);
  EXPECT_THROW(decode_watch_message(parse(R"({"event":"create","seq":1})"), "c"), Error);
}

}  // namespace
}  // namespace cocobase::detail
