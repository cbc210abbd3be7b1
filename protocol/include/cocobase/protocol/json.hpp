#pragma once
// JSON text in and out, with the rules of PROTOCOL 1.2.
//
// We parse with Boost.JSON but serialize by hand: Boost.JSON 1.81 writes doubles in
// exponent form (10.0 -> "1E1", 1.5 -> "1.5E0"), which the protocol forbids; std::to_chars
// gives the shortest round-trip text that JavaScript also prints.
#include <boost/json/value.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cocobase::protocol {

namespace json = boost::json;

struct JsonParseLimits {
  std::size_t max_depth = 64;
};

// Thrown by parse_json for invalid JSON, invalid UTF-8, nesting beyond the limit, or a number
// outside the range of a double (1e400: PROTOCOL 1.2 says NaN and infinities cannot occur, and
// a stored inf would make every later read of the document fail).
struct JsonParseError : std::runtime_error {
  explicit JsonParseError(std::string m) : std::runtime_error(m), message(std::move(m)) {}
  std::string message;
};

// Parses one JSON text. Integral doubles below 2^53 become int64 so they are written back
// without a fraction ("10.0" -> 10). Duplicate member names: the last one wins. Never returns a
// non-finite number.
json::value parse_json(std::string_view text, const JsonParseLimits& limits = {});

// Compact serialization; non-ASCII stays UTF-8, control characters are escaped. A non-finite
// double (which parse_json never makes, but arithmetic such as an aggregate sum can) is written
// as null, as JavaScript's JSON.stringify does, so the output is always valid JSON.
void append_json(std::string& out, const json::value& v);
void append_json(std::string& out, const json::object& o);
void append_json_string(std::string& out, std::string_view s);
std::string to_json(const json::value& v);
std::string to_json(const json::object& o);

// Shortest round-trip text of a number value (int64, uint64 or double). Precondition: v is a number.
std::string number_text(const json::value& v);

// Whether every number in v is finite (what a writer re-checks before storing).
bool all_numbers_finite(const json::value& v);

}  // namespace cocobase::protocol
