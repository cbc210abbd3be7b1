#include "auth/access_rules.hpp"
#include "auth/read_access.hpp"

#include <gtest/gtest.h>

using namespace cocobase::server::auth;

namespace {

const Principal kKey{"p", Principal::Kind::api_key, ""};
const Principal kAdmin{"p", Principal::Kind::admin_key, ""};
const Principal kOwner{"p", Principal::Kind::user, "u1"};
const Principal kOther{"p", Principal::Kind::user, "u2"};

TEST(AccessRules, ParseAndName) {
  for (const char* n : {"public", "authenticated", "owner", "admin"}) EXPECT_STREQ(rule_name(*parse_rule(n)), n);
  EXPECT_FALSE(parse_rule("everyone"));
  EXPECT_FALSE(parse_rule(""));
}

TEST(AccessRules, Matrix) {
  struct Row {
    Rule rule;
    const Principal& who;
    bool admits, allows_owned, allows_unowned;
  };
  const Row rows[] = {
      {Rule::public_, kKey, true, true, true},        {Rule::public_, kOther, true, true, true},
      {Rule::authenticated, kKey, false, false, false}, {Rule::authenticated, kOther, true, true, true},
      {Rule::owner, kKey, false, false, false},       {Rule::owner, kOwner, true, true, false},
      {Rule::owner, kOther, true, false, false},      {Rule::owner, kAdmin, true, true, true},
      {Rule::admin, kOwner, false, false, false},     {Rule::admin, kAdmin, true, true, true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(rule_name(r.rule)) + " / " + r.who.user_id + std::to_string(int(r.who.kind)));
    EXPECT_EQ(rule_admits(r.rule, r.who), r.admits);
    EXPECT_EQ(may_read(r.rule, r.who, "u1"), r.allows_owned);
    EXPECT_EQ(may_read(r.rule, r.who, ""), r.allows_unowned);
    EXPECT_EQ(read_scope(r.rule, r.who).admitted, r.admits);
  }
}

}  // namespace

TEST(AccessRules, UserView) {
  EXPECT_EQ(user_view(kOwner, "u1"), UserView::full);    // the user themself
  EXPECT_EQ(user_view(kAdmin, "u1"), UserView::full);    // admin keys see everything
  EXPECT_EQ(user_view(kOther, "u1"), UserView::minimal);
  EXPECT_EQ(user_view(kKey, "u1"), UserView::minimal);   // public API keys are public
  EXPECT_EQ(user_view(Principal{"p", Principal::Kind::user, ""}, ""), UserView::minimal);
}
