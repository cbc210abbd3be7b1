#pragma once
// A check of what Beast's HTTP parser holds unparsed while it waits for a line end: the header
// section, a chunk-size line with its extensions, the trailer section of a chunked body.
//
// Beast bounds the header section (header_limit) but buffers a chunk line and the trailers
// without bound, and ends lines only at CRLF: after a bare LF it waits for more, so a client
// could hold 400 MB of chunk extensions before anything is authenticated, or park a connection
// on a bare-LF chunk line until the idle timer (issue 12). The session runs this check after
// each read that left bytes unparsed. Pure: no I/O.
#include <cstddef>
#include <string_view>

namespace cocobase::server::net {

enum class Unparsed {
  ok,         // wait for more bytes
  too_large,  // over the budget: 431, as the header section
  malformed,  // a bare LF, or a chunk line that cannot become valid: 400 now
};

class UnparsedCheck {
 public:
  // `unparsed` grows by appending until the parser consumes it (then call reset()).
  // `in_chunks`: the header is done and the body is chunked, so `unparsed` begins with a chunk
  // line (after the previous chunk's CRLF). `budget`: the bytes it may still take.
  Unparsed check(std::string_view unparsed, bool in_chunks, std::size_t budget);
  // The parser consumed bytes: what it holds now starts afresh.
  void reset() { scanned_ = 0; }

 private:
  std::size_t scanned_ = 0;  // a prefix already scanned for bare LFs (a trickled line stays linear)
};

}  // namespace cocobase::server::net
