#include "net/ws_frame_reader.hpp"

#include "net/ws_deflate.hpp"

#include <cocobase/protocol/query_string.hpp>
#include <cocobase/protocol/realtime_codes.hpp>

#include <algorithm>

namespace cocobase::server::net {
namespace {

constexpr std::uint8_t kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;
constexpr std::uint16_t kProtocolError = 1002, kNoStatus = 1005;
// Buffers above this are freed once empty, so that a burst leaves no large idle allocation.
constexpr std::size_t kKeepCapacity = 1024;

// RFC 6455 7.4: codes a close frame may carry.
bool sendable_close_code(std::uint16_t c) {
  return (c >= 1000 && c <= 1014 && c != 1004 && c != 1005 && c != 1006) || (c >= 3000 && c <= 4999);
}

void unmask(std::string_view masked, const unsigned char (&mask)[4], std::string& out) {
  std::size_t base = out.size();
  out.resize(base + masked.size());
  char* dst = out.data() + base;
  for (std::size_t i = 0; i < masked.size(); ++i)
    dst[i] = static_cast<char>(static_cast<unsigned char>(masked[i]) ^ mask[i & 3]);
}

}  // namespace

bool WsFrameReader::feed(std::string_view bytes, WsFrameHandler& h) {
  if (failed_) return false;
  if (pending_.empty()) {
    std::size_t used = parse(bytes, h);
    if (!failed_) pending_.assign(bytes.substr(used));
  } else {
    pending_.append(bytes);
    std::size_t used = parse(pending_, h);
    pending_.erase(0, used);
  }
  if (failed_) pending_.clear();
  release_if_empty();
  return !failed_;
}

std::size_t WsFrameReader::parse(std::string_view in, WsFrameHandler& h) {
  std::size_t pos = 0;
  while (!failed_ && pos < in.size()) {
    if (skip_ > 0) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, in.size() - pos));
      pos += n;
      skip_ -= n;
      continue;
    }
    Header hd{};
    std::size_t header = read_header(in.substr(pos), hd, h);
    if (header == 0 || !check_header(hd, h)) break;
    const bool data = hd.opcode < kClose;
    if (data && refuse(hd, h)) {
      // Dropped as it arrives, however long the frame claims to be.
      pos += header;
      skip_ = hd.length;
      if (hd.fin) message_kind_ = Message::none;
      continue;
    }
    if (in.size() - pos - header < hd.length) break;  // wait for the whole frame
    if (data && hd.opcode != kContinuation) {
      message_kind_ = Message::text;
      compressed_ = hd.rsv1;
    }
    std::string_view payload = in.substr(pos + header, static_cast<std::size_t>(hd.length));
    pos += header + payload.size();
    if (data) {
      on_data(hd, payload, h);
    } else {
      std::string plain;
      unmask(payload, hd.mask, plain);
      on_control(hd, std::move(plain), h);
    }
  }
  return failed_ ? in.size() : pos;
}

bool WsFrameReader::refuse(const Header& hd, WsFrameHandler& h) {
  if (hd.opcode == kBinary) {
    h.on_binary();
    message_kind_ = Message::discard;
  } else if (message_kind_ != Message::discard) {
    bool compressed = hd.opcode == kContinuation ? compressed_ : hd.rsv1;
    std::size_t so_far = hd.opcode == kContinuation ? message_.size() : 0;
    // Uncompressed, the declared length tells at once; compressed, the inflater checks, but
    // compressed input this long cannot be a message within the limit worth inflating.
    std::uint64_t bound = compressed ? max_message_ + max_message_ / 8 + 1024 : max_message_;
    if (so_far + hd.length <= bound) return false;
    message_.clear();
    if (compressed) inflater_->reset();  // see finish_message
    h.on_too_large();
    message_kind_ = Message::discard;
  }
  return true;
}

