#pragma once
// LiveCollection: a local copy of a collection (or of the documents matching a filter) kept in
// sync with the server — the seeds' "state synchronization" pattern, built in.
//
// It reads a snapshot over REST, then applies the watch events that follow it (PROTOCOL 9.2):
// creates and updates upsert, deletes and updates with left_filter remove (8b); after a
// resync_required it re-reads the snapshot and continues. Every event is applied once, in seq
// order, across reconnects and server restarts.
//
// Thread safety: the accessors may be called from any thread. on_change callbacks run on the
// client's I/O thread, one at a time, after the change is visible to the accessors.
#include <cocobase/client.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cocobase {

struct LiveChange {
  enum class Kind { reset, upsert, remove };
  Kind kind = Kind::reset;
  Document document;      // upsert: the new state; remove: the last state
  std::int64_t seq = 0;   // the state now reflects every write up to this seq
  bool left_filter = false;
};

class LiveCollection {
 public:
  LiveCollection(Client& client, std::string collection, json::object filters = {});
  ~LiveCollection();
  LiveCollection(const LiveCollection&) = delete;
  LiveCollection& operator=(const LiveCollection&) = delete;

  LiveCollection& on_change(std::function<void(const LiveChange&)> cb);
  LiveCollection& on_error(std::function<void(const RealtimeError&)> cb);
  void start();
  void close();

  // The documents, oldest first (created_at, then id).
  std::vector<Document> documents() const;
  std::optional<Document> get(std::string_view id) const;
  std::size_t size() const;
  // The state reflects every write up to this seq; nullopt before the first snapshot.
  std::optional<std::int64_t> seq() const;
  // Waits until the state reflects at least `seq` (or the first snapshot, for 0). False on
  // timeout or when the collection closed for good.
  bool wait_for_seq(std::int64_t seq, std::chrono::milliseconds timeout) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  CollectionWatcher watcher_;
};

}  // namespace cocobase
