#include "auth/access_rules.hpp"

namespace cocobase::server::auth {

std::optional<Rule> parse_rule(std::string_view text) {
  if (text == "public") return Rule::public_;
  if (text == "authenticated") return Rule::authenticated;
  if (text == "owner") return Rule::owner;
  if (text == "admin") return Rule::admin;
  return std::nullopt;
}

const char* rule_name(Rule r) {
  switch (r) {
    case Rule::public_: return "public";
    case Rule::authenticated: return "authenticated";
    case Rule::owner: return "owner";
    case Rule::admin: return "admin";
  }
  return "?";
}

bool rule_admits(Rule rule, const Principal& who) {
  if (who.is_admin()) return true;  // admin keys bypass every rule
  switch (rule) {
    case Rule::public_: return true;
    case Rule::authenticated:
    case Rule::owner: return who.is_user();
    case Rule::admin: return false;
  }
  return false;
}

}  // namespace cocobase::server::auth
