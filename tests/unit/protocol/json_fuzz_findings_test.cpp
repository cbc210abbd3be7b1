// Inputs found by fuzz/fuzz_json that parse_json gets wrong today. DISABLED until parse_json
// rounds decimal text correctly (Boost.JSON 1.81 does not: see fuzz/fuzz_json.cpp "KNOWN");
// enable with the fix. Each is the shortest text of a double, as JavaScript writes it, so a
// document written by a JavaScript client changes value when the server stores it, and again on
// every later write of the read value.
#include <cocobase/protocol/json.hpp>

#include <gtest/gtest.h>

using namespace cocobase::protocol;

TEST(JsonFuzzFindings, DISABLED_ShortestDoubleTextRoundTripsExactly) {
  for (const char* text : {"-9.223372036852337e+49", "1.0719925234567891e+36", "5.555555555555557e+59",
                           "-922337220360722.1"})
    EXPECT_EQ(to_json(parse_json(text)), text);
}

TEST(JsonFuzzFindings, DISABLED_LongMantissaIsCorrectlyRounded) {
  // strtod: 1.0719925234567889e+36; Boost.JSON 1.81: ...891e+36.
  EXPECT_EQ(to_json(parse_json("1071992523456789012345199254740567891")), "1.0719925234567889e+36");
}
