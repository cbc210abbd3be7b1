// The first message of every realtime socket (server/realtime/auth_message, PROTOCOL 5.1.3-4)
// against a real store; then the endpoint-specific members a watch takes from it (filters as
// in 4.5). Checked: a success has a project and a principal of that project.
#include "fixture.hpp"
#include "realtime/auth_message.hpp"

#include <cocobase/protocol/filter.hpp>

#include <cstdint>
#include <cstdio>

namespace pr = cocobase::protocol;
using namespace cocobase::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& fx = cocobase::fuzz::fixture();
  std::string text = fx.expand(std::string_view(reinterpret_cast<const char*>(data), size));
  auto result = realtime::authenticate(text, *fx.store, &fx.jwt, 8);
  auto* m = std::get_if<realtime::AuthMessage>(&result);
  if (!m) return 0;
  if (m->project.empty() || m->principal.project != m->project) {
    std::fprintf(stderr, "fuzz_auth_message: accepted without a consistent project\n");
    std::abort();
  }
  if (const auto* f = m->raw.if_contains("filters"); f && f->is_object()) {
    try {
      (void)pr::parse_ws_filter(f->get_object(), {8, 16});
    } catch (const pr::FilterError&) {
    }
  }
  return 0;
}
