#pragma once
// The one decision "may this principal read this document" [extension; docs/auth.md], used by
// every path data leaves by: REST reads (list, get, count, aggregate), populate, and the watch
// path (live events and resume replays). Pure; the callers fetch the rule and the owner.
#include "auth/access_rules.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cocobase::server::auth {

// What a principal may read of one collection under its read rule.
struct ReadScope {
  bool admitted = false;             // false: nothing (403 on REST, 4403 on a watch)
  std::optional<std::string> owner;  // set: only the documents of this owner

  bool allows(std::string_view owner_id) const {
    return admitted && (!owner || (!owner->empty() && *owner == owner_id));
  }
};

ReadScope read_scope(Rule read, const Principal& who);

// The rules as stored; a value that does not parse counts as the strictest (admin).
CollectionRules interpret(const StoredRules& stored);

// Whether the principal may read a document with that owner ("" = none) in a collection with
// that read rule.
inline bool may_read(Rule read, const Principal& who, std::string_view owner_id) {
  return read_scope(read, who).allows(owner_id);
}

// What a principal sees of an app user record (a populated user reference). User records are
// private: only the user themself and admin keys see more than the id and creation time.
enum class UserView { full, minimal };
UserView user_view(const Principal& who, std::string_view user_id);

}  // namespace cocobase::server::auth
