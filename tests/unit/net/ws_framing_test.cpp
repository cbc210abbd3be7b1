// Unit tests of the server's own WebSocket code, without sockets: the client frame reader
// (RFC 6455 section 5), permessage-deflate (RFC 7692), the opening handshake, and the server
// frame header. Client frames are built here by hand (masked, as clients must send them), not
// with the server's encoder, so the two sides are checked against each other.
#include "net/ws_deflate.hpp"
#include "net/ws_frame_reader.hpp"
#include "net/ws_handshake.hpp"
#include "realtime/wire_frame.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cocobase::server::net {
namespace {

// --- building client frames -------------------------------------------------------------------

constexpr std::uint8_t kCont = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;
constexpr std::uint16_t kProtocolError = 1002, kInvalidUtf8 = 1007;

using Mask = std::array<unsigned char, 4>;
constexpr Mask kMask{0x37, 0xfa, 0x21, 0x3d};  // all bytes non-zero: an unmasking slip shows

// A frame header: `first` is the FIN/RSV/opcode byte, then the shortest length form for
// `length` (any 64-bit value, even one with the top bit set), then the mask key when `masked`.
std::string frame_header(std::uint8_t first, std::uint64_t length, bool masked = true, const Mask& mask = kMask) {
  std::string out(1, static_cast<char>(first));
  const unsigned char m = masked ? 0x80 : 0x00;
  if (length < 126) {
    out += static_cast<char>(m | length);
  } else if (length <= 0xFFFF) {
    out += static_cast<char>(m | 126);
    out += static_cast<char>(length >> 8);
    out += static_cast<char>(length & 0xFF);
  } else {
    out += static_cast<char>(m | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((length >> shift) & 0xFF);
  }
  if (masked) out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
  return out;
}

std::uint8_t first_byte(std::uint8_t opcode, bool fin, bool rsv1) {
  return static_cast<std::uint8_t>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
}

// A whole masked client frame.
std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true, bool rsv1 = false,
                         const Mask& mask = kMask) {
  std::string out = frame_header(first_byte(opcode, fin, rsv1), payload.size(), true, mask);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += static_cast<char>(static_cast<unsigned char>(payload[i]) ^ mask[i % 4]);
  return out;
}

std::string text_frame(std::string_view s, bool fin = true) { return client_frame(kText, s, fin); }
std::string cont_frame(std::string_view s, bool fin = true) { return client_frame(kCont, s, fin); }

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return p.append(reason);
}
std::string close_frame(std::uint16_t code, std::string_view reason = {}) {
  return client_frame(kClose, close_payload(code, reason));
}

// Printable text that differs at every offset, so a misplaced byte changes the message.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

// --- recording what the reader reports --------------------------------------------------------

struct Event {
  std::string kind;
  std::string data;  // text message or ping payload
  std::uint16_t code = 0;
  bool operator==(const Event&) const = default;
};
void PrintTo(const Event& e, std::ostream* os) {  // long messages shortened in failure output
  *os << e.kind;
  if (e.code) *os << "(" << e.code << ")";
  if (!e.data.empty())
    *os << "[" << e.data.size() << " bytes: \"" << e.data.substr(0, 24) << (e.data.size() > 24 ? "...\"" : "\"") << "]";
}

Event Text(std::string s) { return {"text", std::move(s)}; }
Event Binary() { return {"binary", {}}; }
Event TooLarge() { return {"too_large", {}}; }
Event Ping(std::string s) { return {"ping", std::move(s)}; }
Event Pong() { return {"pong", {}}; }
Event Close(std::uint16_t code) { return {"close", {}, code}; }
Event Violation(std::uint16_t code) { return {"violation", {}, code}; }

class Recorder final : public WsFrameHandler {
 public:
  std::vector<Event> events;
  void on_text(std::string message) override { events.push_back(Text(std::move(message))); }
  void on_binary() override { events.push_back(Binary()); }
  void on_too_large() override { events.push_back(TooLarge()); }
  void on_ping(std::string_view payload) override { events.push_back(Ping(std::string(payload))); }
  void on_pong() override { events.push_back(Pong()); }
  void on_close(std::uint16_t code) override { events.push_back(Close(code)); }
  void on_violation(std::uint16_t code) override { events.push_back(Violation(code)); }
};

constexpr std::size_t kDefaultMax = 1 << 20;

struct Options {
  std::size_t max = kDefaultMax;
  bool deflate = false;
};

// One connection's reader (with its own inflater when deflate is on) and what it reported.
struct Conn {
  explicit Conn(Options o = {})
      : inflater(o.deflate ? std::make_unique<WsInflater>() : nullptr), reader(o.max, inflater.get()) {}
  bool feed(std::string_view bytes) { return ok = reader.feed(bytes, rec); }
  std::unique_ptr<WsInflater> inflater;
  WsFrameReader reader;
  Recorder rec;
  bool ok = true;
};

// Feeds `bytes` cut at the given ascending positions.
Conn feed_cut(std::string_view bytes, const std::vector<std::size_t>& cuts, Options o) {
  Conn c(o);
  std::size_t from = 0;
  for (std::size_t at : cuts) {
    c.feed(bytes.substr(from, at - from));
    from = at;
  }
  c.feed(bytes.substr(from));
  return c;
}

