// Sorting of PROTOCOL 4.10.
#include <cocobase/protocol/sort.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace cocobase::protocol {
namespace {

struct CompareCase {
  const char* a;
  const char* b;
  int expected;  // sign of compare_sort_values(a, b)
};

void PrintTo(const CompareCase& c, std::ostream* os) { *os << c.a << " vs " << c.b; }

const CompareCase kCompareCases[] = {
    {"1", "2", -1},
    {"2", "1.5", 1},
    {"-1", "0.5", -1},
    {"1.5", "1.5", 0},
    {"9223372036854775807", "9223372036854775806", 1},
    {"-9223372036854775808", "-9223372036854775807", -1},
    // Exact across representations: as doubles these would all be equal.
    {"9007199254740993", "9007199254740992.0", 1},
    {"9223372036854775807", "9223372036854775808.0", -1},
    {"18446744073709551615", "-1", 1},
    {"18446744073709551615", "18446744073709551614", 1},
    {"18446744073709551615", "18446744073709551616.0", -1},
    {"18446744073709551615", "9223372036854775807", 1},
    {"-0.5", "-1", 1},
    {"1e300", "18446744073709551615", 1},
    {"1", "\"0\"", -1},      // numbers before strings
    {"\"10\"", "\"9\"", -1},  // numeric text sorts as a string
    {"\"b\"", "\"a\"", 1},
    {"\"a\"", "\"a\"", 0},
    {"\"\"", "\"a\"", -1},
    {"\"é\"", "\"z\"", 1},  // bytewise UTF-8
    {"\"z\"", "false", -1},  // strings before booleans
    {"false", "true", -1},
    {"true", "true", 0},
    {"true", "[]", -1},  // booleans before arrays/objects
    {"[]", "{}", -1},    // '[' < '{' in compact JSON
    {"[1,2]", "[1,10]", 1},
    {"{\"a\":1}", "{\"a\":1}", 0},
    {"{\"a\":1}", "{\"b\":0}", -1},
    {"1", "{}", -1},
};

class CompareSortValues : public ::testing::TestWithParam<CompareCase> {};

TEST_P(CompareSortValues, Order) {
  const auto& c = GetParam();
  json::value a = parse_json(c.a), b = parse_json(c.b);
  EXPECT_EQ(compare_sort_values(a, b), c.expected) << c.a << " vs " << c.b;
  EXPECT_EQ(compare_sort_values(b, a), -c.expected) << c.b << " vs " << c.a;
}

INSTANTIATE_TEST_SUITE_P(Sort, CompareSortValues, ::testing::ValuesIn(kCompareCases));

TEST(CompareSortValuesExtra, IntegralDoubleEqualsInt) {
  EXPECT_EQ(compare_sort_values(json::value(1.0), json::value(1)), 0);
  EXPECT_EQ(compare_sort_values(json::value(std::uint64_t{5}), json::value(5.0)), 0);
  EXPECT_EQ(compare_sort_values(json::value(-0.0), json::value(0)), 0);
  EXPECT_EQ(compare_sort_values(json::value(2.5), json::value(std::uint64_t{2})), 1);
}

Document doc(const std::string& id, const std::string& created_at, const char* data_json) {
  Document d;
  d.id = id;
  d.collection = "c";
  d.created_at = created_at;
  d.updated_at = created_at;
  d.data = parse_json(data_json).as_object();
  return d;
}

std::vector<std::string> ids(const std::vector<Document>& docs) {
  std::vector<std::string> out;
  for (const auto& d : docs) out.push_back(d.id);
  return out;
}

// Created in id order, so the missing/null tail also shows the created_at tie-break.
std::vector<Document> mixed_docs() {
  const char* data[] = {R"({"v":"b"})", R"({"v":2})",     R"({"v":true})", R"({"v":null})",
                        R"({})",        R"({"v":[1]})",   R"({"v":1})",    R"({"v":"a"})",
                        R"({"v":false})", R"({"v":{"x":1}})", R"({"v":1.5})"};
  std::vector<Document> docs;
  for (int i = 0; i < 11; ++i) {
    char id[8], ts[32];
    std::snprintf(id, sizeof id, "d%02d", i);
    std::snprintf(ts, sizeof ts, "2025-01-01T00:00:%02d.000Z", i);
    docs.push_back(doc(id, ts, data[i]));
  }
  return docs;
}

TEST(SortDocuments, MixedTypesAscending) {
  auto docs = mixed_docs();
  sort_documents(docs, {"v"}, SortOrder::asc);
  // 1, 1.5, 2, "a", "b", false, true, [1], {"x":1}, then null (d03) and missing (d04).
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"d06", "d10", "d01", "d07", "d00", "d08", "d02", "d05",
                                                 "d09", "d03", "d04"}));
}

