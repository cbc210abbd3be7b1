#include "net/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <vector>

namespace cocobase::server::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// Bytes asked of the socket per read: a message is assembled from such chunks, so one over
// --ws-max-message-bytes is refused after at most this much more than the limit was buffered.
constexpr std::size_t kReadChunk = 16 * 1024;
// Time allowed for the opening and the closing handshake (PROTOCOL 5.1.6: 5 s to close).
constexpr auto kHandshakeTimeout = std::chrono::seconds(5);

bool is_expected(const beast::error_code& ec) {
  return ec == websocket::error::closed || ec == asio::error::operation_aborted || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == beast::error::timeout || ec == asio::error::broken_pipe;
}

class WsSession final : public realtime::Connection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream stream, realtime::Route route, realtime::RealtimeService& service,
            const ServerConfig& config)
      : ws_(std::move(stream)), route_(std::move(route)), service_(service), config_(config),
        auth_timer_(ws_.get_executor()), keepalive_timer_(ws_.get_executor()) {}

  ~WsSession() override { service_.release_connection(this); }

  void run(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();  // the websocket timeout option takes over
    ws_.set_option(websocket::stream_base::timeout{kHandshakeTimeout, websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "cocobase"); }));
    ws_.read_message_max(0);  // no Beast limit: on_read enforces ours, with an error message first
    ws_.auto_fragment(false);  // one frame per message (5.1.2)
    if (config_.ws_deflate) {
      websocket::permessage_deflate pmd;
      pmd.server_enable = true;  // only used when the client offers it
      ws_.set_option(pmd);
    }
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { last_activity_ = Clock::now(); });
    auto request = std::make_shared<http::request<http::string_body>>(std::move(req));
    ws_.async_accept(*request, [self = shared_from_this(), request](beast::error_code ec) { self->on_accept(ec); });
  }

  // --- realtime::Connection (any thread) ---------------------------------------------------

  // Frames go through `pending_` under a mutex rather than one post() each: Asio may run
  // handlers posted from the socket's own thread after ones posted later from other threads,
  // which would reorder a registry's fan-out (and `connected` after a live event).
  void send(realtime::Frame frame) override {
    if (closing_.load(std::memory_order_acquire)) return;
    std::size_t size = frame->size();
    if (queued_bytes_.fetch_add(size, std::memory_order_relaxed) + size > config_.ws_max_queue_bytes) {
      queued_bytes_.fetch_sub(size, std::memory_order_relaxed);
      return close_slow_consumer();
    }
    push_pending(Out{Out::text, std::move(frame), 0, {}, false});
  }

  std::size_t queued_bytes() const override { return queued_bytes_.load(std::memory_order_relaxed); }

  void when_drained(std::function<void()> fn) override {
    drained_ = std::move(fn);
    if (!writing_ && queue_.empty()) notify_drained();
  }

  void close(std::uint16_t code, std::string reason) override {
    if (closing_.exchange(true, std::memory_order_acq_rel)) return;
    push_pending(Out{Out::close, nullptr, code, std::move(reason), false});
  }

 private:
  struct Out {
    enum Kind { text, ping, close } kind;
    realtime::Frame frame;
    std::uint16_t code;
    std::string reason;
    bool discard;  // close: drop what is queued before it (slow consumer)
  };

  void push_pending(Out out) {
    {
      std::lock_guard lock(pending_mutex_);
      pending_.push_back(std::move(out));
      if (flush_posted_) return;
      flush_posted_ = true;
    }
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->flush_pending(); });
  }

  void flush_pending() {
    std::vector<Out> batch;
    {
      std::lock_guard lock(pending_mutex_);
      batch.swap(pending_);
      flush_posted_ = false;
    }
    for (auto& out : batch) {
      if (out.kind == Out::close) begin_close(out.code, std::move(out.reason), out.discard);
      else enqueue(std::move(out));
    }
  }

  void on_accept(beast::error_code ec) {
    if (ec) {
      if (!is_expected(ec)) spdlog::debug("websocket accept: {}", ec.message());
      return;
    }
    last_activity_ = last_ping_ = Clock::now();
    session_ = service_.open(route_, *this, weak_from_this());
    session_->on_open();
    auth_timer_.expires_after(std::chrono::milliseconds(config_.ws_auth_timeout_ms));
    auth_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e && self->session_) self->session_->on_auth_timeout();
    });
    arm_keepalive();
    read_next();
  }

  // --- inbound -------------------------------------------------------------------------------

  void read_next() {
    ws_.async_read_some(buffer_, kReadChunk,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return finish(ec);
    last_activity_ = Clock::now();
    bool whole = ws_.is_message_done();
    if (discarding_ || closing_.load(std::memory_order_relaxed)) {
      // The tail of a refused message, or anything after we started closing.
      buffer_.consume(buffer_.size());
      discarding_ = !whole;
      return read_next();
    }
    if (ws_.got_binary()) {
      refuse(whole);
      close(realtime::kCloseBinary, "");  // 5.1.2: no error message
      return read_next();
    }
    if (buffer_.size() > config_.ws_max_message_bytes) {
      refuse(whole);
      realtime::WsError e{"MESSAGE_TOO_LARGE", {}};
      e.extra["limit"] = config_.ws_max_message_bytes;
      realtime::send_error(*this, e);
      return read_next();
    }
    if (!whole) return read_next();
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (session_) session_->on_message(std::move(text));
    read_next();
  }

  void refuse(bool whole) {
    buffer_.consume(buffer_.size());
    discarding_ = !whole;
  }

  // The socket is finished (closed by either side, or failed): runs once.
  void finish(beast::error_code ec) {
    if (!is_expected(ec)) spdlog::debug("websocket: {}", ec.message());
    closing_.store(true, std::memory_order_release);
    auth_timer_.cancel();
    keepalive_timer_.cancel();
    queue_.clear();
    drained_ = nullptr;
    if (session_) {
      session_->on_closed();
      session_.reset();
    }
  }

  // --- keepalive (5.1.7) ---------------------------------------------------------------------

  // A value <= 0 turns pings or the idle cut-off off (rather than spinning on a zero period).
  void arm_keepalive() {
    const bool pings = config_.ws_ping_interval_ms > 0, idle = config_.ws_idle_timeout_ms > 0;
    if (!pings && !idle) return;
    auto ping_at = pings ? last_ping_ + std::chrono::milliseconds(config_.ws_ping_interval_ms) : Clock::time_point::max();
    auto idle_at = idle ? last_activity_ + std::chrono::milliseconds(config_.ws_idle_timeout_ms) : Clock::time_point::max();
    keepalive_timer_.expires_at(std::min(ping_at, idle_at));
    keepalive_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->on_keepalive();
    });
  }

  void on_keepalive() {
    if (closing_.load(std::memory_order_relaxed) || !session_) return;
    auto now = Clock::now();
    if (config_.ws_idle_timeout_ms > 0 && now >= last_activity_ + std::chrono::milliseconds(config_.ws_idle_timeout_ms)) {
      realtime::WsError e{"IDLE_TIMEOUT", {}};
      realtime::send_error(*this, e);
      return;
    }
    if (config_.ws_ping_interval_ms > 0 && now >= last_ping_ + std::chrono::milliseconds(config_.ws_ping_interval_ms)) {
      last_ping_ = now;
      enqueue(Out{Out::ping, nullptr, 0, {}, false});
    }
    arm_keepalive();
  }

  // --- outbound: one write at a time, in queue order -----------------------------------------

  void enqueue(Out out) {
    if (close_queued_) {
      if (out.frame) queued_bytes_.fetch_sub(out.frame->size(), std::memory_order_relaxed);
      return;
    }
    queue_.push_back(std::move(out));
    write_next();
  }

  // Drops everything not yet written and closes 4509 (8f). Any thread.
  void close_slow_consumer() {
    if (slow_.exchange(true)) return;
    realtime::RealtimeMetrics::add(service_.metrics().slow_consumer_closes);
    closing_.store(true, std::memory_order_release);
    {
      std::lock_guard lock(pending_mutex_);
      for (auto& o : pending_)
        if (o.frame) queued_bytes_.fetch_sub(o.frame->size(), std::memory_order_relaxed);
      pending_.clear();
    }
    push_pending(Out{Out::close, nullptr, realtime::kCloseSlowConsumer, "SLOW_CONSUMER", true});
  }

  // Queues the close frame after the pending frames (or instead of them: slow consumer).
  void begin_close(std::uint16_t code, std::string reason, bool discard) {
    if (close_queued_ || !session_) return;
    closing_.store(true, std::memory_order_release);
    if (discard) {
      // Keep only the frame being written: Beast must finish it before the close frame.
      while (queue_.size() > (writing_ ? 1u : 0u)) {
        if (queue_.back().frame) queued_bytes_.fetch_sub(queue_.back().frame->size(), std::memory_order_relaxed);
        queue_.pop_back();
      }
    }
    queue_.push_back(Out{Out::close, nullptr, code, std::move(reason), false});
    close_queued_ = true;
    write_next();
  }

  void write_next() {
    if (writing_ || queue_.empty()) return;
    writing_ = true;
    Out& out = queue_.front();
    auto done = [self = shared_from_this()](beast::error_code ec, std::size_t = 0) { self->on_written(ec); };
    switch (out.kind) {
      case Out::text:
        ws_.text(true);
        ws_.async_write(asio::buffer(*out.frame), done);
        break;
      case Out::ping:
        ws_.async_ping({}, [done](beast::error_code ec) { done(ec); });
        break;
      case Out::close:
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(out.code), out.reason), [done](beast::error_code ec) { done(ec); });
        break;
    }
  }

  void on_written(beast::error_code ec) {
    writing_ = false;
    if (queue_.empty()) return;  // cleared by finish()
    if (queue_.front().frame) queued_bytes_.fetch_sub(queue_.front().frame->size(), std::memory_order_relaxed);
    queue_.pop_front();
    if (ec) {
      // The read side sees the failure too and finishes the session.
      queue_.clear();
      drained_ = nullptr;
      return;
    }
    if (queue_.empty() && drained_) notify_drained();
    write_next();
  }

  // Posted, so that the callback never runs inside the caller's own frame.
  void notify_drained() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      if (!self->drained_ || self->close_queued_) return;
      auto fn = std::move(self->drained_);
      self->drained_ = nullptr;
      fn();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  realtime::Route route_;
  realtime::RealtimeService& service_;
  const ServerConfig& config_;
  std::unique_ptr<realtime::Session> session_;
  beast::flat_buffer buffer_;
  bool discarding_ = false;
  asio::steady_timer auth_timer_, keepalive_timer_;
  Clock::time_point last_activity_{}, last_ping_{};
  std::mutex pending_mutex_;
  std::vector<Out> pending_;  // guarded by pending_mutex_: sent, not yet in queue_
  bool flush_posted_ = false;  // guarded by pending_mutex_
  std::deque<Out> queue_;      // the socket thread's write queue
  std::function<void()> drained_;
  bool writing_ = false;
  bool close_queued_ = false;
  std::atomic<bool> closing_{false};
  std::atomic<bool> slow_{false};
  std::atomic<std::size_t> queued_bytes_{0};
};

}  // namespace

void start_ws_session(beast::tcp_stream stream, http::request<http::string_body> req, realtime::Route route,
                      realtime::RealtimeService& service, const ServerConfig& config) {
  std::make_shared<WsSession>(std::move(stream), std::move(route), service, config)->run(std::move(req));
}

}  // namespace cocobase::server::net
