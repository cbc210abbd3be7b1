// The query builder (sdk/include/cocobase/query.hpp): keys as the server splits them (PROTOCOL
// 4.3), the JS SDK's pair order and form encoding (3.8, 9.1), operand text (4.5), and the
// realtime filter object.
#include <cocobase/error.hpp>
#include <cocobase/protocol/filter.hpp>
#include <cocobase/protocol/query_string.hpp>
#include <cocobase/query.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace cocobase {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// The pairs the server reads from a query string the builder wrote.
Pairs decoded(const Query& q, bool include_paging = true) {
  auto pairs = protocol::parse_query_string(q.to_query_string(include_paging));
  EXPECT_TRUE(pairs.has_value()) << q.to_query_string(include_paging);
  return pairs.value_or(Pairs{});
}

const std::vector<std::pair<Op, std::string>> kEveryOp = {
    {Op::eq, ""},           {Op::ne, "_ne"},         {Op::gt, "_gt"},
    {Op::gte, "_gte"},      {Op::lt, "_lt"},         {Op::lte, "_lte"},
    {Op::contains, "_contains"}, {Op::startswith, "_startswith"}, {Op::endswith, "_endswith"},
    {Op::in, "_in"},        {Op::notin, "_notin"},   {Op::isnull, "_isnull"}};

TEST(QueryTest, OpSuffixOfEveryOperator) {
  for (const auto& [op, suffix] : kEveryOp) EXPECT_EQ(op_suffix(op), suffix);
}

TEST(QueryTest, WhereWritesFieldAndOperatorSuffix) {
  for (const auto& [op, suffix] : kEveryOp) {
    Query q;
    q.where("age", op, 5);
    EXPECT_EQ(q.to_query_string(false), "age" + suffix + "=5");
  }
  Query plain;
  plain.where("status", "active");
  EXPECT_EQ(plain.to_query_string(false), "status=active");
}

// Whatever the field name, the server must split the key back into that field and operator.
TEST(QueryTest, ServerSplitsEveryKeyBackIntoFieldAndOperator) {
  const std::vector<std::string> fields = {"age",    "is_active", "check_in", "opt_notin",
                                           "x_eq",   "a.b_gte",   "author.role", "created_at",
                                           "weird_isnull"};
  for (const std::string& field : fields) {
    for (const auto& [op, suffix] : kEveryOp) {
      Query q;
      q.where(field, op, "v");
      const std::string& key = q.conditions().at(0).first;
      auto parsed = protocol::parse_filter_key(key);
      ASSERT_EQ(parsed.paths.size(), 1u) << key;
      EXPECT_EQ(parsed.paths[0], protocol::parse_path(field)) << key;
      EXPECT_EQ(static_cast<int>(parsed.op), static_cast<int>(op)) << key;
      EXPECT_FALSE(parsed.group.has_value()) << key;
    }
  }
}

TEST(QueryTest, EqOnAFieldEndingLikeAnOperatorGetsExplicitEq) {
  Query q;
  q.where("check_in", "yes").where("x_eq", 1).where("is_active", true);
  EXPECT_EQ(q.to_query_string(false), "check_in_eq=yes&x_eq_eq=1&is_active=true");
}

TEST(QueryTest, OrConditionsUseDefaultAndNamedGroups) {
  Query q;
  q.or_where("role", Op::eq, "admin").or_where("tier", Op::in, "gold,silver", "vip");
  ASSERT_EQ(q.conditions().size(), 2u);
  EXPECT_EQ(q.conditions()[0].first, "[or]role");
  EXPECT_EQ(q.conditions()[1].first, "[or:vip]tier_in");
  EXPECT_EQ(q.to_query_string(false), "%5Bor%5Drole=admin&%5Bor%3Avip%5Dtier_in=gold%2Csilver");

  auto first = protocol::parse_filter_key(q.conditions()[0].first);
  EXPECT_EQ(first.group, std::optional<std::string>("default"));
  auto second = protocol::parse_filter_key(q.conditions()[1].first);
  EXPECT_EQ(second.group, std::optional<std::string>("vip"));
  EXPECT_EQ(second.op, protocol::FilterOp::in);
}

TEST(QueryTest, AnyOfJoinsFieldsWithOr) {
  Query q;
  q.any_of({"name", "email"}, Op::contains, "ann").any_of({"a", "b_in"}, Op::eq, "x");
  EXPECT_EQ(q.conditions()[0].first, "name__or__email_contains");
  EXPECT_EQ(q.conditions()[1].first, "a__or__b_in_eq");
  auto parsed = protocol::parse_filter_key(q.conditions()[0].first);
  ASSERT_EQ(parsed.paths.size(), 2u);
  EXPECT_EQ(parsed.paths[0], protocol::Path{"name"});
  EXPECT_EQ(parsed.paths[1], protocol::Path{"email"});
  EXPECT_EQ(parsed.op, protocol::FilterOp::contains);
  EXPECT_THROW(q.any_of({}, Op::eq, "x"), Error);
}

TEST(QueryTest, FormEncodingOfSpecialCharacters) {
  Query q;
  q.where("name", "Alice Smith").where("q", "a&b=c+d%").where("city", "Zürich 東京");
  EXPECT_EQ(q.to_query_string(false),
            "name=Alice+Smith&q=a%26b%3Dc%2Bd%25&city=Z%C3%BCrich+%E6%9D%B1%E4%BA%AC");
  Pairs expected = {{"name", "Alice Smith"}, {"q", "a&b=c+d%"}, {"city", "Zürich 東京"}};
  EXPECT_EQ(decoded(q, false), expected);
}

