#include "rest/rooms.hpp"

#include "client_core.hpp"
#include "rest/decode.hpp"

namespace cocobase {

namespace detail {

std::vector<RoomSummary> fetch_rooms(ClientCore& core) {
  return rooms_from_json(parse_body(core.call("GET", "/realtime/rooms")));
}

}  // namespace detail

std::vector<RoomSummary> Realtime::list_rooms() const { return detail::fetch_rooms(*core_); }

}  // namespace cocobase
