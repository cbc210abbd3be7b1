// The filter language of PROTOCOL 4.2-4.8: the 66 examples of 4.9, then edge cases.
#include <cocobase/protocol/filter.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocobase::protocol {
namespace {

enum class Expect { yes, no, error };

std::ostream& operator<<(std::ostream& os, Expect e) {
  return os << (e == Expect::yes ? "yes" : e == Expect::no ? "no" : "error");
}

// Query strings in the tests are written decoded, as in 4.9: split on '&' and the first '='.
std::vector<std::pair<std::string, std::string>> pairs_of(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  for (;;) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(std::string(pair), "");
    else
      out.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) return out;
    q.remove_prefix(amp + 1);
  }
}

Document make_doc(std::string_view data_json) {
  Document d;
  d.id = "3f1c2a9e-8d4b-4e0a-9c57-1b2d3e4f5a6b";
  d.collection = "people";
  d.collection_id = "0b5e7d10-2c44-4f6e-8a1d-9e3c5b7a2f10";
  d.created_at = "2025-03-10T08:00:00.000Z";
  d.updated_at = "2025-03-12T09:30:00.000Z";
  d.data = parse_json(data_json).as_object();
  return d;
}

// Document D of 4.9.
const Document& doc_d() {
  static const Document d = make_doc(R"({
    "name": "Alice Smith", "email": "alice@Example.com", "age": 30, "score": "85",
    "zip": "01234", "active": true, "tags": ["admin", "dev"],
    "author": {"role": "admin", "level": 3}, "deleted_at": null,
    "check_in": "yes", "id": "custom"})");
  return d;
}

Filter query_filter(std::string_view q, const FilterLimits& limits = {}) {
  return parse_query_filter(pairs_of(q), reserved_keys_common(), limits);
}

Filter ws_filter(std::string_view filters_json, const FilterLimits& limits = {}) {
  return parse_ws_filter(parse_json(filters_json).as_object(), limits);
}

template <class Parse>
Expect evaluate(const Document& d, Parse parse) {
  try {
    Filter f = parse();
    return f.matches(DocumentFieldSource(d)) ? Expect::yes : Expect::no;
  } catch (const FilterError&) {
    return Expect::error;
  }
}

Expect eval_query(const Document& d, std::string_view q) {
  return evaluate(d, [&] { return query_filter(q); });
}
Expect eval_ws(const Document& d, std::string_view filters_json) {
  return evaluate(d, [&] { return ws_filter(filters_json); });
}

// ---- PROTOCOL 4.9 ------------------------------------------------------------------------

struct ExampleRow {
  int number;
  bool ws;
  const char* filter;
  Expect expect;
};

void PrintTo(const ExampleRow& r, std::ostream* os) { *os << "row " << r.number << ": " << r.filter; }

const ExampleRow kExamples[] = {
    {1, false, "name=Alice Smith", Expect::yes},
    {2, false, "name=alice smith", Expect::no},
    {3, false, "name_eq=Alice Smith", Expect::yes},
    {4, false, "name_ne=Bob", Expect::yes},
    {5, false, "name_contains=SMITH", Expect::yes},
    {6, false, "name_icontains=smi", Expect::yes},
    {7, false, "name_startswith=alice", Expect::no},
    {8, false, "name_startswith=Alice", Expect::yes},
    {9, false, "email_endswith=@example.com", Expect::no},
    {10, false, "age=30", Expect::yes},
    {11, false, "age=30.0", Expect::yes},
    {12, false, "age=thirty", Expect::no},
    {13, false, "age_gte=18", Expect::yes},
    {14, false, "age_gt=30", Expect::no},
    {15, false, "age_lt=abc", Expect::no},
    {16, false, "score_gt=9", Expect::yes},
    {17, false, "score=85.0", Expect::no},
    {18, false, "zip_lt=1235", Expect::yes},
    {19, false, "zip=1234", Expect::no},
    {20, false, "active=true", Expect::yes},
    {21, false, "active=TRUE", Expect::yes},
    {22, false, "active=1", Expect::no},
    {23, false, "tags=admin", Expect::yes},
    {24, false, "tags_ne=admin", Expect::no},
    {25, false, "tags_in=ops,dev", Expect::yes},
    {26, false, "tags_notin=ops", Expect::yes},
    {27, false, "tags_contains=ADM", Expect::yes},
    {28, false, "author.role=admin", Expect::yes},
    {29, false, "author.level_gte=3", Expect::yes},
    {30, false, "author=admin", Expect::no},
    {31, false, "author.role.x=admin", Expect::no},
    {32, false, "tags.1=dev", Expect::yes},
    {33, false, "nickname=Al", Expect::no},
    {34, false, "nickname_ne=Al", Expect::yes},
    {35, false, "nickname_isnull=true", Expect::yes},
    {36, false, "deleted_at_isnull=true", Expect::yes},
    {37, false, "deleted_at_isnull=false", Expect::no},
    {38, false, "deleted_at=null", Expect::no},
    {39, false, "deleted_at_ne=x", Expect::yes},
    {40, false, "age_isnull=maybe", Expect::error},
    {41, false, "age_in=", Expect::no},
    {42, false, "age_notin=", Expect::yes},
    {43, false, "age_in=10, 30", Expect::yes},
    {44, false, "age_in=,,", Expect::no},
    {45, false, "created_at_gte=2025-03-10", Expect::yes},
    {46, false, "created_at_lte=2025-03-10", Expect::no},
    {47, false, "created_at_lt=2025-03-11", Expect::yes},
    {48, false, "id=custom", Expect::no},
    {49, false, "id=3f1c2a9e-8d4b-4e0a-9c57-1b2d3e4f5a6b", Expect::yes},
    {50, false, "name__or__email_contains=example", Expect::yes},
    {51, false, "name__or__email=x", Expect::no},
    {52, false, "[or]age_lt=18&[or]active=true", Expect::yes},
    {53, false, "[or:a]age_lt=18&[or:a]tags=ops&active=true", Expect::no},
    {54, false, "[or:a]age_lt=18&[or:a]tags=dev&[or:b]name=Bob&[or:b]zip=01234", Expect::yes},
    {55, false, "status=active&[or]age_gt=18", Expect::no},
    {56, false, "check_in=yes", Expect::no},
    {57, false, "check_in_eq=yes", Expect::yes},
    {58, false, "price_invalid=1", Expect::no},
    {59, false, "[x]name=A", Expect::error},
    {60, false, "name_contains=", Expect::yes},
    {61, false, "__or__name=A", Expect::error},
    {62, true, R"({"age_gte": 18})", Expect::yes},
    {63, true, R"({"active": true})", Expect::yes},
    {64, true, R"({"tags_in": ["ops", "dev"]})", Expect::yes},
    {65, true, R"({"name": null})", Expect::yes},
    {66, true, R"({"age_gt": {"x": 1}})", Expect::error},
};

