// The only realtime file that includes Beast.
#include "realtime/ws_link.hpp"

#include "client_core.hpp"
#include "json_members.hpp"
#include "realtime/liveness.hpp"
#include "realtime/send_pacer.hpp"

#include <cocobase/protocol/json.hpp>
#include <cocobase/protocol/realtime_codes.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <optional>

namespace cocobase::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::any_io_executor>;

struct Outgoing {
  enum Kind { auth, ping, message } kind = message;
  std::string text;
};

// One connection attempt. Handlers hold it, so the buffers of a pending write stay valid
// after the link moved on to the next attempt.
struct Attempt {
  explicit Attempt(const Strand& strand) : ws(strand) {}
  websocket::stream<beast::tcp_stream> ws;
  websocket::response_type upgrade_response;
  beast::flat_buffer buffer;
  Outgoing in_flight;
  bool open = false;  // upgraded
};

// Events carry two copies of a document (up to 1 MiB each, 8f) plus old_data.
constexpr std::size_t kMaxIncomingMessage = 64u << 20;

class WsLinkImpl final : public WsLink, public std::enable_shared_from_this<WsLinkImpl> {
 public:
  WsLinkImpl(std::shared_ptr<ClientCore> core, std::string path, WsLinkEvents events)
      : core_(std::move(core)),
        options_(core_->config().realtime),
        path_(core_->base_url().path_prefix + path),
        events_(std::move(events)),
        strand_(asio::make_strand(core_->io().executor())),
        resolver_(strand_),
        reconnect_timer_(strand_),
        tick_timer_(strand_),
        backoff_(options_, default_random01),
        liveness_(options_.ping_interval, options_.pong_timeout),
        pacer_(options_.send_rate_per_sec, options_.send_burst) {}

  void start() override {
    asio::post(strand_, [self = shared_from_this()] { self->connect_attempt(); });
  }

  void confirmed() override {
    confirmed_ = true;
    confirmed_flag_ = true;
    backoff_.reset();
    pump();
  }

  void send(std::string text) override {
    if (closed()) throw Error("the connection is closed");
    if (text.size() > options_.max_message_bytes)
      throw Error("message of " + std::to_string(text.size()) + " bytes is over the limit of " +
                  std::to_string(options_.max_message_bytes));
    if (queued_.fetch_add(1) >= options_.max_queued_messages) {
      queued_.fetch_sub(1);
      throw Error("outgoing queue full");
    }
    asio::post(strand_, [self = shared_from_this(), t = std::move(text)]() mutable {
      self->queue_.push_back({Outgoing::message, std::move(t)});
      self->pump();
    });
  }

  void close() override {
    if (closed_.exchange(true)) return;
    asio::post(strand_, [self = shared_from_this()] { self->shutdown(); });
  }

  void post(std::function<void()> f) override {
    asio::post(strand_, [self = shared_from_this(), f = std::move(f)] {
      if (!self->closed_) f();
    });
  }

  void post_after(std::chrono::milliseconds delay, std::function<void()> f) override {
    auto timer = std::make_shared<asio::steady_timer>(strand_, delay);
    timer->async_wait([self = shared_from_this(), timer, f = std::move(f)](beast::error_code ec) {
      if (!ec && !self->closed_) f();
    });
  }

  bool confirmed_now() const override { return confirmed_flag_.load(); }
  bool closed() const override { return closed_.load() || terminated_.load(); }

 private:
  // --- connecting
  void connect_attempt() {
    if (closed_) return;
    auto att = std::make_shared<Attempt>(strand_);
    attempt_ = att;
    resolver_.async_resolve(core_->base_url().host, core_->base_url().port,
                            [self = shared_from_this(), att](beast::error_code ec, tcp::resolver::results_type r) {
                              self->on_resolved(att, ec, std::move(r));
                            });
  }

  void on_resolved(const std::shared_ptr<Attempt>& att, beast::error_code ec,
                   tcp::resolver::results_type results) {
    if (stale(att)) return;
    if (ec) return attempt_failed(att, "CONNECT_FAILED", "resolve: " + ec.message(), 0);
    beast::get_lowest_layer(att->ws).expires_after(options_.connect_timeout);
    beast::get_lowest_layer(att->ws).async_connect(
        results, [self = shared_from_this(), att](beast::error_code ec, const tcp::endpoint&) {
          self->on_connected(att, ec);
        });
  }

