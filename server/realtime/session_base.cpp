#include "realtime/session_base.hpp"

#include <algorithm>

namespace cocobase::server::realtime {

namespace json = protocol::json;

void SessionBase::fail(WsError e) {
  if (done_) return;
  if (error_close_code(e.code) != 0) done_ = true;
  send_error(conn_, e);
}

void SessionBase::on_auth_timeout() {
  if (!authenticated_ && !done_) fail(WsError{"AUTH_TIMEOUT", {}});
}

void SessionBase::on_message(std::string text) {
  if (done_) return;
  if (authenticated_) return on_client_text(text);
  auto outcome = authenticate(text, store_, jwt_, config_.max_json_depth);
  if (auto* e = std::get_if<WsError>(&outcome)) return fail(std::move(*e));
  authenticated_ = true;
  {
    // Registered before the endpoint reads any rule, so that no change after it goes unseen.
    const AuthMessage& a = std::get<AuthMessage>(outcome);
    access_.add(&conn_, AccessRecheck::Grant{a.project, a.principal, a.api_key_id, weak_, {}, {}});
  }
  rate_.emplace(config_.ws_rate_burst, limits::Clock::now());
  try {
    on_authenticated(std::get<AuthMessage>(outcome));
  } catch (const std::exception&) {
    fail(WsError{"INTERNAL_ERROR", {}});  // e.g. the store failed; the client reconnects
  }
}

// Token bucket of 8f: --ws-rate-burst tokens, refilled at --ws-rate-per-sec.
bool SessionBase::take_rate_token() {
  if (config_.ws_rate_per_sec <= 0 || !rate_) return true;
  return rate_->take(config_.ws_rate_per_sec, config_.ws_rate_burst, limits::Clock::now()).allowed;
}

void SessionBase::on_client_text(std::string_view text) {
  if (!take_rate_token()) {
    WsError e{"RATE_LIMITED", {}};
    e.extra["limit"] = config_.ws_rate_per_sec;
    return fail(std::move(e));
  }
  // After auth, bad messages are reported and the socket stays open (5.1.5).
  auto report = [&](WsError e) { send(error_message(e)); };
  json::value v;
  try {
    v = protocol::parse_json(text, {config_.max_json_depth});
  } catch (const protocol::JsonParseError&) {
    return report(WsError{"INVALID_JSON", {}});
  }
  auto* msg = v.if_object();
  if (!msg) return report(WsError{"INVALID_JSON", {}});
  auto it = msg->find("type");
  const json::value* type = it == msg->end() ? nullptr : &it->value();
  if (type && type->is_string()) {
    std::string_view t = type->get_string();
    if (t == "ping") return send(R"({"type":"pong"})");
    if (on_client_message(t, *msg)) return;
  }
  WsError e{"UNKNOWN_TYPE", {}};
  e.extra["received_type"] = type ? *type : json::value(nullptr);
  report(std::move(e));
}

}  // namespace cocobase::server::realtime
