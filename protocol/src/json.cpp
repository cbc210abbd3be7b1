#include <cocobase/protocol/json.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <charconv>
#include <cmath>

namespace cocobase::protocol {
namespace {

constexpr double kTwoPow53 = 9007199254740992.0;

// Integral doubles below 2^53 become int64 so that "10.0" is stored and written as 10.
// Boost.JSON turns a number beyond the double range (1e400, 400 digits) into an infinity
// instead of failing; it is refused here.
void normalize_numbers(json::value& v) {
  switch (v.kind()) {
    case json::kind::double_: {
      double d = v.get_double();
      if (!std::isfinite(d)) throw JsonParseError("number out of range");
      if (std::fabs(d) < kTwoPow53 && std::trunc(d) == d) v = static_cast<std::int64_t>(d);
      break;
    }
    case json::kind::array:
      for (auto& e : v.get_array()) normalize_numbers(e);
      break;
    case json::kind::object:
      for (auto& m : v.get_object()) normalize_numbers(m.value());
      break;
    default:
      break;
  }
}

void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  if (std::fabs(d) < kTwoPow53 && std::trunc(d) == d) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(d));
    out.append(buf, r.ptr);
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, r.ptr - buf);
  // JavaScript writes exponents with an explicit sign ("1e+21"); to_chars writes "1e+21" too,
  // so nothing to adjust here.
  out.append(text);
}

// Boost.JSON's own parser handler, except for doubles. Boost.JSON 1.81 does not round decimal
// text correctly (its `number_precision::precise` came in 1.83): the shortest text of a double,
// as JavaScript writes it, can come back as a neighbouring double, so a stored value changed on
// every read-modify-write (found by fuzz/fuzz_json). Doubles are converted again here from
// their text with std::from_chars, which rounds correctly. Everything else is what
// boost::json::parser does (detail/impl/handler.ipp), built on the public value_stack.
class PreciseHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(std::size_t n, boost::system::error_code&) { return st.push_object(n), true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::system::error_code&) { return st.push_array(n), true; }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) { return st.push_chars(s), true; }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) { return st.push_key(s), true; }
  bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) { return st.push_chars(s), true; }
  bool on_string(json::string_view s, std::size_t, boost::system::error_code&) { return st.push_string(s), true; }
  bool on_number_part(json::string_view s, boost::system::error_code&) { return number_.append(s.data(), s.size()), true; }
  bool on_int64(std::int64_t i, json::string_view, boost::system::error_code&) {
    number_.clear();
    return st.push_int64(i), true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, boost::system::error_code&) {
    number_.clear();
    return st.push_uint64(u), true;
  }
  bool on_double(double d, json::string_view s, boost::system::error_code&) {
    number_.append(s.data(), s.size());
    double exact = 0;
    auto r = std::from_chars(number_.data(), number_.data() + number_.size(), exact);
    // Out of range: Boost's value is the infinity or the zero that normalize_numbers judges.
    if (r.ec == std::errc() && r.ptr == number_.data() + number_.size()) d = exact;
    number_.clear();
    return st.push_double(d), true;
  }
  bool on_bool(bool b, boost::system::error_code&) { return st.push_bool(b), true; }
  bool on_null(boost::system::error_code&) { return st.push_null(), true; }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  std::string number_;  // the text of the number being parsed, when it came in parts
};

}  // namespace

json::value parse_json(std::string_view text, const JsonParseLimits& limits) {
  json::parse_options opts;
  opts.max_depth = limits.max_depth;
  json::basic_parser<PreciseHandler> p(opts);
  p.handler().st.reset();
  boost::system::error_code ec;
  std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (ec) throw JsonParseError(ec.message());
  json::value v = p.handler().st.release();
  normalize_numbers(v);
  return v;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_json(std::string& out, const json::object& o) {
  out.push_back('{');
  bool first = true;
  for (const auto& m : o) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, m.key());
    out.push_back(':');
    append_json(out, m.value());
  }
  out.push_back('}');
}

void append_json(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out.append("null"); break;
    case json::kind::bool_: out.append(v.get_bool() ? "true" : "false"); break;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: out.append(number_text(v)); break;
    case json::kind::string: append_json_string(out, v.get_string()); break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, e);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object: append_json(out, v.get_object()); break;
  }
}

std::string to_json(const json::value& v) {
  std::string out;
  append_json(out, v);
  return out;
}

std::string to_json(const json::object& o) {
  std::string out;
  append_json(out, o);
  return out;
}

std::string number_text(const json::value& v) {
  char buf[32];
  switch (v.kind()) {
    case json::kind::int64: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_int64());
      return std::string(buf, r.ptr);
    }
    case json::kind::uint64: {
      auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
      return std::string(buf, r.ptr);
    }
    case json::kind::double_: {
      std::string out;
      append_double(out, v.get_double());
      return out;
    }
    default:
      return {};
  }
}

}  // namespace cocobase::protocol

namespace cocobase::protocol {

bool all_numbers_finite(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_: return std::isfinite(v.get_double());
    case json::kind::array:
      for (const auto& e : v.get_array())
        if (!all_numbers_finite(e)) return false;
      return true;
    case json::kind::object:
      for (const auto& m : v.get_object())
        if (!all_numbers_finite(m.value())) return false;
      return true;
    default: return true;
  }
}

}  // namespace cocobase::protocol
