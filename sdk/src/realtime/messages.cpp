#include "realtime/messages.hpp"

#include <cocobase/error.hpp>

namespace cocobase::detail {

namespace {

WatchEvent change_event(json::object& msg, std::string_view collection, WatchEventType type) {
  WatchEvent ev;
  ev.type = type;
  ev.collection = std::string(collection);
  const std::int64_t seq = int_member(msg, "seq", -1);
  const auto* doc = msg.if_contains("data");
  if (seq < 0 || !doc || !doc->is_object()) throw Error("watch event without seq or data");
  ev.seq = seq;
  ev.document = document_from_json(*doc);
  if (const auto* old = msg.if_contains("old_data"); old && old->is_object()) ev.old_data = old->get_object();
  if (const auto* r = msg.if_contains("replay"); r && r->is_bool()) ev.replay = r->get_bool();
  if (const auto* l = msg.if_contains("left_filter"); l && l->is_bool()) ev.left_filter = l->get_bool();
  return ev;
}

}  // namespace

WatchMessage decode_watch_message(json::object msg, std::string_view collection) {
  WatchMessage out;
  const std::string event = string_member(msg, "event");
  if (event == "create" || event == "update" || event == "delete") {
    const auto type = event == "create"   ? WatchEventType::create
                      : event == "update" ? WatchEventType::update
                                          : WatchEventType::delete_;
    out.kind = WatchMessageKind::change;
    out.event = change_event(msg, collection, type);
  } else if (event == "connected" || event == "replay_done") {
    out.kind = event == "connected" ? WatchMessageKind::connected : WatchMessageKind::replay_done;
    out.event.type = event == "connected" ? WatchEventType::connected : WatchEventType::replay_done;
    out.event.collection = std::string(collection);
    out.event.seq = int_member(msg, "head_seq");
  } else if (event == "resync_required") {
    out.kind = WatchMessageKind::resync_required;
  } else {
    return out;  // pong, errors (the link reports them), unknown events
  }
  out.event.raw = std::move(msg);
  return out;
}

BroadcastMessage decode_broadcast_message(json::object msg) {
  BroadcastMessage m;
  m.user_id = string_member(msg, "user_id");
  m.user_name = string_member(msg, "user_name");
  m.timestamp = string_member(msg, "timestamp");
  if (const auto* d = msg.if_contains("data")) m.data = *d;
  m.raw = std::move(msg);
  return m;
}

RoomMessage decode_room_message(json::object msg) {
  RoomMessage m;
  m.user_id = string_member(msg, "user_id");
  m.user_name = string_member(msg, "user_name");
  m.timestamp = string_member(msg, "timestamp");
  if (const auto* c = msg.if_contains("content")) m.content = *c;
  if (const auto* r = msg.if_contains("replay"); r && r->is_bool()) m.replay = r->get_bool();
  m.raw = std::move(msg);
  return m;
}

void add_identity(json::object& auth, const std::string& user_id, const std::string& user_name) {
  if (!user_id.empty()) auth["user_id"] = user_id;
  if (!user_name.empty()) auth["user_name"] = user_name;
}

}  // namespace cocobase::detail
