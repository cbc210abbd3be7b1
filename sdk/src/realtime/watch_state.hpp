#pragma once
// The collection watcher's sequence bookkeeping (PROTOCOL 9.2), separate from the socket so it
// can be tested message by message:
// - last_seq starts at the head_seq of the first `connected` (or at a resume point the
//   application gave), follows each delivered event, and moves to max(last_seq, head_seq) on
//   `replay_done`; every reconnect resumes from it.
// - events with seq <= last_seq are duplicates and dropped.
// - on `resync_required` (or at start, for a snapshot-first watcher) events are buffered until
//   a REST snapshot with seq S arrives; then the snapshot is delivered, buffered events with
//   seq <= S are dropped (the snapshot reflects them) and the rest delivered in order.
//   A snapshot older than the head_seq of the connection of the latest resync_required is read
//   again: when a connection drops while a snapshot is being read, the events between it and
//   the next connection's head reach the watcher on neither, and only a newer snapshot covers
//   them.
#include <cocobase/realtime.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace cocobase::detail {

class WatchState {
 public:
  WatchState(std::optional<std::int64_t> resume_from, bool snapshot_on_start)
      : last_seq_(resume_from), snapshot_on_start_(snapshot_on_start) {}

  struct Output {
    std::vector<WatchEvent> deliver;
    bool fetch_snapshot = false;  // start a snapshot read now
  };

  Output on_connected(WatchEvent ev);
  Output on_change(WatchEvent ev);  // create, update, delete
  Output on_replay_done(WatchEvent ev);
  Output on_resync_required();
  Output on_snapshot(Snapshot snapshot);
  // The snapshot read failed; the caller retries later with retry_snapshot().
  void on_snapshot_failed() { fetch_in_flight_ = false; }
  Output retry_snapshot();

  // The resume_from of the next auth message; nullopt before anything is known.
  std::optional<std::int64_t> resume_point() const { return last_seq_; }
  std::optional<std::int64_t> last_seq() const { return last_seq_; }
  bool awaiting_snapshot() const { return awaiting_snapshot_; }

 private:
  Output start_snapshot();

  std::optional<std::int64_t> last_seq_;
  bool snapshot_on_start_;
  bool started_ = false;            // a first `connected` was seen
  bool awaiting_snapshot_ = false;  // buffering until on_snapshot
  bool fetch_in_flight_ = false;
  std::int64_t connected_head_ = 0;    // head_seq of the latest `connected`
  std::int64_t min_snapshot_seq_ = 0;  // connected_head_ at the latest resync_required
  std::map<std::int64_t, WatchEvent> buffered_;  // by seq: a replayed duplicate replaces
};

}  // namespace cocobase::detail
