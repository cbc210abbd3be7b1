#include <cocobase/protocol/realtime_codes.hpp>

#include <array>

namespace cocobase::protocol {
namespace {

struct Row {
  std::string_view code;
  std::string_view text;
  std::uint16_t close;
};

constexpr std::array kTable{
    Row{"AUTH_REQUIRED", "API key is required", 4401},
    Row{"INVALID_API_KEY", "Invalid API key", 4401},
    Row{"API_KEY_REVOKED", "API key revoked", 4401},  // while the socket was open (docs/realtime.md)
    Row{"INVALID_TOKEN", "Invalid token", 4401},
    Row{"TOKEN_EXPIRED", "Token expired", 4401},
    Row{"PROJECT_MISMATCH", "Token and API key belong to different projects", 4403},
    Row{"FORBIDDEN", "Access denied", 4403},  // a collection's read rule (docs/auth.md)
    Row{"AUTH_TIMEOUT", "Authentication timeout", 4408},
    Row{"INVALID_JSON", "Invalid JSON", 4400},  // after auth the server sends it without closing
    Row{"INVALID_MESSAGE", "Invalid auth message", 4400},
    Row{"INVALID_FILTER", "Invalid filter", 4400},
    Row{"INVALID_COLLECTION_NAME", "Invalid collection name", 4400},
    Row{"INVALID_ROOM_ID", "Invalid room id", 4400},
    Row{"INVALID_ACTION", "Invalid action", 4400},
    Row{"INVALID_RESUME", "Invalid resume_from", 4400},
    Row{"INVALID_HISTORY", "Invalid history", 4400},
    Row{"ROOM_NOT_FOUND", "Room not found", 4404},
    Row{"ROOM_LIMIT", "Room limit reached", 4429},
    Row{"ROOM_FULL", "Room is full", 4429},
    Row{"RATE_LIMITED", "Rate limit exceeded", 4429},
    Row{"MESSAGE_TOO_LARGE", "Message too large", 1009},
    Row{"UNKNOWN_TYPE", "Unknown message type", 0},
    Row{"IDLE_TIMEOUT", "Idle timeout", 4408},
    Row{"INTERNAL_ERROR", "Internal error", 1011},
};

const Row* find(std::string_view code) {
  for (const auto& r : kTable)
    if (r.code == code) return &r;
  return nullptr;
}

}  // namespace

std::string_view error_text(std::string_view code) {
  const Row* r = find(code);
  return r ? r->text : "Error";
}

std::uint16_t error_close_code(std::string_view code) {
  const Row* r = find(code);
  return r ? r->close : kCloseInternal;
}

CloseReaction close_reaction(std::uint16_t close_code) {
  switch (close_code) {
    case kCloseNormal: return CloseReaction::done;
    case 4400: case 4401: case 4403: case 4404: return CloseReaction::terminal;
    case kCloseRateLimited: return CloseReaction::reconnect_slowly;
    default: return CloseReaction::reconnect;
  }
}

}  // namespace cocobase::protocol