  void on_connected(const std::shared_ptr<Attempt>& att, beast::error_code ec) {
    if (stale(att)) return;
    if (ec) return attempt_failed(att, "CONNECT_FAILED", "connect: " + ec.message(), 0);
    beast::get_lowest_layer(att->ws).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = options_.connect_timeout;
    t.idle_timeout = websocket::stream_base::none();  // Liveness does this, with app pings
    t.keep_alive_pings = false;
    att->ws.set_option(t);
    att->ws.read_message_max(kMaxIncomingMessage);
    std::weak_ptr<WsLinkImpl> weak = shared_from_this();
    att->ws.control_callback([weak](websocket::frame_type, beast::string_view) {
      if (auto self = weak.lock()) self->liveness_.on_received(Clock::now());
    });
    att->ws.async_handshake(att->upgrade_response, core_->base_url().host_header, path_,
                            [self = shared_from_this(), att](beast::error_code ec) {
                              self->on_upgraded(att, ec);
                            });
  }

  void on_upgraded(const std::shared_ptr<Attempt>& att, beast::error_code ec) {
    if (stale(att)) return;
    if (ec) {
      const int status = att->upgrade_response.result_int();
      // 429: the server's connection limit; back off as for close 4429.
      const std::uint16_t as_close = status == 429 ? protocol::kCloseRateLimited : 0;
      std::string what = "upgrade: " + ec.message();
      if (status) what += " (HTTP " + std::to_string(status) + ")";
      return attempt_failed(att, "CONNECT_FAILED", what, as_close);
    }
    att->open = true;
    liveness_.on_open(Clock::now());
    json::object auth = events_.auth_message ? events_.auth_message() : json::object{};
    write(att, {Outgoing::auth, protocol::to_json(auth)});
    read(att);
    arm_tick();
  }

  // --- reading
  void read(const std::shared_ptr<Attempt>& att) {
    att->ws.async_read(att->buffer, [self = shared_from_this(), att](beast::error_code ec, std::size_t) {
      self->on_read(att, ec);
    });
  }

  void on_read(const std::shared_ptr<Attempt>& att, beast::error_code ec) {
    if (stale(att)) return;
    if (ec) return connection_closed(att, ec);
    liveness_.on_received(Clock::now());
    std::string text = beast::buffers_to_string(att->buffer.data());
    att->buffer.consume(att->buffer.size());
    dispatch(std::move(text));
    if (!stale(att)) read(att);
  }

  void dispatch(std::string text) {
    json::value v;
    try {
      v = protocol::parse_json(text);
    } catch (const protocol::JsonParseError& e) {
      return report({"PROTOCOL_ERROR", "undecodable message: " + e.message, 0, false, text});
    }
    if (!v.is_object()) return report({"PROTOCOL_ERROR", "message is not an object", 0, false, text});
    json::object msg = std::move(v.as_object());
    if (string_member(msg, "type") == "error") note_error(msg, text);
    if (!closed_ && events_.on_message) events_.on_message(std::move(msg));
  }

  // An error message that closes is reported with its close (so the report knows whether it is
  // terminal); one that does not close is reported now.
  void note_error(const json::object& msg, const std::string& text) {
    RealtimeError e{string_member(msg, "code"), string_member(msg, "error"), 0, false, text};
    if (protocol::error_close_code(e.code) == 0) return report(std::move(e));
    pending_error_ = std::move(e);
  }

  // --- closing and reconnecting
  void connection_closed(const std::shared_ptr<Attempt>& att, beast::error_code ec) {
    std::uint16_t code = protocol::kCloseAbnormal;
    std::string reason;
    if (ec == websocket::error::closed) {
      code = static_cast<std::uint16_t>(att->ws.reason().code);
      reason = std::string(att->ws.reason().reason.data(), att->ws.reason().reason.size());
    }
    teardown();
    if (closed_) return;
    std::optional<RealtimeError> error = std::exchange(pending_error_, std::nullopt);
    if (protocol::close_reaction(code) == protocol::CloseReaction::terminal) {
      terminated_ = true;  // closed() holds inside the on_error/on_close callbacks below
      RealtimeError e = error.value_or(RealtimeError{"CLOSED", "closed by the server", 0, false, ""});
      e.close_code = code;
      e.terminal = true;
      report(std::move(e));
      if (events_.on_close && !closed_) events_.on_close({code, reason, false});
      closed_ = true;
      return;
    }
    if (error) {
      error->close_code = code;
      report(std::move(*error));
    }
    if (events_.on_close && !closed_) events_.on_close({code, reason, true});
    schedule_reconnect(code);
  }

  void attempt_failed(const std::shared_ptr<Attempt>&, std::string code, std::string message,
                      std::uint16_t as_close) {
    teardown();
    if (closed_) return;
    report({std::move(code), std::move(message), as_close, false, ""});
    schedule_reconnect(as_close);
  }

