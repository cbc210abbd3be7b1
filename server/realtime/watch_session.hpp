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
  // Starts the replay of (from, head] (8a), or sends resync_required and goes live.
  void resume(std::uint64_t from, std::uint64_t floor, std::uint64_t head);
  void resync(const char* reason, std::uint64_t from, std::uint64_t floor, std::uint64_t head);
  bool next_replay_page();
  // Sends replayed events while the outbound queue is short, then waits for it to drain: a
  // replay may be far larger than --ws-max-queue-bytes. Live events wait in the watcher.
  void continue_replay();

  WatchHub& hub_;
  std::string collection_;
  std::shared_ptr<Watcher> watcher_;
  struct Replay {
    std::uint64_t from;    // the client's resume_from
    std::uint64_t cursor;  // the last seq read from the log
    std::uint64_t head;    // the replay ends here; live events above it wait in the watcher
    std::vector<ChangeEventPtr> page;
    std::size_t next = 0;
    std::uint64_t replayed = 0;
  };
  std::unique_ptr<Replay> replay_;
};

}  // namespace cocobase::server::realtime
