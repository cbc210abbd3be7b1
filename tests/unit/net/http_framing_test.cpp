// UnparsedCheck: what Beast holds unparsed is refused once over the budget, at the first bare
// LF, and (inside a chunked body) as soon as it cannot begin a chunk line.
#include "net/http_framing.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cocobase::server::net {
namespace {

Unparsed once(std::string_view in, bool chunks, std::size_t budget = 1024) {
  UnparsedCheck c;
  return c.check(in, chunks, budget);
}

TEST(UnparsedCheck, PartialHeaderWaits) {
  EXPECT_EQ(once("GET / HTTP/1.1\r\nHost: x\r\nAccept: */", false), Unparsed::ok);
  EXPECT_EQ(once("GET / HTTP/1.1\r", false), Unparsed::ok);
}

TEST(UnparsedCheck, BareLfIsMalformed) {
  EXPECT_EQ(once("GET / HTTP/1.1\nHost: x", false), Unparsed::malformed);
  EXPECT_EQ(once("\n", false), Unparsed::malformed);
  EXPECT_EQ(once("5\nhello", true), Unparsed::malformed);
  EXPECT_EQ(once("\r\n0\r\nX-Trailer: 1\n", true), Unparsed::malformed);
}

TEST(UnparsedCheck, OverBudgetIsTooLarge) {
  std::string line = "1;" + std::string(100, 'a');
  EXPECT_EQ(once(line, true, 100), Unparsed::too_large);
  EXPECT_EQ(once(line, true, line.size()), Unparsed::ok);
}

TEST(UnparsedCheck, ChunkLinesThatCanStillBeValid) {
  EXPECT_EQ(once("", true), Unparsed::ok);
  EXPECT_EQ(once("\r", true), Unparsed::ok);
  EXPECT_EQ(once("\r\n", true), Unparsed::ok);
  EXPECT_EQ(once("\r\n1a", true), Unparsed::ok);
  EXPECT_EQ(once("1A;name=\"v\"", true), Unparsed::ok);
  EXPECT_EQ(once("5 ;x", true), Unparsed::ok);
  EXPECT_EQ(once("\r\n0\r\nX-Trailer: 1\r\n", true), Unparsed::ok);
}

TEST(UnparsedCheck, ChunkLinesThatCannot) {
  EXPECT_EQ(once("zz", true), Unparsed::malformed);      // not a size
  EXPECT_EQ(once("5x", true), Unparsed::malformed);      // junk after the size
  EXPECT_EQ(once("\rx", true), Unparsed::malformed);     // the chunk's CRLF broken
  EXPECT_EQ(once("xy\r\n5", true), Unparsed::malformed); // data past the chunk's declared size
  EXPECT_EQ(once("zz", false), Unparsed::ok);            // in a header, any text may follow
}

TEST(UnparsedCheck, TrickledBytesAreScannedOnce) {
  // The same buffer growing: the earlier prefix is not scanned again, and a bare LF in the
  // new part is still found.
  UnparsedCheck c;
  std::string held = "GET / HTTP/1.1\r\nHost: x\r\n";
  EXPECT_EQ(c.check(held, false, 1024), Unparsed::ok);
  held += "A: b\r";
  EXPECT_EQ(c.check(held, false, 1024), Unparsed::ok);
  held += "\n";  // completes the CRLF split across reads
  EXPECT_EQ(c.check(held, false, 1024), Unparsed::ok);
  held += "C: d\n";
  EXPECT_EQ(c.check(held, false, 1024), Unparsed::malformed);
  c.reset();
  EXPECT_EQ(c.check("x\r\n", false, 1024), Unparsed::ok);
}

}  // namespace
}  // namespace cocobase::server::net
