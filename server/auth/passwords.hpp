#pragma once
// Password hashing (PROTOCOL 7.8): argon2id from libsodium, salted, with the "interactive"
// cost (64 MiB, 2 passes), about 50-100 ms per hash here. Slow on purpose: call it off the
// I/O threads.
#include <string>
#include <string_view>

namespace cocobase::server::auth {

std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace cocobase::server::auth