class ProtocolExample : public ::testing::TestWithParam<ExampleRow> {};

TEST_P(ProtocolExample, MatchesDocumentD) {
  const ExampleRow& row = GetParam();
  Expect got = row.ws ? eval_ws(doc_d(), row.filter) : eval_query(doc_d(), row.filter);
  EXPECT_EQ(got, row.expect) << "row " << row.number << ": " << row.filter;
}

INSTANTIATE_TEST_SUITE_P(Section4_9, ProtocolExample, ::testing::ValuesIn(kExamples),
                         [](const auto& info) { return "Row" + std::to_string(info.param.number); });

TEST(ProtocolExampleTable, HasAllRows) { EXPECT_EQ(std::size(kExamples), 66u); }

// ---- edge cases: one record, one query string --------------------------------------------

struct EdgeCase {
  const char* name;
  const char* data;
  const char* query;
  Expect expect;
};

void PrintTo(const EdgeCase& c, std::ostream* os) { *os << c.name << ": " << c.query << " on " << c.data; }

const EdgeCase kEdgeCases[] = {
    // missing, null, objects
    {"MissingEq", "{}", "a=1", Expect::no},
    {"MissingNe", "{}", "a_ne=1", Expect::yes},
    {"MissingGt", "{}", "a_gt=1", Expect::no},
    {"MissingContainsEmpty", "{}", "a_contains=", Expect::no},
    {"MissingIn", "{}", "a_in=1", Expect::no},
    {"MissingNotin", "{}", "a_notin=1", Expect::yes},
    {"NullEqNullText", R"({"a":null})", "a=null", Expect::no},
    {"NullNe", R"({"a":null})", "a_ne=x", Expect::yes},
    {"NullContainsEmpty", R"({"a":null})", "a_contains=", Expect::no},
    {"NullLt", R"({"a":null})", "a_lt=z", Expect::no},
    {"NullNotin", R"({"a":null})", "a_notin=x", Expect::yes},
    {"ObjectNe", R"({"a":{"b":1}})", "a_ne=1", Expect::yes},
    {"ObjectContains", R"({"a":{"b":1}})", "a_contains=b", Expect::no},
    {"ObjectGt", R"({"a":{"b":1}})", "a_gt=0", Expect::no},
    // booleans
    {"BoolGt", R"({"a":true})", "a_gt=0", Expect::no},
    {"BoolEqFalseMixedCase", R"({"a":false})", "a=FaLsE", Expect::yes},
    {"BoolEqWrongValue", R"({"a":false})", "a=true", Expect::no},
    {"BoolNeWrongValue", R"({"a":false})", "a_ne=true", Expect::yes},
    {"BoolEqZero", R"({"a":false})", "a=0", Expect::no},
    {"StringTrueIsExact", R"({"a":"true"})", "a=TRUE", Expect::no},
    {"BoolContainsFolded", R"({"a":true})", "a_contains=RU", Expect::yes},
    {"BoolStartswith", R"({"a":true})", "a_startswith=tr", Expect::yes},
    {"BoolStartswithCase", R"({"a":true})", "a_startswith=Tr", Expect::no},
    // numbers vs operand text
    {"IntContains", R"({"a":12345})", "a_contains=234", Expect::yes},
    {"DoubleContains", R"({"a":18.5})", "a_contains=8.5", Expect::yes},
    {"NegativeStartswith", R"({"a":-12})", "a_startswith=-1", Expect::yes},
    {"DoubleEqTrailingZero", R"({"a":18.5})", "a=18.50", Expect::yes},
    {"DoubleEqExponent", R"({"a":18.5})", "a=1.85e1", Expect::yes},
    {"IntEqPlusSign", R"({"a":30})", "a=+30", Expect::yes},
    {"IntEqLeadingZeros", R"({"a":30})", "a=0030", Expect::yes},
    {"IntEqSurroundingSpace", R"({"a":30})", "a= 30", Expect::no},
    {"IntEqHex", R"({"a":16})", "a=0x10", Expect::no},
    {"IntLtInfinity", R"({"a":1})", "a_lt=Infinity", Expect::no},
    {"IntLtInf", R"({"a":1})", "a_lt=inf", Expect::no},
    {"IntNeNan", R"({"a":1})", "a_ne=NaN", Expect::yes},
    {"IntLtOverflow", R"({"a":1})", "a_lt=1e400", Expect::no},
    {"ZeroEqUnderflow", R"({"a":0})", "a=1e-400", Expect::yes},
    {"ZeroEqNegativeZero", R"({"a":0})", "a=-0", Expect::yes},
    {"DoubleEqLeadingPoint", R"({"a":0.5})", "a=.5", Expect::yes},
    {"IntEqTrailingPoint", R"({"a":5})", "a=5.", Expect::yes},
    {"LonePointNotNumeric", R"({"a":0})", "a=.", Expect::no},
    {"BareExponentNotNumeric", R"({"a":1})", "a=1e", Expect::no},
    {"ExponentOnlyNotNumeric", R"({"a":100000})", "a=e5", Expect::no},
    {"DoubleSignNotNumeric", R"({"a":-1})", "a=--1", Expect::no},
    {"DoubleDecimal", R"({"a":0.1})", "a=0.1", Expect::yes},
    {"DoubleGt", R"({"a":0.30000000000000004})", "a_gt=0.3", Expect::yes},
    {"LargeDoubleEq", R"({"a":1e21})", "a=1e+21", Expect::yes},
    {"LargeDoubleEqUpper", R"({"a":1e21})", "a=1E21", Expect::yes},
    {"LargeDoubleScalarText", R"({"a":1e21})", "a_contains=e+21", Expect::yes},
    // int64 / uint64 extremes: exact for int64, doubles beyond
    {"Int64MaxGtMaxMinusOne", R"({"a":9223372036854775807})", "a_gt=9223372036854775806", Expect::yes},
    {"Int64MaxEqMaxMinusOne", R"({"a":9223372036854775807})", "a=9223372036854775806", Expect::no},
    {"Int64MaxEqMax", R"({"a":9223372036854775807})", "a=9223372036854775807", Expect::yes},
    {"Int64MinLt", R"({"a":-9223372036854775808})", "a_lt=-9223372036854775807", Expect::yes},
    {"Int64TextGt", R"({"a":"9223372036854775807"})", "a_gt=9223372036854775806", Expect::yes},
    {"Int64TextEqIsExactText", R"({"a":"9223372036854775807"})", "a=9223372036854775806", Expect::no},
    // Beyond int64 the spec compares as doubles, so neighbouring huge values are equal.
    {"Int64MaxEqBeyondAsDouble", R"({"a":9223372036854775807})", "a=9223372036854775808", Expect::yes},
    {"Uint64MaxGt", R"({"a":18446744073709551615})", "a_gt=9223372036854775807", Expect::yes},
    {"Uint64MaxEq", R"({"a":18446744073709551615})", "a=18446744073709551615", Expect::yes},
    {"Uint64MaxEqNeighbourAsDouble", R"({"a":18446744073709551615})", "a=18446744073709551614", Expect::yes},
    {"Uint64ScalarText", R"({"a":18446744073709551615})", "a_endswith=551615", Expect::yes},
    // strings: numeric when both sides are numeric text, else bytewise
    {"NumericStringGt", R"({"a":"10"})", "a_gt=9", Expect::yes},
    {"NonNumericOperandBytewise", R"({"a":"10"})", "a_gt=9x", Expect::no},
    {"NonNumericFieldBytewise", R"({"a":"abc"})", "a_gt=9", Expect::yes},
    {"NumericStringEqIsExactText", R"({"a":"30"})", "a=30", Expect::yes},
    {"NumericStringEqOtherSpelling", R"({"a":"30"})", "a=30.0", Expect::no},
    {"NumericStringGteExponent", R"({"a":"1e2"})", "a_gte=100", Expect::yes},
    {"NumericStringLteExponent", R"({"a":"1e2"})", "a_lte=100", Expect::yes},
    {"BytewiseUnsigned", R"({"a":"é"})", "a_gt=z", Expect::yes},
    {"ContainsNonAsciiExact", R"({"a":"ÄBC"})", "a_contains=äbc", Expect::no},
    {"ContainsFoldsAsciiOnly", R"({"a":"ÄBC"})", "a_contains=Äb", Expect::yes},
    {"EmptyContainsEmpty", R"({"a":""})", "a_contains=", Expect::yes},
    {"EmptyStartswithEmpty", R"({"a":""})", "a_startswith=", Expect::yes},
    {"EndswithCaseSensitive", R"({"a":"Hello"})", "a_endswith=LO", Expect::no},
    // arrays
    {"ArrayGtSome", R"({"a":[1,2,3]})", "a_gt=2", Expect::yes},
    {"ArrayGtNone", R"({"a":[1,2,3]})", "a_gt=3", Expect::no},
    {"ArrayMixedGt", R"({"a":[10,"abc"]})", "a_gt=50", Expect::yes},
    {"ArrayMixedLt", R"({"a":[10,"abc"]})", "a_lt=5", Expect::no},
    {"EmptyArrayEq", R"({"a":[]})", "a=1", Expect::no},
    {"EmptyArrayNe", R"({"a":[]})", "a_ne=1", Expect::yes},
    {"EmptyArrayNotNull", R"({"a":[]})", "a_isnull=false", Expect::yes},
    {"EmptyArrayIsnullTrue", R"({"a":[]})", "a_isnull=true", Expect::no},
    {"NestedArrayNotFlattened", R"({"a":[[1]]})", "a=1", Expect::no},
    {"ArrayOfObjectsNotImplicit", R"({"a":[{"b":1}]})", "a.b=1", Expect::no},
    {"ArrayOfObjectsIndexed", R"({"a":[{"b":1}]})", "a.0.b=1", Expect::yes},
    {"ArrayNeSomeEqual", R"({"a":["x","y"]})", "a_ne=x", Expect::no},
    {"ArrayNotinSomeIn", R"({"a":["x","y"]})", "a_notin=x,z", Expect::no},
    {"ArrayNotinNoneIn", R"({"a":["x","y"]})", "a_notin=z", Expect::yes},
    {"ArrayBoolEq", R"({"a":[true]})", "a=TRUE", Expect::yes},
    {"ArrayWithNullEq", R"({"a":[null,"x"]})", "a=x", Expect::yes},
    {"ArrayWithNullNotNull", R"({"a":[null]})", "a_isnull=true", Expect::no},
    {"ArrayStartswith", R"({"a":["Hello"]})", "a_startswith=He", Expect::yes},
    {"ArrayNumberContains", R"({"a":[123]})", "a_contains=2", Expect::yes},
    // dotted paths
    {"DeepPath", R"({"a":{"b":{"c":"x"}}})", "a.b.c=x", Expect::yes},
    {"ArrayIndex", R"({"a":["x","y"]})", "a.1=y", Expect::yes},
    {"ArrayIndexLeadingZero", R"({"a":["x","y"]})", "a.01=y", Expect::no},
    {"ArrayIndexOutOfRange", R"({"a":["x","y"]})", "a.2=y", Expect::no},
    {"ArrayIndexNegative", R"({"a":["x","y"]})", "a.-1=y", Expect::no},
    {"ArrayIndexPlus", R"({"a":["x","y"]})", "a.+1=y", Expect::no},
    {"ArrayIndexHuge", R"({"a":["x","y"]})", "a.99999999999999999999999=y", Expect::no},
    {"ArrayIndexZero", R"({"a":["x","y"]})", "a.0=x", Expect::yes},
    {"ObjectMemberLooksLikeIndex", R"({"a":{"01":"z"}})", "a.01=z", Expect::yes},
    {"StepIntoString", R"({"a":"str"})", "a.0=s", Expect::no},
    {"DoubleDot", R"({"a":1})", "a..b=1", Expect::error},
    {"LeadingDot", R"({"a":1})", ".a=1", Expect::error},
    {"TrailingDot", R"({"a":1})", "a.=1", Expect::error},
    {"MetadataLongerPathMissing", R"({"id":{"x":"1"}})", "id.x=1", Expect::no},
    {"MetadataLongerPathIsnull", R"({})", "id.x_isnull=true", Expect::yes},
    {"UpdatedAtMetadata", R"({"updated_at":"x"})", "updated_at_lt=2025-03-13", Expect::yes},
    // groups
    {"OrGroupSecondTrue", R"({"a":2})", "[or]a=1&[or]a=2", Expect::yes},
    {"OrGroupNoneTrue", R"({"a":3})", "[or]a=1&[or]a=2", Expect::no},
    {"OrDefaultIsSameGroup", R"({"a":1,"b":2})", "[or:default]a=9&[or]b=2", Expect::yes},
    {"OrNamedGroupSeparate", R"({"a":1,"b":2})", "[or:g]a=9&[or]b=2", Expect::no},
    {"OrGroupNameCharset", R"({"a":1})", "[or:a-B_9]a=1", Expect::yes},
    {"OrGroupName64", R"({"a":1})",
     "[or:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]a=1", Expect::yes},
    {"OrGroupName65", R"({"a":1})",
     "[or:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]a=1", Expect::error},
    {"OrGroupEmptyName", R"({"a":1})", "[or:]a=1", Expect::error},
    {"OrGroupNameWithSpace", R"({"a":1})", "[or:a b]a=1", Expect::error},
    {"OrGroupNameWithDot", R"({"a":1})", "[or:a.b]a=1", Expect::error},
    {"OrGroupMissingBracket", R"({"a":1})", "[or:a", Expect::error},
    {"OrxPrefix", R"({"a":1})", "[orx]a=1", Expect::error},
    {"UppercaseOr", R"({"a":1})", "[OR]a=1", Expect::error},
    {"EmptyBrackets", R"({"a":1})", "[]a=1", Expect::error},
    {"GroupWithoutField", R"({"a":1})", "[or]=1", Expect::error},
    {"BracketInsideNameIsField", R"({"a[or]":1})", "a[or]=1", Expect::yes},
    // Only one group prefix is stripped; the rest is a (strange) field name.
    {"SecondPrefixIsFieldName", R"({"[or]a":1})", "[or][or]a=1", Expect::yes},
    {"UngroupedAndGroup", R"({"a":1,"b":2})", "a=1&[or]b=3&[or]b=2", Expect::yes},
    // multi-field OR
    {"MultiFieldSecond", R"({"b":1})", "a__or__b=1", Expect::yes},
    {"MultiFieldNeither", R"({"a":2,"b":2})", "a__or__b=1", Expect::no},
    {"MultiFieldThree", R"({"c":1})", "a__or__b__or__c=1", Expect::yes},
    {"MultiFieldNeBothEqual", R"({"a":1,"b":1})", "a__or__b_ne=1", Expect::no},
    {"MultiFieldNeOneDiffers", R"({"a":1,"b":2})", "a__or__b_ne=1", Expect::yes},
    {"MultiFieldIsnull", R"({"a":1})", "a__or__b_isnull=true", Expect::yes},
    {"MultiFieldDotted", R"({"a":{"b":1}})", "x__or__a.b_gte=1", Expect::yes},
    {"MultiFieldEmptyLast", R"({"a":1})", "a__or__=1", Expect::error},
    {"MultiFieldEmptyMiddle", R"({"a":1})", "a__or____or__b=1", Expect::error},
    {"MultiFieldOnlySeparator", R"({"a":1})", "__or__=1", Expect::error},
    {"EmptyKey", R"({"a":1})", "=1", Expect::error},
    // operator suffix
    {"SuffixOnlyIsFieldName", R"({"_eq":"x"})", "_eq=x", Expect::yes},
    {"OperatorNameAsField", R"({"gt":"5"})", "gt=5", Expect::yes},
    {"TrailingUnderscoreField", R"({"a_":1})", "a_=1", Expect::yes},
    {"OperatorsAreCaseSensitive", R"({"a_GT":1})", "a_GT=1", Expect::yes},
    {"FieldEndingInOperator", R"({"a_in":"x"})", "a_in_eq=x", Expect::yes},
    {"CreatedAtUnderscores", R"({})", "created_at_gt=2025", Expect::yes},
    {"NotinNotIn", R"({"a":"x"})", "a_notin=x", Expect::no},
    {"IcontainsAlias", R"({"a":"Hello"})", "a_icontains=LL", Expect::yes},
    // isnull
    {"IsnullOneMissing", "{}", "a_isnull=1", Expect::yes},
    {"IsnullUpperTrue", "{}", "a_isnull=TRUE", Expect::yes},
    {"IsnullZeroMissing", "{}", "a_isnull=0", Expect::no},
    {"IsnullFalseMixedCase", R"({"a":1})", "a_isnull=FaLsE", Expect::yes},
    {"IsnullEmptyStringPresent", R"({"a":""})", "a_isnull=false", Expect::yes},
    {"IsnullEmptyObjectPresent", R"({"a":{}})", "a_isnull=false", Expect::yes},
    {"IsnullNullTrue", R"({"a":null})", "a_isnull=1", Expect::yes},
    {"IsnullEmptyOperand", "{}", "a_isnull=", Expect::error},
    {"IsnullYes", "{}", "a_isnull=yes", Expect::error},
    {"IsnullSpaced", "{}", "a_isnull= true", Expect::error},
    {"IsnullTwo", "{}", "a_isnull=2", Expect::error},
    // in / notin lists
    {"InSecondItem", R"({"a":2})", "a_in=1,2", Expect::yes},
    {"InTrimsSpaces", R"({"a":2})", "a_in= 2 ", Expect::yes},
    {"InTrimsTabs", R"({"a":"x"})", "a_in=\tx\t,y", Expect::yes},
    {"InKeepsInnerSpace", R"({"a":"x y"})", "a_in=x y,z", Expect::yes},
    {"InNumericItem", R"({"a":1})", "a_in=1.0", Expect::yes},
    {"InBoolItem", R"({"a":true})", "a_in=no,True", Expect::yes},
    {"InOnlyEmptyItems", R"({"a":""})", "a_in=,", Expect::no},
    {"NotinOnlyEmptyItems", R"({"a":"x"})", "a_notin=,,", Expect::yes},
    // reserved keys
    {"ReservedSkipped", R"({"a":1})", "limit=5&offset=1&sort=a&order=asc&sort_by=a&sort_order=x&select=a&populate=b&count=true&a=1",
     Expect::yes},
    {"ReservedLookalikeFilters", R"({"limit":10})", "limit_gte=5", Expect::yes},
    {"ReservedIsCaseSensitive", R"({"a":1})", "Limit=5&a=1", Expect::no},
    {"AggregateKeysNotReservedOnList", R"({"a":1})", "field=a&a=1", Expect::no},
};

