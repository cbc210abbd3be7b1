#include "realtime/route.hpp"

#include <cocobase/protocol/query_string.hpp>

#include <vector>

namespace cocobase::server::realtime {

std::optional<Route> match_route(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);  // as REST: one '/' ignored
  std::vector<std::string_view> seg;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    auto slash = path.find('/');
    seg.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  if (seg.empty() || seg[0] != "realtime") return std::nullopt;
  if (seg.size() == 2 && seg[1] == "broadcast") return Route{Endpoint::broadcast, {}};
  if (seg.size() != 3 || (seg[1] != "collections" && seg[1] != "rooms")) return std::nullopt;
  auto decoded = protocol::percent_decode_path(seg[2]);
  return Route{seg[1] == "rooms" ? Endpoint::room : Endpoint::collection, decoded.value_or(std::string())};
}

}  // namespace cocobase::server::realtime
