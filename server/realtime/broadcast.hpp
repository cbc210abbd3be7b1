#pragma once
// `/realtime/broadcast` (PROTOCOL 5.3): the registry of a project's broadcast connections and
// the session. Nothing is stored.
#include "realtime/identity.hpp"
#include "realtime/member_list.hpp"
#include "realtime/session_base.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cocobase::server::realtime {

// Thread-safe.
class BroadcastRegistry {
 public:
  void join(const std::string& project, const Connection* key, std::weak_ptr<Connection> conn);
  void leave(const std::string& project, const Connection* key);
  // Queues `frame` on every connection of the project, the sender's included.
  void publish(const std::string& project, const Frame& frame);

 private:
  // A project's connections. Its lock is held while a message is queued on every member: the
  // queueing never blocks (Connection::send only enqueues), and it gives every recipient the
  // same order (BC-05).
  struct Channel {
    std::mutex mutex;
    MemberList members;
  };
  std::mutex mutex_;  // guards channels_; taken before a channel's lock, never after
  std::unordered_map<std::string, std::shared_ptr<Channel>> channels_;
};

class BroadcastSession final : public SessionBase {
 public:
  BroadcastSession(const SessionDeps& deps, BroadcastRegistry& registry, Connection& self,
                   std::weak_ptr<Connection> weak)
      : SessionBase(deps, self, std::move(weak)), registry_(registry) {}

  void on_open() override {}
  void on_closed() override;

 protected:
  void on_authenticated(AuthMessage& auth) override;
  bool on_client_message(std::string_view type, protocol::json::object& msg) override;

 private:
  BroadcastRegistry& registry_;
  std::string project_;
  Identity identity_;
  bool joined_ = false;
};

}  // namespace cocobase::server::realtime