  void schedule_reconnect(std::uint16_t close_code) {
    if (closed_) return;
    const auto delay = backoff_.next_delay(close_code);
    if (events_.on_reconnect) events_.on_reconnect({backoff_.attempt(), delay});
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->connect_attempt();
    });
  }

  void teardown() {
    confirmed_ = false;
    confirmed_flag_ = false;
    writing_ = false;
    tick_timer_.cancel();
    std::erase_if(queue_, [](const Outgoing& o) { return o.kind == Outgoing::ping; });
    if (auto att = std::exchange(attempt_, nullptr)) {
      beast::error_code ignored;
      beast::get_lowest_layer(att->ws).socket().close(ignored);
    }
  }

  void shutdown() {
    reconnect_timer_.cancel();
    tick_timer_.cancel();
    resolver_.cancel();
    auto att = std::exchange(attempt_, nullptr);
    confirmed_ = false;
    confirmed_flag_ = false;
    events_ = {};  // drop the owner's captures now: nothing is delivered after close
    if (!att) return;
    if (!att->open) {
      beast::error_code ignored;
      beast::get_lowest_layer(att->ws).socket().close(ignored);
      return;
    }
    // A polite close; Beast gives up after the handshake timeout and the socket closes with
    // the last reference to the attempt.
    att->ws.async_close(websocket::close_code::normal, [att](beast::error_code) {});
  }

  // --- writing, pings and liveness
  void pump() {
    auto att = attempt_;
    if (!att || !att->open || writing_ || !confirmed_ || queue_.empty()) return;
    if (!pacer_.try_take(Clock::now())) return arm_tick();
    Outgoing next = std::move(queue_.front());
    queue_.pop_front();
    write(att, std::move(next));
  }

  void write(const std::shared_ptr<Attempt>& att, Outgoing out) {
    writing_ = true;
    att->in_flight = std::move(out);
    att->ws.text(true);
    att->ws.async_write(asio::buffer(att->in_flight.text),
                        [self = shared_from_this(), att](beast::error_code ec, std::size_t) {
                          self->on_written(att, ec);
                        });
  }

  void on_written(const std::shared_ptr<Attempt>& att, beast::error_code ec) {
    const bool is_message = att->in_flight.kind == Outgoing::message;
    if (ec) {
      // Not known to be sent: the next connection sends it again, ahead of newer messages.
      if (is_message && !closed_) queue_.push_front(std::move(att->in_flight));
      if (!stale(att)) writing_ = false;
      return;  // the read fails too and handles the close
    }
    if (is_message) queued_.fetch_sub(1);
    if (stale(att)) return;
    writing_ = false;
    pump();
  }

  void arm_tick() {
    if (!attempt_ || !attempt_->open) return;
    auto at = liveness_.next_deadline();
    if (confirmed_ && !writing_ && !queue_.empty()) at = std::min(at, pacer_.next_available(Clock::now()));
    tick_timer_.expires_at(at);
    tick_timer_.async_wait([self = shared_from_this(), att = attempt_](beast::error_code ec) {
      if (!ec && !self->stale(att)) self->tick(att);
    });
  }

  void tick(const std::shared_ptr<Attempt>& att) {
    switch (liveness_.poll(Clock::now())) {
      case Liveness::Action::dead:
        pending_error_ = RealtimeError{"DEAD_CONNECTION", "no message or pong from the server in time", 0, false, ""};
        // Closing the socket fails the pending read, which reports and reconnects.
        {
          beast::error_code ignored;
          beast::get_lowest_layer(att->ws).socket().close(ignored);
        }
        return;
      case Liveness::Action::send_ping:
        if (confirmed_) queue_.push_back({Outgoing::ping, R"({"type":"ping"})"});
        break;
      case Liveness::Action::none:
        break;
    }
    pump();
    arm_tick();
  }

  void report(RealtimeError e) {
    if (!closed_ && events_.on_error) events_.on_error(e);
  }

  bool stale(const std::shared_ptr<Attempt>& att) const { return closed_ || att != attempt_; }

  std::shared_ptr<ClientCore> core_;
  RealtimeOptions options_;
  std::string path_;
  WsLinkEvents events_;
  Strand strand_;
  tcp::resolver resolver_;
  asio::steady_timer reconnect_timer_, tick_timer_;
  Backoff backoff_;
  Liveness liveness_;
  SendPacer pacer_;

  std::shared_ptr<Attempt> attempt_;
  std::deque<Outgoing> queue_;
  bool writing_ = false;
  bool confirmed_ = false;
  std::optional<RealtimeError> pending_error_;

  std::atomic<bool> closed_{false};
  std::atomic<bool> terminated_{false};  // a terminal close is being reported (then closed_)
  std::atomic<bool> confirmed_flag_{false};
  std::atomic<std::size_t> queued_{0};
};

}  // namespace

std::shared_ptr<WsLink> WsLink::create(std::shared_ptr<ClientCore> core, std::string path,
                                       WsLinkEvents events) {
  return std::make_shared<WsLinkImpl>(std::move(core), std::move(path), std::move(events));
}

}  // namespace cocobase::detail
