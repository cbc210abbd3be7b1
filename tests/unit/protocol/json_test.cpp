#include <cocobase/protocol/json.hpp>

#include <gtest/gtest.h>

#include <limits>

using namespace cocobase::protocol;

namespace {
std::string roundtrip(std::string_view text) { return to_json(parse_json(text)); }
}  // namespace

TEST(Json, NumbersRoundTripInShortestForm) {
  EXPECT_EQ(roundtrip("10.0"), "10");
  EXPECT_EQ(roundtrip("1.5"), "1.5");
  EXPECT_EQ(roundtrip("-0.25"), "-0.25");
  EXPECT_EQ(roundtrip("1e21"), "1e+21");
  EXPECT_EQ(roundtrip("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(roundtrip("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(roundtrip("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(roundtrip("0.1"), "0.1");
}

TEST(Json, StringsKeepUtf8AndEscapeControls) {
  EXPECT_EQ(roundtrip(R"("h\u00e9\n\u0001\"\\")"), "\"h\xc3\xa9\\n\\u0001\\\"\\\\\"");
}

TEST(Json, MemberOrderIsPreserved) { EXPECT_EQ(roundtrip(R"({"b":1,"a":2})"), R"({"b":1,"a":2})"); }

TEST(Json, DuplicateMembersLastWins) { EXPECT_EQ(roundtrip(R"({"a":1,"a":2})"), R"({"a":2})"); }

TEST(Json, RejectsInvalidInput) {
  EXPECT_THROW(parse_json("{"), JsonParseError);
  EXPECT_THROW(parse_json("\"\xff\""), JsonParseError);
  EXPECT_THROW(parse_json("NaN"), JsonParseError);
  EXPECT_THROW(parse_json("[1] x"), JsonParseError);
}

TEST(Json, DepthLimit) {
  std::string ok(64, '['), deep(65, '[');
  ok += std::string(64, ']');
  deep += std::string(65, ']');
  EXPECT_NO_THROW(parse_json(ok, {64}));
  EXPECT_THROW(parse_json(deep, {64}), JsonParseError);
}

// Issue #12, finding 1: Boost.JSON parses 1e400 as an infinity, which was stored and written
// out as `inf`; every later read of the document then failed.
TEST(Json, RefusesNumbersBeyondTheDoubleRange) {
  EXPECT_THROW(parse_json("1e400"), JsonParseError);
  EXPECT_THROW(parse_json("-1e400"), JsonParseError);
  EXPECT_THROW(parse_json(R"({"n":[1,{"m":1e400}]})"), JsonParseError);
  EXPECT_THROW(parse_json(std::string(400, '9')), JsonParseError);
  EXPECT_THROW(parse_json("-" + std::string(400, '9') + ".5"), JsonParseError);
  // Underflow is a finite zero, and the largest finite double is fine.
  EXPECT_EQ(roundtrip("1e-400"), "0");
  EXPECT_EQ(roundtrip("1.7976931348623157e308"), "1.7976931348623157e+308");
}

TEST(Json, ParseErrorsAreStdExceptions) {
  try {
    parse_json("1e400");
    FAIL() << "no throw";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()), "");
  }
}

TEST(Json, NonFiniteDoublesAreWrittenAsNull) {
  json::array a{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                std::numeric_limits<double>::quiet_NaN(), 1.5};
  EXPECT_EQ(to_json(json::value(a)), "[null,null,null,1.5]");
  EXPECT_FALSE(all_numbers_finite(json::value(a)));
  EXPECT_TRUE(all_numbers_finite(parse_json(R"({"a":[1,2.5,{"b":-3e300}]})")));
}
