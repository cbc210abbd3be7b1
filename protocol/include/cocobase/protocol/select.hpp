#pragma once
// Select projection of PROTOCOL 4.10.
#include <cocobase/protocol/filter.hpp>
#include <cocobase/protocol/json.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace cocobase::protocol {

// Parses repeated `select` values: each is a comma-separated list; items are trimmed (spaces
// and tabs) and empty items dropped. Items naming id, created_at or updated_at as a whole path
// are dropped (metadata is always returned). Never throws: a malformed item such as "a..b"
// keeps its empty segment and simply selects nothing, so a bad select cannot widen the result.
// An empty result means "no projection".
std::vector<Path> parse_select(const std::vector<std::string>& values);

// Keeps only the selected paths of `data`, rebuilt as nested objects. Paths that resolve to
// missing are omitted; only objects are stepped into (array-index segments are not supported).
// Members appear in the order of `selects`.
json::object project_select(const json::object& data, const std::vector<Path>& selects);

}  // namespace cocobase::protocol
