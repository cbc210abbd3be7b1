#pragma once
// GET /realtime/rooms (PROTOCOL 6.1), shared by Client::list_rooms and Realtime::list_rooms.
#include <cocobase/realtime.hpp>

#include <vector>

namespace cocobase::detail {

class ClientCore;

std::vector<RoomSummary> fetch_rooms(ClientCore& core);

}  // namespace cocobase::detail
