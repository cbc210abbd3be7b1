#pragma once
// Test support: a raw RFC 6455 WebSocket client over a POSIX socket, for black-box tests of the
// server's wire protocol (tests/unit/wire). C++ counterpart of tests/realtime/lib/raw_ws.mjs.
//
// The framing is hand-written on purpose: these tests send what a correct library refuses to
// send (binary messages, invalid UTF-8, hand-made fragments, arbitrary opcodes, raw bytes) and
// see every frame the server sends, close frames included.
//
//   RawWsClient c(server.port(), "/realtime/broadcast");   // TCP connect + upgrade
//   ASSERT_TRUE(c.upgraded()) << c.upgrade_response().status_line;
//   c.send_json(R"({"api_key": "cb_..."})");
//   std::string first = c.next_message();                  // skips pings/pongs, answers pings
//   CloseInfo close = c.expect_close();                     // {code, reason, messages before it}
//
//   HttpResponse r = http_request(server.port(), "GET", "/realtime/broadcast");  // plain HTTP
//
// Every blocking call has a timeout (poll), so a broken server fails a test instead of hanging
// it. Failures to talk to the server (timeouts, unexpected EOF, malformed frames) throw
// WireError; GoogleTest reports an exception escaping a test body as a failure.
//
// The upgrade checks the status line (101), `Upgrade: websocket`, `Connection: upgrade` and
// verifies Sec-WebSocket-Accept against the key (with the small SHA-1 below: no new dependency).
// A refused upgrade is not an error: upgraded() is false and upgrade_response() holds the HTTP
// status, headers and body.
//
// Header-only, POSIX only, no Boost.
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cocobase::testing {

// A failure to talk to the server: timeout, unexpected EOF, malformed HTTP or frame.
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace raw_ws_detail {

using Clock = std::chrono::steady_clock;

inline std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// SHA-1 (FIPS 180-4). Only used to check Sec-WebSocket-Accept.
inline std::array<std::uint8_t, 20> sha1(std::string_view data) {
  std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  std::string msg(data);
  const std::uint64_t bit_len = static_cast<std::uint64_t>(data.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bit_len >> (i * 8)) & 0xff));
  for (std::size_t off = 0; off < msg.size(); off += 64) {
    std::uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      auto byte = [&](int k) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(msg[off + 4 * i + k])); };
      w[i] = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
    }
    for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      std::uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999u;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1u;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDCu;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6u;
      }
      std::uint32_t t = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<std::uint8_t, 20> out{};
  for (int i = 0; i < 5; ++i)
    for (int k = 0; k < 4; ++k) out[4 * i + k] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * k));
  return out;
}

inline std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    std::uint32_t v = (std::uint32_t(std::uint8_t(bytes[i])) << 16) | (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) |
                      std::uint8_t(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (rest == 2) v |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

inline std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

inline std::mt19937_64& rng() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

inline std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng()() & 0xff);
  return out;
}

inline int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left);
}

