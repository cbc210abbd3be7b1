// Access rules on the collections routes [extension; docs/auth.md].
#include "api/handlers.hpp"

namespace cocobase::server::api {

auth::CollectionRules collection_rules(const RequestContext& ctx) {
  StoredRules stored = ctx.store.get_rules(ctx.project, ctx.collection);
  auth::CollectionRules r;
  // Stored values were validated when set; anything unreadable is treated as the strictest.
  r.read = auth::parse_rule(stored.read).value_or(auth::Rule::admin);
  r.write = auth::parse_rule(stored.write).value_or(auth::Rule::admin);
  return r;
}

void require_admitted(const RequestContext& ctx, const auth::CollectionRules& rules, bool write) {
  auth::Rule rule = write ? rules.write : rules.read;
  if (auth::rule_admits(rule, ctx.principal)) return;
  throw ApiError{403, "FORBIDDEN",
                 std::string("Access denied: the ") + (write ? "write" : "read") + " rule of collection '" +
                     ctx.collection + "' is '" + auth::rule_name(rule) + "'",
                 {}, {}};
}

std::optional<std::string> required_owner(const RequestContext& ctx, const auth::CollectionRules& rules) {
  if (rules.write != auth::Rule::owner || ctx.principal.is_admin()) return std::nullopt;
  return ctx.principal.user_id;
}

}  // namespace cocobase::server::api
