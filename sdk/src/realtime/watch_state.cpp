#include "realtime/watch_state.hpp"

#include <algorithm>
#include <utility>

namespace cocobase::detail {

WatchState::Output WatchState::on_connected(WatchEvent ev) {
  Output out;
  connected_head_ = ev.seq;
  // A resumed connection's `connected` does not move last_seq: replays with smaller seqs follow.
  if (!last_seq_) last_seq_ = ev.seq;
  const bool first = !started_;
  started_ = true;
  out.deliver.push_back(std::move(ev));
  if (first && snapshot_on_start_) {
    Output snap = start_snapshot();
    out.fetch_snapshot = snap.fetch_snapshot;
  }
  return out;
}

WatchState::Output WatchState::on_change(WatchEvent ev) {
  Output out;
  if (awaiting_snapshot_) {
    const std::int64_t seq = ev.seq;
    buffered_.insert_or_assign(seq, std::move(ev));
    return out;
  }
  if (last_seq_ && ev.seq <= *last_seq_) return out;
  last_seq_ = ev.seq;
  out.deliver.push_back(std::move(ev));
  return out;
}

WatchState::Output WatchState::on_replay_done(WatchEvent ev) {
  Output out;
  // While a snapshot is awaited the marker says nothing the application can use: the state it
  // would vouch for is not there until the snapshot and the buffered events are delivered.
  if (awaiting_snapshot_) return out;
  last_seq_ = std::max(last_seq_.value_or(0), ev.seq);
  out.deliver.push_back(std::move(ev));
  return out;
}

WatchState::Output WatchState::on_resync_required() {
  min_snapshot_seq_ = connected_head_;
  return start_snapshot();
}

WatchState::Output WatchState::start_snapshot() {
  Output out;
  awaiting_snapshot_ = true;
  if (!fetch_in_flight_) {
    fetch_in_flight_ = true;
    out.fetch_snapshot = true;
  }
  return out;
}

WatchState::Output WatchState::retry_snapshot() {
  if (!awaiting_snapshot_) return {};
  return start_snapshot();
}

WatchState::Output WatchState::on_snapshot(Snapshot snapshot) {
  fetch_in_flight_ = false;
  // Read before the head of the latest resync's connection: the events between that and an
  // earlier connection are in neither the snapshot nor the buffer. Read again.
  if (snapshot.seq < min_snapshot_seq_) return start_snapshot();
  Output out;
  awaiting_snapshot_ = false;
  last_seq_ = snapshot.seq;
  WatchEvent resync;
  resync.type = WatchEventType::resync;
  resync.seq = snapshot.seq;
  resync.snapshot = std::move(snapshot.documents);
  out.deliver.push_back(std::move(resync));
  for (auto& [seq, ev] : buffered_) {
    if (seq <= *last_seq_) continue;
    last_seq_ = seq;
    out.deliver.push_back(std::move(ev));
  }
  buffered_.clear();
  return out;
}

}  // namespace cocobase::detail
