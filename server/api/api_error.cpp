#include "api/api_error.hpp"

namespace cocobase::server::api {

namespace json = protocol::json;

HttpResponse error_response(const ApiError& e) {
  HttpResponse r;
  r.status = e.status;
  r.headers = e.headers;
  r.body = "{\"detail\":";
  protocol::append_json_string(r.body, e.detail);
  r.body += ",\"code\":";
  protocol::append_json_string(r.body, e.code);
  if (!e.errors.empty()) {
    r.body += ",\"errors\":";
    protocol::append_json(r.body, json::value(e.errors));
  }
  r.body += '}';
  return r;
}

ApiError storage_full_error() {
  return ApiError{503, "STORAGE_FULL", "The server's storage is full; retry later", {},
                  {{"Retry-After", std::to_string(kStorageFullRetryAfterS)}}};
}

ApiError validation_error(std::string msg, json::array loc) {
  ApiError e{422, "VALIDATION_ERROR", msg, {}, {}};
  json::object problem;
  problem["loc"] = std::move(loc);
  problem["msg"] = msg;
  problem["type"] = "value_error";
  e.errors.push_back(std::move(problem));
  return e;
}

}  // namespace cocobase::server::api
