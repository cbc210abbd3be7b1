#include "auth/read_access.hpp"

namespace cocobase::server::auth {

ReadScope read_scope(Rule read, const Principal& who) {
  ReadScope s;
  s.admitted = rule_admits(read, who);
  if (s.admitted && read == Rule::owner && !who.is_admin()) s.owner = who.user_id;
  return s;
}

CollectionRules interpret(const StoredRules& stored) {
  CollectionRules r;
  // Stored values were validated when set; anything unreadable is treated as the strictest.
  r.read = parse_rule(stored.read).value_or(Rule::admin);
  r.write = parse_rule(stored.write).value_or(Rule::admin);
  return r;
}

UserView user_view(const Principal& who, std::string_view user_id) {
  if (who.is_admin()) return UserView::full;
  if (who.is_user() && !user_id.empty() && who.user_id == user_id) return UserView::full;
  return UserView::minimal;
}

}  // namespace cocobase::server::auth