// Where to cut `bytes` in two: everywhere; for inputs over 4 KiB (the 64 KiB frames), every
// position in the first and last 300 bytes (all header bytes and the payload's ends) and every
// 97th in between, since a cut inside a payload is the same case wherever it falls and cutting
// 64 KiB everywhere takes seconds.
std::vector<std::size_t> cut_positions(std::size_t size) {
  std::vector<std::size_t> at;
  for (std::size_t i = 1; i < size; ++i)
    if (size <= 4096 || i < 300 || i > size - 300 || i % 97 == 0) at.push_back(i);
  return at;
}

// However the bytes arrive (one piece, byte by byte, or in two pieces cut at every position),
// the reader reports `expected` and ends in the same state. An idle reader keeps no bytes.
void expect_however_split(std::string_view bytes, const std::vector<Event>& expected, bool ok, Options o = {}) {
  Conn whole = feed_cut(bytes, {}, o);
  EXPECT_EQ(whole.rec.events, expected) << "fed in one piece";
  EXPECT_EQ(whole.ok, ok) << "fed in one piece";
  EXPECT_EQ(whole.reader.buffered(), 0u) << "fed in one piece";

  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < bytes.size(); ++i) every.push_back(i);
  Conn bytewise = feed_cut(bytes, every, o);
  EXPECT_EQ(bytewise.rec.events, expected) << "fed byte by byte";
  EXPECT_EQ(bytewise.ok, ok) << "fed byte by byte";
  EXPECT_EQ(bytewise.reader.buffered(), 0u) << "fed byte by byte";

  for (std::size_t at : cut_positions(bytes.size())) {
    if (::testing::Test::HasFailure()) break;  // one report, not thousands
    Conn split = feed_cut(bytes, {at}, o);
    EXPECT_EQ(split.rec.events, expected) << "split at " << at << " of " << bytes.size();
    EXPECT_EQ(split.ok, ok) << "split at " << at << " of " << bytes.size();
    EXPECT_EQ(split.reader.buffered(), 0u) << "split at " << at << " of " << bytes.size();
  }
}

// `bytes` ends the connection with on_violation(code) after `before`, however split; the
// reader then ignores a valid frame.
void expect_violation(std::string_view bytes, std::uint16_t code, Options o = {}, std::vector<Event> before = {}) {
  before.push_back(Violation(code));
  expect_however_split(bytes, before, false, o);
  Conn c(o);
  EXPECT_FALSE(c.feed(bytes));
  EXPECT_FALSE(c.feed(text_frame("after")));
  EXPECT_EQ(c.rec.events, before) << "bytes after a violation must be ignored";
}

// --- WsFrameReader: framing however the bytes arrive -----------------------------------------

// 0..125 bytes use the 7-bit length, 126..65535 the 16-bit one, 65536 and up the 64-bit one.
TEST(WsFrameReader, TextOfEveryLengthFormHoweverSplit) {
  const std::vector<std::pair<std::size_t, std::size_t>> size_and_header = {
      {0, 6}, {5, 6}, {125, 6}, {126, 8}, {65535, 8}, {65536, 14}};
  for (auto [size, header] : size_and_header) {
    SCOPED_TRACE("payload of " + std::to_string(size) + " bytes");
    std::string msg = pattern(size);
    std::string frame = text_frame(msg);
    ASSERT_EQ(frame.size(), header + size);  // the helper uses the intended length form
    expect_however_split(frame, {Text(msg)}, true);
  }
}

// Control frames may come between the fragments of a message (RFC 6455 5.4).
TEST(WsFrameReader, FragmentedMessageWithInterleavedPingHoweverSplit) {
  std::string bytes = text_frame("Hel", false) + client_frame(kPing, "p1") + cont_frame("lo, ", false) +
                      client_frame(kPong, "") + cont_frame(pattern(200));
  expect_however_split(bytes, {Ping("p1"), Pong(), Text("Hello, " + pattern(200))}, true);
}

// The refused paths consume frames as they arrive; a split must not change what is refused.
TEST(WsFrameReader, RefusedMessagesHoweverSplit) {
  std::string bytes = client_frame(kBinary, "abc", false) + cont_frame("def") + text_frame(pattern(150), false) +
                      cont_frame("xyz") + text_frame(pattern(100));
  expect_however_split(bytes, {Binary(), TooLarge(), Text(pattern(100))}, true, {.max = 100});
}

TEST(WsFrameReader, CloseAfterMessagesHoweverSplit) {
  std::string bytes = text_frame("one") + client_frame(kPing, "") + close_frame(1000, "bye") + text_frame("ignored");
  expect_however_split(bytes, {Text("one"), Ping(""), Close(1000)}, false);
}

TEST(WsFrameReader, SeveralFramesInOneFeed) {
  std::string bytes = text_frame("first") + client_frame(kPing, "x") + text_frame("sec", false) +
                      client_frame(kPong, "y") + cont_frame("ond") + text_frame("third");
  Conn c;
  EXPECT_TRUE(c.feed(bytes));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{Text("first"), Ping("x"), Pong(), Text("second"), Text("third")}));
  EXPECT_EQ(c.reader.buffered(), 0u);
}

