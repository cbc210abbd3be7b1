#include "net/http_framing.hpp"

namespace cocobase::server::net {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF ...; the previous chunk's data ends with
// CRLF, which Beast parses with the next line. A prefix that cannot begin such a line is wrong
// already, whatever follows.
bool chunk_line_possible(std::string_view in) {
  if (!in.empty() && in[0] == '\r') {
    if (in.size() == 1) return true;
    if (in[1] != '\n') return false;
    in.remove_prefix(2);
  }
  if (in.empty()) return true;
  if (!is_hex(in[0])) return false;
  std::size_t i = 1;
  while (i < in.size() && is_hex(in[i])) ++i;
  if (i == in.size()) return true;
  char next = in[i];
  return next == ';' || next == ' ' || next == '\t' || next == '\r';  // BWS before an extension
}

}  // namespace

Unparsed UnparsedCheck::check(std::string_view unparsed, bool in_chunks, std::size_t budget) {
  if (unparsed.size() > budget) return Unparsed::too_large;
  // RFC 9112 2.2 lets a recipient accept a bare LF as a line end; Beast does not, and waits.
  for (std::size_t i = scanned_; i < unparsed.size(); ++i)
    if (unparsed[i] == '\n' && (i == 0 || unparsed[i - 1] != '\r')) return Unparsed::malformed;
  scanned_ = unparsed.size();
  if (in_chunks && !chunk_line_possible(unparsed)) return Unparsed::malformed;
  return Unparsed::ok;
}

}  // namespace cocobase::server::net
