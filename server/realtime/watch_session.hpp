#pragma once
// `/realtime/collections/{name}` (PROTOCOL 5.2, 8a, 8b).
#include "realtime/session_base.hpp"
#include "realtime/watch_hub.hpp"

namespace cocobase::server::realtime {

class WatchSession final : public SessionBase {
 public:
  WatchSession(const SessionDeps& deps, WatchHub& hub, std::string collection, Connection& self,
               std::weak_ptr<Connection> weak)
      : SessionBase(deps, self, std::move(weak)), hub_(hub), collection_(std::move(collection)) {}

  void on_open() override;
  void on_closed() override;

 protected:
  void on_authenticated(AuthMessage& auth) override;

 private:
  // Sends replay + replay_done, or resync_required (8a), then goes live.
  void resume(std::uint64_t from, ChangeLogRead read);
  // Sends replayed events while the outbound queue is short, then waits for it to drain: a
  // replay may be far larger than --ws-max-queue-bytes. Live events wait in the watcher.
  void continue_replay();

  WatchHub& hub_;
  std::string collection_;
  std::shared_ptr<Watcher> watcher_;
  struct Replay {
    ChangeLogRead read;
    std::size_t next = 0;
    std::uint64_t replayed = 0;
  };
  std::unique_ptr<Replay> replay_;
};

}  // namespace cocobase::server::realtime
