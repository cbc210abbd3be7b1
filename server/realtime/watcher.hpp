#pragma once
// One collection-watch connection as the hub sees it. Shared by the hub (which delivers from
// the store's writer thread) and the watch session (I/O thread).
//
// A watcher starts *buffering*: it is registered before the head seq is read, so no event can
// fall between the read and live delivery (PROTOCOL 8a, CW-12). The session then sends
// `connected` and any replay, and calls go_live(H), which flushes the buffered events with
// seq > H. Events with seq <= H are dropped forever after: they were in the replay or before
// the watch started.
//
// The buffer is bounded (max_buffer_bytes). Events reach the hub from the fan-out thread, which
// may still be delivering events committed before the watch started: those are at or below H,
// so when the buffer is full the oldest entries are dropped, and only if one of them turns out
// to be above H does go_live close the socket as a slow consumer (4509).
#include "auth/read_access.hpp"
#include "realtime/connection.hpp"

#include <cocobase/protocol/filter.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cocobase::server::realtime {

class Watcher {
 public:
  // `owner`: the owner restriction of its read scope (auth/read_access.hpp): only documents of
  // that owner are delivered. It changes when the collection's rules change (restrict()).
  Watcher(std::weak_ptr<Connection> conn, std::string project, std::string collection,
          std::shared_ptr<const protocol::Filter> filter, std::string filter_key, std::optional<std::string> owner,
          std::size_t max_buffer_bytes)
      : project(std::move(project)), collection(std::move(collection)), filter(std::move(filter)),
        filter_key(std::move(filter_key)), conn_(std::move(conn)), scope_{true, std::move(owner)},
        max_buffer_bytes_(max_buffer_bytes) {}

  const std::string project, collection;
  const std::shared_ptr<const protocol::Filter> filter;
  const std::string filter_key;  // watchers with equal keys and owners share a group in the hub

  // Any thread.
  std::optional<std::string> owner() const;
  bool owner_allows(const std::string& owner_id) const;

  // Any thread; called in seq order for the watcher's collection. The owner is checked here
  // too, under the lock, so that no event slips through once restrict() has returned.
  void deliver(std::uint64_t seq, const std::string& owner_id, const Frame& frame);
  // The session's thread, once. Sends the buffered events with seq > head and goes live.
  void go_live(std::uint64_t head);
  // Any thread (the access re-check). Only the hub calls it, under its shard lock, so that the
  // watcher's group follows its owner.
  void set_owner(std::optional<std::string> owner);
  // Any thread: delivers nothing more, ever (the rule no longer admits the principal; the
  // caller sends the error and closes).
  void stop();

 private:
  bool allows_locked(const std::string& owner_id) const { return scope_.allows(owner_id); }

  mutable std::mutex mutex_;
  std::weak_ptr<Connection> conn_;
  auth::ReadScope scope_;  // admitted (else the watch is closed); the owner restriction
  bool live_ = false;
  bool overflowed_ = false;  // or stopped
  std::uint64_t head_ = 0;
  struct Buffered {
    std::uint64_t seq;
    std::string owner_id;
    Frame frame;
  };
  std::deque<Buffered> buffer_;
  std::size_t buffered_bytes_ = 0;
  std::uint64_t dropped_through_ = 0;  // the highest seq dropped from a full buffer
  std::size_t max_buffer_bytes_;
};

}  // namespace cocobase::server::realtime
