// protocol::parse_json with a small depth limit. Whatever it accepts must serialize to JSON
// that parses back to an equal value and serializes to the same text (PROTOCOL 1.2).
#include <cocobase/protocol/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace pr = cocobase::protocol;

namespace {

[[noreturn]] void fail(const char* what, const std::string& text) {
  std::fprintf(stderr, "fuzz_json: %s; serialized: %.200s\n", what, text.c_str());
  std::abort();
}

// Numbers are the same when their text is: -9223372036854775809 parses to the double -2^63,
// which is written as -9223372036854775808 and read back as an int64 of that value. Otherwise
// a number must come back exactly: parse_json rounds decimal text correctly (Boost.JSON 1.81
// alone did not: "-9.223372036852337e+49" came back -9.223372036852335e+49, and
// "-922337220360722.1" as an integer; fuzz/regressions/fuzz_json keeps those inputs).
std::string first_difference;  // for the failure message

bool leaf_differs(const pr::json::value& a, const pr::json::value& b) {
  first_difference = pr::to_json(a) + " became " + pr::to_json(b);
  return false;
}

bool same(const pr::json::value& a, const pr::json::value& b) {
  if (a.is_number() && b.is_number()) {
    if (pr::number_text(a) == pr::number_text(b)) return true;
    if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>() || leaf_differs(a, b);
  }
  if (a.kind() != b.kind()) return leaf_differs(a, b);
  if (a.is_array()) {
    const auto &p = a.get_array(), &q = b.get_array();
    if (p.size() != q.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (!same(p[i], q[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &p = a.get_object(), &q = b.get_object();
    if (p.size() != q.size()) return false;
    for (auto i = p.begin(), j = q.begin(); i != p.end(); ++i, ++j)
      if (i->key() != j->key() || !same(i->value(), j->value())) return false;
    return true;
  }
  return a == b || leaf_differs(a, b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  pr::json::value v;
  try {
    v = pr::parse_json(input, {8});
  } catch (const pr::JsonParseError&) {
    return 0;
  }
  if (!pr::all_numbers_finite(v)) fail("parse_json returned a non-finite number", pr::to_json(v));
  std::string text = pr::to_json(v);
  pr::json::value again;
  try {
    again = pr::parse_json(text, {8});
  } catch (const pr::JsonParseError& e) {
    fail(("the serialization does not parse: " + e.message).c_str(), text);
  }
  if (!same(v, again)) fail(("the round trip changed the value: " + first_difference).c_str(), text);
  // Stable: serializing again gives the same text.
  std::string text2 = pr::to_json(again);
  if (text2 != text) fail("the serialization is not stable", text2);
  return 0;
}
