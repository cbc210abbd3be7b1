#pragma once
// Realtime helpers (PROTOCOL 5, 8, 9.2): each owns one WebSocket connection that reconnects by
// itself.
//
// Threading contract (applies to every helper here):
// - All connections of a Client run on that Client's one background I/O thread; callbacks run
//   on it too. A callback that blocks delays every helper of the same Client.
// - Callbacks of one helper never run concurrently with each other.
// - Register callbacks before connect()/create()/join(); registering later is safe but may miss
//   messages that arrive meanwhile.
// - disconnect()/leave()/close() may be called from any thread, including inside a callback of
//   the same helper. Called from another thread, they return after any callback of that helper
//   that is running has finished, and no callback of the helper starts afterwards. They never
//   wait for the network.
// - The destructor disconnects; it never blocks on the network.
// - send() and friends may be called from any thread.
// - A moved-from helper may only be destroyed or assigned to.
//
// Reconnection: after any close that is not terminal, the helper reconnects with exponential
// backoff (RealtimeOptions). Close codes 4400, 4401, 4403, 4404 are terminal: on_error receives
// the server's error with terminal = true, then on_close, and the helper stops.
#include <cocobase/error.hpp>
#include <cocobase/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cocobase {

namespace detail {
class ClientCore;
class WatcherImpl;
class BroadcastImpl;
class RoomImpl;
}  // namespace detail

struct CloseInfo {
  std::uint16_t code = 0;  // 1006 when the TCP connection dropped without a close frame
  std::string reason;
  bool will_reconnect = false;
};

struct ReconnectInfo {
  int attempt = 0;  // 1 for the first reconnect after a confirmation
  std::chrono::milliseconds delay{0};
};

enum class WatchEventType { connected, create, update, delete_, replay_done, resync };

// One message of a collection watch, decoded.
struct WatchEvent {
  WatchEventType type = WatchEventType::connected;
  std::string collection;   // the collection name
  // create/update/delete: the event's seq. connected, replay_done: head_seq. resync: the
  // snapshot's seq.
  std::int64_t seq = 0;
  Document document;        // create: new; update: after; delete: last state
  std::optional<json::object> old_data;  // update only
  bool replay = false;      // replayed after a reconnect (8a)
  bool left_filter = false; // update that left the watcher's filter (8b)
  std::vector<Document> snapshot;  // resync: the collection as re-read over REST
  json::object raw;         // the server's message (empty for resync)
};

// What a watcher re-read after resync_required: the documents matching its filters, and the
// X-Cocobase-Seq of that read.
struct Snapshot {
  std::vector<Document> documents;
  std::int64_t seq = 0;
};

struct WatchOptions {
  json::object filters;                   // PROTOCOL 5.2; empty: everything
  std::optional<std::int64_t> resume_from;  // start as if every event up to this seq was seen
  // Start with a snapshot: once connected, re-read the collection and hand it over as a resync
  // event before any live event (what LiveCollection uses).
  bool snapshot_on_start = false;
};

// A watch on one collection. Every event is delivered once, in seq order, across reconnects and
// server restarts (8a); when the server cannot replay, the watcher re-reads the collection
// (9.2) and delivers a resync event with the snapshot before the live events that follow it.
class CollectionWatcher {
 public:
  CollectionWatcher(std::shared_ptr<detail::ClientCore> core, std::string collection,
                    WatchOptions options = {});
  CollectionWatcher(CollectionWatcher&&) noexcept;
  CollectionWatcher& operator=(CollectionWatcher&&) noexcept;
  ~CollectionWatcher();

  CollectionWatcher& on_connected(std::function<void(const WatchEvent&)> cb);
  CollectionWatcher& on_create(std::function<void(const WatchEvent&)> cb);
  CollectionWatcher& on_update(std::function<void(const WatchEvent&)> cb);
  CollectionWatcher& on_delete(std::function<void(const WatchEvent&)> cb);
  // Every decoded message in order: connected, create/update/delete, replay_done, resync.
  CollectionWatcher& on_event(std::function<void(const WatchEvent&)> cb);
  // The snapshot that replaces the application's view after resync_required.
  CollectionWatcher& on_resync(std::function<void(const Snapshot&)> cb);
  CollectionWatcher& on_error(std::function<void(const RealtimeError&)> cb);
  CollectionWatcher& on_close(std::function<void(const CloseInfo&)> cb);
  CollectionWatcher& on_reconnect(std::function<void(const ReconnectInfo&)> cb);

