#include "realtime/room_registry.hpp"

#include "realtime/send_batch.hpp"

#include <cocobase/protocol/time.hpp>

#include <algorithm>
#include <chrono>

namespace cocobase::server::realtime {

namespace json = protocol::json;

RoomRegistry::Participant* RoomRegistry::find(Room& r, const std::string& user_id) {
  for (auto& p : r.participants)
    if (p.id == user_id) return &p;
  return nullptr;
}

std::string RoomRegistry::room_info(const Room& r) {
  std::string out = R"({"id":)";
  protocol::append_json_string(out, r.id);
  out += R"(,"title":)";
  protocol::append_json_string(out, r.title);
  out += R"(,"participants":)" + std::to_string(r.participants.size()) + "}";
  return out;
}

namespace {

void append_participant_list(std::string& out, const auto& participants) {
  out += '[';
  bool first = true;
  for (const auto& p : participants) {
    if (!first) out += ',';
    first = false;
    out += R"({"id":)";
    protocol::append_json_string(out, p.id);
    out += R"(,"name":)";
    protocol::append_json_string(out, p.name);
    out += '}';
  }
  out += ']';
}

void append_identity(std::string& out, const std::string& id, const std::string& name) {
  out += R"("user_id":)";
  protocol::append_json_string(out, id);
  out += R"(,"user_name":)";
  protocol::append_json_string(out, name);
}

std::string with_replay_flag(std::string_view message) {
  std::string out(message.substr(0, message.size() - 1));
  return out += R"(,"replay":true})";
}

}  // namespace

std::string RoomRegistry::presence_message(const char* type, const Room& r, const Participant& p) {
  std::string out = R"({"type":")";
  out += type;
  out += "\",";
  append_identity(out, p.id, p.name);
  out += R"(,"timestamp":)";
  protocol::append_json_string(out, protocol::now_timestamp());
  out += R"(,"room_info":)" + room_info(r) + "}";
  return out;
}

// Called under mutex_, and the batch ends before it: members see one order (send_batch.hpp).
void RoomRegistry::fan_out(Room& r, const Frame& f, const Connection* except) {
  SendBatch batch;
  for (auto& [key, weak] : r.members) {
    if (key == except) continue;
    if (auto c = weak.lock()) c->send(f);
  }
}

void RoomRegistry::expire(Rooms& rooms) {
  auto grace = std::chrono::milliseconds(config_.room_empty_grace_ms);
  auto now = std::chrono::steady_clock::now();
  std::erase_if(rooms, [&](const auto& kv) { return kv.second.empty_since && *kv.second.empty_since + grace <= now; });
}

std::optional<WsError> RoomRegistry::join(JoinRequest req) {
  std::lock_guard lock(mutex_);
  Rooms& rooms = projects_[req.project];
  expire(rooms);
  auto it = rooms.find(req.room_id);
  bool created = false;
  if (it == rooms.end()) {
    if (!req.create) {
      if (rooms.empty()) projects_.erase(req.project);
      WsError e{"ROOM_NOT_FOUND", {}};
      e.extra["room_id"] = req.room_id;
      return e;
    }
    if (rooms.size() >= config_.max_rooms_per_project) {
      WsError e{"ROOM_LIMIT", {}};
      e.extra["limit"] = config_.max_rooms_per_project;
      return e;
    }
    Room r;
    r.id = req.room_id;
    r.title = req.title.value_or(req.room_id);
    r.created_by = req.who.user_id;
    r.created_at = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
    it = rooms.emplace(req.room_id, std::move(r)).first;
    created = true;
  }
  Room& room = it->second;
  Participant* p = find(room, req.who.user_id);
  if (!p && room.participants.size() >= config_.max_room_participants) {
    WsError e{"ROOM_FULL", {}};
    e.extra["limit"] = config_.max_room_participants;
    return e;
  }
  room.empty_since.reset();
  bool new_participant = !p;
  if (!p) p = &room.participants.emplace_back(Participant{req.who.user_id, req.who.user_name, 0});
  ++p->connections;
  room.members.emplace(req.key, req.conn);

  auto self = req.conn.lock();
  if (self) {
    std::string joined = R"({"event":"joined","room_id":)";
    protocol::append_json_string(joined, room.id);
    joined += R"(,"room_title":)";
    protocol::append_json_string(joined, room.title);
    joined += R"(,"participants":)" + std::to_string(room.participants.size()) + ",";
    append_identity(joined, p->id, p->name);
    joined += created ? R"(,"created":true)" : R"(,"created":false)";
    joined += R"(,"participant_list":)";
    append_participant_list(joined, room.participants);
    joined += '}';
    self->send(make_frame(std::move(joined)));
    std::size_t n = std::min<std::size_t>(req.history, room.history.size());
    for (auto h = room.history.end() - static_cast<std::ptrdiff_t>(n); h != room.history.end(); ++h)
      self->send(make_frame(with_replay_flag((*h)->text())));
  }
  if (new_participant) fan_out(room, make_frame(presence_message("user_joined", room, *p)), req.key);
  return std::nullopt;
}

