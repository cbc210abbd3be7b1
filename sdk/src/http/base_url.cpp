#include "http/base_url.hpp"

#include <cocobase/error.hpp>

#include <cctype>
#include <charconv>

namespace cocobase::detail {
namespace {

[[noreturn]] void reject(std::string_view url, std::string_view why) {
  throw Error("invalid base URL '" + std::string(url) + "': " + std::string(why));
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool is_unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

bool is_hostname_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

// Characters a path prefix may hold as is: RFC 3986 pchar without percent-encoding, plus '/'.
bool is_prefix_char(char c) {
  static constexpr std::string_view sub_delims = "!$&'()*+,;=:@/%";
  return is_unreserved(c) || sub_delims.find(c) != std::string_view::npos;
}

std::string parse_port(std::string_view url, std::string_view text) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port == 0 ||
      port > 65535) {
    reject(url, "bad port");
  }
  return std::to_string(port);
}

// Splits "host[:port]" or "[v6]:port" into the BaseUrl's host, port and host_header.
void parse_authority(std::string_view url, std::string_view authority, BaseUrl& out) {
  if (authority.find('@') != std::string_view::npos) reject(url, "user info is not supported");
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) reject(url, "unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    if (out.host.empty()) reject(url, "empty host");
    for (char c : out.host) {
      if (!is_ipv6_char(c)) reject(url, "bad IPv6 address");
    }
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') reject(url, "junk after IPv6 address");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    if (out.host.empty()) reject(url, "empty host");
    for (char c : out.host) {
      if (!is_hostname_char(c)) reject(url, "bad host name");
    }
  }
  out.port = has_port ? parse_port(url, port_text) : "80";
  bool is_ipv6 = out.host.find(':') != std::string::npos;
  out.host_header = is_ipv6 ? "[" + out.host + "]" : out.host;
  if (out.port != "80") out.host_header += ":" + out.port;
}

std::string percent_encode(std::string_view s, bool space_as_plus) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto byte = static_cast<unsigned char>(c);
    if (is_unreserved(c)) {
      out.push_back(c);
    } else if (c == ' ' && space_as_plus) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 15]);
    }
  }
  return out;
}

}  // namespace

BaseUrl parse_base_url(std::string_view url) {
  static constexpr std::string_view scheme = "http://";
  if (starts_with_ignoring_case(url, "https://")) {
    reject(url, "https is not supported by this version of the SDK");
  }
  if (!starts_with_ignoring_case(url, scheme)) reject(url, "expected http://host[:port]");
  auto rest = url.substr(scheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    reject(url, "query and fragment are not allowed");
  }
  auto slash = rest.find('/');
  BaseUrl out;
  parse_authority(url, rest.substr(0, slash), out);
  if (slash != std::string_view::npos) {
    auto prefix = rest.substr(slash);
    for (char c : prefix) {
      if (!is_prefix_char(c)) reject(url, "bad character in path");
    }
    // Routes are appended to the prefix, so a trailing '/' would double up.
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    out.path_prefix = std::string(prefix);
  }
  return out;
}

std::string encode_path_segment(std::string_view s) { return percent_encode(s, false); }

std::string encode_query_value(std::string_view s) { return percent_encode(s, true); }

}  // namespace cocobase::detail