// A feed ending inside a frame keeps just that frame's bytes until the rest comes.
TEST(WsFrameReader, IncompleteFrameIsKeptUntilTheRestArrives) {
  std::string second = text_frame("second");
  Conn c;
  EXPECT_TRUE(c.feed(text_frame("first") + second.substr(0, 5)));
  EXPECT_EQ(c.rec.events, std::vector<Event>{Text("first")});
  EXPECT_EQ(c.reader.buffered(), 5u);
  EXPECT_TRUE(c.feed(second.substr(5)));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{Text("first"), Text("second")}));
  EXPECT_EQ(c.reader.buffered(), 0u);
}

// --- WsFrameReader: the message size limit ----------------------------------------------------

TEST(WsFrameReader, MessageOfExactlyTheLimitIsDelivered) {
  Conn single({.max = 100});
  EXPECT_TRUE(single.feed(text_frame(pattern(100))));
  EXPECT_EQ(single.rec.events, std::vector<Event>{Text(pattern(100))});

  Conn fragmented({.max = 100});
  std::string msg = pattern(100);
  EXPECT_TRUE(fragmented.feed(text_frame(msg.substr(0, 60), false) + cont_frame(msg.substr(60))));
  EXPECT_EQ(fragmented.rec.events, std::vector<Event>{Text(msg)});
}

TEST(WsFrameReader, OneByteOverTheLimitIsRefusedThenTheNextMessageIsDelivered) {
  Conn c({.max = 100});
  EXPECT_TRUE(c.feed(text_frame(pattern(101))));
  EXPECT_EQ(c.rec.events, std::vector<Event>{TooLarge()});
  EXPECT_TRUE(c.feed(text_frame("next")));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{TooLarge(), Text("next")}));
}

// Over the limit in a later fragment: reported once, the rest of the message (whatever its
// length) dropped and not kept, the fragments so far freed.
TEST(WsFrameReader, FragmentsOverTheLimitAreDroppedUntilTheMessageEnds) {
  Conn c({.max = 100});
  EXPECT_TRUE(c.feed(text_frame(pattern(60), false)));
  EXPECT_EQ(c.reader.buffered(), 60u);
  EXPECT_TRUE(c.feed(cont_frame(pattern(41), false)));  // 101 bytes so far
  EXPECT_EQ(c.rec.events, std::vector<Event>{TooLarge()});
  EXPECT_EQ(c.reader.buffered(), 0u);
  EXPECT_TRUE(c.feed(cont_frame(pattern(30), false) + client_frame(kPing, "mid") + cont_frame(pattern(5))));
  EXPECT_TRUE(c.feed(text_frame("next")));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{TooLarge(), Ping("mid"), Text("next")}));
  EXPECT_EQ(c.reader.buffered(), 0u);
}

// A frame that declares 2^40 bytes is refused from its header: its bytes are skipped as they
// come, never buffered.
TEST(WsFrameReader, HugeDeclaredLengthIsSkippedWithoutBuffering) {
  Conn first({.max = 100});
  EXPECT_TRUE(first.feed(frame_header(first_byte(kText, true, false), std::uint64_t{1} << 40) + pattern(1000)));
  for (int i = 0; i < 64; ++i) EXPECT_TRUE(first.feed(pattern(4096)));
  EXPECT_EQ(first.rec.events, std::vector<Event>{TooLarge()});
  EXPECT_EQ(first.reader.buffered(), 0u);

  Conn later({.max = 100});  // the same as a continuation of a message begun within the limit
  EXPECT_TRUE(later.feed(text_frame(pattern(60), false)));
  EXPECT_TRUE(later.feed(frame_header(first_byte(kCont, true, false), std::uint64_t{1} << 40) + pattern(10)));
  EXPECT_EQ(later.rec.events, std::vector<Event>{TooLarge()});
  EXPECT_EQ(later.reader.buffered(), 0u);
}

// The skipping ends exactly where the declared length ends: the next frame is read normally.
TEST(WsFrameReader, LongRefusedFrameIsSkippedToItsEnd) {
  constexpr std::size_t kDeclared = 1 << 20;
  Conn c({.max = 100});
  EXPECT_TRUE(c.feed(frame_header(first_byte(kText, true, false), kDeclared)));
  std::string junk = pattern(4096);
  for (std::size_t sent = 0; sent < kDeclared; sent += junk.size()) {
    EXPECT_TRUE(c.feed(junk));
    ASSERT_LE(c.reader.buffered(), 16u);
  }
  EXPECT_TRUE(c.feed(text_frame("next")));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{TooLarge(), Text("next")}));
}

// --- WsFrameReader: binary messages -----------------------------------------------------------

TEST(WsFrameReader, BinaryMessageIsReportedOnceAndDropped) {
  Conn c;
  EXPECT_TRUE(c.feed(client_frame(kBinary, std::string_view("\x00\x01\x02", 3), false) + cont_frame("\xff\xfe", false)));
  EXPECT_EQ(c.reader.buffered(), 0u);
  EXPECT_TRUE(c.feed(cont_frame("\x80") + text_frame("next")));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{Binary(), Text("next")}));
}

TEST(WsFrameReader, HugeBinaryFrameIsNotBuffered) {
  Conn c;
  EXPECT_TRUE(c.feed(frame_header(first_byte(kBinary, true, false), std::uint64_t{1} << 40) + pattern(5000)));
  EXPECT_EQ(c.rec.events, std::vector<Event>{Binary()});
  EXPECT_EQ(c.reader.buffered(), 0u);
}

