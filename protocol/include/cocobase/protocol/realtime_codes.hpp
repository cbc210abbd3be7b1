#pragma once
// Realtime error codes and close codes (PROTOCOL 5.1.6): one table for the server, which sends
// them, and the SDK, which decides from them whether to reconnect.
#include <cstdint>
#include <string_view>

namespace cocobase::protocol {

// Close codes of 5.1.6 that are not tied to one error code.
constexpr std::uint16_t kCloseNormal = 1000;
constexpr std::uint16_t kCloseGoingAway = 1001;
constexpr std::uint16_t kCloseBinary = 1003;
constexpr std::uint16_t kCloseAbnormal = 1006;  // never sent: what a client sees when TCP drops
constexpr std::uint16_t kCloseInvalidUtf8 = 1007;
constexpr std::uint16_t kCloseTooLarge = 1009;
constexpr std::uint16_t kCloseInternal = 1011;
constexpr std::uint16_t kCloseRateLimited = 4429;
constexpr std::uint16_t kCloseSlowConsumer = 4509;

// The error text of a code ("Invalid API key"; "Error" for an unknown code), and its close code
// (0: the socket stays open; 1011 for an unknown code).
std::string_view error_text(std::string_view code);
std::uint16_t error_close_code(std::string_view code);

// How a client reacts to a close code (the libcocobase column of 5.1.6).
enum class CloseReaction {
  done,              // 1000: the client asked for it
  reconnect,         // reconnect with backoff
  reconnect_slowly,  // 4429: reconnect, first delay at least 5 s
  terminal,          // 4400, 4401, 4403, 4404: report to the application, do not reconnect
};
CloseReaction close_reaction(std::uint16_t close_code);

}  // namespace cocobase::protocol
