#pragma once
// The SDK's error model.
//
// REST calls throw: ApiError when the server answered with a non-2xx status (it carries the
// status, the protocol's `code`, `detail` and the raw body), TransportError when no answer
// came (connect refused, timeout, connection dropped, bad URL). Both derive from Error.
//
// Realtime helpers never throw from the I/O thread: they report a RealtimeError to the
// helper's on_error callback.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace cocobase {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TransportError : public Error {
 public:
  using Error::Error;
};

class ApiError : public Error {
 public:
  ApiError(int status, std::string code, std::string detail, std::string body,
           std::optional<std::chrono::seconds> retry_after = std::nullopt);
  int status() const noexcept { return status_; }
  // The protocol's error code (PROTOCOL 1.6), e.g. "NOT_FOUND"; empty if the body had none.
  const std::string& code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& body() const noexcept { return body_; }
  // Present when the answer carried Retry-After in seconds (429, and 503 while draining).
  std::optional<std::chrono::seconds> retry_after() const noexcept { return retry_after_; }

 private:
  int status_;
  std::string code_, detail_, body_;
  std::optional<std::chrono::seconds> retry_after_;
};

// What a realtime helper reports to on_error.
struct RealtimeError {
  // The protocol code of an error message ("INVALID_API_KEY", "ROOM_NOT_FOUND", ...), or one of
  // the SDK's own: "CONNECT_FAILED" (no connection or upgrade), "DEAD_CONNECTION" (silent for
  // ping_interval + pong_timeout), "RESYNC_FAILED" (the snapshot read failed; retried),
  // "PROTOCOL_ERROR" (a message the SDK could not decode), "CLOSED" (a terminal close without
  // an error message). A connection that just drops reports no error, only on_close (1006).
  std::string code;
  std::string message;       // human-readable text
  std::uint16_t close_code = 0;  // the close code that came with it, 0 if none
  bool terminal = false;     // true: the helper has stopped and will not reconnect
  std::string raw;           // the server's message, when there was one
};

}  // namespace cocobase
