// Access rules on the collections routes [extension; docs/auth.md].
#include "api/handlers.hpp"

namespace cocobase::server::api {

auth::CollectionRules collection_rules(const RequestContext& ctx) {
  return auth::interpret(ctx.store.get_rules(ctx.project, ctx.collection));
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
