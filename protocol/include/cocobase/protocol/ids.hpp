#pragma once
#include <string>

namespace cocobase::protocol {

// Lowercase UUID version 4 with hyphens (36 chars), from the OS CSPRNG.
std::string new_uuid_v4();

// "cb_" followed by 40 base62 characters, from the OS CSPRNG (PROTOCOL 1.4).
std::string new_api_key();

// n random bytes from the OS CSPRNG (getrandom); throws std::system_error on failure.
void random_bytes(void* out, std::size_t n);

}  // namespace cocobase::protocol
