#include "api/handlers.hpp"

namespace cocobase::server::api {

namespace json = protocol::json;

json::value parse_body(const RequestContext& ctx) {
  if (const std::string* ct = ctx.request.header("content-type")) {
    std::string lower;
    for (char c : *ct) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (lower.rfind("multipart/form-data", 0) == 0)
      throw ApiError{415, "UNSUPPORTED_MEDIA_TYPE", "multipart/form-data is not supported (file uploads are out of scope)", {}, {}};
  }
  const std::string& body = ctx.request.body;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    throw validation_error("Request body is required", {"body"});
  try {
    return protocol::parse_json(body, {ctx.config.max_json_depth});
  } catch (const protocol::JsonParseError& e) {
    throw ApiError{400, "INVALID_JSON", "Invalid JSON body: " + e.message, {}, {}};
  }
}

json::object data_object(json::value& v, json::array loc) {
  json::object* obj = v.if_object();
  if (obj && obj->size() == 1 && obj->contains("data")) {
    json::value& inner = (*obj)["data"];
    loc.emplace_back("data");
    if (!inner.is_object()) throw validation_error("data must be an object", std::move(loc));
    return std::move(inner.get_object());
  }
  if (!obj) throw validation_error("Document data must be an object", std::move(loc));
  return std::move(*obj);
}

void check_document_size(const RequestContext& ctx, const json::object& data, const json::array& loc) {
  std::size_t size = protocol::to_json(data).size();
  if (size > ctx.config.max_document_bytes) {
    std::string where;
    for (const auto& l : loc) where += "/" + (l.is_string() ? std::string(l.get_string()) : protocol::to_json(l));
    throw ApiError{413, "PAYLOAD_TOO_LARGE",
                   "Document data is " + std::to_string(size) + " bytes, over the limit of " +
                       std::to_string(ctx.config.max_document_bytes) + " (at " + where + ")",
                   {}, {}};
  }
}

}  // namespace cocobase::server::api