void RoomRegistry::message(const std::string& project, const std::string& room_id, const std::string& user_id,
                           const json::value& content) {
  std::lock_guard lock(mutex_);
  auto pit = projects_.find(project);
  if (pit == projects_.end()) return;
  auto it = pit->second.find(room_id);
  if (it == pit->second.end()) return;
  Room& room = it->second;
  Participant* p = find(room, user_id);
  if (!p) return;
  std::string out = R"({"type":"message",)";
  append_identity(out, p->id, p->name);
  out += R"(,"content":)";
  protocol::append_json(out, content);
  out += R"(,"timestamp":)";
  protocol::append_json_string(out, protocol::now_timestamp());
  out += R"(,"room_info":)" + room_info(room) + "}";
  Frame f = make_frame(std::move(out));
  if (config_.room_history_size > 0) {
    room.history.push_back(f);
    while (room.history.size() > config_.room_history_size) room.history.pop_front();
  }
  fan_out(room, f);
}

void RoomRegistry::leave(const std::string& project, const std::string& room_id, const std::string& user_id,
                         const Connection* key) {
  std::lock_guard lock(mutex_);
  auto pit = projects_.find(project);
  if (pit == projects_.end()) return;
  auto it = pit->second.find(room_id);
  if (it == pit->second.end()) return;
  Room& room = it->second;
  if (room.members.erase(key) == 0) return;
  auto p = std::find_if(room.participants.begin(), room.participants.end(),
                        [&](const Participant& x) { return x.id == user_id; });
  if (p == room.participants.end() || --p->connections > 0) return;
  Participant gone = std::move(*p);
  room.participants.erase(p);
  if (room.participants.empty()) {
    // Removed with its history (6.2), at once or after the grace period; then the next
    // `create` makes a new room.
    if (config_.room_empty_grace_ms > 0) {
      room.empty_since = std::chrono::steady_clock::now();
      return;
    }
    pit->second.erase(it);
    if (pit->second.empty()) projects_.erase(pit);
    return;
  }
  fan_out(room, make_frame(presence_message("user_left", room, gone)));
}

std::string RoomRegistry::rooms_json(const std::string& project) {
  std::vector<const Room*> list;
  std::lock_guard lock(mutex_);
  if (auto pit = projects_.find(project); pit != projects_.end()) {
    expire(pit->second);
    for (const auto& [_, r] : pit->second) list.push_back(&r);
  }
  std::stable_sort(list.begin(), list.end(), [](const Room* a, const Room* b) {
    return a->created_at != b->created_at ? a->created_at < b->created_at : a->id < b->id;
  });
  std::string out = R"({"rooms":[)";
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Room& r = *list[i];
    if (i) out += ',';
    out += R"({"id":)";
    protocol::append_json_string(out, r.id);
    out += R"(,"title":)";
    protocol::append_json_string(out, r.title);
    out += R"(,"created_by":)";
    protocol::append_json_string(out, r.created_by);
    out += R"(,"participants":)" + std::to_string(r.participants.size());
    out += R"(,"participant_list":)";
    append_participant_list(out, r.participants);
    out += R"(,"created_at":)" + std::to_string(r.created_at) + "}";
  }
  out += R"(],"total":)" + std::to_string(list.size()) + "}";
  return out;
}

}  // namespace cocobase::server::realtime
