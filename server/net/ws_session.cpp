#include "net/ws_session.hpp"

#include "net/control_slot.hpp"
#include "net/memory_trim.hpp"
#include "net/thread_outbox.hpp"
#include "net/ws_frame_reader.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace cocobase::server::net {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using realtime::Frame;
using realtime::WireFrame;
using realtime::WsOpcode;

// Time the client has to answer our close frame, and to end the TCP connection after it.
constexpr auto kCloseTimeout = std::chrono::seconds(5);
// Bytes of queued frames written per send call: a burst to a connection goes out in few calls.
constexpr std::size_t kWriteBatch = 64 * 1024;
// Reads per readiness before yielding to the other connections of the thread.
constexpr int kReadsPerTurn = 8;
// While the thread's outbox is midway through a write turn, a connection reads only this much
// per turn. A lone message (a steady publisher) still joins the turn, but a publisher in a
// burst cannot queue far more than the thread writes: one 64 KiB read of small messages is
// ~400 messages, i.e. 400,000 deliveries at 1,000 receivers (docs/benchmarks.md).
constexpr std::size_t kReadWhileWriting = 4096;

// One per I/O thread: a socket is read into this and only an incomplete frame is kept by the
// connection, so that an idle connection holds no read buffer.
char* read_scratch(std::size_t& size) {
  thread_local std::array<char, 64 * 1024> scratch;
  size = scratch.size();
  return scratch.data();
}

char* write_scratch() {
  thread_local std::array<char, kWriteBatch> scratch;
  return scratch.data();
}

// For the waits an idle connection keeps pending (readable, timer). Asio's default allocator
// (std::allocator included) recycles per-thread blocks, so a small wait op would sit in the
// larger block the HTTP exchange freed: about 600 bytes per idle connection, measured with
// heaptrack. A distinct allocator type makes these exact-size allocations.
template <class T>
struct ExactAllocator {
  using value_type = T;
  ExactAllocator() = default;
  template <class U>
  ExactAllocator(const ExactAllocator<U>&) {}
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
  friend bool operator==(const ExactAllocator&, const ExactAllocator&) { return true; }
};

template <class Handler>
auto exact_alloc(Handler h) {
  return asio::bind_allocator(ExactAllocator<void>(), std::move(h));
}

Frame ping_frame() {
  static const Frame ping = std::make_shared<const WireFrame>(WsOpcode::ping, "");
  return ping;
}

Frame close_frame(std::uint16_t code, std::string_view reason) {
  if (code == 1005) return std::make_shared<const WireFrame>(WsOpcode::close, "");  // no status
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  payload += reason.substr(0, 123);
  return std::make_shared<const WireFrame>(WsOpcode::close, payload);
}

