#pragma once
// The sender identity of broadcast and room connections (PROTOCOL 5.3).
#include "realtime/auth_message.hpp"

#include <string>

namespace cocobase::server::realtime {

struct Identity {
  std::string user_id;    // absent or empty: "anon-" + 12 lowercase hex digits
  std::string user_name;  // absent or empty: user_id
};

Identity identity_of(const AuthMessage& auth);

}  // namespace cocobase::server::realtime