// --- WsFrameReader: protocol violations -------------------------------------------------------

TEST(WsFrameReaderViolation, UnmaskedFrame) {
  expect_violation(frame_header(first_byte(kText, true, false), 2, false) + "hi", kProtocolError);
}

TEST(WsFrameReaderViolation, Rsv2OrRsv3Set) {
  expect_violation(frame_header(0x80 | 0x20 | kText, 0), kProtocolError);
  expect_violation(frame_header(0x80 | 0x10 | kText, 0), kProtocolError);
}

TEST(WsFrameReaderViolation, Rsv1WithoutDeflate) {
  expect_violation(client_frame(kText, "hi", true, true), kProtocolError);
}

TEST(WsFrameReaderViolation, ReservedOpcodes) {
  for (std::uint8_t op : {0x3, 0x7, 0xB, 0xF}) {
    SCOPED_TRACE("opcode " + std::to_string(op));
    expect_violation(client_frame(op, "x"), kProtocolError);
  }
}

TEST(WsFrameReaderViolation, ContinuationWithoutAMessage) {
  expect_violation(cont_frame("x"), kProtocolError);
  // Also once a message has ended.
  expect_violation(text_frame("done") + cont_frame("x"), kProtocolError, {}, {Text("done")});
}

TEST(WsFrameReaderViolation, NewMessageInsideAFragmentedOne) {
  expect_violation(text_frame("a", false) + text_frame("b"), kProtocolError);
  expect_violation(text_frame("a", false) + client_frame(kBinary, "b"), kProtocolError);
}

TEST(WsFrameReaderViolation, FragmentedControlFrame) {
  expect_violation(client_frame(kPing, "p", false), kProtocolError);
  expect_violation(client_frame(kClose, close_payload(1000), false), kProtocolError);
}

TEST(WsFrameReaderViolation, ControlFrameOver125Bytes) {
  expect_violation(client_frame(kPing, pattern(126)), kProtocolError);
  expect_violation(client_frame(kClose, close_payload(1000, pattern(124))), kProtocolError);
}

TEST(WsFrameReaderViolation, SixtyFourBitLengthWithTheTopBitSet) {
  std::string bytes = frame_header(first_byte(kText, true, false), 0x8000000000000005ull);
  expect_violation(bytes + "hello", kProtocolError);
}

TEST(WsFrameReaderViolation, CloseWithOneBytePayload) {
  expect_violation(client_frame(kClose, "\x03"), kProtocolError);
}

// RFC 6455 7.4: codes that may not be sent, or are not defined.
TEST(WsFrameReaderViolation, CloseWithAnUnsendableCode) {
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535}) {
    SCOPED_TRACE("close code " + std::to_string(code));
    expect_violation(close_frame(code), kProtocolError);
  }
}

TEST(WsFrameReaderViolation, CloseReasonNotUtf8) {
  expect_violation(close_frame(1000, "bad \xff reason"), kInvalidUtf8);
}

TEST(WsFrameReaderViolation, TextNotUtf8) {
  expect_violation(text_frame("caf\xc3\x28"), kInvalidUtf8);        // bad continuation byte
  expect_violation(text_frame("\xe2\x82"), kInvalidUtf8);            // cut short at the end
  expect_violation(text_frame("\xed\xa0\x80"), kInvalidUtf8);        // a UTF-16 surrogate
  expect_violation(text_frame("\xc0\xaf"), kInvalidUtf8);            // overlong
}

// UTF-8 is checked on the whole message: a character may span fragments, a broken one may not.
TEST(WsFrameReaderViolation, Utf8AcrossFragments) {
  expect_violation(text_frame("price: \xe2\x82", false) + cont_frame("\x28"), kInvalidUtf8);

  std::string euro = text_frame("price: \xe2\x82", false) + cont_frame("\xac") + text_frame("next");
  expect_however_split(euro, {Text("price: \xe2\x82\xac"), Text("next")}, true);
}

// The violation stops the reader in the middle of a feed: what follows is not parsed.
TEST(WsFrameReaderViolation, NothingAfterTheViolationIsProcessed) {
  Conn c;
  EXPECT_FALSE(c.feed(text_frame("ok") + cont_frame("x") + text_frame("after") + client_frame(kPing, "p")));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{Text("ok"), Violation(kProtocolError)}));
  EXPECT_EQ(c.reader.buffered(), 0u);
  EXPECT_FALSE(c.feed(text_frame("later")));
  EXPECT_EQ(c.rec.events.size(), 2u);
}

// --- WsFrameReader: close, ping, pong ---------------------------------------------------------

TEST(WsFrameReader, EmptyCloseIsNoStatus) {
  expect_however_split(client_frame(kClose, ""), {Close(1005)}, false);
}

TEST(WsFrameReader, CloseCodesWithUtf8Reason) {
  for (std::uint16_t code : {1000, 1001, 1003, 1011, 1014, 3000, 4000, 4999}) {
    SCOPED_TRACE("close code " + std::to_string(code));
    expect_however_split(close_frame(code, "au revoir \xe2\x9c\x93"), {Close(code)}, false);
    expect_however_split(close_frame(code), {Close(code)}, false);  // a code without a reason
  }
}

