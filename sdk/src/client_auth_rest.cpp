// The app-user methods of Client (PROTOCOL 7) and its token state.
#include "client_core.hpp"
#include "http/base_url.hpp"
#include "rest/decode.hpp"

#include <cocobase/client.hpp>
#include <cocobase/protocol/json.hpp>

namespace cocobase {
namespace {

constexpr std::string_view kAuthBase = "/auth-collections";

std::string auth_path(std::string_view rest) { return std::string(kAuthBase) + std::string(rest); }

}  // namespace

AuthResult Client::signup(std::string_view email, std::string_view password, json::object data) {
  json::object body{{"email", email}, {"password", password}};
  if (!data.empty()) body["data"] = std::move(data);
  auto response = core_->call("POST", auth_path("/signup"), protocol::to_json(body));
  AuthResult result = detail::auth_result_from_json(detail::parse_body(response));
  core_->set_token(result.access_token);
  return result;
}

AuthResult Client::login(std::string_view email, std::string_view password) {
  json::object body{{"email", email}, {"password", password}};
  auto response = core_->call("POST", auth_path("/login"), protocol::to_json(body));
  AuthResult result = detail::auth_result_from_json(detail::parse_body(response));
  core_->set_token(result.access_token);
  return result;
}

AppUser Client::current_user() {
  return detail::app_user_from_json(detail::parse_body(core_->call("GET", auth_path("/user"))));
}

AppUser Client::update_user(const json::object& body) {
  auto response = core_->call("PATCH", auth_path("/user"), protocol::to_json(body));
  return detail::app_user_from_json(detail::parse_body(response));
}

UserList Client::list_users(const Query& q) {
  std::string target = auth_path("/users");
  if (auto query = q.to_query_string(); !query.empty()) target += "?" + query;
  return detail::user_list_from_json(detail::parse_body(core_->call("GET", target)));
}

AppUser Client::get_user(std::string_view id) {
  auto target = auth_path("/users/") + detail::encode_path_segment(id);
  return detail::app_user_from_json(detail::parse_body(core_->call("GET", target)));
}

void Client::set_token(std::optional<std::string> token) { core_->set_token(std::move(token)); }

std::optional<std::string> Client::token() const { return core_->token(); }

void Client::use_jwt(bool on) { core_->set_use_jwt(on); }

}  // namespace cocobase
