#pragma once
// REST errors (PROTOCOL 1.6): a status, a stable code, a human detail and, on 422, the list of
// problems. Handlers throw ApiError; the router turns it into the response body.
#include "api/http_types.hpp"

#include <cocobase/protocol/json.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cocobase::server::api {

// Derives from std::exception so that no path can let it escape as an unknown type.
struct ApiError : std::runtime_error {
  ApiError(int s, std::string c, std::string d, protocol::json::array e,
           std::vector<std::pair<std::string, std::string>> h)
      : std::runtime_error(d), status(s), code(std::move(c)), detail(std::move(d)), errors(std::move(e)),
        headers(std::move(h)) {}
  int status;
  std::string code;
  std::string detail;
  protocol::json::array errors;  // 422 only: {"loc": [...], "msg", "type"}
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow on 405
};

HttpResponse error_response(const ApiError& e);

// The disk is full (PROTOCOL 1.6 extension): 503 STORAGE_FULL. Clients retry after this many
// seconds: freeing space usually needs an operator, so sooner retries would only add load.
constexpr int kStorageFullRetryAfterS = 10;
ApiError storage_full_error();

// 422 with one problem at loc (e.g. {"body", "documents", 3}).
ApiError validation_error(std::string msg, protocol::json::array loc);

}  // namespace cocobase::server::api
