#include "net/ws_handshake.hpp"

#include <openssl/evp.h>

#include <array>
#include <cctype>

namespace cocobase::server::net {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// A base64 encoding of 16 bytes: 22 characters of the alphabet and "==".
bool is_nonce(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
  return true;
}

}  // namespace

std::optional<HandshakeRefusal> check_handshake(std::string_view version, std::string_view key) {
  if (version != "13") return HandshakeRefusal{426, "Sec-WebSocket-Version 13 is required"};
  if (!is_nonce(key)) return HandshakeRefusal{400, "Sec-WebSocket-Key must be a base64-encoded 16-byte nonce"};
  return std::nullopt;
}

std::string websocket_accept(std::string_view key) {
  std::string input(key);
  input += kGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr);
  std::array<unsigned char, 64> encoded{};
  int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest_size));
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n));
}

std::string switching_protocols(std::string_view key, std::string_view extensions) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Server: cocobase\r\n"
      "Sec-WebSocket-Accept: ";
  out += websocket_accept(key);
  out += "\r\n";
  if (!extensions.empty()) {
    out += "Sec-WebSocket-Extensions: ";
    out += extensions;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace cocobase::server::net
