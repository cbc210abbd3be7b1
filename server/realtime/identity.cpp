#include "realtime/identity.hpp"

#include <random>

namespace cocobase::server::realtime {

Identity identity_of(const AuthMessage& auth) {
  Identity id;
  if (auth.user_id) {
    id.user_id = *auth.user_id;
  } else {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kHex[] = "0123456789abcdef";
    id.user_id = "anon-";
    std::uint64_t bits = rng();
    for (int i = 0; i < 12; ++i, bits >>= 4) id.user_id += kHex[bits & 15];
  }
  id.user_name = auth.user_name ? *auth.user_name : id.user_id;
  return id;
}

}  // namespace cocobase::server::realtime
