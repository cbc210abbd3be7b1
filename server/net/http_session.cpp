#include "net/http_session.hpp"

#include "net/http_framing.hpp"
#include "net/ws_handshake.hpp"
#include "net/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <spdlog/spdlog.h>

#include <optional>

namespace cocobase::server::net {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

// A keep-alive connection with no request in flight is closed after this long: it bounds the
// sockets an idle or abandoned client can hold.
constexpr auto kIdleTimeout = std::chrono::seconds(120);
// Generous enough for any token or cookie a client sends (tokens over 8 KiB are refused by
// the auth layer with a clear 401), small enough to bound memory per connection. A chunked
// body's extensions and trailers count against it too (they are header-like metadata read
// before anything is authenticated).
constexpr std::uint32_t kHeaderLimit = 64 * 1024;
// Bytes asked of the socket per read.
constexpr std::size_t kReadSize = 64 * 1024;
// After an error answer the client may still be sending; closing with its bytes unread makes
// the kernel send a reset, which can destroy the answer before the client reads it. So what
// still comes is read and dropped for this long, up to this much (nginx's lingering close).
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1024 * 1024;

bool is_expected(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == beast::error::timeout || ec == asio::error::eof ||
         ec == asio::error::broken_pipe;
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(asio::ip::tcp::socket socket, ConnectionLimit::Slot slot, api::Api& api,
              realtime::RealtimeService* realtime, const ServerConfig& config)
      : stream_(std::move(socket)), slot_(std::move(slot)), api_(api), realtime_(realtime), config_(config) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = peer.address().to_string();
    on_chunk_header_ = [this](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
      metadata_ += extensions.size();
      if (metadata_ > kHeaderLimit) ec = http::error::header_limit;
    };
  }

  void start() { read_next(); }

