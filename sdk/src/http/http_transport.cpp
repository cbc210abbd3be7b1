#include "http/http_transport.hpp"

#include <cocobase/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cctype>
#include <mutex>

namespace cocobase::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Idle keep-alive connections kept for reuse; more concurrent callers than this still work,
// their connections are just closed afterwards.
constexpr std::size_t kMaxIdleConnections = 8;

// A non-positive timeout means none.
constexpr Clock::time_point kNoDeadline = Clock::time_point::max();

// One keep-alive connection. The io_context is private so that a request can run its
// operations on the calling thread, with the deadline enforced by tcp_stream's timer.
struct Connection {
  asio::io_context io{1};
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
};

using Request = http::request<http::string_body>;

// Runs one asynchronous operation on the connection's io_context until it completes; the
// stream's expiry (set by the caller) turns a stalled operation into beast::error::timeout.
template <typename Initiate>
beast::error_code run_to_completion(Connection& c, Initiate&& initiate) {
  beast::error_code result = asio::error::would_block;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  c.io.restart();
  c.io.run();
  return result;
}

void arm_timer(Connection& c, Clock::time_point deadline) {
  if (deadline == kNoDeadline) {
    c.stream.expires_never();
  } else {
    c.stream.expires_after(deadline - Clock::now());
  }
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// What went wrong, for TransportError messages: "GET /x: <what>: <why>".
[[noreturn]] void fail(const Request& req, std::string_view what, const beast::error_code& ec,
                       std::chrono::milliseconds timeout) {
  std::string message = std::string(req.method_string()) + " " + std::string(req.target()) +
                        ": " + std::string(what) + ": ";
  if (ec == beast::error::timeout) {
    message += "timed out after " + std::to_string(timeout.count()) + " ms";
  } else {
    message += ec.message();
  }
  throw TransportError(message);
}

struct Exchange {
  beast::error_code error;
  bool got_response_bytes = false;  // false: the server never started answering
  bool write_failed = false;         // the answer came anyway; the connection is spent
  http::response<http::string_body> response;
};

Exchange write_and_read(Connection& c, Request& req, Clock::time_point deadline) {
  Exchange out;
  arm_timer(c, deadline);
  beast::error_code write_error = run_to_completion(
      c, [&](auto handler) { http::async_write(c.stream, req, std::move(handler)); });
  if (write_error == beast::error::timeout) {
    out.error = write_error;
    return out;
  }
  // Even when the write failed, an answer may be waiting: the server refuses a body over its
  // limit with 413 and closes before reading the rest, which breaks our write.
  out.write_failed = static_cast<bool>(write_error);
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);  // lists can be large; the timeout bounds the wait
  arm_timer(c, deadline);
  beast::error_code read_error = run_to_completion(
      c, [&](auto handler) { http::async_read(c.stream, c.buffer, parser, std::move(handler)); });
  out.got_response_bytes = parser.got_some();
  if (!read_error) {
    out.response = parser.release();
  } else {
    out.error = write_error ? write_error : read_error;
  }
  return out;
}

HttpResponse to_http_response(http::response<http::string_body>&& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    out.headers.emplace_back(lowercase(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

const std::string* HttpResponse::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return &value;
  }
  return nullptr;
}

struct HttpTransport::Pool {
  BaseUrl base;
  std::chrono::milliseconds timeout;
  std::mutex mutex;
  std::vector<std::unique_ptr<Connection>> idle;

  Clock::time_point deadline() const {
    return timeout.count() > 0 ? Clock::now() + timeout : kNoDeadline;
  }

  std::unique_ptr<Connection> take_idle() {
    std::lock_guard lock(mutex);
    if (idle.empty()) return nullptr;
    auto c = std::move(idle.back());  // the most recently used one is the likeliest alive
    idle.pop_back();
    return c;
  }

  void give_back(std::unique_ptr<Connection> c) {
    std::unique_lock lock(mutex);
    if (idle.size() < kMaxIdleConnections) idle.push_back(std::move(c));
    lock.unlock();  // a connection over the cap is closed here, outside the lock
  }

  tcp::resolver::results_type resolve(Connection& c, const Request& req,
                                      Clock::time_point deadline) {
    tcp::resolver resolver(c.io);
    beast::error_code error = asio::error::would_block;
    tcp::resolver::results_type results;
    resolver.async_resolve(base.host, base.port,
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             error = ec;
                             results = std::move(r);
                           });
    c.io.restart();
    if (deadline == kNoDeadline) {
      c.io.run();
    } else {
      c.io.run_until(deadline);
    }
    if (error == asio::error::would_block) {
      // getaddrinfo cannot be interrupted: cancelling waits for it to return, but the caller
      // still gets its timeout error.
      resolver.cancel();
      c.io.restart();
      c.io.run();
      fail(req, "resolve " + base.host, beast::error::timeout, timeout);
    }
    if (error) fail(req, "resolve " + base.host, error, timeout);
    return results;
  }

  std::unique_ptr<Connection> connect(const Request& req, Clock::time_point deadline) {
    auto c = std::make_unique<Connection>();
    auto endpoints = resolve(*c, req, deadline);
    arm_timer(*c, deadline);
    beast::error_code error = run_to_completion(*c, [&](auto handler) {
      c->stream.async_connect(endpoints, std::move(handler));
    });
    if (error) fail(req, "connect to " + base.host_header, error, timeout);
    return c;
  }
};

HttpTransport::HttpTransport(BaseUrl base, std::chrono::milliseconds timeout)
    : pool_(std::make_unique<Pool>()) {
  pool_->base = std::move(base);
  pool_->timeout = timeout;
}

HttpTransport::~HttpTransport() = default;

HttpResponse HttpTransport::request(std::string_view method, std::string_view target,
                                    const HttpHeaders& headers, std::optional<std::string> body) {
  http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) throw Error("unknown HTTP method " + std::string(method));
  Request req{verb, pool_->base.path_prefix + std::string(target), 11};
  req.set(http::field::host, pool_->base.host_header);
  req.set(http::field::user_agent, "libcocobase");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (body) req.body() = std::move(*body);
  req.prepare_payload();

  const Clock::time_point deadline = pool_->deadline();
  std::unique_ptr<Connection> c = pool_->take_idle();
  const bool reused = c != nullptr;
  if (!reused) c = pool_->connect(req, deadline);
  Exchange exchange = write_and_read(*c, req, deadline);
  // A reused connection the server closed while idle fails before any answer byte; the
  // request was not processed, so it is safe to send it again once, on a fresh connection.
  if (exchange.error && reused && !exchange.got_response_bytes &&
      exchange.error != beast::error::timeout) {
    c = pool_->connect(req, deadline);
    exchange = write_and_read(*c, req, deadline);
  }
  if (exchange.error) fail(req, "exchange with " + pool_->base.host_header, exchange.error,
                           pool_->timeout);

  const bool keep_alive =
      !exchange.write_failed && exchange.response.keep_alive() && c->buffer.size() == 0;
  HttpResponse response = to_http_response(std::move(exchange.response));
  if (keep_alive) pool_->give_back(std::move(c));
  return response;
}

}  // namespace cocobase::detail
