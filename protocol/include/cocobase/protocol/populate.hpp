#pragma once
// `populate` (PROTOCOL 4.10): replaces references in a document's data by the referenced
// records. Pure: the lookup of an id is the caller's.
#include <cocobase/protocol/filter.hpp>
#include <cocobase/protocol/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cocobase::protocol {

// The flattened record an id names ({"id", ...members}), or nullopt when nothing has that id.
using PopulateLookup = std::function<std::optional<json::object>(const std::string& id)>;

// Parses repeated `populate` values (comma-separated, trimmed, empty items dropped) into
// chains. Throws FilterError for `*`, an empty segment, or a chain deeper than max_depth.
std::vector<Path> parse_populate(const std::vector<std::string>& values, std::size_t max_depth);

// Populates `data` in place along every chain; a shared prefix is populated once. Lookups may
// be costly: callers that populate many documents should memoize them.
void populate(json::object& data, const std::vector<Path>& chains, const PopulateLookup& lookup);

}  // namespace cocobase::protocol
