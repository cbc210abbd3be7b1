#include <cocobase/protocol/query_string.hpp>

#include <gtest/gtest.h>

using namespace cocobase::protocol;

TEST(QueryString, DecodesKeysValuesAndPlus) {
  auto q = parse_query_string("%5Bor%5Dstatus=a+b&name=%C3%A9");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0], (std::pair<std::string, std::string>{"[or]status", "a b"}));
  EXPECT_EQ((*q)[1].second, "\xc3\xa9");
}

TEST(QueryString, IgnoresEmptyPairsAndKeepsRepeats) {
  auto q = parse_query_string("&&a=1&&a=2&flag&");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(*last_value(*q, "a"), "2");
  EXPECT_EQ(last_value(*q, "b"), nullptr);
}

TEST(QueryString, SplitsOnFirstEquals) {
  auto q = parse_query_string("a=b=c");
  ASSERT_TRUE(q);
  EXPECT_EQ((*q)[0].second, "b=c");
}

TEST(QueryString, RejectsBadEncoding) {
  EXPECT_FALSE(parse_query_string("a=%zz"));
  EXPECT_FALSE(parse_query_string("a=%4"));
  EXPECT_FALSE(parse_query_string("a=%"));
  EXPECT_FALSE(parse_query_string("a=%ff"));      // invalid UTF-8 after decoding
  EXPECT_FALSE(parse_query_string("a=%ED%A0%80"));  // surrogate
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));  // overlong
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));  // truncated
}
