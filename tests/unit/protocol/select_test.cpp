// Select projection of PROTOCOL 4.10.
#include <cocobase/protocol/select.hpp>

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace cocobase::protocol {
namespace {

struct ParseCase {
  const char* name;
  std::vector<std::string> values;
  std::vector<Path> expected;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

const ParseCase kParseCases[] = {
    {"Single", {"name"}, {{"name"}}},
    {"CommaList", {"a,b,c"}, {{"a"}, {"b"}, {"c"}}},
    {"Trimmed", {" a ,\tb\t"}, {{"a"}, {"b"}}},
    {"EmptyItemsDropped", {",a,, ,\t,b,"}, {{"a"}, {"b"}}},
    {"Repeated", {"a", "b.c", "d,e"}, {{"a"}, {"b", "c"}, {"d"}, {"e"}}},
    {"Dotted", {"author.name"}, {{"author", "name"}}},
    {"MetadataDropped", {"id,created_at,updated_at,name"}, {{"name"}}},
    {"MetadataDroppedWhenTrimmed", {" id "}, {}},
    {"MetadataPrefixKept", {"id.x,author.id,ids"}, {{"id", "x"}, {"author", "id"}, {"ids"}}},
    {"OtherMetadataNamesKept", {"collection,collection_id"}, {{"collection"}, {"collection_id"}}},
    {"NoValues", {}, {}},
    {"OnlyEmpty", {"", " , "}, {}},
    {"EmptySegmentKept", {"a..b"}, {{"a", "", "b"}}},
};

class ParseSelect : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseSelect, Paths) { EXPECT_EQ(parse_select(GetParam().values), GetParam().expected); }

INSTANTIATE_TEST_SUITE_P(Select, ParseSelect, ::testing::ValuesIn(kParseCases),
                         [](const auto& info) { return std::string(info.param.name); });

constexpr const char* kData =
    R"({"author":{"name":"A","age":3,"links":{"web":"w"}},"title":"T","n":null,"tags":["a","b"],"zero":0})";

struct ProjectCase {
  const char* name;
  std::vector<std::string> select;
  const char* expected;  // compact JSON; members in select order
};

void PrintTo(const ProjectCase& c, std::ostream* os) { *os << c.name; }

const ProjectCase kProjectCases[] = {
    {"TopLevel", {"title"}, R"({"title":"T"})"},
    {"NestedRebuilt", {"author.name"}, R"({"author":{"name":"A"}})"},
    {"Siblings", {"author.name,author.age"}, R"({"author":{"name":"A","age":3}})"},
    {"Deep", {"author.links.web"}, R"({"author":{"links":{"web":"w"}}})"},
    {"WholeObject", {"author"}, R"({"author":{"name":"A","age":3,"links":{"web":"w"}}})"},
    {"WholeAfterPart", {"author.name", "author"}, R"({"author":{"name":"A","age":3,"links":{"web":"w"}}})"},
    {"PartAfterWhole", {"author", "author.name"}, R"({"author":{"name":"A","age":3,"links":{"web":"w"}}})"},
    {"MissingOmitted", {"nope,title"}, R"({"title":"T"})"},
    {"MissingNestedCreatesNothing", {"author.nope,title.x"}, R"({})"},
    {"NullKept", {"n"}, R"({"n":null})"},
    {"FalsyKept", {"zero"}, R"({"zero":0})"},
    {"WholeArray", {"tags"}, R"({"tags":["a","b"]})"},
    {"ArrayIndexUnsupported", {"tags.0"}, R"({})"},
    {"SelectOrder", {"title,author.age"}, R"({"title":"T","author":{"age":3}})"},
    {"Duplicates", {"title,title"}, R"({"title":"T"})"},
    {"EmptySegmentSelectsNothing", {"author..name"}, R"({})"},
};

class ProjectSelect : public ::testing::TestWithParam<ProjectCase> {};

TEST_P(ProjectSelect, Projects) {
  json::object data = parse_json(kData).as_object();
  auto paths = parse_select(GetParam().select);
  ASSERT_FALSE(paths.empty());
  EXPECT_EQ(to_json(project_select(data, paths)), GetParam().expected);
  EXPECT_EQ(to_json(data), to_json(parse_json(kData)));  // input untouched
}

INSTANTIATE_TEST_SUITE_P(Select, ProjectSelect, ::testing::ValuesIn(kProjectCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ProjectSelectExtra, EmptySelectionGivesEmptyObject) {
  // Callers skip projection when parse_select returned nothing; the function itself is literal.
  EXPECT_EQ(to_json(project_select(parse_json(kData).as_object(), {})), "{}");
  EXPECT_EQ(to_json(project_select(json::object{}, {{"a"}})), "{}");
}

TEST(ProjectSelectExtra, EmptyMemberName) {
  json::object data = parse_json(R"({"":{"":1},"a":2})").as_object();
  EXPECT_EQ(to_json(project_select(data, {{"", ""}})), R"({"":{"":1}})");
}

}  // namespace
}  // namespace cocobase::protocol
