#pragma once
// Realtime error messages and close codes (PROTOCOL 5.1.6): one table, so the `error` text and
// the close code of a `code` are defined once.
#include "realtime/connection.hpp"

#include <cocobase/protocol/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace cocobase::server::realtime {

// Close codes of 5.1.6 that are not tied to one error code.
constexpr std::uint16_t kCloseNormal = 1000;
constexpr std::uint16_t kCloseGoingAway = 1001;
constexpr std::uint16_t kCloseBinary = 1003;
constexpr std::uint16_t kCloseSlowConsumer = 4509;

struct WsError {
  std::string code;               // e.g. "INVALID_API_KEY"
  protocol::json::object extra;   // context members: error_detail, room_id, key, limit, ...
};

// The error text of a code ("Invalid API key"), and its close code (0: the socket stays open).
std::string_view error_text(std::string_view code);
std::uint16_t error_close_code(std::string_view code);

// {"type":"error","error":...,"code":...,<extra>}
std::string error_message(const WsError& e);

// Sends the error and, when its code closes, the close frame with reason = code.
void send_error(Connection& c, const WsError& e);

}  // namespace cocobase::server::realtime