TEST(WsFrameReader, NothingAfterACloseFrameIsProcessed) {
  Conn c;
  EXPECT_FALSE(c.feed(close_frame(1000) + text_frame("after") + client_frame(kPing, "p")));
  EXPECT_FALSE(c.feed(text_frame("later")));
  EXPECT_FALSE(c.feed(cont_frame("x")));  // not even a violation is reported
  EXPECT_EQ(c.rec.events, std::vector<Event>{Close(1000)});
  EXPECT_EQ(c.reader.buffered(), 0u);
}

TEST(WsFrameReader, PingPayloadIsPassedExactly) {
  std::string binary("\x00\xff\x80 ping \x01", 10);
  std::string longest = pattern(125);
  std::string bytes = client_frame(kPing, binary) + client_frame(kPing, "") + client_frame(kPing, longest);
  expect_however_split(bytes, {Ping(binary), Ping(""), Ping(longest)}, true);
}

TEST(WsFrameReader, PongIsReported) {
  expect_however_split(client_frame(kPong, "") + client_frame(kPong, "any payload"), {Pong(), Pong()}, true);
}

// --- WsFrameReader with permessage-deflate ----------------------------------------------------

// Text that does not compress (a fixed pseudo-random sequence of printable characters).
std::string noise(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  for (char& ch : s) {
    seed = seed * 1103515245u + 12345u;
    ch = static_cast<char>(' ' + (seed >> 16) % 95);
  }
  return s;
}

std::string compressed_frame(std::string_view text) { return client_frame(kText, deflate_message(text, 15), true, true); }

TEST(WsDeflate, DeflateMessageStripsTheSyncFlushTail) {
  std::string text = "Hello, " + pattern(300) + pattern(300);
  std::string compressed = deflate_message(text, 15);
  EXPECT_LT(compressed.size(), text.size());
  ASSERT_GE(compressed.size(), 4u);
  EXPECT_NE(compressed.substr(compressed.size() - 4), std::string("\x00\x00\xff\xff", 4));
}

TEST(WsFrameReaderDeflate, CompressedMessageIsDeliveredDecompressed) {
  std::string text = "{\"type\":\"hello\",\"data\":\"" + pattern(500) + pattern(500) + "\"}";
  expect_however_split(compressed_frame(text), {Text(text)}, true, {.deflate = true});
}

TEST(WsFrameReaderDeflate, EmptyCompressedMessage) {
  expect_however_split(compressed_frame(""), {Text("")}, true, {.deflate = true});
}

// The inflater keeps its stream between messages; each message is inflated on its own.
TEST(WsFrameReaderDeflate, ConsecutiveCompressedAndPlainMessages) {
  std::string a = "first " + pattern(100), b = "second " + pattern(3000);
  std::string bytes = compressed_frame(a) + text_frame("plain") + compressed_frame(b) + compressed_frame(a);
  expect_however_split(bytes, {Text(a), Text("plain"), Text(b), Text(a)}, true, {.deflate = true});
}

// RSV1 marks the first frame of a compressed message only (RFC 7692 6.1).
TEST(WsFrameReaderDeflate, FragmentedCompressedMessage) {
  std::string text = "fragmented " + pattern(2000);
  std::string c = deflate_message(text, 15);
  ASSERT_GE(c.size(), 3u);
  std::size_t third = c.size() / 3;
  std::string bytes = client_frame(kText, c.substr(0, third), false, true) + client_frame(kPing, "p") +
                      client_frame(kCont, c.substr(third, third), false) + client_frame(kCont, c.substr(2 * third));
  expect_however_split(bytes, {Ping("p"), Text(text)}, true, {.deflate = true});
}

TEST(WsFrameReaderDeflate, Rsv1OnAContinuationIsAViolation) {
  std::string c = deflate_message("abcdef", 15);
  std::string bytes = client_frame(kText, c.substr(0, 1), false, true) + client_frame(kCont, c.substr(1), true, true);
  expect_violation(bytes, kProtocolError, {.deflate = true});
}

TEST(WsFrameReaderDeflate, Rsv1OnAControlFrameIsAViolation) {
  expect_violation(client_frame(kPing, "p", true, true), kProtocolError, {.deflate = true});
}

TEST(WsFrameReaderDeflate, InflatingOverTheLimitIsTooLarge) {
  Conn exact({.max = 1000, .deflate = true});
  EXPECT_TRUE(exact.feed(compressed_frame(std::string(1000, 'a'))));
  EXPECT_EQ(exact.rec.events, std::vector<Event>{Text(std::string(1000, 'a'))});

  Conn over({.max = 1000, .deflate = true});
  std::string bomb = compressed_frame(std::string(1001, 'a'));
  ASSERT_LT(bomb.size(), 100u);  // small on the wire, over the limit once inflated
  EXPECT_TRUE(over.feed(bomb));
  EXPECT_EQ(over.rec.events, std::vector<Event>{TooLarge()});
}

// The connection stays open after MESSAGE_TOO_LARGE: the inflater must be left ready for the
// next message, whether the refused one was small or large once compressed.
TEST(WsFrameReaderDeflate, MessageAfterAnInflatedTooLargeIsDelivered) {
  for (std::size_t size : {1001, 100000, 1000000}) {
    SCOPED_TRACE("refused message of " + std::to_string(size) + " bytes");
    Conn c({.max = 1000, .deflate = true});
    EXPECT_TRUE(c.feed(compressed_frame(std::string(size, 'a'))));
    EXPECT_TRUE(c.feed(compressed_frame("next")));
    EXPECT_EQ(c.rec.events, (std::vector<Event>{TooLarge(), Text("next")}));
  }
}

