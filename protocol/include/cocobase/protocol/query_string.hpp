#pragma once
// application/x-www-form-urlencoded query strings, as PROTOCOL 1.1 reads them.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocobase::protocol {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// Splits on '&' and the first '=', decodes '+' and %XX in keys and values, drops empty pairs.
// Returns nullopt on invalid percent-encoding or invalid UTF-8 after decoding.
std::optional<QueryPairs> parse_query_string(std::string_view query);

// Percent-decodes once ('+' stays '+': path segments). nullopt on bad encoding or UTF-8.
std::optional<std::string> percent_decode_path(std::string_view segment);

bool is_valid_utf8(std::string_view s);

// The value of the last pair named key, if any.
const std::string* last_value(const QueryPairs& q, std::string_view key);

}  // namespace cocobase::protocol
