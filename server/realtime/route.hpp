#pragma once
// Which realtime endpoint a request target names (PROTOCOL 5.1.1). Pure; no I/O.
#include <optional>
#include <string>
#include <string_view>

namespace cocobase::server::realtime {

enum class Endpoint { collection, broadcast, room };

struct Route {
  Endpoint endpoint;
  std::string param;  // collection name or room id, percent-decoded, not yet validated
};

// nullopt when the path is not a WebSocket route (e.g. /realtime/rooms, /realtime/x/y).
// A segment with bad percent-encoding still routes, with an empty param, so that the socket
// reports it as an invalid name after the upgrade.
std::optional<Route> match_route(std::string_view target);

}  // namespace cocobase::server::realtime