TEST(SortDocuments, MixedTypesDescendingKeepsMissingLast) {
  auto docs = mixed_docs();
  sort_documents(docs, {"v"}, SortOrder::desc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"d09", "d05", "d02", "d08", "d00", "d07", "d01", "d10",
                                                 "d06", "d04", "d03"}));
}

TEST(SortDocuments, TiesByCreatedAtThenId) {
  std::vector<Document> docs{
      doc("b", "2025-01-02T00:00:00.000Z", R"({"v":1})"),
      doc("c", "2025-01-01T00:00:00.000Z", R"({"v":1})"),
      doc("a", "2025-01-02T00:00:00.000Z", R"({"v":1})"),
      doc("z", "2025-01-01T00:00:00.000Z", R"({"v":0})"),
  };
  sort_documents(docs, {"v"}, SortOrder::asc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"z", "c", "a", "b"}));
  sort_documents(docs, {"v"}, SortOrder::desc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"b", "a", "c", "z"}));
}

TEST(SortDocuments, MissingTiesByCreatedAtThenIdInDirection) {
  std::vector<Document> docs{
      doc("b", "2025-01-01T00:00:00.000Z", "{}"),
      doc("a", "2025-01-01T00:00:00.000Z", R"({"v":null})"),
      doc("c", "2024-01-01T00:00:00.000Z", "{}"),
      doc("x", "2023-01-01T00:00:00.000Z", R"({"v":"s"})"),
  };
  sort_documents(docs, {"v"}, SortOrder::asc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"x", "c", "a", "b"}));
  sort_documents(docs, {"v"}, SortOrder::desc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"x", "b", "a", "c"}));
}

TEST(SortDocuments, MetadataPaths) {
  std::vector<Document> docs{
      doc("m", "2025-01-02T00:00:00.000Z", R"({"created_at":"9","id":"0"})"),
      doc("k", "2025-01-03T00:00:00.000Z", R"({"created_at":"1","id":"9"})"),
      doc("z", "2025-01-01T00:00:00.000Z", "{}"),
  };
  sort_documents(docs, {"created_at"}, SortOrder::desc);  // the default listing order
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"k", "m", "z"}));
  sort_documents(docs, {"created_at"}, SortOrder::asc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"z", "m", "k"}));
  sort_documents(docs, {"id"}, SortOrder::asc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"k", "m", "z"}));
  // A longer metadata path is missing everywhere: only the tie-break remains.
  sort_documents(docs, {"created_at", "x"}, SortOrder::asc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"z", "m", "k"}));
}

TEST(SortDocuments, NestedPathAndArrayIndex) {
  std::vector<Document> docs{
      doc("a", "2025-01-01T00:00:00.000Z", R"({"author":{"level":3},"t":[5,1]})"),
      doc("b", "2025-01-02T00:00:00.000Z", R"({"author":{"level":1},"t":[0,9]})"),
      doc("c", "2025-01-03T00:00:00.000Z", R"({"author":"x","t":[]})"),
  };
  sort_documents(docs, {"author", "level"}, SortOrder::asc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"b", "a", "c"}));
  sort_documents(docs, {"t", "1"}, SortOrder::desc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"b", "a", "c"}));
}

TEST(SortDocuments, NumericTextSortsAsString) {
  std::vector<Document> docs{
      doc("a", "2025-01-01T00:00:00.000Z", R"({"v":"9"})"),
      doc("b", "2025-01-02T00:00:00.000Z", R"({"v":"10"})"),
      doc("c", "2025-01-03T00:00:00.000Z", R"({"v":100})"),
  };
  sort_documents(docs, {"v"}, SortOrder::asc);
  EXPECT_EQ(ids(docs), (std::vector<std::string>{"c", "b", "a"}));
}

TEST(SortDocuments, StableForFullTies) {
  std::vector<Document> docs;
  for (int i = 0; i < 20; ++i) {
    docs.push_back(doc("same", "2025-01-01T00:00:00.000Z", "{}"));
    docs.back().collection = std::to_string(i);
  }
  sort_documents(docs, {"v"}, SortOrder::desc);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(docs[i].collection, std::to_string(i));
}

TEST(SortDocuments, EmptyAndSingle) {
  std::vector<Document> none;
  sort_documents(none, {"v"}, SortOrder::asc);
  EXPECT_TRUE(none.empty());
  std::vector<Document> one{doc("a", "t", R"({"v":{"deep":[1,2]}})")};
  sort_documents(one, {"v"}, SortOrder::asc);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(to_json(one[0].data), R"({"v":{"deep":[1,2]}})");  // contents moved intact
}

}  // namespace
}  // namespace cocobase::protocol
