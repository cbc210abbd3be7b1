// What a WebSocket client sends, through the server's frame reader (server/net/ws_frame_reader)
// with or without permessage-deflate (server/net/ws_deflate). The first input byte picks the
// mode: bit 0 deflate, the other bits how many bytes each feed() gets (1-128), so that frames
// split at every point. Checked: every text message is valid UTF-8 within the limit, a deflated
// copy of it inflates back to itself, nothing is reported after the reader failed, and the
// reader never holds much more than one message.
#include "net/ws_deflate.hpp"
#include "net/ws_frame_reader.hpp"

#include <cocobase/protocol/query_string.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace cocobase::server::net;

namespace {

constexpr std::size_t kMaxMessage = 4096;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_ws_frames: %s\n", what);
  std::abort();
}

class Checker final : public WsFrameHandler {
 public:
  explicit Checker(bool deflate) : deflate_(deflate) {}
  bool done = false;

  void on_text(std::string message) override {
    alive();
    if (message.size() > kMaxMessage) fail("a text message over the limit");
    if (!cocobase::protocol::is_valid_utf8(message)) fail("a text message that is not UTF-8");
    if (deflate_) round_trip(message);
  }
  void on_binary() override { alive(); }
  void on_too_large() override { alive(); }
  void on_ping(std::string_view payload) override {
    alive();
    if (payload.size() > 125) fail("a ping payload over 125 bytes");
  }
  void on_pong() override { alive(); }
  void on_close(std::uint16_t) override { end(); }
  void on_violation(std::uint16_t code) override {
    if (code != 1002 && code != 1007) fail("a violation with an unexpected close code");
    end();
  }

 private:
  void alive() {
    if (done) fail("a call after the connection failed");
  }
  void end() {
    alive();
    done = true;
  }
  // The server's own compression must be readable by a fresh inflater (a client's).
  static void round_trip(const std::string& text) {
    WsInflater inflater;
    std::string back;
    if (inflater.inflate(deflate_message(text, 15), kMaxMessage, back) != WsInflater::Result::ok || back != text)
      fail("deflate_message does not inflate back to the message");
  }
  bool deflate_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool deflate = data[0] & 1;
  const std::size_t step = 1 + (data[0] >> 1);
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  WsInflater inflater;
  WsFrameReader reader(kMaxMessage, deflate ? &inflater : nullptr);
  Checker h(deflate);
  while (!in.empty()) {
    std::string_view part = in.substr(0, step);
    in.remove_prefix(part.size());
    bool ok = reader.feed(part, h);
    if (ok == h.done) fail("feed() disagrees with the handler about failure");
    if (!ok) break;
    // An incomplete frame of an acceptable message, plus one feed's worth.
    if (reader.buffered() > 2 * kMaxMessage + 1024 + 14 + step) fail("the reader holds more than a message");
  }
  return 0;
}