class EdgeCaseTest : public ::testing::TestWithParam<EdgeCase> {};

TEST_P(EdgeCaseTest, Matches) {
  const EdgeCase& c = GetParam();
  EXPECT_EQ(eval_query(make_doc(c.data), c.query), c.expect) << c.query << " on " << c.data;
}

INSTANTIATE_TEST_SUITE_P(Filter, EdgeCaseTest, ::testing::ValuesIn(kEdgeCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ---- realtime filters objects (4.5) ------------------------------------------------------

const EdgeCase kWsCases[] = {
    {"DoubleNormalized", R"({"a":18.5})", R"({"a":18.5})", Expect::yes},
    {"DoubleNormalizedStringField", R"({"a":"18.5"})", R"({"a":18.5})", Expect::yes},
    {"IntegralDoubleNormalized", R"({"a":"10"})", R"({"a":10.0})", Expect::yes},
    {"LargeDoubleNormalized", R"({"a":"1e+21"})", R"({"a":1e21})", Expect::yes},
    {"BoolNormalized", R"({"a":"false"})", R"({"a":false})", Expect::yes},
    {"ArrayItemsNormalized", R"({"a":"1"})", R"({"a_in":[1,"x",true]})", Expect::yes},
    {"ArrayItemsNotTrimmed", R"({"a":"x"})", R"({"a_in":[" x "]})", Expect::no},
    {"ArrayItemsKeptVerbatim", R"({"a":" x "})", R"({"a_in":[" x "]})", Expect::yes},
    {"ArrayItemsNotSplit", R"({"a":"x"})", R"({"a_in":["x,y"]})", Expect::no},
    {"ArrayEmptyStringItemKept", R"({"a":""})", R"({"a_in":[""]})", Expect::yes},
    {"StringOperandSplit", R"({"a":"y"})", R"({"a_in":"x, y"})", Expect::yes},
    {"EmptyArrayIn", R"({"a":"x"})", R"({"a_in":[]})", Expect::no},
    {"ArrayNotin", R"({"a":"x"})", R"({"a_notin":["y","z"]})", Expect::yes},
    {"ArrayWithEq", R"({"a":1})", R"({"a":[1]})", Expect::error},
    {"ArrayWithNe", R"({"a":1})", R"({"a_ne":["x"]})", Expect::error},
    {"ArrayNullItem", R"({"a":1})", R"({"a_in":[null]})", Expect::error},
    {"ArrayArrayItem", R"({"a":1})", R"({"a_in":[[1]]})", Expect::error},
    {"ArrayObjectItem", R"({"a":1})", R"({"a_in":[{}]})", Expect::error},
    {"ObjectOperand", R"({"a":1})", R"({"a":{}})", Expect::error},
    {"ReservedIgnored", R"({"a":1})", R"({"limit":5,"sort":"x","select":{},"populate":[1]})", Expect::yes},
    {"AggregateNamesNotReserved", R"({"a":1})", R"({"field":"x"})", Expect::no},
    {"InvalidKey", R"({"a":1})", R"({"[x]a":1})", Expect::error},
    {"NullDroppedBeforeKeyCheck", R"({"a":1})", R"({"[x]a":null})", Expect::yes},
    {"NullDroppedOthersKept", R"({"a":1})", R"({"b":null,"a":2})", Expect::no},
    {"IsnullBool", "{}", R"({"a_isnull":true})", Expect::yes},
    {"IsnullNumber", R"({"a":1})", R"({"a_isnull":0})", Expect::yes},
    {"IsnullBad", "{}", R"({"a_isnull":"maybe"})", Expect::error},
    {"SpellingVariantsInOneGroup", R"({"s":"b"})", R"({"[or]s":"a","[or]s_eq":"b"})", Expect::yes},
    {"Int64Exact", R"({"a":9223372036854775807})", R"({"a_gt":9223372036854775806})", Expect::yes},
    {"Uint64Text", R"({"a":"18446744073709551615"})", R"({"a":18446744073709551615})", Expect::yes},
};

class WsCaseTest : public ::testing::TestWithParam<EdgeCase> {};

TEST_P(WsCaseTest, Matches) {
  const EdgeCase& c = GetParam();
  EXPECT_EQ(eval_ws(make_doc(c.data), c.query), c.expect) << c.query << " on " << c.data;
}

INSTANTIATE_TEST_SUITE_P(Filter, WsCaseTest, ::testing::ValuesIn(kWsCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(WsFilter, OperandsNormalizedToText) {
  Filter f = ws_filter(R"({"a":18.5,"b":1e21,"c":10.0,"d":true,"e":-7,"f":18446744073709551615})");
  ASSERT_EQ(f.conditions().size(), 6u);
  const char* expected[] = {"18.5", "1e+21", "10", "true", "-7", "18446744073709551615"};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(f.conditions()[i].operand, expected[i]);
  Filter g = ws_filter(R"({"a_in":[1.5,false,"x"]})");
  EXPECT_EQ(g.conditions()[0].items, (std::vector<std::string>{"1.5", "false", "x"}));
}

TEST(WsFilter, ErrorsNameTheOffendingKey) {
  // The realtime error INVALID_FILTER carries this as its `key` member (PROTOCOL 5.1.6).
  for (const char* bad : {R"({"ok":1,"[x]a":1})", R"({"ok":1,"a_isnull":"maybe"})", R"({"ok":1,"a":{"b":1}})",
                          R"({"ok":1,"a":[1,2]})"}) {
    try {
      ws_filter(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const FilterError& e) {
      EXPECT_NE(e.key, "ok") << bad;
      EXPECT_FALSE(e.key.empty()) << bad;
      EXPECT_NE(e.detail.find(e.key), std::string::npos) << e.detail;
    }
  }
}

// ---- structure, limits, helpers ----------------------------------------------------------

TEST(FilterStructure, GroupsAndConditionsAreAccessible) {
  Filter f = query_filter("a=1&[or]b=2&[or:g]c_in=x, y&[or:default]d_gt=4&e=5");
  EXPECT_EQ(f.condition_count(), 5u);
  EXPECT_FALSE(f.empty());
  ASSERT_EQ(f.conditions().size(), 2u);
  EXPECT_EQ(f.conditions()[0].paths, (std::vector<Path>{{"a"}}));
  EXPECT_EQ(f.conditions()[1].key, "e");
  ASSERT_EQ(f.groups().size(), 2u);
  EXPECT_EQ(f.groups()[0].name, "default");
  ASSERT_EQ(f.groups()[0].conditions.size(), 2u);
  EXPECT_EQ(f.groups()[0].conditions[1].op, FilterOp::gt);
  EXPECT_EQ(f.groups()[1].name, "g");
  const Condition& in = f.groups()[1].conditions[0];
  EXPECT_EQ(in.op, FilterOp::in);
  EXPECT_EQ(in.operand, "x, y");
  EXPECT_EQ(in.items, (std::vector<std::string>{"x", "y"}));
}

TEST(FilterStructure, EmptyFilterMatchesEverything) {
  Filter f = query_filter("limit=1");
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.condition_count(), 0u);
  EXPECT_TRUE(f.matches(DocumentFieldSource(doc_d())));
  EXPECT_TRUE(parse_query_filter({}, reserved_keys_common(), {}).empty());
}

TEST(FilterStructure, HandBuiltConditionIsPrepared) {
  Condition c;
  c.paths = {{"age"}};
  c.op = FilterOp::gte;
  c.operand = "29.5";
  Filter f;
  f.add(std::nullopt, c);
  EXPECT_TRUE(f.matches(DocumentFieldSource(doc_d())));
  Condition in;
  in.paths = {{"name"}};
  in.op = FilterOp::in;
  in.items = {"Bob", "Alice Smith"};
  f.add("g", in);
  EXPECT_TRUE(f.matches(DocumentFieldSource(doc_d())));
  EXPECT_EQ(f.condition_count(), 2u);
}

TEST(FilterKey, Splitting) {
  ParsedKey k = parse_filter_key("name_contains__or__email_contains");
  EXPECT_EQ(k.op, FilterOp::contains);
  EXPECT_EQ(k.paths, (std::vector<Path>{{"name_contains"}, {"email"}}));
  EXPECT_FALSE(k.group.has_value());
  k = parse_filter_key("[or:x]author.level_lte");
  EXPECT_EQ(k.group, "x");
  EXPECT_EQ(k.op, FilterOp::lte);
  EXPECT_EQ(k.paths, (std::vector<Path>{{"author", "level"}}));
  EXPECT_EQ(parse_filter_key("[or:default]a").group, "default");
  EXPECT_EQ(parse_filter_key("a_icontains").op, FilterOp::contains);
  EXPECT_EQ(parse_filter_key("a_notin").op, FilterOp::notin);
  EXPECT_EQ(parse_filter_key("check_in").paths, (std::vector<Path>{{"check"}}));
}

TEST(FilterKey, ErrorDetailNamesTheKey) {
  try {
    query_filter("[x]name=A");
    FAIL() << "expected FilterError";
  } catch (const FilterError& e) {
    EXPECT_EQ(e.detail, "Invalid filter key '[x]name'");
  }
  try {
    query_filter("age_isnull=maybe");
    FAIL() << "expected FilterError";
  } catch (const FilterError& e) {
    EXPECT_NE(e.detail.find("'age_isnull'"), std::string::npos) << e.detail;
  }
}

std::string repeat_conditions(int n) {
  std::string q;
  for (int i = 0; i < n; ++i) q += (i ? "&" : "") + std::string("[or]f") + std::to_string(i) + "=1";
  return q;
}

std::string list_of(int n) {
  std::string v;
  for (int i = 0; i < n; ++i) v += (i ? "," : "") + std::to_string(i);
  return v;
}

TEST(FilterLimitsTest, MaxConditions) {
  EXPECT_EQ(query_filter(repeat_conditions(64)).condition_count(), 64u);
  EXPECT_THROW(query_filter(repeat_conditions(65)), FilterError);
  EXPECT_THROW(query_filter("a=1&a=1", FilterLimits{1, 1000}), FilterError);  // repeats count
  EXPECT_NO_THROW(query_filter("a=1&limit=1&sort=x", FilterLimits{1, 1000}));  // reserved do not
  // Null members are dropped and do not count.
  std::string ws = "{\"n\":null";
  for (int i = 0; i < 64; ++i) ws += ",\"f" + std::to_string(i) + "\":1";
  EXPECT_EQ(ws_filter(ws + "}").condition_count(), 64u);
  EXPECT_THROW(ws_filter(ws + ",\"g\":1}"), FilterError);
}

TEST(FilterLimitsTest, MaxInItems) {
  EXPECT_EQ(query_filter("a_in=" + list_of(1000)).conditions()[0].items.size(), 1000u);
  EXPECT_THROW(query_filter("a_in=" + list_of(1001)), FilterError);
  EXPECT_THROW(query_filter("a_notin=" + list_of(1001)), FilterError);
  EXPECT_NO_THROW(query_filter("a_in=" + list_of(1000) + ",,, ,"));  // empty items do not count
  EXPECT_NO_THROW(query_filter("a_eq=" + list_of(1001)));             // only lists are limited
  EXPECT_THROW(ws_filter("{\"a_in\":[" + list_of(1001) + "]}"), FilterError);
  EXPECT_NO_THROW(ws_filter("{\"a_in\":[" + list_of(1000) + "]}"));
  EXPECT_THROW(query_filter("a_in=1,2,3", FilterLimits{64, 2}), FilterError);
}

TEST(FilterReserved, Lists) {
  const auto& common = reserved_keys_common();
  EXPECT_EQ(common.size(), 9u);
  EXPECT_EQ(reserved_keys_aggregate().size(), 11u);
  Filter list = parse_query_filter(pairs_of("field=a&operation=sum"), common, {});
  EXPECT_EQ(list.condition_count(), 2u);
  Filter agg = parse_query_filter(pairs_of("field=a&operation=sum&x=1"), reserved_keys_aggregate(), {});
  EXPECT_EQ(agg.condition_count(), 1u);
}

TEST(FilterPath, ParseAndResolve) {
  EXPECT_EQ(parse_path("a.b.0"), (Path{"a", "b", "0"}));
  EXPECT_THROW(parse_path(""), FilterError);
  EXPECT_THROW(parse_path("a..b"), FilterError);
  EXPECT_THROW(parse_path("a."), FilterError);
  DocumentFieldSource src(doc_d());
  const json::value* null_member = resolve_path(src, {"deleted_at"});
  ASSERT_NE(null_member, nullptr);
  EXPECT_TRUE(null_member->is_null());
  EXPECT_EQ(resolve_path(src, {"nickname"}), nullptr);
  EXPECT_EQ(resolve_path(src, {}), nullptr);
  ASSERT_NE(resolve_path(src, {"id"}), nullptr);
  EXPECT_EQ(resolve_path(src, {"id"})->as_string(), doc_d().id);
  EXPECT_EQ(resolve_path(src, {"author", "level"})->as_int64(), 3);
  EXPECT_EQ(resolve_path(src, {"tags", "0"})->as_string(), "admin");
}

TEST(NumericText, Definition) {
  for (const char* yes : {"0", "-0", "+1", "007", "1.", ".5", "1.5e3", "1E-3", "-2.5e+10", "1e-400",
                          "9223372036854775808", "123456789012345678901234567890"})
    EXPECT_TRUE(is_numeric_text(yes)) << yes;
  for (const char* no : {"", "+", "-", ".", "e5", "1e", "1e+", " 1", "1 ", "0x10", "inf", "NaN",
                         "Infinity", "1e400", "--1", "1..2", "1.2.3", "1e5.5", "١"})
    EXPECT_FALSE(is_numeric_text(no)) << no;
  auto big = parse_numeric_text("9223372036854775807");
  ASSERT_TRUE(big && big->is_int);
  EXPECT_EQ(big->i, 9223372036854775807LL);
  auto beyond = parse_numeric_text("9223372036854775808");
  ASSERT_TRUE(beyond);
  EXPECT_FALSE(beyond->is_int);
  EXPECT_FALSE(parse_numeric_text("30.0")->is_int);
  EXPECT_EQ(parse_numeric_text("-1e-400")->d, 0.0);
}

// contains/startswith/endswith see a number's scalar text; it must equal number_text (json.cpp).
TEST(ScalarText, AgreesWithNumberText) {
  for (const char* num : {"0", "-0.0", "1.5", "-2.25", "1e21", "1e-7", "123456789.125", "9007199254740993",
                          "9007199254740992.0", "1.7976931348623157e308", "5e-324", "18446744073709551615",
                          "-9223372036854775808", "0.1", "100.0"}) {
    json::value v = parse_json(num);
    std::string text = number_text(v);
    Document d = make_doc("{}");
    d.data["a"] = v;
    for (const char* op : {"a_contains=", "a_startswith=", "a_endswith="})
      EXPECT_EQ(eval_query(d, op + text), Expect::yes) << num << " -> " << text;
    EXPECT_EQ(eval_query(d, "a_in=x," + text), Expect::yes) << num;  // and equal to itself
  }
}


// ---- cost bounds (issue #12, finding 4) ---------------------------------------------------

// The KMP search must agree with a plain search on texts full of partial matches, the cases
// where a wrong failure table skips a real match.
TEST(ContainsSearch, AgreesWithNaiveSearchOnRepetitiveText) {
  const std::vector<std::string> texts = {"aaaaaaaab", "abababababc", "aabaabaaabaab", "abcabcabd", "AbAbAbAc",
                                          "xyzzyxyzzyxyzzy", "mississippi", ""};
  std::size_t checked = 0;
  for (const auto& hay : texts)
    for (const auto& source : texts)
      for (std::size_t from = 0; from < source.size(); ++from)
        for (std::size_t len = 1; from + len <= source.size(); ++len) {
          std::string needle = source.substr(from, len);
          json::object data{{"a", hay}};
          Document d = make_doc("{}");
          d.data = data;
          std::string lower_hay = hay, lower_needle = needle;
          for (auto& c : lower_hay) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          for (auto& c : lower_needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          bool expected = lower_hay.find(lower_needle) != std::string::npos;
          Filter f = query_filter("a_contains=" + needle);
          ASSERT_EQ(f.matches(DocumentFieldSource(d)), expected) << "'" << needle << "' in '" << hay << "'";
          ++checked;
        }
  EXPECT_GT(checked, 1000u);
}

// The worst case of the old std::search (haystack x needle): 2 MiB of 'a' against "aaa...ab",
// 8.6e9 character comparisons there and about 4e6 here. This checks the answers at that size;
// the time is not asserted (tests never time), only seen: milliseconds here, seconds before.
TEST(ContainsSearch, WorstCaseInputIsLinear) {
  Document d = make_doc("{}");
  d.data["a"] = std::string(2 << 20, 'a');
  std::string needle(4095, 'a');
  needle += 'b';
  FilterLimits limits;
  Filter f = query_filter("a_contains=" + needle, limits);
  EXPECT_FALSE(f.matches(DocumentFieldSource(d)));
  d.data["a"] = std::string(2 << 20, 'a') + "B";
  EXPECT_TRUE(f.matches(DocumentFieldSource(d)));
}

TEST(FilterLimitsTest, OperandLengthIsBounded) {
  FilterLimits limits;
  limits.max_operand_bytes = 8;
  EXPECT_NO_THROW(query_filter("a_contains=12345678", limits));
  EXPECT_THROW(query_filter("a_contains=123456789", limits), FilterError);
  EXPECT_THROW(query_filter("a_in=1234,5678,9", limits), FilterError);
  EXPECT_THROW(parse_ws_filter(json::object{{"a_in", json::array{"12345", "67890"}}}, limits), FilterError);
  try {
    query_filter("ok=1&name_contains=123456789", limits);
  } catch (const FilterError& e) {
    EXPECT_EQ(e.key, "name_contains");
  }
}

}  // namespace
}  // namespace cocobase::protocol
