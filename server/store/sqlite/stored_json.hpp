#pragma once
// Decoding the JSON text of stored rows. A row that an older version stored wrongly (it once
// accepted 1e400 and wrote it as `inf`), or that was damaged outside the server, must cost one
// skipped row, never a request's thread or the process: every read path decodes through here.
// `cocobase doctor` finds such rows and moves them to the quarantine table.
#include <cocobase/protocol/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace cocobase::server::sqlite {

// The JSON object stored in a data column, or nullopt (logged, at most once a second, and
// counted) when it is not one. `what` names the row in the log ("documents row <id>").
std::optional<protocol::json::object> decode_stored_object(std::string_view text, std::string_view what);
// As decode_stored_object, for JSON arrays (user roles).
std::optional<protocol::json::array> decode_stored_array(std::string_view text, std::string_view what);

// Stored rows that could not be decoded since the process started (/metrics).
std::uint64_t undecodable_rows();

// Thrown by a read that names one row that cannot be decoded (get by id): the request fails
// with 500, the server goes on.
struct UndecodableRow : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Whether text is what a reader can decode: a JSON object (arrays with want_array).
bool is_decodable(std::string_view text, bool want_array = false);

}  // namespace cocobase::server::sqlite
