#pragma once
// Client configuration (PROTOCOL 9.1).
#include <chrono>
#include <optional>
#include <string>

namespace cocobase {

// Reconnection and keepalive of realtime helpers (PROTOCOL 9.2). The defaults are the
// protocol's; tests shorten them.
struct RealtimeOptions {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
  double jitter = 0.2;  // each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]
  // After close 4429 (rate or capacity limit) the first delay is at least this.
  std::chrono::milliseconds rate_limited_backoff{5000};
  // {"type":"ping"} is sent this often once connected.
  std::chrono::milliseconds ping_interval{30000};
  // A connection that received nothing for ping_interval + pong_timeout is dead: it is dropped
  // and reconnected.
  std::chrono::milliseconds pong_timeout{10000};
  // TCP connect + WebSocket upgrade.
  std::chrono::milliseconds connect_timeout{10000};
  // Outgoing messages are paced below the server's per-connection rate limit (8f:
  // 20/s, burst 40), queued locally.
  double send_rate_per_sec = 10;
  int send_burst = 20;
  // Bound of the local outgoing queue; send() beyond it throws.
  std::size_t max_queued_messages = 1000;
  // The server's inbound message limit (--ws-max-message-bytes); send() of a bigger message
  // throws instead of getting the connection closed.
  std::size_t max_message_bytes = 65536;
};

struct ClientConfig {
  // http://host:port (no default host). https is not supported by this version.
  std::string base_url;
  std::string api_key;              // sent as x-api-key; empty: none
  std::optional<std::string> token; // app-user JWT, sent as Authorization: Bearer
  std::chrono::milliseconds request_timeout{30000};
  // Realtime sockets authenticate with the user token (PROTOCOL 8d) when the client holds one.
  bool use_jwt = false;
  RealtimeOptions realtime;
};

}  // namespace cocobase
