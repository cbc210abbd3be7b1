#include <cocobase/protocol/ids.hpp>

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace cocobase::protocol {

void random_bytes(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

std::string new_uuid_v4() {
  unsigned char b[16];
  random_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(hex[b[i] >> 4]);
    s.push_back(hex[b[i] & 15]);
  }
  return s;
}

std::string new_api_key() {
  static constexpr char alphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string key = "cb_";
  while (key.size() < 43) {
    unsigned char b[64];
    random_bytes(b, sizeof b);
    for (unsigned char c : b) {
      if (c >= 248) continue;  // 248 = 4 * 62: reject to keep the draw uniform
      key.push_back(alphabet[c % 62]);
      if (key.size() == 43) break;
    }
  }
  return key;
}

}  // namespace cocobase::protocol
