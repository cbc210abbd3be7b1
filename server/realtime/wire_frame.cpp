#include "realtime/wire_frame.hpp"

namespace cocobase::server::realtime {

std::size_t encode_ws_header(WsOpcode op, std::uint64_t payload_size, char* out, bool rsv1) {
  auto* p = reinterpret_cast<unsigned char*>(out);
  p[0] = static_cast<unsigned char>(0x80 | (rsv1 ? 0x40 : 0) | static_cast<unsigned>(op));
  if (payload_size < 126) {
    p[1] = static_cast<unsigned char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    p[1] = 126;
    p[2] = static_cast<unsigned char>(payload_size >> 8);
    p[3] = static_cast<unsigned char>(payload_size);
    return 4;
  }
  p[1] = 127;
  for (int i = 0; i < 8; ++i) p[2 + i] = static_cast<unsigned char>(payload_size >> (56 - 8 * i));
  return 10;
}

WireFrame::WireFrame(WsOpcode op, std::string_view payload, bool compressed) {
  char header[10];
  header_size_ = static_cast<std::uint8_t>(encode_ws_header(op, payload.size(), header, compressed));
  bytes_.reserve(header_size_ + payload.size());
  bytes_.append(header, header_size_).append(payload);
}

}  // namespace cocobase::server::realtime