std::size_t WsFrameReader::read_header(std::string_view in, Header& hd, WsFrameHandler& h) {
  if (in.size() < 2) return 0;
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(in[i]); };
  hd.fin = b(0) & 0x80;
  hd.rsv1 = b(0) & 0x40;
  hd.opcode = b(0) & 0x0F;
  if (b(0) & 0x30) return fail(kProtocolError, h), 0;  // RSV2/RSV3: no extension defines them
  if (!(b(1) & 0x80)) return fail(kProtocolError, h), 0;  // 5.1: client frames are masked
  std::size_t size = 2;
  std::uint64_t length = b(1) & 0x7F;
  if (length == 126) {
    if (in.size() < 4) return 0;
    length = (std::uint64_t{b(2)} << 8) | b(3);
    size = 4;
  } else if (length == 127) {
    if (in.size() < 10) return 0;
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | b(i);
    if (length >> 63) return fail(kProtocolError, h), 0;
    size = 10;
  }
  if (in.size() < size + 4) return 0;
  for (std::size_t i = 0; i < 4; ++i) hd.mask[i] = b(size + i);
  hd.length = length;
  hd.size = size + 4;
  return hd.size;
}

bool WsFrameReader::check_header(const Header& hd, WsFrameHandler& h) {
  bool ok = true;
  switch (hd.opcode) {
    case kClose:
    case kPing:
    case kPong:  // 5.5: control frames are short, whole, uncompressed
      ok = hd.fin && hd.length <= 125 && !hd.rsv1;
      break;
    case kContinuation:
      ok = message_kind_ != Message::none && !hd.rsv1;
      break;
    case kText:
    case kBinary:  // a new message may not start inside another; RSV1 only with deflate
      ok = message_kind_ == Message::none && (!hd.rsv1 || inflater_);
      break;
    default:
      ok = false;  // reserved opcodes
  }
  if (!ok) fail(kProtocolError, h);
  return ok;
}

void WsFrameReader::on_data(const Header& hd, std::string_view masked, WsFrameHandler& h) {
  unmask(masked, hd.mask, message_);
  if (hd.fin) finish_message(h);
}

void WsFrameReader::finish_message(WsFrameHandler& h) {
  std::string text;
  text.swap(message_);
  message_kind_ = Message::none;
  if (compressed_) {
    std::string plain;
    switch (inflater_->inflate(text, max_message_, plain)) {
      case WsInflater::Result::too_large:
        // The stream stopped inside this message: start the next one afresh. A client keeping
        // its context across messages cannot be followed past a dropped one; reset, a reference
        // into it fails as corrupt instead of reading other bytes of the window.
        inflater_->reset();
        return h.on_too_large();
      case WsInflater::Result::corrupt:
        return fail(protocol::kCloseInvalidUtf8, h);  // data inconsistent with the message type
      case WsInflater::Result::ok:
        text.swap(plain);
    }
  }
  if (!protocol::is_valid_utf8(text)) return fail(protocol::kCloseInvalidUtf8, h);
  h.on_text(std::move(text));
}

void WsFrameReader::on_control(const Header& hd, std::string payload, WsFrameHandler& h) {
  if (hd.opcode == kPing) return h.on_ping(payload);
  if (hd.opcode == kPong) return h.on_pong();
  // Close (5.5.1): no body, or a status code and a UTF-8 reason.
  std::uint16_t code = kNoStatus;
  if (payload.size() == 1) return fail(kProtocolError, h);
  if (payload.size() >= 2) {
    code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]));
    if (!sendable_close_code(code)) return fail(kProtocolError, h);
    if (!protocol::is_valid_utf8(std::string_view(payload).substr(2))) return fail(protocol::kCloseInvalidUtf8, h);
  }
  failed_ = true;  // nothing may follow a close frame
  h.on_close(code);
}

void WsFrameReader::fail(std::uint16_t code, WsFrameHandler& h) {
  failed_ = true;
  message_.clear();
  h.on_violation(code);
}

void WsFrameReader::release_if_empty() {
  if (pending_.empty() && pending_.capacity() > kKeepCapacity) std::string().swap(pending_);
  if (message_.empty() && message_.capacity() > kKeepCapacity) std::string().swap(message_);
}

}  // namespace cocobase::server::net