// Compressed input too long to be a message within the limit is refused from the frame header,
// like an uncompressed one: never buffered, however long it claims to be.
TEST(WsFrameReaderDeflate, HugeCompressedFrameIsNotBuffered) {
  Conn c({.max = 1000, .deflate = true});
  EXPECT_TRUE(c.feed(frame_header(first_byte(kText, true, true), std::uint64_t{1} << 40)));
  for (int i = 0; i < 64; ++i) EXPECT_TRUE(c.feed(pattern(4096)));
  EXPECT_EQ(c.rec.events, std::vector<Event>{TooLarge()});
  EXPECT_LE(c.reader.buffered(), 16u);
}

TEST(WsFrameReaderDeflate, LongCompressedInputIsRefusedThenTheNextMessageIsDelivered) {
  // Text that does not compress: its deflated form is longer than the limit allows.
  Conn c({.max = 1000, .deflate = true});
  EXPECT_TRUE(c.feed(compressed_frame(noise(20000, 7)) + compressed_frame("next")));
  EXPECT_EQ(c.rec.events, (std::vector<Event>{TooLarge(), Text("next")}));
  EXPECT_EQ(c.reader.buffered(), 0u);
}

// A client that keeps its compression context across messages, as browsers do unless the
// server asks for client_no_context_takeover (we do not): later messages refer back into
// earlier ones.
class ContextDeflater {
 public:
  ContextDeflater() { deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY); }
  ~ContextDeflater() { deflateEnd(&z_); }
  ContextDeflater(const ContextDeflater&) = delete;
  ContextDeflater& operator=(const ContextDeflater&) = delete;

  std::string frame(std::string_view text) {
    std::string out(deflateBound(&z_, text.size()) + 64, '\0');
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z_.avail_in = static_cast<uInt>(text.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    deflate(&z_, Z_SYNC_FLUSH);
    EXPECT_EQ(z_.avail_in, 0u);
    out.resize(out.size() - z_.avail_out);
    EXPECT_TRUE(out.ends_with(std::string_view("\x00\x00\xff\xff", 4)));
    out.resize(out.size() - 4);  // RFC 7692 7.2.1
    last_size = out.size();
    return client_frame(kText, out, true, true);
  }
  std::size_t last_size = 0;  // compressed bytes of the last message

 private:
  z_stream z_{};
};

TEST(WsFrameReaderDeflate, ClientContextIsKeptAcrossMessages) {
  ContextDeflater client;
  std::string a = "{\"type\":\"auth\",\"token\":\"" + noise(300, 1) + "\"}";
  std::string bytes = client.frame(a);
  bytes += client.frame(a);
  EXPECT_LT(client.last_size, 30u);  // the second message is a reference to the first
  expect_however_split(bytes, {Text(a), Text(a)}, true, {.deflate = true});
}

// After a refused message the client's context is lost to us. A later message that refers into
// the refused one must never be delivered as some other text: either right or a 1007 close.
TEST(WsFrameReaderDeflate, ReferenceIntoARefusedMessageIsNeverMisread) {
  const std::string a = noise(5000, 1);
  const std::string too_long = noise(20000, 2);                     // refused from its header
  const std::string too_large = noise(3000, 3) + noise(3000, 3) + noise(3000, 3);  // inflated, then refused
  for (const std::string& refused : {too_long, too_large}) {
    SCOPED_TRACE("refused message of " + std::to_string(refused.size()) + " bytes");
    ContextDeflater client;
    std::string c = refused.substr(refused.size() - 200);  // only a back-reference into it
    std::string bytes = client.frame(a);
    bytes += client.frame(refused);
    bytes += client.frame(c);
    ASSERT_LT(client.last_size, 20u);
    Conn conn({.max = 8000, .deflate = true});
    conn.feed(bytes);
    ASSERT_EQ(conn.rec.events.size(), 3u);
    EXPECT_EQ(conn.rec.events[0], Text(a));
    EXPECT_EQ(conn.rec.events[1], TooLarge());
    EXPECT_TRUE(conn.rec.events[2] == Text(c) || conn.rec.events[2] == Violation(kInvalidUtf8))
        << ::testing::PrintToString(conn.rec.events[2]);
  }
}

TEST(WsFrameReaderDeflate, GarbageCompressedDataIsAViolation) {
  // 0xff: a final block of the reserved type 3.
  expect_violation(client_frame(kText, "\xff\xff\xff\xff", true, true), kInvalidUtf8, {.deflate = true});
}

TEST(WsFrameReaderDeflate, CompressedTextNotUtf8IsAViolation) {
  expect_violation(compressed_frame("caf\xc3\x28"), kInvalidUtf8, {.deflate = true});
}

// --- negotiate_deflate (RFC 7692 7.1) ---------------------------------------------------------

constexpr std::string_view kBaseResponse = "permessage-deflate; server_no_context_takeover";

TEST(NegotiateDeflate, PlainOffer) {
  auto a = negotiate_deflate("permessage-deflate");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->response, kBaseResponse);
  EXPECT_EQ(a->server_window_bits, 15);
}

