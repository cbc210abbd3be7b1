#pragma once
// Validation of client-chosen names (PROTOCOL 1.4).
#include <string_view>

namespace cocobase::protocol {

// 1..64 of [A-Za-z0-9_-], and not one of the reserved names `documents`, `file`.
bool is_valid_collection_name(std::string_view name);
// 1..63 chars, [a-z0-9] then [a-z0-9-]*.
bool is_valid_project_id(std::string_view id);
// 1..128 of [A-Za-z0-9_.:-].
bool is_valid_room_id(std::string_view id);

}  // namespace cocobase::protocol
