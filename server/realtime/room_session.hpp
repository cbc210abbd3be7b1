#pragma once
// `/realtime/rooms/{room_id}` (PROTOCOL 5.4, 8c, 8e).
#include "realtime/room_registry.hpp"
#include "realtime/session_base.hpp"

namespace cocobase::server::realtime {

class RoomSession final : public SessionBase {
 public:
  RoomSession(const SessionDeps& deps, RoomRegistry& rooms, std::string room_id, Connection& self,
              std::weak_ptr<Connection> weak)
      : SessionBase(deps, self, std::move(weak)), rooms_(rooms), room_id_(std::move(room_id)) {}

  void on_open() override;
  void on_closed() override;

 protected:
  void on_authenticated(AuthMessage& auth) override;
  bool on_client_message(std::string_view type, protocol::json::object& msg) override;

 private:
  RoomRegistry& rooms_;
  std::string room_id_;
  std::string project_;
  std::string user_id_;
  bool joined_ = false;
};

}  // namespace cocobase::server::realtime