 private:
  void read_next() {
    parser_.emplace();
    parser_->body_limit(config_.max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    parser_->on_chunk_header(on_chunk_header_);
    metadata_ = 0;
    unparsed_.reset();
    head_ = false;
    stream_.expires_after(kIdleTimeout);
    parse_buffered();
  }

  // What http::async_read does, plus a look at what the parser leaves unparsed after each
  // read (http_framing.hpp): that is where Beast buffers chunk lines and trailers unbounded.
  // Not eager: each put() is one step, so the header's size is the step that completes it.
  void parse_buffered() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
      beast::error_code ec;
      bool had_header = parser_->is_header_done();
      std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (used > 0) unparsed_.reset();
      if (!had_header && parser_->is_header_done()) metadata_ += used;
      if (ec == http::error::need_more) break;
      if (ec) return on_read(ec);
      if (used == 0) break;
    }
    if (parser_->is_done()) return on_read({});
    if (buffer_.size() > 0) {
      bool in_chunks = parser_->is_header_done() && parser_->chunked();
      auto data = buffer_.cdata();
      std::string_view held(static_cast<const char*>(data.data()), data.size());
      switch (unparsed_.check(held, in_chunks, metadata_ < kHeaderLimit ? kHeaderLimit - metadata_ : 0)) {
        case Unparsed::too_large:
          return on_read(http::error::header_limit);
        case Unparsed::malformed:
          return on_read(in_chunks ? http::error::bad_chunk : http::error::bad_line_ending);
        case Unparsed::ok:
          break;
      }
    }
    auto space = buffer_.prepare(beast::read_size(buffer_, kReadSize));
    stream_.async_read_some(space, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      if (ec == asio::error::eof) {
        // As Beast's read: EOF between requests ends the stream; inside one, the message is cut.
        if (!self->parser_->got_some()) return self->on_read(http::error::end_of_stream);
        self->parser_->put_eof(ec);
        if (!ec && !self->parser_->is_done()) ec = http::error::partial_message;
        return self->on_read(ec);
      }
      if (ec) return self->on_read(ec);
      self->parse_buffered();
    });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) return fail_request(413, "PAYLOAD_TOO_LARGE", "Request body is over the limit");
    if (ec == http::error::header_limit)
      return fail_request(431, "PAYLOAD_TOO_LARGE",
                          "Request headers (with chunk extensions and trailers) are over 64 KiB");
    if (ec) {
      if (!is_expected(ec) && ec.category() == beast::error_code(http::error::end_of_stream).category())
        return fail_request(400, "INVALID_QUERY", "Malformed HTTP request");
      if (!is_expected(ec)) spdlog::debug("http read: {}", ec.message());
      return close();
    }
    stream_.expires_never();
    auto& msg = parser_->get();
    version_ = msg.version();
    if (const char* bad = host_problem(msg)) return fail_request(400, "INVALID_QUERY", bad);
    if (realtime_ && beast::websocket::is_upgrade(msg)) {
      if (auto route = realtime::match_route(std::string_view(msg.target().data(), msg.target().size()))) return upgrade(std::move(*route));
    }
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == http::verb::head;
    api::HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req.body = std::move(msg.body());
    req.remote_ip = remote_ip_;
    // The Api may answer from another thread (the store's writer): hop back to ours.
    api_.handle(std::move(req), [self = shared_from_this()](api::HttpResponse r) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  // The socket leaves this session for a WsSession (PROTOCOL 5.1.1), unless the server is
  // draining (503), the Origin is not allowed (403, 1.7) or --ws-max-connections is reached (429).
  // A handshake RFC 6455 4.2.1 refuses gets 400 (426 for another version).
  void upgrade(realtime::Route route) {
    const auto& msg = parser_->get();
    auto header = [&](http::field f) {
      auto v = msg[f];
      return std::string_view(v.data(), v.size());
    };
    if (auto bad = check_handshake(header(http::field::sec_websocket_version), header(http::field::sec_websocket_key)))
      return refuse_upgrade(bad->status, "WEBSOCKET_REQUIRED", bad->detail);
    if (realtime_->draining()) return refuse_upgrade(503, "UNAVAILABLE", "Server is shutting down");
    if (!origin_allowed()) return refuse_upgrade(403, "FORBIDDEN", "Origin not allowed");
    if (!realtime_->try_acquire_connection())
      return refuse_upgrade(429, "RATE_LIMIT_EXCEEDED", "Too many WebSocket connections");
    std::optional<DeflateAgreement> deflate;
    if (config_.ws_deflate) deflate = negotiate_deflate(header(http::field::sec_websocket_extensions));
    std::string handshake = switching_protocols(header(http::field::sec_websocket_key), deflate ? deflate->response : "");
    parser_.reset();
    slot_.release();  // counted by --ws-max-connections from now on
    start_ws_session(stream_.release_socket(), std::move(handshake), std::move(deflate), std::move(route), *realtime_,
                     config_);
  }

  void refuse_upgrade(int status, const char* code, const char* detail) {
    keep_alive_ = false;
    api::HttpResponse r;
    r.status = status;
    r.body = std::string(R"({"detail":")") + detail + R"(","code":")" + code + "\"}";
    r.headers.emplace_back("Access-Control-Allow-Origin", "*");
    if (status == 503 || status == 429) r.headers.emplace_back("Retry-After", "1");
    if (status == 426) r.headers.emplace_back("Sec-WebSocket-Version", "13");
    write(std::move(r));
  }

  // --ws-allowed-origins (PROTOCOL 1.7): empty means any Origin (or none) is accepted.
  bool origin_allowed() {
    std::string_view list = config_.ws_allowed_origins;
    if (list.empty()) return true;
    auto field = parser_->get()[http::field::origin];
    std::string_view origin(field.data(), field.size());
    while (!list.empty()) {
      auto comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!origin.empty() && item == origin) return true;
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    return false;
  }

  // RFC 9112 3.2: an HTTP/1.1 request carries exactly one Host; a server answers 400 to none
  // or several (a proxy and this server could otherwise disagree on which one counts). HTTP/1.0
  // predates Host and may omit it, never repeat it. Every client we know (npm SDK through
  // fetch, browsers, the C++ SDK, curl) sends one.
  static const char* host_problem(const http::request<http::string_body>& msg) {
    std::size_t hosts = msg.count(http::field::host);
    if (hosts > 1) return "More than one Host header";
    if (hosts == 0 && msg.version() >= 11) return "Missing Host header";
    return nullptr;
  }

  void fail_request(int status, const char* code, const char* detail) {
    keep_alive_ = false;
    api::HttpResponse r;
    r.status = status;
    r.body = std::string("{\"detail\":\"") + detail + "\",\"code\":\"" + code + "\"}";
    r.headers.emplace_back("Access-Control-Allow-Origin", "*");
    write(std::move(r));
  }

  void write(api::HttpResponse r) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "cocobase");
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    if (head_) {
      // RFC 9110 9.3.2: the GET answer's header fields, without its content.
      auto length = res->body().size();
      res->body().clear();
      res->content_length(length);
    }
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!self->keep_alive_) return self->linger();
      self->read_next();
    });
  }

  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) return close();
    buffer_.clear();
    lingered_ = 0;
    stream_.expires_after(kLingerTime);
    drop_input();
  }

  void drop_input() {
    stream_.async_read_some(buffer_.prepare(kReadSize), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerBytes) return self->close();
      self->drop_input();  // prepare() reuses the same bytes: nothing is kept
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  ConnectionLimit::Slot slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> on_chunk_header_;
  std::size_t metadata_ = 0;  // header section and chunk extensions of the current request
  UnparsedCheck unparsed_;
  api::Api& api_;
  realtime::RealtimeService* realtime_;
  const ServerConfig& config_;
  bool keep_alive_ = true;
  std::string remote_ip_;  // for per-IP limits; read once, the peer does not change
  bool head_ = false;          // the request being answered is a HEAD
  std::size_t lingered_ = 0;  // bytes drained after a refused request, before closing
  unsigned version_ = 11;
};

}  // namespace

void start_http_session(asio::ip::tcp::socket socket, ConnectionLimit::Slot slot, api::Api& api,
                        realtime::RealtimeService* realtime, const ServerConfig& config) {
  beast::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  std::make_shared<HttpSession>(std::move(socket), std::move(slot), api, realtime, config)->start();
}

}  // namespace cocobase::server::net
