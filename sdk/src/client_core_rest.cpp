// ClientCore's token state and its REST call with the headers and error mapping of PROTOCOL 9.1.
// (Its constructor, destructor and io() live in client_core.cpp.)
#include "client_core.hpp"

#include <cocobase/protocol/json.hpp>

#include <charconv>

namespace cocobase::detail {
namespace {

// Retry-After in delta-seconds; the HTTP-date form is not used by the server and is ignored.
std::optional<std::chrono::seconds> parse_retry_after(const HttpResponse& response) {
  const std::string* text = response.header("retry-after");
  if (!text) return std::nullopt;
  long long seconds = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (ec != std::errc() || end != text->data() + text->size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

// PROTOCOL 1.6: {"detail": "...", "code": "..."}. A body of another shape (a proxy's HTML
// page, say) keeps an empty code and becomes the detail, so the message still says something.
ApiError api_error(HttpResponse&& response) {
  std::string code, detail;
  json::value parsed;
  try {
    parsed = protocol::parse_json(response.body);
  } catch (...) {  // protocol::JsonParseError: not JSON
  }
  if (const json::object* o = parsed.if_object()) {
    if (const json::value* c = o->if_contains("code"); c && c->is_string()) {
      code = std::string(c->get_string());
    }
    if (const json::value* d = o->if_contains("detail")) {
      detail = d->is_string() ? std::string(d->get_string()) : protocol::to_json(*d);
    }
  } else {
    detail = response.body;
  }
  auto retry_after = parse_retry_after(response);
  return ApiError(response.status, std::move(code), std::move(detail), std::move(response.body),
                  retry_after);
}

}  // namespace

std::optional<std::string> ClientCore::token() const {
  std::lock_guard lock(token_mutex_);
  return token_;
}

void ClientCore::set_token(std::optional<std::string> token) {
  std::lock_guard lock(token_mutex_);
  token_ = std::move(token);
}

bool ClientCore::use_jwt() const {
  std::lock_guard lock(token_mutex_);
  return use_jwt_;
}

void ClientCore::set_use_jwt(bool on) {
  std::lock_guard lock(token_mutex_);
  use_jwt_ = on;
}

HttpResponse ClientCore::call(std::string_view method, std::string_view target,
                              std::optional<std::string> body) {
  HttpHeaders headers;
  if (!config_.api_key.empty()) headers.emplace_back("x-api-key", config_.api_key);
  if (auto held = token()) headers.emplace_back("Authorization", "Bearer " + *held);
  if (body) headers.emplace_back("Content-Type", "application/json");
  headers.emplace_back("Accept", "application/json");
  HttpResponse response = http_.request(method, target, headers, std::move(body));
  if (response.status < 200 || response.status > 299) throw api_error(std::move(response));
  return response;
}

json::object ClientCore::auth_members() const {
  json::object members;
  if (!config_.api_key.empty()) members["api_key"] = config_.api_key;
  std::lock_guard lock(token_mutex_);
  if (use_jwt_ && token_) members["token"] = *token_;
  return members;
}

}  // namespace cocobase::detail
