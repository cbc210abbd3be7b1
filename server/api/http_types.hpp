#pragma once
// HTTP as the API layer sees it: plain structs, so that handlers never include Beast (which
// stays inside server/net and compiles once).
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocobase::server::api {

struct HttpRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // path and query, as received
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote_ip;  // the peer's address, e.g. "127.0.0.1" (per-IP limits)

  // The last header of that (lower-case) name, or nullptr.
  const std::string* header(std::string_view lower_name) const {
    const std::string* found = nullptr;
    for (const auto& [k, v] : headers)
      if (k == lower_name) found = &v;
    return found;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Completes a request. Called exactly once, from any thread.
using Respond = std::function<void(HttpResponse)>;

}  // namespace cocobase::server::api