// A non-blocking TCP socket with deadline-bounded reads and writes.
class Socket {
 public:
  Socket() = default;
  ~Socket() { close(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Connects to 127.0.0.1:port. `receive_buffer` > 0 sets SO_RCVBUF before connecting (so the
  // advertised window is small from the start).
  void connect(std::uint16_t port, Clock::time_point deadline, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw WireError(std::string("socket: ") + std::strerror(errno));
    if (receive_buffer > 0 && ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer) != 0)
      throw WireError(std::string("SO_RCVBUF: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if (errno != EINPROGRESS) throw WireError(std::string("connect: ") + std::strerror(errno));
      if (!wait(POLLOUT, deadline)) throw WireError("connect: timed out");
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) throw WireError(std::string("connect: ") + std::strerror(err));
    }
  }

  void write_all(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!wait(POLLOUT, deadline)) throw WireError("write: timed out (the server does not read)");
        continue;
      }
      throw WireError(std::string("write: ") + std::strerror(errno));
    }
  }

  // Appends what is available to `out`. Returns >0 bytes read, 0 at EOF (or reset), -1 when the
  // deadline passed first.
  ssize_t read_some(std::string& out, Clock::time_point deadline) {
    char chunk[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        out.append(chunk, static_cast<std::size_t>(n));
        return n;
      }
      if (n == 0) return 0;
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) {
        reset_ = true;
        return 0;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) throw WireError(std::string("read: ") + std::strerror(errno));
      if (!wait(POLLIN, deadline)) return -1;
    }
  }

  void shutdown_write() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool was_reset() const { return reset_; }
  int fd() const { return fd_; }

 private:
  bool wait(short events, Clock::time_point deadline) {
    for (;;) {
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, remaining_ms(deadline));
      if (r > 0) return true;  // ready, or an error/hangup the next call reports
      if (r == 0) return false;
      if (errno != EINTR) throw WireError(std::string("poll: ") + std::strerror(errno));
    }
  }

  int fd_ = -1;
  bool reset_ = false;
};

}  // namespace raw_ws_detail

// Frame opcodes (RFC 6455 5.2).
enum WsOpcode : std::uint8_t {
  kOpContinuation = 0x0,
  kOpText = 0x1,
  kOpBinary = 0x2,
  kOpClose = 0x8,
  kOpPing = 0x9,
  kOpPong = 0xA,
};

struct WsFrame {
  std::uint8_t opcode = 0;
  bool fin = true;
  std::uint8_t rsv = 0;  // the three RSV bits (must be 0 without extensions)
  std::string payload;
};

struct CloseInfo {
  // The status of the server's close frame; 1005 when the frame had no status; 1006 when the
  // TCP connection ended without a close frame (frame_received is then false).
  int code = 1006;
  std::string reason;
  bool frame_received = false;
  // Text messages (reassembled) that arrived before the close, in order.
  std::vector<std::string> messages;
  // Every frame that arrived before the close, pings and fragments included.
  std::vector<WsFrame> frames;
};

struct HttpResponse {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;

  // The first header of that name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const {
    const std::string want = raw_ws_detail::lower(name);
    for (const auto& [k, v] : headers)
      if (raw_ws_detail::lower(k) == want) return v;
    return std::nullopt;
  }
};

