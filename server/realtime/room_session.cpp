#include "realtime/room_session.hpp"

#include <cocobase/protocol/names.hpp>

namespace cocobase::server::realtime {

namespace json = protocol::json;

void RoomSession::on_open() {
  if (!protocol::is_valid_room_id(room_id_)) fail(WsError{"INVALID_ROOM_ID", {}});
}

void RoomSession::on_authenticated(AuthMessage& auth) {
  JoinRequest req;
  if (auto it = auth.raw.find("action"); it != auth.raw.end() && !it->value().is_null()) {
    const json::value& v = it->value();
    if (v.is_string() && v.get_string() == "create") req.create = true;
    else if (!(v.is_string() && v.get_string() == "join")) return fail(WsError{"INVALID_ACTION", {}});
  }
  if (auto it = auth.raw.find("history"); it != auth.raw.end() && !it->value().is_null()) {
    const json::value& v = it->value();
    if (v.is_uint64()) req.history = v.get_uint64();
    else if (v.is_int64() && v.get_int64() >= 0) req.history = static_cast<std::uint64_t>(v.get_int64());
    else return fail(WsError{"INVALID_HISTORY", {}});
  }
  req.project = auth.project;
  req.room_id = room_id_;
  req.title = auth.room_title;
  req.who = identity_of(auth);
  req.key = &conn_;
  req.conn = weak_;
  project_ = req.project;
  user_id_ = req.who.user_id;
  if (auto e = rooms_.join(std::move(req))) return fail(std::move(*e));
  joined_ = true;
}

bool RoomSession::on_client_message(std::string_view type, json::object& msg) {
  if (type != "message") return false;
  auto it = msg.find("content");
  rooms_.message(project_, room_id_, user_id_, it == msg.end() ? json::value(nullptr) : it->value());
  return true;
}

void RoomSession::on_closed() {
  done_ = true;
  if (joined_) rooms_.leave(project_, room_id_, user_id_, &conn_);
  joined_ = false;
}

}  // namespace cocobase::server::realtime
