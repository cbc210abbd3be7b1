#pragma once
// Small text helpers shared by the parsers (lists in `in`, `select`, `populate`, headers).
#include <string_view>

namespace cocobase::protocol {

// Without the spaces and tabs at both ends (the only blanks the protocol trims).
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace cocobase::protocol
