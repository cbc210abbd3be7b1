#include <cocobase/error.hpp>

#include <utility>

namespace cocobase {
namespace {

// "HTTP 404 NOT_FOUND: Document not found"; the parts the body lacked are left out.
std::string api_error_message(int status, const std::string& code, const std::string& detail) {
  std::string message = "HTTP " + std::to_string(status);
  if (!code.empty()) message += " " + code;
  if (!detail.empty()) message += ": " + detail;
  return message;
}

}  // namespace

ApiError::ApiError(int status, std::string code, std::string detail, std::string body,
                   std::optional<std::chrono::seconds> retry_after)
    : Error(api_error_message(status, code, detail)),
      status_(status),
      code_(std::move(code)),
      detail_(std::move(detail)),
      body_(std::move(body)),
      retry_after_(retry_after) {}

}  // namespace cocobase