  void connect();
  void disconnect();
  bool is_closed() const;
  bool is_connected() const;
  // The seq up to which every event has been delivered (9.2); nullopt before the first
  // `connected`.
  std::optional<std::int64_t> last_seq() const;
  const std::string& collection() const;

 private:
  std::shared_ptr<detail::WatcherImpl> impl_;
};

struct BroadcastMessage {
  std::string user_id, user_name, timestamp;
  json::value data;
  json::object raw;
};

// The project-wide broadcast channel (5.3).
class ProjectBroadcast {
 public:
  ProjectBroadcast(std::shared_ptr<detail::ClientCore> core, std::string user_id,
                   std::string user_name);
  ProjectBroadcast(ProjectBroadcast&&) noexcept;
  ProjectBroadcast& operator=(ProjectBroadcast&&) noexcept;
  ~ProjectBroadcast();

  ProjectBroadcast& on_connected(std::function<void(const json::object&)> cb);
  ProjectBroadcast& on_message(std::function<void(const BroadcastMessage&)> cb);
  ProjectBroadcast& on_error(std::function<void(const RealtimeError&)> cb);
  ProjectBroadcast& on_close(std::function<void(const CloseInfo&)> cb);
  ProjectBroadcast& on_reconnect(std::function<void(const ReconnectInfo&)> cb);

  void connect();
  // Queues {"type":"message","data":data}; sent once connected, paced below the rate limit.
  // Throws cocobase::Error when the message is over the size limit, the queue is full or the
  // helper is closed.
  void send(json::value data);
  void disconnect();
  bool is_closed() const;
  bool is_connected() const;

 private:
  std::shared_ptr<detail::BroadcastImpl> impl_;
};

struct RoomMessage {
  std::string user_id, user_name, timestamp;
  json::value content;
  bool replay = false;  // from the room's history (8c)
  json::object raw;
};

// A chat room (5.4). create()/join() connect; on reconnect the same action is re-sent.
class RoomChat {
 public:
  RoomChat(std::shared_ptr<detail::ClientCore> core, std::string room_id, std::string user_id,
           std::string user_name);
  RoomChat(RoomChat&&) noexcept;
  RoomChat& operator=(RoomChat&&) noexcept;
  ~RoomChat();

  // Listeners by message name, as the JS RoomChat dispatches: "joined", "user_joined",
  // "user_left", "message", "error", "pong", plus the SDK's "close" and "reconnect" (their
  // payload: {"code", "reason"} / {"attempt", "delay_ms"}). Several listeners per name.
  RoomChat& on(const std::string& event, std::function<void(const json::object&)> cb);
  RoomChat& on_message(std::function<void(const RoomMessage&)> cb);
  RoomChat& on_error(std::function<void(const RealtimeError&)> cb);
  // Ask for the last n messages of the room's history on the first join (8c).
  RoomChat& with_history(int n);

  void create(const std::string& title);
  void join();
  void send_message(json::value content);
  void leave();
  bool is_closed() const;
  bool is_joined() const;
  const std::string& room_id() const;

 private:
  std::shared_ptr<detail::RoomImpl> impl_;
};

struct Participant {
  std::string id, name;
};

struct RoomSummary {
  std::string id, title, created_by;
  std::int64_t participants = 0;
  std::vector<Participant> participant_list;
  std::int64_t created_at = 0;  // Unix seconds
};

// The factories of client.realtime() (the JS db.realtime).
class Realtime {
 public:
  explicit Realtime(std::shared_ptr<detail::ClientCore> core) : core_(std::move(core)) {}
  CollectionWatcher collection(std::string name, json::object filters = {}) const;
  CollectionWatcher collection(std::string name, WatchOptions options) const;
  ProjectBroadcast broadcast(std::string user_id = {}, std::string user_name = {}) const;
  RoomChat room(std::string room_id, std::string user_id = {}, std::string user_name = {}) const;
  std::vector<RoomSummary> list_rooms() const;

 private:
  std::shared_ptr<detail::ClientCore> core_;
};

}  // namespace cocobase