namespace raw_ws_detail {

// Reads until the end of the header block; returns the response with its headers parsed and
// moves what followed the header block into `rest`.
inline HttpResponse read_response_head(Socket& sock, std::string& rest, Clock::time_point deadline) {
  std::string buf;
  std::size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > 65536) throw WireError("HTTP: response head over 64 KiB");
    ssize_t n = sock.read_some(buf, deadline);
    if (n == 0) throw WireError("HTTP: connection closed before the response head (got: " + buf + ")");
    if (n < 0) throw WireError("HTTP: no response head in time (got: " + buf + ")");
  }
  HttpResponse r;
  std::string_view head(buf.data(), end);
  std::size_t eol = head.find("\r\n");
  r.status_line = std::string(head.substr(0, eol));
  if (r.status_line.rfind("HTTP/1.", 0) != 0 || r.status_line.size() < 12)
    throw WireError("HTTP: bad status line: " + r.status_line);
  r.status = std::stoi(r.status_line.substr(9, 3));
  while (eol != std::string_view::npos) {
    std::size_t start = eol + 2;
    eol = head.find("\r\n", start);
    std::string_view line = head.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    r.headers.emplace_back(std::string(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  rest = buf.substr(end + 4);
  return r;
}

// Reads the body that follows a response head: Content-Length, chunked, or up to EOF.
inline void read_response_body(Socket& sock, HttpResponse& r, std::string rest, Clock::time_point deadline,
                               bool until_eof_allowed) {
  auto fill = [&](std::size_t need) {
    while (rest.size() < need) {
      ssize_t n = sock.read_some(rest, deadline);
      if (n == 0) throw WireError("HTTP: connection closed in the body");
      if (n < 0) throw WireError("HTTP: body not complete in time");
    }
  };
  if (auto te = r.header("Transfer-Encoding"); te && lower(*te).find("chunked") != std::string::npos) {
    std::size_t pos = 0;
    for (;;) {
      std::size_t eol;
      while ((eol = rest.find("\r\n", pos)) == std::string::npos) fill(rest.size() + 1);
      std::size_t size = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
      pos = eol + 2;
      fill(pos + size + 2);
      if (size == 0) return;
      r.body.append(rest, pos, size);
      pos += size + 2;
    }
  }
  if (auto cl = r.header("Content-Length")) {
    std::size_t len = std::stoul(*cl);
    fill(len);
    r.body = rest.substr(0, len);
    return;
  }
  if (r.status == 101 || r.status == 204 || r.status == 304 || !until_eof_allowed) {
    r.body = rest;
    return;
  }
  for (;;) {
    ssize_t n = sock.read_some(rest, deadline);
    if (n == 0) break;
    if (n < 0) throw WireError("HTTP: body not complete in time");
  }
  r.body = rest;
}

}  // namespace raw_ws_detail

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// One HTTP/1.1 request to 127.0.0.1:port with `Connection: close`. A body gets Content-Length
// (and Content-Type: application/json unless `headers` has one).
inline HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                                 const HttpHeaders& headers = {}, const std::string& body = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  using namespace raw_ws_detail;
  const auto deadline = Clock::now() + timeout;
  Socket sock;
  sock.connect(port, deadline);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n";
  bool has_type = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    has_type = has_type || lower(k) == "content-type";
  }
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    if (!has_type && !body.empty()) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req += body;
  sock.write_all(req, deadline);
  std::string rest;
  HttpResponse r = read_response_head(sock, rest, deadline);
  if (method == "HEAD") return r;
  read_response_body(sock, r, std::move(rest), deadline, true);
  return r;
}

struct RawWsOptions {
  // Connect + upgrade. Reads and writes take their own timeout argument.
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  // SO_RCVBUF set before connecting (0: the kernel default). For slow-consumer tests.
  int receive_buffer = 0;
  // Extra request headers (Origin, Sec-WebSocket-Protocol, ...).
  HttpHeaders headers;
  // Answer server pings with pongs (whenever a read sees one). set_auto_pong() changes it.
  bool auto_pong = true;
};

class RawWsClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};
  // RFC 6455 1.3.
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  static std::string accept_for(std::string_view key) {
    auto digest = raw_ws_detail::sha1(std::string(key) + std::string(kGuid));
    return raw_ws_detail::base64(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  }

  // Connects and sends the upgrade request for `path`. Throws WireError when the server cannot
  // be reached or answers 101 with a bad handshake; a non-101 answer is kept (upgraded() false).
  RawWsClient(std::uint16_t port, std::string path, RawWsOptions options = {})
      : path_(std::move(path)), auto_pong_(options.auto_pong) {
    using namespace raw_ws_detail;
    const auto deadline = Clock::now() + options.timeout;
    sock_.connect(port, deadline, options.receive_buffer);
    key_ = base64(random_bytes(16));
    std::string req = "GET " + path_ + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key_ +
                      "\r\nSec-WebSocket-Version: 13\r\n";
    for (const auto& [k, v] : options.headers) req += k + ": " + v + "\r\n";
    req += "\r\n";
    sock_.write_all(req, deadline);
    std::string rest;
    response_ = read_response_head(sock_, rest, deadline);
    if (response_.status != 101) {
      read_response_body(sock_, response_, std::move(rest), deadline, false);
      sock_.close();
      eof_ = true;
      return;
    }
    auto upgrade = response_.header("Upgrade");
    auto connection = response_.header("Connection");
    auto accept = response_.header("Sec-WebSocket-Accept");
    if (!upgrade || lower(*upgrade) != "websocket")
      throw WireError("upgrade: 101 without `Upgrade: websocket`");
    if (!connection || lower(*connection).find("upgrade") == std::string::npos)
      throw WireError("upgrade: 101 without `Connection: upgrade`");
    if (!accept || *accept != accept_for(key_))
      throw WireError("upgrade: wrong Sec-WebSocket-Accept '" + accept.value_or("") + "' for key " + key_);
    upgraded_ = true;
    rbuf_ = std::move(rest);
  }

  RawWsClient(const RawWsClient&) = delete;
  RawWsClient& operator=(const RawWsClient&) = delete;

  bool upgraded() const { return upgraded_; }
  // The server's answer to the upgrade request (101, or the refusal with its body).
  const HttpResponse& upgrade_response() const { return response_; }
  const std::string& path() const { return path_; }

  void set_auto_pong(bool on) { auto_pong_ = on; }
  // Server ping frames seen so far (answered or not).
  int pings_received() const { return pings_; }

  // --- sending (every frame masked with a fresh random key, as RFC 6455 requires) -------------

  // Any opcode, any FIN bit, any payload: also what a library would refuse (reserved opcodes,
  // fragmented control frames, continuation frames out of place).
  void send_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                  std::chrono::milliseconds timeout = kDefaultTimeout) {
    send_raw(encode_frame(opcode, payload, fin), timeout);
  }
  void send_text(std::string_view text) { send_frame(kOpText, text); }
  void send_json(std::string_view json) { send_text(json); }
  void send_binary(std::string_view bytes) { send_frame(kOpBinary, bytes); }
  void send_ping(std::string_view payload = {}) { send_frame(kOpPing, payload); }
  void send_pong(std::string_view payload = {}) { send_frame(kOpPong, payload); }
  void send_close(std::uint16_t code = 1000, std::string_view reason = {}) {
    std::string payload;
    payload += static_cast<char>(code >> 8);
    payload += static_cast<char>(code & 0xff);
    payload += reason;
    send_frame(kOpClose, payload);
    close_sent_ = true;
  }
  // Bytes written as they are (no framing).
  void send_raw(std::string_view bytes, std::chrono::milliseconds timeout = kDefaultTimeout) {
    require_upgraded();
    sock_.write_all(bytes, raw_ws_detail::Clock::now() + timeout);
  }

  static std::string encode_frame(std::uint8_t opcode, std::string_view payload, bool fin = true) {
    std::string out;
    out += static_cast<char>((fin ? 0x80 : 0x00) | (opcode & 0x0f));
    const std::uint64_t len = payload.size();
    if (len < 126) {
      out += static_cast<char>(0x80 | len);
    } else if (len < 65536) {
      out += static_cast<char>(0x80 | 126);
      out += static_cast<char>(len >> 8);
      out += static_cast<char>(len & 0xff);
    } else {
      out += static_cast<char>(0x80 | 127);
      for (int i = 7; i >= 0; --i) out += static_cast<char>((len >> (8 * i)) & 0xff);
    }
    const std::string mask = raw_ws_detail::random_bytes(4);
    out += mask;
    const std::size_t start = out.size();
    out += payload;
    for (std::size_t i = 0; i < payload.size(); ++i) out[start + i] = static_cast<char>(out[start + i] ^ mask[i % 4]);
    return out;
  }

  // --- receiving ------------------------------------------------------------------------------

  // The next frame of any kind (control frames included; a server ping is answered first when
  // auto_pong is on). nullopt when the timeout passed or the connection ended (at_eof()).
  // A close frame is returned like any other and also recorded (close_received()).
  std::optional<WsFrame> next_frame(std::chrono::milliseconds timeout = kDefaultTimeout) {
    require_reading();
    const auto deadline = raw_ws_detail::Clock::now() + timeout;
    for (;;) {
      if (auto f = parse_frame()) {
        if (f->opcode == kOpPing) {
          ++pings_;
          if (auto_pong_ && !close_sent_ && !eof_) try_send(kOpPong, f->payload);
        }
        if (f->opcode == kOpClose && !close_) close_ = parse_close(f->payload);
        return f;
      }
      if (eof_) return std::nullopt;
      ssize_t n = sock_.read_some(rbuf_, deadline);
      if (n == 0) eof_ = true;
      if (n < 0) return std::nullopt;
    }
  }

  // The next text message (fragments reassembled), skipping pings and pongs. Throws WireError on
  // timeout, on a binary message, a close frame or EOF (with what was seen).
  std::string next_message(std::chrono::milliseconds timeout = kDefaultTimeout) {
    if (auto m = next_message_or_timeout(timeout)) return std::move(*m);
    throw WireError("no message on " + path_ + " within " + std::to_string(timeout.count()) + " ms");
  }

  // As next_message, but nullopt on timeout (to show that nothing arrives).
  std::optional<std::string> next_message_or_timeout(std::chrono::milliseconds timeout) {
    const auto deadline = raw_ws_detail::Clock::now() + timeout;
    std::string text;
    bool in_text = false;
    for (;;) {
      auto f = next_frame(left(deadline));
      if (!f) {
        if (eof_) throw WireError("connection on " + path_ + " ended (no close frame) while waiting for a message");
        if (in_text) throw WireError("the rest of a fragmented message did not arrive in time");
        return std::nullopt;
      }
      switch (f->opcode) {
        case kOpPing:
        case kOpPong:
          continue;
        case kOpClose:
          throw WireError("connection on " + path_ + " closed (" + std::to_string(close_->code) + " " +
                          close_->reason + ") while waiting for a message");
        case kOpText:
          if (in_text) throw WireError("a text frame inside a fragmented message");
          text = std::move(f->payload);
          in_text = !f->fin;
          break;
        case kOpContinuation:
          if (!in_text) throw WireError("a continuation frame outside a fragmented message");
          text += f->payload;
          in_text = !f->fin;
          break;
        default:
          throw WireError("unexpected frame with opcode " + std::to_string(f->opcode) + " while waiting for text");
      }
      if (!in_text) return text;
    }
  }

  // Reads until the server's close frame (or EOF), collecting what came before it. Answers the
  // close (completing the closing handshake) unless `reply` is false. Throws WireError when
  // neither arrives within the timeout.
  CloseInfo expect_close(std::chrono::milliseconds timeout = kDefaultTimeout, bool reply = true) {
    const auto deadline = raw_ws_detail::Clock::now() + timeout;
    CloseInfo info;
    std::string text;
    bool in_text = false;
    for (;;) {
      auto f = next_frame(left(deadline));
      if (!f) {
        if (!eof_) {
          std::string seen;
          for (const auto& m : info.messages) seen += "\n  " + m.substr(0, 300);
          throw WireError("no close on " + path_ + " within " + std::to_string(timeout.count()) +
                          " ms; messages before:" + (seen.empty() ? " none" : seen));
        }
        info.code = 1006;
        info.frame_received = false;
        return info;
      }
      if (f->opcode == kOpClose) {
        info.code = close_->code;
        info.reason = close_->reason;
        info.frame_received = true;
        if (reply && !close_sent_ && !eof_) {
          std::string payload = f->payload.substr(0, 2);
          if (try_send(kOpClose, payload)) close_sent_ = true;
        }
        return info;
      }
      if (f->opcode == kOpText) {
        text = f->payload;
        in_text = !f->fin;
        if (!in_text) info.messages.push_back(text);
      } else if (f->opcode == kOpContinuation && in_text) {
        text += f->payload;
        in_text = !f->fin;
        if (!in_text) info.messages.push_back(text);
      }
      info.frames.push_back(std::move(*f));
    }
  }

  // Slow-consumer support: while stopped, every read call throws (so a test cannot read by
  // accident). Nothing else changes: the kernel stops acknowledging data once the (small, see
  // RawWsOptions::receive_buffer) receive buffer is full, and the server's writes back up.
  void stop_reading() { reading_stopped_ = true; }
  void resume_reading() { reading_stopped_ = false; }

  // True once the server closed the TCP connection (or reset it) and every byte was read.
  bool at_eof() const { return eof_ && parse_would_be_empty(); }
  bool was_reset() const { return sock_.was_reset(); }
  const std::optional<CloseInfo>& close_received() const { return close_; }

  // Ends the TCP connection without a close frame.
  void disconnect() {
    sock_.close();
    eof_ = true;
  }

 private:
  static std::chrono::milliseconds left(raw_ws_detail::Clock::time_point deadline) {
    return std::chrono::milliseconds(raw_ws_detail::remaining_ms(deadline));
  }

  void require_upgraded() const {
    if (!upgraded_) throw WireError("the upgrade of " + path_ + " was refused: " + response_.status_line);
  }
  void require_reading() const {
    require_upgraded();
    if (reading_stopped_) throw std::logic_error("read while stop_reading() is in effect");
  }

  // Best effort (the server may already have gone): false when the write failed.
  bool try_send(std::uint8_t opcode, std::string_view payload) {
    try {
      sock_.write_all(encode_frame(opcode, payload), raw_ws_detail::Clock::now() + kDefaultTimeout);
      return true;
    } catch (const WireError&) {
      return false;
    }
  }

  static CloseInfo parse_close(const std::string& payload) {
    CloseInfo c;
    c.frame_received = true;
    if (payload.empty()) {
      c.code = 1005;
    } else if (payload.size() == 1) {
      throw WireError("close frame with a 1-byte payload");
    } else {
      c.code = (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]);
      c.reason = payload.substr(2);
    }
    return c;
  }

  bool parse_would_be_empty() const { return rbuf_.size() < 2; }

  // One complete frame from rbuf_, if there is one.
  std::optional<WsFrame> parse_frame() {
    if (rbuf_.size() < 2) return std::nullopt;
    const auto b0 = static_cast<std::uint8_t>(rbuf_[0]), b1 = static_cast<std::uint8_t>(rbuf_[1]);
    if (b1 & 0x80) throw WireError("the server sent a masked frame");
    std::uint64_t len = b1 & 0x7f;
    std::size_t pos = 2;
    if (len == 126) {
      if (rbuf_.size() < 4) return std::nullopt;
      len = (std::uint64_t(std::uint8_t(rbuf_[2])) << 8) | std::uint8_t(rbuf_[3]);
      pos = 4;
    } else if (len == 127) {
      if (rbuf_.size() < 10) return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | std::uint8_t(rbuf_[2 + i]);
      pos = 10;
    }
    if (len > (std::uint64_t(1) << 31)) throw WireError("absurd frame length from the server");
    if (rbuf_.size() < pos + len) return std::nullopt;
    WsFrame f;
    f.fin = (b0 & 0x80) != 0;
    f.rsv = static_cast<std::uint8_t>((b0 >> 4) & 0x07);
    f.opcode = b0 & 0x0f;
    f.payload = rbuf_.substr(pos, static_cast<std::size_t>(len));
    rbuf_.erase(0, pos + static_cast<std::size_t>(len));
    return f;
  }

  raw_ws_detail::Socket sock_;
  std::string path_;
  std::string key_;
  HttpResponse response_;
  bool upgraded_ = false;
  bool auto_pong_ = true;
  bool reading_stopped_ = false;
  bool close_sent_ = false;
  bool eof_ = false;
  int pings_ = 0;
  std::string rbuf_;
  std::optional<CloseInfo> close_;
};

}  // namespace cocobase::testing
