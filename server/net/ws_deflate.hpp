#pragma once
// permessage-deflate (RFC 7692) for --ws-deflate: negotiation, the per-connection inflater of
// client messages, and compression of server messages.
//
// The server always asks for server_no_context_takeover: each server message is compressed on
// its own, so compression needs no per-connection state (one compressor per thread) and an
// idle connection holds no 256 KiB deflate window. Client messages keep the client's context.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cocobase::server::net {

struct DeflateAgreement {
  int server_window_bits = 15;
  std::string response;  // the Sec-WebSocket-Extensions value to answer with
};

// Picks the first permessage-deflate offer in a Sec-WebSocket-Extensions value that we can
// honour; nullopt when there is none (the connection then runs uncompressed).
std::optional<DeflateAgreement> negotiate_deflate(std::string_view offers);

class WsInflater {
 public:
  enum class Result { ok, too_large, corrupt };
  WsInflater();
  ~WsInflater();
  WsInflater(const WsInflater&) = delete;
  WsInflater& operator=(const WsInflater&) = delete;

  // Inflates one message's payload (RFC 7692 7.2.2); over `limit` bytes is too_large.
  Result inflate(std::string_view compressed, std::size_t limit, std::string& out);
  // Forgets the stream and its window: after a message not inflated to its end (too_large, or
  // dropped unread), so that the next message starts cleanly.
  void reset();

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
};

// One message compressed on its own (no context kept), as the payload of an RSV1 frame.
std::string deflate_message(std::string_view text, int window_bits);

}  // namespace cocobase::server::net
