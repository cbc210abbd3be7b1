#pragma once
// Blocking HTTP/1.1 requests with a timeout, over a pool of keep-alive connections.
//
// Thread-safe: concurrent requests each take their own pooled connection. Each pooled
// connection owns a private io_context, so a request runs its async operations (which honour
// the deadline) on the calling thread without touching the client's realtime I/O thread.
#include "http/base_url.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocobase::detail {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  const std::string* header(std::string_view lowercase_name) const;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpTransport {
 public:
  HttpTransport(BaseUrl base, std::chrono::milliseconds timeout);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // target: path (without the base's prefix) and query, e.g. "/collections/x/documents?limit=1".
  // Throws TransportError when no complete answer arrived in time. A request on a pooled
  // connection that the server had closed is retried once on a fresh connection.
  HttpResponse request(std::string_view method, std::string_view target,
                       const HttpHeaders& headers, std::optional<std::string> body = std::nullopt);

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

}  // namespace cocobase::detail
