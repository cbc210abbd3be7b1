#include "rest/decode.hpp"

#include "json_members.hpp"

#include <cocobase/protocol/json.hpp>

#include <charconv>

namespace cocobase::detail {
namespace {

// Responses nest stored data a few levels below the request depth limit (64), so allow more.
constexpr std::size_t kResponseMaxDepth = 1024;

std::vector<std::string> strings_of(const json::value* v) {
  std::vector<std::string> out;
  if (!v || !v->is_array()) return out;
  for (const json::value& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

RoomSummary room_from_json(const json::value& v) {
  const json::object& o = expect_object(v, "room");
  RoomSummary room;
  room.id = string_member(o, "id");
  room.title = string_member(o, "title");
  room.created_by = string_member(o, "created_by");
  room.participants = int_member(o, "participants");
  room.created_at = int_member(o, "created_at");
  if (const json::value* list = o.if_contains("participant_list"); list && list->is_array()) {
    for (const json::value& p : list->get_array()) {
      if (!p.is_object()) continue;
      room.participant_list.push_back(
          {string_member(p.get_object(), "id"), string_member(p.get_object(), "name")});
    }
  }
  return room;
}

}  // namespace

json::value parse_body(const HttpResponse& response) {
  try {
    return protocol::parse_json(response.body, {kResponseMaxDepth});
  } catch (const protocol::JsonParseError& e) {
    throw Error("unexpected response (HTTP " + std::to_string(response.status) +
                "): not JSON: " + e.message);
  }
}

std::vector<Document> documents_from_json(const json::value& v) {
  std::vector<Document> out;
  for (const json::value& item : expect_array(v, "document list")) {
    out.push_back(document_from_json(item));
  }
  return out;
}

AppUser app_user_from_json(const json::value& v) {
  const json::object& o = expect_object(v, "user");
  AppUser user;
  user.id = string_member(o, "id");
  if (user.id.empty()) throw Error("unexpected user: `id` is missing or not a string");
  user.email = string_member(o, "email");
  user.client_id = string_member(o, "client_id");
  user.created_at = string_member(o, "created_at");
  user.updated_at = string_member(o, "updated_at");
  if (const json::value* data = o.if_contains("data"); data && data->is_object()) {
    user.data = data->get_object();
  }
  user.roles = strings_of(o.if_contains("roles"));
  if (const json::value* phone = o.if_contains("phone_number"); phone && phone->is_string()) {
    user.phone_number = std::string(phone->get_string());
  }
  return user;
}

AuthResult auth_result_from_json(const json::value& v) {
  const json::object& o = expect_object(v, "auth answer");
  AuthResult result;
  result.access_token = string_member(o, "access_token");
  if (result.access_token.empty()) throw Error("unexpected auth answer: no access_token");
  const json::value* user = o.if_contains("user");
  if (!user) throw Error("unexpected auth answer: no user");
  result.user = app_user_from_json(*user);
  return result;
}

UserList user_list_from_json(const json::value& v) {
  const json::object& o = expect_object(v, "user list");
  UserList list;
  const json::value* data = o.if_contains("data");
  if (!data) throw Error("unexpected user list: no `data` member");
  for (const json::value& item : expect_array(*data, "user list data")) {
    list.users.push_back(app_user_from_json(item));
  }
  list.total = int_member(o, "total");
  list.limit = int_member(o, "limit");
  list.offset = int_member(o, "offset");
  const json::value* has_more = o.if_contains("has_more");
  list.has_more = has_more && has_more->is_bool() && has_more->get_bool();
  return list;
}

std::vector<CollectionInfo> collections_from_json(const json::value& v) {
  std::vector<CollectionInfo> out;
  for (const json::value& item : expect_array(v, "collection list")) {
    const json::object& o = expect_object(item, "collection");
    out.push_back({string_member(o, "id"), string_member(o, "name"),
                   string_member(o, "created_at")});
  }
  return out;
}

std::vector<RoomSummary> rooms_from_json(const json::value& v) {
  const json::object& o = expect_object(v, "room list");
  const json::value* rooms = o.if_contains("rooms");
  if (!rooms) throw Error("unexpected room list: no `rooms` member");
  std::vector<RoomSummary> out;
  for (const json::value& item : expect_array(*rooms, "rooms")) out.push_back(room_from_json(item));
  return out;
}

std::int64_t seq_header(const HttpResponse& response) {
  const std::string* text = response.header("x-cocobase-seq");
  std::int64_t seq = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), seq);
  return seq;
}

}  // namespace cocobase::detail
