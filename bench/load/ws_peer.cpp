#include "ws_peer.hpp"

#include "http_load_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace cocobase::bench {
namespace {


void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;  // tiny client writes: spin
    if (n <= 0) throw std::runtime_error("send: " + std::string(strerror(errno)));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads until `until` appears in buf (blocking socket). Returns the bytes after it.
std::string read_until(int fd, std::string& buf, std::string_view until) {
  char tmp[8192];
  for (;;) {
    auto pos = buf.find(until);
    if (pos != std::string::npos) {
      std::string rest = buf.substr(pos + until.size());
      buf.erase(pos + until.size());
      return rest;
    }
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) throw std::runtime_error("connection closed during setup: " + buf.substr(0, 200));
    buf.append(tmp, static_cast<std::size_t>(n));
  }
}

// One complete frame at the start of buf: opcode, payload; returns bytes used (0: incomplete).
std::size_t parse_frame(std::string_view buf, int& opcode, std::string_view& payload) {
  if (buf.size() < 2) return 0;
  auto b = reinterpret_cast<const unsigned char*>(buf.data());
  opcode = b[0] & 0x0F;
  std::uint64_t len = b[1] & 0x7F;
  std::size_t off = 2;
  if (len == 126) {
    if (buf.size() < 4) return 0;
    len = (std::uint64_t(b[2]) << 8) | b[3];
    off = 4;
  } else if (len == 127) {
    if (buf.size() < 10) return 0;
    len = 0;
    for (int k = 0; k < 8; ++k) len = (len << 8) | b[2 + k];
    off = 10;
  }
  if (buf.size() < off + len) return 0;
  payload = buf.substr(off, len);
  return off + len;
}

// During setup (blocking socket): reads frames, appending their payloads, until `done` says so.
// `buf` holds bytes received past the last frame; returns the payloads read.
template <typename Done>
std::string read_setup_frames(int fd, std::string& buf, Done done) {
  std::string text;
  for (;;) {
    int op = 0;
    std::string_view payload;
    if (std::size_t used = parse_frame(buf, op, payload)) {
      text.append(payload);
      buf.erase(0, used);
      if (done(text)) return text;
      continue;
    }
    char tmp[4096];
    ssize_t got = recv(fd, tmp, sizeof tmp, 0);
    if (got <= 0) throw std::runtime_error("connection closed during setup");
    buf.append(tmp, static_cast<std::size_t>(got));
  }
}

}  // namespace

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

PeerSet::~PeerSet() {
  for (auto fd : fds_) close(fd);
  if (epoll_ >= 0) close(epoll_);
}

void PeerSet::send_frame(int fd, std::string_view payload, int opcode) {
  // Client frames must be masked; an all-zero mask leaves the payload as is (servers unmask
  // whatever the key), which keeps the client's cost per message at one copy.
  std::string f;
  f.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() < 65536) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int k = 7; k >= 0; --k) f.push_back(static_cast<char>((std::uint64_t(payload.size()) >> (8 * k)) & 0xFF));
  }
  f.append(4, '\0');
  f.append(payload);
  write_all(fd, f);
}

