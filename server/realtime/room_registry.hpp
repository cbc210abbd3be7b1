#pragma once
// The rooms of every project, in memory (PROTOCOL 5.4, 6, 8c, 8e). Single-node; a Redis-backed
// registry would implement the same operations for scale-out.
//
// Thread-safe. One lock guards all rooms; every message of a room is queued on its members
// while that lock is held, which gives all members the same order (RM-12) and makes the history
// snapshot of a join exact (8c). Queueing never blocks (Connection::send only enqueues).
#include "realtime/connection.hpp"
#include "realtime/identity.hpp"
#include "realtime/room_directory.hpp"
#include "realtime/ws_error.hpp"
#include "config/server_config.hpp"

#include <cocobase/protocol/json.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cocobase::server::realtime {

struct JoinRequest {
  std::string project, room_id;
  bool create = false;
  std::optional<std::string> title;
  Identity who;
  std::uint64_t history = 0;
  const Connection* key = nullptr;
  std::weak_ptr<Connection> conn;
};

class RoomRegistry final : public RoomDirectory {
 public:
  explicit RoomRegistry(const ServerConfig& config) : config_(config) {}

  // Joins (creating when asked), queues `joined`, the history and `user_joined` to the others.
  // Returns the error to send instead (nothing was changed then).
  std::optional<WsError> join(JoinRequest req);
  // Queues the room `message` to every member, sender included.
  void message(const std::string& project, const std::string& room_id, const std::string& user_id,
               const protocol::json::value& content);
  // The connection is gone: `user_left` when it was its user's last one; the room is removed
  // when it has no participant left (6.2).
  void leave(const std::string& project, const std::string& room_id, const std::string& user_id,
             const Connection* key);

  std::string rooms_json(const std::string& project) override;

 private:
  struct Participant {
    std::string id, name;
    std::size_t connections = 0;
  };
  struct Room {
    std::string id, title, created_by;
    std::int64_t created_at = 0;  // Unix seconds (6.1)
    std::vector<Participant> participants;  // join order
    std::unordered_map<const Connection*, std::weak_ptr<Connection>> members;
    std::deque<Frame> history;  // the last --room-history-size `message` fan-outs
    // Set while the room is empty and kept for --room-empty-grace-ms (6.2).
    std::optional<std::chrono::steady_clock::time_point> empty_since;
  };
  using Rooms = std::map<std::string, Room>;

  // Removes the project's empty rooms whose grace period is over. Expiry is checked whenever
  // the project's rooms are looked at, which is all a client can observe.
  void expire(Rooms& rooms);

  static Participant* find(Room& r, const std::string& user_id);
  static std::string room_info(const Room& r);
  static std::string presence_message(const char* type, const Room& r, const Participant& p);
  static void fan_out(Room& r, const Frame& f, const Connection* except = nullptr);

  const ServerConfig& config_;
  std::mutex mutex_;
  std::unordered_map<std::string, Rooms> projects_;
};

}  // namespace cocobase::server::realtime