// Browsers offer client_max_window_bits bare: we may answer without it.
TEST(NegotiateDeflate, ClientMaxWindowBitsIsAccepted) {
  for (std::string_view offer : {"permessage-deflate; client_max_window_bits", "permessage-deflate; client_max_window_bits=9",
                                 "permessage-deflate; client_max_window_bits=15"}) {
    SCOPED_TRACE(offer);
    auto a = negotiate_deflate(offer);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, kBaseResponse);
  }
}

TEST(NegotiateDeflate, NoContextTakeoverParameters) {
  auto client = negotiate_deflate("permessage-deflate; client_no_context_takeover");
  ASSERT_TRUE(client);
  EXPECT_EQ(client->response, std::string(kBaseResponse) + "; client_no_context_takeover");

  auto server = negotiate_deflate("permessage-deflate; server_no_context_takeover");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->response, kBaseResponse);  // always asked for, said once
}

TEST(NegotiateDeflate, ServerMaxWindowBitsIsEchoedAndUsed) {
  auto a = negotiate_deflate("permessage-deflate; server_max_window_bits=10");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->server_window_bits, 10);
  EXPECT_EQ(a->response, std::string(kBaseResponse) + "; server_max_window_bits=10");

  auto spaced = negotiate_deflate(" permessage-deflate ;\tserver_max_window_bits = \"12\" ; client_max_window_bits ");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->server_window_bits, 12);
}

// zlib's raw deflate cannot honour an 8-bit window: that offer is declined, a later one taken.
TEST(NegotiateDeflate, ServerWindowOfEightBitsIsDeclined) {
  EXPECT_FALSE(negotiate_deflate("permessage-deflate; server_max_window_bits=8"));
  auto next = negotiate_deflate("permessage-deflate; server_max_window_bits=8, permessage-deflate");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->server_window_bits, 15);
  EXPECT_EQ(next->response, kBaseResponse);
}

TEST(NegotiateDeflate, UnknownParameterDeclinesThatOfferOnly) {
  EXPECT_FALSE(negotiate_deflate("permessage-deflate; foo"));
  auto a = negotiate_deflate("permessage-deflate; foo=1, permessage-deflate; client_no_context_takeover");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->response, std::string(kBaseResponse) + "; client_no_context_takeover");
}

TEST(NegotiateDeflate, RepeatedParameterDeclines) {
  for (std::string_view offer :
       {"permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10"}) {
    SCOPED_TRACE(offer);
    EXPECT_FALSE(negotiate_deflate(offer));
  }
}

TEST(NegotiateDeflate, OtherExtensionsAreNotTaken) {
  EXPECT_FALSE(negotiate_deflate(""));
  EXPECT_FALSE(negotiate_deflate("x-webkit-deflate-frame"));
  EXPECT_FALSE(negotiate_deflate("permessage-deflate-x"));
  auto a = negotiate_deflate("x-webkit-deflate-frame, permessage-deflate");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->response, kBaseResponse);
}

TEST(NegotiateDeflate, WindowBitsOutOfRangeDecline) {
  for (std::string_view offer :
       {"permessage-deflate; client_max_window_bits=7", "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=abc", "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16", "permessage-deflate; server_max_window_bits=abc",
        "permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=-9",
        "permessage-deflate; server_max_window_bits=010", "permessage-deflate; client_no_context_takeover=1"}) {
    SCOPED_TRACE(offer);
    EXPECT_FALSE(negotiate_deflate(offer));
  }
}

// What the server compresses with the agreed window, a client inflater (here ours) inflates.
TEST(NegotiateDeflate, AgreedWindowRoundTrips) {
  for (int bits = 9; bits <= 15; ++bits) {
    auto a = negotiate_deflate("permessage-deflate; server_max_window_bits=" + std::to_string(bits));
    ASSERT_TRUE(a);
    ASSERT_EQ(a->server_window_bits, bits);
    std::string text = pattern(5000) + pattern(5000);
    WsInflater inflater;
    std::string out;
    EXPECT_EQ(inflater.inflate(deflate_message(text, a->server_window_bits), text.size(), out), WsInflater::Result::ok);
    EXPECT_EQ(out, text);
  }
}

// --- the opening handshake (RFC 6455 4.2) -----------------------------------------------------

constexpr std::string_view kSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kSampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";  // RFC 6455 1.3

TEST(WsHandshake, AcceptOfTheRfcSample) { EXPECT_EQ(websocket_accept(kSampleKey), kSampleAccept); }

TEST(WsHandshake, VersionOtherThan13Is426) {
  for (std::string_view version : {"8", "12", "14", ""}) {
    SCOPED_TRACE(version);
    auto refusal = check_handshake(version, kSampleKey);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->status, 426);
  }
}

TEST(WsHandshake, BadKeyIs400) {
  for (std::string_view key : {"", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZQAA",
                               "dGhlIHNhbXBsZSBub25jZ!==", "dGhlIHNhbXBsZSBub25j-_==", "dGhlIHNhbXBsZSBub25j ZQ=="}) {
    SCOPED_TRACE(key);
    auto refusal = check_handshake("13", key);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->status, 400);
  }
}

TEST(WsHandshake, ValidRequestIsAccepted) {
  EXPECT_FALSE(check_handshake("13", kSampleKey));
  EXPECT_FALSE(check_handshake("13", "AAAAAAAAAAAAAAAAAAAA+/==")); // '+' and '/' are base64
}

