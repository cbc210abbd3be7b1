#pragma once
// Parses what a WebSocket client sends (RFC 6455 section 5, client frames are masked) into
// messages and control frames. Pure: bytes in, calls out; the session owns the socket.
//
// Written by hand rather than using Beast's stream because the server writes its frames itself
// (one shared, pre-framed buffer per fan-out, gathered into one sendmsg per connection), and a
// reader that answers pings on its own cannot share the socket with such a writer. It also
// keeps an idle connection's memory to a few hundred bytes: nothing is buffered between frames.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cocobase::server::net {

class WsInflater;

class WsFrameHandler {
 public:
  virtual ~WsFrameHandler() = default;
  // A whole text message, valid UTF-8, within the limit, decompressed.
  virtual void on_text(std::string message) = 0;
  // A binary message began; the reader drops the rest of it.
  virtual void on_binary() = 0;
  // The message being received is over the limit; the reader drops the rest of it.
  virtual void on_too_large() = 0;
  virtual void on_ping(std::string_view payload) = 0;
  virtual void on_pong() = 0;
  // The client's close frame: `code` is 1005 when it carried no status (RFC 6455 7.1.5).
  virtual void on_close(std::uint16_t code) = 0;
  // The client broke the protocol: close with `code` (1002 framing, 1007 bad UTF-8); the
  // reader ignores everything after it.
  virtual void on_violation(std::uint16_t code) = 0;
};

class WsFrameReader {
 public:
  // `inflater` is non-null when permessage-deflate was negotiated (RFC 7692).
  WsFrameReader(std::size_t max_message_bytes, WsInflater* inflater)
      : max_message_(max_message_bytes), inflater_(inflater) {}

  // Consumes `bytes`, calling `h` for each complete frame; keeps an incomplete frame's bytes.
  // Returns false once the connection failed (a violation or a close frame was seen).
  bool feed(std::string_view bytes, WsFrameHandler& h);

  // Bytes held between calls (an incomplete frame, a fragmented message).
  std::size_t buffered() const { return pending_.size() + message_.size(); }

 private:
  enum class Message : std::uint8_t { none, text, discard };
  struct Header {
    bool fin, rsv1;
    std::uint8_t opcode;
    std::uint64_t length;
    std::size_t size;  // header bytes including the mask
    unsigned char mask[4];
  };

  // Parses frames from `in`; returns how many bytes were consumed (whole frames only, or a
  // skipped payload's prefix).
  std::size_t parse(std::string_view in, WsFrameHandler& h);
  // 0: need more bytes; otherwise the header size. Sets failed_ on a violation.
  std::size_t read_header(std::string_view in, Header& hd, WsFrameHandler& h);
  bool check_header(const Header& hd, WsFrameHandler& h);
  // Whether this data frame's payload is to be dropped (binary, over the limit, or the rest of
  // a refused message); reports the refusal when a message is first refused.
  bool refuse(const Header& hd, WsFrameHandler& h);
  void on_control(const Header& hd, std::string payload, WsFrameHandler& h);
  void on_data(const Header& hd, std::string_view masked, WsFrameHandler& h);
  void finish_message(WsFrameHandler& h);
  void fail(std::uint16_t code, WsFrameHandler& h);
  void release_if_empty();

  std::size_t max_message_;
  WsInflater* inflater_;
  std::string pending_;   // an incomplete frame
  std::string message_;   // the fragments so far of the current message (compressed or not)
  Message message_kind_ = Message::none;
  bool compressed_ = false;
  std::uint64_t skip_ = 0;  // payload bytes still to drop (a refused message's frame)
  bool failed_ = false;
};

}  // namespace cocobase::server::net
