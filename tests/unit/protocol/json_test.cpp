#include <cocobase/protocol/json.hpp>

#include <gtest/gtest.h>

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
