#pragma once
// Keepalive and dead-connection detection (PROTOCOL 9.2): an application ping every
// ping_interval after the connection opened; a connection that received nothing (no message,
// no control frame) for ping_interval + pong_timeout is dead. The server answers every ping
// with a pong, so a live connection never stays silent that long.
//
// Pure: time is passed in, so tests drive it with a fake clock.
#include <chrono>

namespace cocobase::detail {

class Liveness {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Action { none, send_ping, dead };

  Liveness(std::chrono::milliseconds ping_interval, std::chrono::milliseconds pong_timeout)
      : ping_interval_(ping_interval), pong_timeout_(pong_timeout) {}

  void on_open(Clock::time_point now) {
    last_received_ = now;
    next_ping_ = now + ping_interval_;
  }
  void on_received(Clock::time_point now) { last_received_ = now; }

  // What is due at `now`. send_ping also schedules the next ping.
  Action poll(Clock::time_point now) {
    if (now - last_received_ >= ping_interval_ + pong_timeout_) return Action::dead;
    if (now >= next_ping_) {
      next_ping_ = now + ping_interval_;
      return Action::send_ping;
    }
    return Action::none;
  }

  // When poll() may next return something other than none.
  Clock::time_point next_deadline() const {
    const auto dead_at = last_received_ + ping_interval_ + pong_timeout_;
    return next_ping_ < dead_at ? next_ping_ : dead_at;
  }

 private:
  std::chrono::milliseconds ping_interval_, pong_timeout_;
  Clock::time_point last_received_{}, next_ping_{};
};

}  // namespace cocobase::detail
