// Inputs found by fuzz/fuzz_json that parse_json got wrong with Boost.JSON 1.81's own number
// conversion, which does not round decimal text correctly. Each is the shortest text of a
// double, as JavaScript writes it, so a document written by a JavaScript client changed value
// when the server stored it, and again on every later write of the read value. parse_json now
// converts doubles from their text with std::from_chars (protocol/src/json.cpp).
#include <cocobase/protocol/json.hpp>

#include <gtest/gtest.h>

using namespace cocobase::protocol;

TEST(JsonFuzzFindings, ShortestDoubleTextRoundTripsExactly) {
  for (const char* text : {"-9.223372036852337e+49", "1.0719925234567891e+36", "5.555555555555557e+59",
                           "-922337220360722.1"})
    EXPECT_EQ(to_json(parse_json(text)), text);
}

TEST(JsonFuzzFindings, LongMantissaIsCorrectlyRounded) {
  // As JavaScript and Python read it; Boost.JSON 1.81 gave 1.0719925234567891e+36.
  EXPECT_EQ(to_json(parse_json("1071992523456789012345199254740567891")), "1.071992523456789e+36");
}
