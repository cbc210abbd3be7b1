#pragma once
// Per-collection access rules [extension; docs/auth.md]: who may read and who may write the
// documents of a collection. Pure decisions, shared by REST and realtime.
#include <optional>
#include <string>
#include <string_view>

namespace cocobase::server::auth {

// Who is asking, as established by the credentials of a request or a socket.
struct Principal {
  enum class Kind { api_key, admin_key, user };
  std::string project;
  Kind kind = Kind::api_key;
  std::string user_id;  // Kind::user only

  bool is_admin() const { return kind == Kind::admin_key; }
  bool is_user() const { return kind == Kind::user; }
};

enum class Rule { public_, authenticated, owner, admin };

struct CollectionRules {
  Rule read = Rule::public_;   // today's behaviour is the default
  Rule write = Rule::public_;
};

std::optional<Rule> parse_rule(std::string_view text);
const char* rule_name(Rule r);

// Whether the principal may use the collection at all under the rule, before looking at any
// document (owner: any user may, each sees only their own documents). Which documents it may
// read: auth/read_access.hpp.
bool rule_admits(Rule rule, const Principal& who);

}  // namespace cocobase::server::auth
