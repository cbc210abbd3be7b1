#pragma once
// Decoding of REST response bodies into the SDK's types. Unknown members are ignored
// everywhere (PROTOCOL 9.1); a body that lacks what the SDK needs throws cocobase::Error.
#include "http/http_transport.hpp"

#include <cocobase/client.hpp>
#include <cocobase/json.hpp>

#include <cstdint>
#include <vector>

namespace cocobase::detail {

json::value parse_body(const HttpResponse& response);

std::vector<Document> documents_from_json(const json::value& v);
AppUser app_user_from_json(const json::value& v);
AuthResult auth_result_from_json(const json::value& v);
UserList user_list_from_json(const json::value& v);
std::vector<CollectionInfo> collections_from_json(const json::value& v);
std::vector<RoomSummary> rooms_from_json(const json::value& v);

// X-Cocobase-Seq (PROTOCOL 8g); 0 when absent or not a number.
std::int64_t seq_header(const HttpResponse& response);

}  // namespace cocobase::detail
