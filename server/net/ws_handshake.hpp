#pragma once
// The server side of the RFC 6455 opening handshake (4.2): checks the client's upgrade request
// headers and builds the 101 answer.
#include <optional>
#include <string>
#include <string_view>

namespace cocobase::server::net {

struct HandshakeRefusal {
  int status;  // 400, or 426 for a version other than 13
  const char* detail;
};

// The request is already a GET with `Connection: upgrade` and `Upgrade: websocket`.
std::optional<HandshakeRefusal> check_handshake(std::string_view version, std::string_view key);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (4.2.2 step 5.4).
std::string websocket_accept(std::string_view key);

// The whole "101 Switching Protocols" response; `extensions` empty: no extension agreed.
std::string switching_protocols(std::string_view key, std::string_view extensions);

}  // namespace cocobase::server::net
