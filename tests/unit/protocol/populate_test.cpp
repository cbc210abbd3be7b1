#include <cocobase/protocol/populate.hpp>

#include <gtest/gtest.h>

using namespace cocobase::protocol;

namespace {

int lookups = 0;
std::optional<json::object> lookup(const std::string& id) {
  ++lookups;
  if (id == "a1") return json::object{{"id", "a1"}, {"name", "Ann"}, {"boss_id", "b1"}};
  if (id == "b1") return json::object{{"id", "b1"}, {"name", "Bob"}};
  return std::nullopt;
}

std::string populated(const std::string& data, std::vector<std::string> params) {
  json::object o = parse_json(data).as_object();
  populate(o, parse_populate(params, 3), lookup);
  return to_json(o);
}

TEST(Populate, ReferenceByIdMemberThenByField) {
  EXPECT_EQ(populated(R"({"author_id":"a1"})", {"author"}),
            R"({"author_id":"a1","author":{"id":"a1","name":"Ann","boss_id":"b1"}})");
  EXPECT_EQ(populated(R"({"author":"a1"})", {"author"}), R"({"author":{"id":"a1","name":"Ann","boss_id":"b1"}})");
  EXPECT_EQ(populated(R"({"author":5})", {"author"}), R"({"author":5})");  // not a reference: unchanged
  EXPECT_EQ(populated(R"({"x":1})", {"author"}), R"({"x":1})");
}

TEST(Populate, ArraysDanglingIdsAndChains) {
  EXPECT_EQ(populated(R"({"people":["b1","zz"]})", {"people"}), R"({"people":[{"id":"b1","name":"Bob"},null]})");
  EXPECT_EQ(populated(R"({"people_id":["b1",3]})", {"people"}), R"({"people_id":["b1",3],"people":[{"id":"b1","name":"Bob"},null]})");
  EXPECT_EQ(populated(R"({"author_id":"a1"})", {"author.boss"}),
            R"({"author_id":"a1","author":{"id":"a1","name":"Ann","boss_id":"b1","boss":{"id":"b1","name":"Bob"}}})");
  EXPECT_EQ(populated(R"({"author_id":"zz"})", {"author.boss"}), R"({"author_id":"zz","author":null})");
}

TEST(Populate, SharedPrefixIsPopulatedOnce) {
  lookups = 0;
  populated(R"({"author_id":"a1"})", {"author.boss,author"});
  EXPECT_EQ(lookups, 2);  // author once, boss once
}

TEST(Populate, ParsingLimits) {
  EXPECT_EQ(parse_populate({" a , b.c ,,"}, 3).size(), 2u);
  EXPECT_THROW(parse_populate({"*"}, 3), FilterError);
  EXPECT_THROW(parse_populate({"a..b"}, 3), FilterError);
  EXPECT_THROW(parse_populate({"a.b.c.d"}, 3), FilterError);
  EXPECT_NO_THROW(parse_populate({"a.b.c"}, 3));
}

}  // namespace
