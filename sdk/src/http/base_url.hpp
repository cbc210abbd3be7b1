#pragma once
// The parts of ClientConfig::base_url the transports need (PROTOCOL 9.1: the WebSocket base is
// derived from it).
#include <string>
#include <string_view>

namespace cocobase::detail {

struct BaseUrl {
  std::string host;          // "127.0.0.1", "localhost", "[::1]" without brackets
  std::string port;          // "80" when absent
  std::string path_prefix;   // "" or "/api" (no trailing slash)
  std::string host_header;   // host[:port] as it goes into the Host header
};

// Accepts http://host[:port][/prefix]. Throws cocobase::Error for anything else (https is not
// supported by this version).
BaseUrl parse_base_url(std::string_view url);

// Percent-encodes one path segment or query value (RFC 3986 unreserved stay; in query values a
// space becomes '+').
std::string encode_path_segment(std::string_view s);
std::string encode_query_value(std::string_view s);

}  // namespace cocobase::detail