TEST(WsHandshake, SwitchingProtocolsResponse) {
  std::string plain = switching_protocols(kSampleKey, "");
  EXPECT_TRUE(plain.starts_with("HTTP/1.1 101 Switching Protocols\r\n")) << plain;
  EXPECT_NE(plain.find("\r\nUpgrade: websocket\r\n"), std::string::npos) << plain;
  EXPECT_NE(plain.find("\r\nConnection: Upgrade\r\n"), std::string::npos) << plain;
  EXPECT_NE(plain.find("\r\nSec-WebSocket-Accept: " + std::string(kSampleAccept) + "\r\n"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("Sec-WebSocket-Extensions"), std::string::npos) << plain;
  EXPECT_TRUE(plain.ends_with("\r\n\r\n")) << plain;
  EXPECT_EQ(plain.find("\r\n\r\n"), plain.size() - 4) << "the header block ends only once";

  std::string deflate = switching_protocols(kSampleKey, kBaseResponse);
  EXPECT_NE(deflate.find("\r\nSec-WebSocket-Extensions: " + std::string(kBaseResponse) + "\r\n"), std::string::npos)
      << deflate;
  EXPECT_TRUE(deflate.ends_with("\r\n\r\n")) << deflate;
  EXPECT_EQ(deflate.find("\r\n\r\n"), deflate.size() - 4);
}

}  // namespace
}  // namespace cocobase::server::net

// --- server frames (realtime/wire_frame) ------------------------------------------------------

namespace cocobase::server::realtime {
namespace {

std::string header_bytes(WsOpcode op, std::uint64_t size, bool rsv1 = false) {
  char buf[10];
  std::size_t n = encode_ws_header(op, size, buf, rsv1);
  return std::string(buf, n);
}

TEST(EncodeWsHeader, LengthForms) {
  EXPECT_EQ(header_bytes(WsOpcode::text, 0), std::string("\x81\x00", 2));
  EXPECT_EQ(header_bytes(WsOpcode::text, 125), "\x81\x7d");
  EXPECT_EQ(header_bytes(WsOpcode::text, 126), std::string("\x81\x7e\x00\x7e", 4));
  EXPECT_EQ(header_bytes(WsOpcode::text, 65535), "\x81\x7e\xff\xff");
  EXPECT_EQ(header_bytes(WsOpcode::text, 65536), std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(header_bytes(WsOpcode::text, 0x0102030405060708ull), "\x81\x7f\x01\x02\x03\x04\x05\x06\x07\x08");
}

// FIN always set, the opcode in the low bits, RSV1 only for a compressed message, never masked.
TEST(EncodeWsHeader, FinOpcodeAndRsv1) {
  const std::vector<std::pair<WsOpcode, unsigned char>> ops = {
      {WsOpcode::text, 0x81}, {WsOpcode::binary, 0x82}, {WsOpcode::close, 0x88},
      {WsOpcode::ping, 0x89}, {WsOpcode::pong, 0x8A},   {WsOpcode::continuation, 0x80}};
  for (auto [op, first] : ops) {
    std::string h = header_bytes(op, 3);
    EXPECT_EQ(static_cast<unsigned char>(h[0]), first);
    EXPECT_EQ(static_cast<unsigned char>(h[1]), 3);  // mask bit clear
  }
  EXPECT_EQ(static_cast<unsigned char>(header_bytes(WsOpcode::text, 3, true)[0]), 0xC1);
  EXPECT_EQ(static_cast<unsigned char>(header_bytes(WsOpcode::text, 70000, true)[1]) & 0x80, 0);
}

TEST(WireFrame, HeaderSizeByPayloadLength) {
  const std::vector<std::pair<std::size_t, std::size_t>> size_and_header = {
      {0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10}};
  for (auto [size, header] : size_and_header) {
    SCOPED_TRACE("payload of " + std::to_string(size) + " bytes");
    std::string payload(size, 'x');
    if (size > 0) payload.back() = 'y';
    WireFrame f(WsOpcode::text, payload);
    EXPECT_EQ(f.text(), payload);
    EXPECT_EQ(f.size(), header + size);
    EXPECT_EQ(f.wire(), header_bytes(WsOpcode::text, size) + payload);
  }
}

TEST(WireFrame, CompressedSetsRsv1) {
  WireFrame plain(WsOpcode::text, "abc");
  WireFrame compressed(WsOpcode::text, "abc", true);
  EXPECT_EQ(static_cast<unsigned char>(plain.wire()[0]), 0x81);
  EXPECT_EQ(static_cast<unsigned char>(compressed.wire()[0]), 0xC1);
  EXPECT_EQ(compressed.text(), "abc");
  EXPECT_EQ(compressed.wire(), std::string("\xC1\x03" "abc"));
}

// A server message compressed with deflate_message inflates back to the text (a client's view).
TEST(WireFrame, CompressedMessageRoundTrip) {
  std::string text = "{\"type\":\"event\",\"data\":\"" + std::string(3000, 'z') + "\"}";
  WireFrame f(WsOpcode::text, net::deflate_message(text, 15), true);
  net::WsInflater inflater;
  std::string out;
  EXPECT_EQ(inflater.inflate(f.text(), text.size(), out), net::WsInflater::Result::ok);
  EXPECT_EQ(out, text);
}

}  // namespace
}  // namespace cocobase::server::realtime
