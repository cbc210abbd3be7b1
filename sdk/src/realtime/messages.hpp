#pragma once
// Decoding of server messages into the SDK's types. Unknown members are ignored (forward
// compatibility, PROTOCOL 9.1); a message whose `event`/`type` is unknown decodes to nothing.
#include "json_members.hpp"

#include <cocobase/realtime.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cocobase::detail {

// The watch messages the watcher acts on (PROTOCOL 5.2, 8a).
enum class WatchMessageKind { connected, change, replay_done, resync_required, other };

struct WatchMessage {
  WatchMessageKind kind = WatchMessageKind::other;
  WatchEvent event;  // filled for connected, change, replay_done
};

// Throws cocobase::Error when a create/update/delete lacks its seq or Document.
WatchMessage decode_watch_message(json::object msg, std::string_view collection);

BroadcastMessage decode_broadcast_message(json::object msg);
RoomMessage decode_room_message(json::object msg);

// user_id/user_name members of an auth message; empty values are left out so the server
// assigns them (5.3).
void add_identity(json::object& auth, const std::string& user_id, const std::string& user_name);

}  // namespace cocobase::detail
