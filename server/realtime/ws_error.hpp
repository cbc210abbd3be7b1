#pragma once
// Realtime error messages (PROTOCOL 5.1.6); the code table is the protocol library's.
#include "realtime/connection.hpp"

#include <cocobase/protocol/json.hpp>
#include <cocobase/protocol/realtime_codes.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace cocobase::server::realtime {

using protocol::error_close_code;
using protocol::error_text;
using protocol::kCloseBinary;
using protocol::kCloseGoingAway;
using protocol::kCloseNormal;
using protocol::kCloseSlowConsumer;

struct WsError {
  std::string code;               // e.g. "INVALID_API_KEY"
  protocol::json::object extra;   // context members: error_detail, room_id, key, limit, ...
};

// {"type":"error","error":...,"code":...,<extra>}
std::string error_message(const WsError& e);

// Sends the error and, when its code closes, the close frame with reason = code.
void send_error(Connection& c, const WsError& e);

}  // namespace cocobase::server::realtime
