#pragma once
// Lenient readers of response members: the SDK tolerates unknown and missing optional members
// (PROTOCOL 9.1), and throws cocobase::Error only when something it needs is missing.
#include <cocobase/error.hpp>
#include <cocobase/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace cocobase::detail {

// The member's string value, or "" when absent or not a string.
inline std::string string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The member's integer value, or fallback when absent or not an integer.
inline std::int64_t int_member(const json::object& o, std::string_view name,
                               std::int64_t fallback = 0) {
  const json::value* v = o.if_contains(name);
  if (!v) return fallback;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return fallback;
}

inline const json::object& expect_object(const json::value& v, std::string_view what) {
  if (!v.is_object()) throw Error("unexpected response: " + std::string(what) + " is not an object");
  return v.get_object();
}

inline const json::array& expect_array(const json::value& v, std::string_view what) {
  if (!v.is_array()) throw Error("unexpected response: " + std::string(what) + " is not an array");
  return v.get_array();
}

}  // namespace cocobase::detail
