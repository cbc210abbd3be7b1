#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace cocobase::protocol {

// RFC 3339 UTC with exactly three fractional digits: YYYY-MM-DDTHH:MM:SS.sssZ (PROTOCOL 1.3).
std::string format_timestamp(std::chrono::system_clock::time_point t);
std::string now_timestamp();
std::int64_t now_unix_ms();

}  // namespace cocobase::protocol
