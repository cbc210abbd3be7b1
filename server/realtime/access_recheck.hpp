#pragma once
// Tightened rules and revoked keys reach open sockets (issue 12, finding 6). Every
// --access-recheck-ms a thread reads the store's access version (one row; the CLI bumps it when
// it sets rules or revokes a key, even while this server runs). When it moved, every open
// socket is re-checked with the one read decision (auth/read_access.hpp):
//  - a socket whose API key was revoked gets API_KEY_REVOKED and closes 4401;
//  - a watch whose collection's read rule no longer admits its principal gets FORBIDDEN and
//    closes 4403;
//  - a watch still admitted takes the rule's owner restriction from then on (per event).
//
// Thread-safety: every member may be called from any thread.
#include "auth/access_rules.hpp"
#include "realtime/connection.hpp"
#include "realtime/watch_hub.hpp"
#include "realtime/ws_error.hpp"
#include "store/store.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cocobase::server::realtime {

class AccessRecheck {
 public:
  // What an authenticated socket was admitted with.
  struct Grant {
    std::string project;
    auth::Principal principal;
    std::string key_id;  // the API key it authenticated with ("" for a token alone)
    std::weak_ptr<Connection> conn;
    std::string collection;          // watches only
    std::weak_ptr<Watcher> watcher;  // watches only
  };

  // interval_ms 0: no thread, nothing is re-checked.
  AccessRecheck(Store& store, WatchHub& hub, std::int64_t interval_ms);
  ~AccessRecheck();
  AccessRecheck(const AccessRecheck&) = delete;
  AccessRecheck& operator=(const AccessRecheck&) = delete;

  void add(const Connection* key, Grant grant);
  // A watch's collection and watcher, once registered in the hub.
  void attach_watch(const Connection* key, std::string collection, std::weak_ptr<Watcher> watcher);
  void remove(const Connection* key);
  // Passes started so far. A session that read the rules before a pass started and attached its
  // watcher after may have been missed by it: it re-checks itself with recheck().
  std::uint64_t passes() const { return passes_.load(std::memory_order_acquire); }
  void recheck(const Connection* key);

 private:
  struct Closing {
    const Connection* key;
    std::shared_ptr<Connection> conn;
    std::shared_ptr<Watcher> watcher;
    WsError error;
  };
  void run(std::int64_t interval_ms);
  void pass();
  // Restricts the socket's watch to what the rules now allow, or adds it to `closing`.
  void check(const Connection* key, const Grant& g, std::vector<Closing>& closing);
  void finish(std::vector<Closing>& closing);

  Store& store_;
  WatchHub& hub_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::unordered_map<const Connection*, Grant> grants_;
  std::atomic<std::uint64_t> passes_{0};
  std::uint64_t version_ = 0;
  std::thread thread_;
};

}  // namespace cocobase::server::realtime
