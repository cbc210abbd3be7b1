#pragma once
// The client side of the realtime load benchmark: many WebSocket connections on one epoll
// loop, speaking either Cocobase realtime or NATS-over-WebSocket, so one workload drives both.
// Hand-written (no Beast) so that the client costs as little CPU per delivery as possible.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cocobase::bench {

enum class Target { cocobase, nats };

struct Endpoint {
  Target target = Target::cocobase;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;     // cocobase: /realtime/broadcast or /realtime/collections/NAME
  std::string api_key;  // cocobase only
};

// One application message delivered to a connection: its payload (the NATS message body, or
// the Cocobase JSON frame).
using OnDelivery = std::function<void(std::size_t conn, std::string_view payload)>;

class PeerSet {
 public:
  explicit PeerSet(Endpoint ep) : ep_(std::move(ep)) {}
  ~PeerSet();

  // Opens n connections, upgrades and authenticates (Cocobase: auth message, waits for
  // connected/joined; NATS: CONNECT + SUB bench + PING, waits for PONG). Throws on failure.
  void open(std::size_t n, bool subscribe);
  std::size_t size() const { return fds_.size(); }

  // Sends one application message on connection i (Cocobase: a broadcast message with `body`
  // as its data; NATS: PUB bench).
  void publish(std::size_t i, std::string_view body);

  // Reads what has arrived for up to `wait`, calling on_delivery for each message.
  void poll(std::chrono::milliseconds wait, const OnDelivery& on_delivery);

 private:
  struct Conn {
    int fd = -1;
    std::string in;      // raw bytes not yet parsed as frames
    std::string stream;  // NATS: reassembled protocol text
  };
  void consume(std::size_t i, std::string_view data, const OnDelivery& on_delivery);
  // Handles the complete frames at the start of `data`; returns the bytes they used.
  std::size_t handle_frames(std::size_t i, std::string_view data, const OnDelivery& on_delivery);
  void handle_nats(std::size_t i, std::string_view data, const OnDelivery& on_delivery);
  void send_frame(int fd, std::string_view payload, int opcode = 1);

  Endpoint ep_;
  std::vector<int> fds_;
  std::vector<Conn> conns_;
  int epoll_ = -1;
};

std::int64_t now_ns();

}  // namespace cocobase::bench
