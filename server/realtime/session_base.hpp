#pragma once
// What the three endpoints share: the auth handshake, ping/pong, unknown types, invalid JSON
// after auth, and the per-connection message rate limit (PROTOCOL 5.1.3-5.1.6, 8f).
#include "realtime/access_recheck.hpp"
#include "realtime/auth_message.hpp"
#include "realtime/realtime_metrics.hpp"
#include "realtime/session.hpp"
#include "realtime/ws_error.hpp"
#include "config/server_config.hpp"
#include "limits/token_bucket.hpp"
#include "store/store.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace cocobase::server::realtime {

// What every session needs from the server; owned by RealtimeService.
struct SessionDeps {
  Store& store;
  const auth::JwtCodec* jwt;  // null: tokens are refused
  const ServerConfig& config;
  RealtimeMetrics& metrics;
  AccessRecheck& access;  // re-checks the socket when rules or keys change
};

class SessionBase : public Session {
 public:
  void on_message(std::string text) final;
  void on_auth_timeout() final;

 protected:
  // `self` owns this session and outlives it; `weak` is what registries keep (never a strong
  // reference, so that no registry keeps a closed socket alive).
  SessionBase(const SessionDeps& deps, Connection& self, std::weak_ptr<Connection> weak)
      : store_(deps.store), jwt_(deps.jwt), config_(deps.config), metrics_(deps.metrics), access_(deps.access),
        conn_(self), weak_(std::move(weak)) {}

  // Step 7 of 5.1.4 and registration; sends the confirmation or an error that closes.
  virtual void on_authenticated(AuthMessage& auth) = 0;
  // A client message after auth other than ping. Returns false for an unknown type.
  virtual bool on_client_message(std::string_view /*type*/, protocol::json::object& /*msg*/) { return false; }

  // Sends the error (closing when its code closes) and ignores every later client message.
  void fail(WsError e);
  void send(std::string text) { conn_.send(make_frame(std::move(text))); }

  Store& store_;
  const auth::JwtCodec* jwt_;
  const ServerConfig& config_;
  RealtimeMetrics& metrics_;
  AccessRecheck& access_;
  Connection& conn_;
  std::weak_ptr<Connection> weak_;
  bool done_ = false;           // failed or closed: ignore client messages
  bool authenticated_ = false;

 private:
  bool take_rate_token();
  void on_client_text(std::string_view text);

  std::optional<limits::TokenBucket> rate_;  // from authentication on
};

}  // namespace cocobase::server::realtime