TEST(QueryTest, KeysAreEncodedToo) {
  Query q;
  q.filter("[or:g]weird key&", "v");
  EXPECT_EQ(q.to_query_string(false), "%5Bor%3Ag%5Dweird+key%26=v");
  EXPECT_EQ(decoded(q, false), (Pairs{{"[or:g]weird key&", "v"}}));
}

TEST(QueryTest, PairsFollowTheJsSdkOrder) {
  Query q;
  q.offset(40).limit(20).sort("created_at", Order::asc).select({"name", "age"});
  q.populate({"author"}).where("b", 2).where("a", 1);
  Pairs expected = {{"b", "2"},         {"a", "1"},          {"populate", "author"},
                    {"select", "name"}, {"select", "age"},   {"sort", "created_at"},
                    {"order", "asc"},   {"limit", "20"},     {"offset", "40"}};
  EXPECT_EQ(decoded(q), expected);
}

TEST(QueryTest, DefaultsArePagingOnlyAndSortOrderDesc) {
  EXPECT_EQ(Query().to_query_string(), "limit=100&offset=0");
  EXPECT_EQ(Query().to_query_string(false), "");
  Query sorted;
  sorted.sort("age");
  EXPECT_EQ(sorted.to_query_string(false), "sort=age&order=desc");
}

TEST(QueryTest, SelectAndPopulateAccumulate) {
  Query q;
  q.select({"a"}).select({"b"}).populate({"p"}).populate({"q.r"});
  EXPECT_EQ(q.select_fields(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(q.populate_fields(), (std::vector<std::string>{"p", "q.r"}));
  EXPECT_EQ(q.to_query_string(false), "populate=p&populate=q.r&select=a&select=b");
}

TEST(QueryTest, NullValuesAreSkippedButKept) {
  Query q;
  q.where("a", nullptr).where("b", 1).filter("c", nullptr);
  EXPECT_EQ(q.conditions().size(), 3u);
  EXPECT_EQ(q.to_query_string(false), "b=1");
  EXPECT_EQ(q.to_filter_object(), (json::object{{"b", 1}}));
}

TEST(QueryTest, OperandTextOfScalarsAndArrays) {
  Query q;
  q.where("i", 18).where("d", 18.5).where("big", 1e21).where("neg", -0.25);
  q.where("t", true).where("f", false).where("u", std::uint64_t(18446744073709551615ull));
  q.where("tags", Op::in, json::array{"a b", 1, true, 2.5});
  q.where("none", Op::notin, json::array{});
  Pairs expected = {{"i", "18"},   {"d", "18.5"},  {"big", "1e+21"},
                    {"neg", "-0.25"}, {"t", "true"}, {"f", "false"},
                    {"u", "18446744073709551615"}, {"tags_in", "a b,1,true,2.5"},
                    {"none_notin", ""}};
  EXPECT_EQ(decoded(q, false), expected);
}

TEST(QueryTest, RejectsObjectValuesAndNegativePaging) {
  Query q;
  EXPECT_THROW(q.where("a", json::object{{"x", 1}}), Error);
  EXPECT_THROW(q.where("a", Op::in, json::array{json::object{}}), Error);
  EXPECT_THROW(q.where("a", Op::in, json::array{nullptr}), Error);
  EXPECT_THROW(q.limit(-1), Error);
  EXPECT_THROW(q.offset(-5), Error);
  EXPECT_TRUE(q.conditions().empty());
  q.limit(0);
  EXPECT_EQ(q.limit_value(), 0);
}

TEST(QueryTest, FilterObjectKeepsJsonTypesAndOrder) {
  Query q;
  q.where("z", 1).where("age", Op::gte, 18).where("tags", Op::in, json::array{"x", "y"});
  q.or_where("ok", Op::eq, true, "g").sort("z").limit(5).select({"a"});
  json::object expected{{"z", 1}, {"age_gte", 18}, {"tags_in", json::array{"x", "y"}},
                        {"[or:g]ok", true}};
  json::object got = q.to_filter_object();
  EXPECT_EQ(got, expected);
  std::vector<std::string> keys;
  for (const auto& member : got) keys.emplace_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "age_gte", "tags_in", "[or:g]ok"}));
}

TEST(QueryTest, FilterObjectRoundTrip) {
  json::object filters{{"status", "active"}, {"age_gte", 18},   {"[or]role", "admin"},
                       {"name__or__email_contains", "ann"},   {"tags_in", json::array{"a", 2}},
                       {"gone", nullptr},   {"score_lt", 9.5}};
  Query q = Query::from_filter_object(filters);
  ASSERT_EQ(q.conditions().size(), filters.size());
  std::size_t i = 0;
  for (const auto& member : filters) {
    EXPECT_EQ(q.conditions()[i].first, member.key());
    EXPECT_EQ(q.conditions()[i].second, member.value());
    ++i;
  }
  json::object without_null = filters;
  without_null.erase("gone");
  EXPECT_EQ(q.to_filter_object(), without_null);
  EXPECT_EQ(Query::from_filter_object(q.to_filter_object()).to_filter_object(), without_null);
  // The server accepts the object as a realtime filter.
  EXPECT_EQ(protocol::parse_ws_filter(q.to_filter_object(), {}).condition_count(), 6u);
}

}  // namespace
}  // namespace cocobase
