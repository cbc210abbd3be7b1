#pragma once
// A server message as it goes on the wire: the RFC 6455 frame header followed by the text.
// Server frames are not masked, so the same bytes serve every receiver: a fan-out builds one
// WireFrame and each connection's queue holds a pointer to it; the socket writes `wire()`.
#include <cstdint>
#include <string>
#include <string_view>

namespace cocobase::server::realtime {

enum class WsOpcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

class WireFrame {
 public:
  // One unfragmented frame (FIN set) carrying `payload`; `compressed` sets RSV1 (RFC 7692).
  WireFrame(WsOpcode op, std::string_view payload, bool compressed = false);

  std::string_view wire() const { return bytes_; }
  WsOpcode opcode() const { return static_cast<WsOpcode>(bytes_[0] & 0x0F); }
  // The payload: the message text, unless compressed.
  std::string_view text() const { return std::string_view(bytes_).substr(header_size_); }
  // Bytes on the wire: what the per-connection queue bound counts.
  std::size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
  std::uint8_t header_size_;
};

// Writes the header of an unmasked frame with FIN set into `out` (room for 10 bytes) and
// returns its length. `rsv1` marks a permessage-deflate compressed message (RFC 7692).
std::size_t encode_ws_header(WsOpcode op, std::uint64_t payload_size, char* out, bool rsv1 = false);

}  // namespace cocobase::server::realtime
