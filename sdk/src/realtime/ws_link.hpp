#pragma once
// One realtime connection that reconnects by itself: the transport under every helper.
//
// It connects, sends the auth message the owner builds for each attempt, reads JSON messages,
// sends the owner's messages paced below the rate limit, pings every ping_interval, detects a
// dead connection, and on a close decides from the close code (PROTOCOL 5.1.6) whether to stop
// (terminal) or reconnect with backoff.
//
// Threading: every event callback runs on the link's strand (on the client's I/O thread), one
// at a time. start(), send() and close() may be called from any thread. After close() no event
// callback starts (callbacks already posted check the closed flag).
#include "realtime/backoff.hpp"

#include <cocobase/error.hpp>
#include <cocobase/json.hpp>
#include <cocobase/realtime.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace cocobase::detail {

class ClientCore;

struct WsLinkEvents {
  std::function<json::object()> auth_message;        // built before each attempt
  std::function<void(json::object&&)> on_message;    // every server message (a JSON object)
  std::function<void(const RealtimeError&)> on_error;
  std::function<void(const CloseInfo&)> on_close;    // an open connection closed
  std::function<void(const ReconnectInfo&)> on_reconnect;  // a reconnect is scheduled
};

class WsLink {
 public:
  // path: "/realtime/collections/users" (percent-encoded), without the base URL's prefix.
  static std::shared_ptr<WsLink> create(std::shared_ptr<ClientCore> core, std::string path,
                                        WsLinkEvents events);
  virtual ~WsLink() = default;

  virtual void start() = 0;
  // Call from on_message when the endpoint's confirmation arrived: resets the backoff and
  // releases queued messages.
  virtual void confirmed() = 0;
  // Queues one text message. Throws cocobase::Error when it is over max_message_bytes or the
  // queue is full.
  virtual void send(std::string text) = 0;
  virtual void close() = 0;
  // Runs f on the link's strand (unless the link is closed by then), now or after a delay.
  virtual void post(std::function<void()> f) = 0;
  virtual void post_after(std::chrono::milliseconds delay, std::function<void()> f) = 0;
  virtual bool confirmed_now() const = 0;
  virtual bool closed() const = 0;
};

}  // namespace cocobase::detail