class WsSession final : public realtime::Connection,
                        public OutboxTarget,
                        private WsFrameHandler,
                        public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(asio::ip::tcp::socket socket, std::optional<DeflateAgreement> deflate, realtime::RealtimeService& service,
            const ServerConfig& config)
      : socket_(std::move(socket)), timer_(socket_.get_executor()),
        outbox_(asio::use_service<ThreadOutbox>(socket_.get_executor().context())), service_(service), config_(config),
        inflater_(deflate ? std::make_unique<WsInflater>() : nullptr),
        deflate_bits_(deflate ? deflate->server_window_bits : 0),
        reader_(config.ws_max_message_bytes, inflater_.get()) {}

  ~WsSession() override { service_.release_connection(this); }

  // The handshake and the route live only until the session opens: idle connections are many.
  void run(std::string handshake, realtime::Route route) {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    close_deadline_ = Clock::now() + kCloseTimeout;  // bounds the handshake write too
    arm_timer();
    auto state = std::make_shared<std::pair<std::string, realtime::Route>>(std::move(handshake), std::move(route));
    asio::async_write(socket_, asio::buffer(state->first),
                      [self = shared_from_this(), state](boost::system::error_code e, std::size_t) {
                        if (e) return self->finish();
                        self->on_open(state->second);
                      });
  }

  // --- realtime::Connection (any thread) ---------------------------------------------------

  // Frames go through the thread's outbox rather than one post() each: a fan-out then costs one
  // post per thread, and the outbox keeps the order of sends made from different threads
  // (Asio may run a handler posted from the socket's own thread after one posted later from
  // another thread, which would put `connected` after a live event).
  void send(Frame frame) override {
    if (closing_.load(std::memory_order_acquire)) return;
    std::size_t size = frame->size();
    std::size_t queued = queued_bytes_.fetch_add(size, std::memory_order_relaxed) + size;
    if (queued > config_.ws_max_queue_bytes) {
      queued_bytes_.fetch_sub(size, std::memory_order_relaxed);
      large_queue_.store(true, std::memory_order_relaxed);
      return close_slow_consumer();
    }
    if (queued >= kTrimAfterQueueBytes) large_queue_.store(true, std::memory_order_relaxed);
    outbox_.send(*this, std::move(frame));
  }

  std::size_t queued_bytes() const override { return queued_bytes_.load(std::memory_order_relaxed); }

  void when_drained(std::function<void()> fn) override {
    drained_ = std::move(fn);
    if (queue_empty()) notify_drained();
  }

  // The close frame goes through the outbox too, so that it follows the frames sent before.
  void close(std::uint16_t code, std::string reason) override {
    if (closing_.exchange(true, std::memory_order_acq_rel)) return;
    outbox_.send(*this, close_frame(code, reason));
  }

 private:
  // --- OutboxTarget (the socket's thread) ------------------------------------------------------

  bool accept(Frame frame) override {
    if (frame->opcode() == WsOpcode::close) {
      begin_close(std::move(frame), slow_.load(std::memory_order_relaxed));
    } else if (done_ || close_queued_) {
      uncount(frame);
      return false;
    } else {
      queue_.push_back(deflate_bits_ ? compress(std::move(frame)) : std::move(frame));
    }
    if (in_turn_ || done_) return false;
    in_turn_ = true;
    return true;
  }

  void write() override {
    in_turn_ = false;
    write_queued();
  }

  std::shared_ptr<OutboxTarget> strong() override { return shared_from_this(); }

  // Each receiver compresses on its own (server_no_context_takeover keeps that stateless).
  Frame compress(Frame f) {
    Frame out = std::make_shared<const WireFrame>(WsOpcode::text, deflate_message(f->text(), deflate_bits_), true);
    count(out);
    uncount(f);
    return out;
  }

  void on_open(const realtime::Route& route) {
    if (done_) return;
    auto now = Clock::now();
    last_activity_ = last_ping_ = now;
    close_deadline_ = Clock::time_point::max();
    auth_deadline_ = now + std::chrono::milliseconds(config_.ws_auth_timeout_ms);
    session_ = service_.open(route, *this, weak_from_this());
    session_->on_open();
    arm_timer();
    read_available();
  }

  // --- inbound -------------------------------------------------------------------------------

  void wait_readable() {
    socket_.async_wait(asio::socket_base::wait_read, exact_alloc([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->finish();
      self->read_available();
    }));
  }

  // Reads until the socket has nothing more (Asio's reactor is edge-triggered), or yields.
  void read_available() {
    std::size_t size = 0;
    char* buf = read_scratch(size);
    int reads = kReadsPerTurn;
    if (outbox_.writing()) {
      size = kReadWhileWriting;
      reads = 1;
    }
    for (int i = 0; i < reads; ++i) {
      if (done_) return;
      ssize_t n = ::recv(socket_.native_handle(), buf, size, 0);
      if (n > 0) {
        last_activity_ = Clock::now();
        if (!torn_down_) reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)), *this);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return wait_readable();
      return finish();  // EOF or a socket error
    }
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->read_available(); });
  }

  // --- WsFrameHandler --------------------------------------------------------------------------

  void on_text(std::string message) override {
    if (!closing_.load(std::memory_order_relaxed) && session_) session_->on_message(std::move(message));
  }

  void on_binary() override { close(realtime::kCloseBinary, ""); }  // 5.1.2: no error message

  void on_too_large() override {
    if (closing_.load(std::memory_order_relaxed)) return;
    realtime::WsError e{"MESSAGE_TOO_LARGE", {}};
    e.extra["limit"] = config_.ws_max_message_bytes;
    realtime::send_error(*this, e);
  }

  void on_ping(std::string_view payload) override {
    enqueue_control(std::make_shared<const WireFrame>(WsOpcode::pong, payload), pong_slot_, true);
  }

  void on_pong() override {}  // any frame counts as activity

  void on_close(std::uint16_t code) override {
    close_received_ = true;
    if (close_queued_) {
      if (close_written_) teardown();
      return;
    }
    closing_.store(true, std::memory_order_release);
    begin_close(close_frame(code, ""), false);  // echo the status (RFC 6455 5.5.1)
    write_queued();
  }

  void on_violation(std::uint16_t code) override {
    // RFC 6455 7.1.7: send the close frame, then end the connection without waiting.
    fail_after_close_ = true;
    closing_.store(true, std::memory_order_release);
    if (!close_queued_) begin_close(close_frame(code, ""), true);
    else if (close_written_) teardown();
    write_queued();
  }

  // --- keepalive (5.1.7), auth timeout, closing handshake: one timer -------------------------

  void arm_timer() {
    if (done_) return;
    Clock::time_point at = std::min(auth_deadline_, close_deadline_);
    if (!close_queued_) {
      if (config_.ws_ping_interval_ms > 0) at = std::min(at, last_ping_ + std::chrono::milliseconds(config_.ws_ping_interval_ms));
      if (config_.ws_idle_timeout_ms > 0) at = std::min(at, last_activity_ + std::chrono::milliseconds(config_.ws_idle_timeout_ms));
    }
    // A later deadline needs no new wait: the earlier one fires and re-arms from the new state.
    if (at == Clock::time_point::max() || (timer_at_ != Clock::time_point{} && at >= timer_at_)) return;
    timer_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait(exact_alloc([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->on_timer();
    }));
  }

  void on_timer() {
    timer_at_ = {};
    if (done_) return;
    auto now = Clock::now();
    if (now >= close_deadline_) return finish();
    if (now >= auth_deadline_) {
      auth_deadline_ = Clock::time_point::max();
      if (session_) session_->on_auth_timeout();  // ignored once authenticated
    }
    if (!close_queued_ && !closing_.load(std::memory_order_relaxed)) {
      if (config_.ws_idle_timeout_ms > 0 && now >= last_activity_ + std::chrono::milliseconds(config_.ws_idle_timeout_ms)) {
        realtime::WsError e{"IDLE_TIMEOUT", {}};
        realtime::send_error(*this, e);
      } else if (config_.ws_ping_interval_ms > 0 && now >= last_ping_ + std::chrono::milliseconds(config_.ws_ping_interval_ms)) {
        last_ping_ = now;
        enqueue_control(ping_frame(), ping_slot_, false);
      }
    }
    arm_timer();
  }

  // --- outbound ------------------------------------------------------------------------------

  // At most one frame of a kind is owed (control_slot.hpp): an unsent one is replaced
  // (`replace`: a pong answers the latest ping) or kept (our ping). What is queued counts
  // against --ws-max-queue-bytes like any frame.
  void enqueue_control(Frame f, ControlSlot& slot, bool replace) {
    if (done_ || close_queued_) return;
    if (std::size_t i = slot.replaceable(head_, head_offset_); i != ControlSlot::npos) {
      if (!replace) return;
      count(f);
      uncount(queue_[i]);
      queue_[i] = std::move(f);
      return write_queued();
    }
    std::size_t size = f->size();
    if (queued_bytes_.load(std::memory_order_relaxed) + size > config_.ws_max_queue_bytes) return close_slow_consumer();
    count(f);
    slot.queued(queue_.size());
    queue_.push_back(std::move(f));
    write_queued();
  }

  void queue_truncated(std::size_t size) {
    pong_slot_.truncated(size);
    ping_slot_.truncated(size);
  }

  // Drops everything not yet written and closes 4509 (8f). Any thread.
  void close_slow_consumer() {
    if (slow_.exchange(true)) return;
    realtime::RealtimeMetrics::add(service_.metrics().slow_consumer_closes);
    closing_.store(true, std::memory_order_release);
    outbox_.send(*this, close_frame(realtime::kCloseSlowConsumer, "SLOW_CONSUMER"));
  }

  // Queues the close frame after the queued frames (or instead of them: `discard`).
  void begin_close(Frame close, bool discard) {
    if (close_queued_ || done_) return;
    closing_.store(true, std::memory_order_release);
    if (discard) {
      // A frame partly written must be finished, or the stream would be corrupt.
      std::size_t keep = head_ + (head_offset_ > 0 ? 1 : 0);
      for (std::size_t i = keep; i < queue_.size(); ++i) uncount(queue_[i]);
      queue_.resize(keep);
      queue_truncated(keep);
    }
    close_frame_ = close.get();
    count(close);
    queue_.push_back(std::move(close));
    close_queued_ = true;
    close_deadline_ = Clock::now() + kCloseTimeout;
    arm_timer();
  }

  bool queue_empty() const { return head_ == queue_.size(); }

  // Every frame sent and not yet written or dropped is counted in queued_bytes_, control frames
  // included.
  void count(const Frame& f) { queued_bytes_.fetch_add(f->size(), std::memory_order_relaxed); }
  void uncount(const Frame& f) { queued_bytes_.fetch_sub(f->size(), std::memory_order_relaxed); }

  // Writes everything queued in as few send calls as it takes; waits for the socket only when
  // the kernel's buffer is full. Several frames are copied into one per-thread buffer first:
  // the kernel's per-segment cost of a gathered write (usercopy checks, iteration) measured
  // higher than the memcpy of small frames (docs/benchmarks.md).
  void write_queued() {
    if (done_ || write_waiting_) return;
    while (!queue_empty()) {
      std::string_view first = queue_[head_]->wire().substr(head_offset_);
      std::string_view out = first;
      if (head_ + 1 < queue_.size() && first.size() < kWriteBatch) out = gather(first);
      ssize_t written = ::send(socket_.native_handle(), out.data(), out.size(), MSG_NOSIGNAL);
      if (written < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return wait_writable();
        return finish();
      }
      consume(static_cast<std::size_t>(written));
    }
    queue_.clear();
    queue_truncated(0);
    head_ = 0;
    if (queue_.capacity() > 64) std::vector<Frame>().swap(queue_);
    trim_if_was_large();
    if (drained_) notify_drained();
  }

  // Copies queued frames, from `first` on, into the thread's write buffer up to its size.
  std::string_view gather(std::string_view first) {
    char* buf = write_scratch();
    std::size_t used = 0;
    for (std::size_t i = head_; i < queue_.size(); ++i) {
      std::string_view w = i == head_ ? first : queue_[i]->wire();
      std::size_t n = std::min(w.size(), kWriteBatch - used);
      std::memcpy(buf + used, w.data(), n);
      used += n;
      if (used == kWriteBatch) break;
    }
    return {buf, used};
  }

  // Pops the frames `written` bytes completed.
  void consume(std::size_t written) {
    while (written > 0) {
      std::size_t left = queue_[head_]->size() - head_offset_;
      if (written < left) {
        head_offset_ += written;
        return;
      }
      written -= left;
      head_offset_ = 0;
      Frame done = std::move(queue_[head_++]);
      uncount(done);
      if (done.get() == close_frame_) on_close_written();
    }
  }

  void wait_writable() {
    write_waiting_ = true;
    socket_.async_wait(asio::socket_base::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
      self->write_waiting_ = false;
      if (ec) return self->finish();
      self->write_queued();
    });
  }

  void on_close_written() {
    close_written_ = true;
    if (close_received_ || fail_after_close_) teardown();
  }

  // The closing handshake is over: end the TCP connection, reading until the client's FIN so
  // that unread bytes do not turn our FIN into a reset (bounded by the close timer).
  void teardown() {
    if (torn_down_) return;
    torn_down_ = true;
    boost::system::error_code ec;
    socket_.shutdown(asio::socket_base::shutdown_send, ec);
    if (ec) finish();
  }

  // A queue that was large has emptied: its frames were freed one by one (memory_trim.hpp).
  void trim_if_was_large() {
    if (large_queue_.load(std::memory_order_relaxed) && large_queue_.exchange(false, std::memory_order_relaxed))
      release_freed_memory(socket_.get_executor());
  }

  // Posted, so that the callback never runs inside the caller's own frame.
  void notify_drained() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->drained_ || self->close_queued_ || self->done_) return;
      auto fn = std::move(self->drained_);
      self->drained_ = nullptr;
      fn();
    });
  }

  // The socket is finished (closed by either side, or failed): runs once.
  void finish() {
    if (done_) return;
    done_ = true;
    closing_.store(true, std::memory_order_release);
    boost::system::error_code ec;
    timer_.cancel();
    socket_.close(ec);
    for (std::size_t i = head_; i < queue_.size(); ++i) uncount(queue_[i]);
    std::vector<Frame>().swap(queue_);
    queue_truncated(0);
    head_ = head_offset_ = 0;
    trim_if_was_large();
    drained_ = nullptr;
    if (session_) {
      session_->on_closed();
      session_.reset();
    }
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  ThreadOutbox& outbox_;
  realtime::RealtimeService& service_;
  const ServerConfig& config_;
  std::unique_ptr<WsInflater> inflater_;
  int deflate_bits_;  // 0: no permessage-deflate
  WsFrameReader reader_;
  std::unique_ptr<realtime::Session> session_;

  Clock::time_point last_activity_{}, last_ping_{}, timer_at_{};
  Clock::time_point auth_deadline_ = Clock::time_point::max(), close_deadline_ = Clock::time_point::max();

  std::vector<Frame> queue_;  // the socket thread's write queue; [head_, end) is unwritten
  std::size_t head_ = 0, head_offset_ = 0;
  ControlSlot pong_slot_, ping_slot_;  // our unsent pong and ping, if any
  std::function<void()> drained_;
  bool write_waiting_ = false;
  bool in_turn_ = false;  // the outbox will call write()
  const WireFrame* close_frame_ = nullptr;  // ours, once queued
  bool close_queued_ = false, close_written_ = false, close_received_ = false;
  bool fail_after_close_ = false, torn_down_ = false, done_ = false;
  std::atomic<bool> closing_{false};
  std::atomic<bool> slow_{false};
  std::atomic<bool> large_queue_{false};  // queued bytes reached kTrimAfterQueueBytes since the last trim
  std::atomic<std::size_t> queued_bytes_{0};
};

}  // namespace

void start_ws_session(asio::ip::tcp::socket socket, std::string handshake, std::optional<DeflateAgreement> deflate,
                      realtime::Route route, realtime::RealtimeService& service, const ServerConfig& config) {
  std::make_shared<WsSession>(std::move(socket), std::move(deflate), service, config)
      ->run(std::move(handshake), std::move(route));
}

}  // namespace cocobase::server::net