void PeerSet::open(std::size_t n, bool subscribe) {
  if (epoll_ < 0) epoll_ = epoll_create1(0);
  std::string path = ep_.target == Target::nats ? "/" : ep_.path;
  for (std::size_t k = 0; k < n; ++k) {
    int fd = connect_to(ep_.host, ep_.port);
    write_all(fd, "GET " + path + " HTTP/1.1\r\nHost: " + ep_.host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    std::string head;
    std::string rest = read_until(fd, head, "\r\n\r\n");
    if (head.find(" 101 ") == std::string::npos) throw std::runtime_error("upgrade refused: " + head.substr(0, 120));
    Conn c;
    c.fd = fd;
    c.in = rest;
    if (ep_.target == Target::cocobase) {
      send_frame(fd, "{\"api_key\":\"" + ep_.api_key + "\"}");
      // The confirmation is the first frame; wait for it so the connection is registered.
      std::string first = read_setup_frames(fd, c.in, [](const std::string&) { return true; });
      if (first.find("\"error\"") != std::string::npos) throw std::runtime_error("auth refused: " + first);
    } else {
      std::string cmd = "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
      if (subscribe) cmd += "SUB bench 1\r\n";
      cmd += "PING\r\n";
      send_frame(fd, cmd);
      read_setup_frames(fd, c.in, [](const std::string& text) { return text.find("PONG") != std::string::npos; });
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = conns_.size();
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    fds_.push_back(fd);
    conns_.push_back(std::move(c));
  }
}

void PeerSet::publish(std::size_t i, std::string_view body) {
  if (ep_.target == Target::cocobase) {
    send_frame(fds_[i], std::string("{\"type\":\"message\",\"data\":") + std::string(body) + "}");
  } else {
    send_frame(fds_[i], "PUB bench " + std::to_string(body.size()) + "\r\n" + std::string(body) + "\r\n");
  }
}

void PeerSet::poll(std::chrono::milliseconds wait, const OnDelivery& on_delivery) {
  epoll_event events[256];
  int n = epoll_wait(epoll_, events, 256, static_cast<int>(wait.count()));
  char buf[1 << 16];
  for (int k = 0; k < n; ++k) {
    std::size_t i = events[k].data.u64;
    for (;;) {
      ssize_t got = recv(conns_[i].fd, buf, sizeof buf, 0);
      if (got <= 0) break;
      consume(i, std::string_view(buf, static_cast<std::size_t>(got)), on_delivery);
      if (static_cast<std::size_t>(got) < sizeof buf) break;
    }
  }
}

// Parses each received chunk at once, keeping only an incomplete frame: appending a burst of
// chunks first had this program spend half its time faulting in fresh pages for the growing
// buffer (perf), which the larger Cocobase frames hit harder than NATS's.
void PeerSet::consume(std::size_t i, std::string_view data, const OnDelivery& on_delivery) {
  Conn& c = conns_[i];
  if (c.in.empty()) {
    c.in.assign(data.substr(handle_frames(i, data, on_delivery)));
  } else {
    c.in.append(data);
    c.in.erase(0, handle_frames(i, c.in, on_delivery));
  }
}

std::size_t PeerSet::handle_frames(std::size_t i, std::string_view data, const OnDelivery& on_delivery) {
  Conn& c = conns_[i];
  std::size_t pos = 0;
  for (;;) {
    int op = 0;
    std::string_view payload;
    std::size_t used = parse_frame(data.substr(pos), op, payload);
    if (!used) break;
    pos += used;
    if (op == 9) send_frame(c.fd, payload, 10);  // ping -> pong
    else if (op == 1 || op == 2 || op == 0) {  // NATS sends binary frames
      if (ep_.target == Target::cocobase) on_delivery(i, payload);
      else handle_nats(i, payload, on_delivery);
    }
  }
  return pos;
}

// NATS protocol text: "MSG subject sid size\r\n<payload>\r\n" (several per frame, or split).
void PeerSet::handle_nats(std::size_t i, std::string_view data, const OnDelivery& on_delivery) {
  Conn& c = conns_[i];
  c.stream.append(data);
  std::size_t pos = 0;
  for (;;) {
    auto eol = c.stream.find("\r\n", pos);
    if (eol == std::string::npos) break;
    std::string_view line(c.stream.data() + pos, eol - pos);
    if (line.rfind("MSG ", 0) == 0) {
      std::size_t size = std::strtoul(std::string(line.substr(line.rfind(' ') + 1)).c_str(), nullptr, 10);
      if (c.stream.size() < eol + 2 + size + 2) break;
      on_delivery(i, std::string_view(c.stream.data() + eol + 2, size));
      pos = eol + 2 + size + 2;
    } else {
      if (line == "PING") send_frame(c.fd, "PONG\r\n");
      pos = eol + 2;
    }
  }
  c.stream.erase(0, pos);
}

}  // namespace cocobase::bench
