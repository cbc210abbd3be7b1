#pragma once
// What the REST layer needs from the realtime module for `GET /realtime/rooms` (PROTOCOL 6.1).
// Header-only interface, so the api module holds it without depending on the network layer.
#include <string>

namespace cocobase::server::realtime {

class RoomDirectory {
 public:
  virtual ~RoomDirectory() = default;
  // The 200 body {"rooms": [...], "total": N} for the project. Thread-safe.
  virtual std::string rooms_json(const std::string& project) = 0;
};

}  // namespace cocobase::server::realtime
