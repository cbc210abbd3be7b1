#include "realtime/access_recheck.hpp"

#include "auth/read_access.hpp"
#include "realtime/ws_error.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>

#include <chrono>
#include <vector>

namespace cocobase::server::realtime {

AccessRecheck::AccessRecheck(Store& store, WatchHub& hub, std::int64_t interval_ms) : store_(store), hub_(hub) {
  if (interval_ms <= 0) return;
  version_ = store_.access_version();
  thread_ = std::thread([this, interval_ms] {
    pthread_setname_np(pthread_self(), "cb-access");  // shown by top -H, ps -T, perf
    run(interval_ms);
  });
}

AccessRecheck::~AccessRecheck() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AccessRecheck::add(const Connection* key, Grant grant) {
  std::lock_guard lock(mutex_);
  grants_[key] = std::move(grant);
}

void AccessRecheck::attach_watch(const Connection* key, std::string collection, std::weak_ptr<Watcher> watcher) {
  std::lock_guard lock(mutex_);
  auto it = grants_.find(key);
  if (it == grants_.end()) return;
  it->second.collection = std::move(collection);
  it->second.watcher = std::move(watcher);
}

void AccessRecheck::remove(const Connection* key) {
  std::lock_guard lock(mutex_);
  grants_.erase(key);
}

void AccessRecheck::run(std::int64_t interval_ms) {
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(interval_ms), [&] { return stopping_; })) {
    lock.unlock();
    try {
      std::uint64_t v = store_.access_version();
      if (v != version_) {
        version_ = v;
        pass();
      }
    } catch (const std::exception& e) {
      spdlog::error("access re-check failed: {}", e.what());  // tried again next interval
    }
    lock.lock();
  }
}

// Restrictions are applied to every socket before any socket is closed: a client that sees one
// close of a pass knows the whole pass has taken effect.
void AccessRecheck::pass() {
  passes_.fetch_add(1, std::memory_order_acq_rel);
  std::vector<std::pair<const Connection*, Grant>> grants;
  {
    std::lock_guard lock(mutex_);
    grants.assign(grants_.begin(), grants_.end());
  }
  std::vector<Closing> closing;
  for (const auto& [key, g] : grants) check(key, g, closing);  // one store read per socket
  finish(closing);
}

void AccessRecheck::recheck(const Connection* key) {
  Grant g;
  {
    std::lock_guard lock(mutex_);
    auto it = grants_.find(key);
    if (it == grants_.end()) return;
    g = it->second;
  }
  std::vector<Closing> closing;
  check(key, g, closing);
  finish(closing);
}

void AccessRecheck::finish(std::vector<Closing>& closing) {
  for (auto& c : closing) {
    remove(c.key);
    if (c.watcher) c.watcher->stop();  // nothing more reaches the socket before the error
    send_error(*c.conn, c.error);
  }
}

namespace {

bool key_revoked(Store& store, const std::string& key_id) {
  for (const auto& k : store.api_keys_with_id(key_id))
    if (!k.info.revoked) return false;
  return true;
}

}  // namespace

void AccessRecheck::check(const Connection* key, const Grant& g, std::vector<Closing>& closing) {
  auto conn = g.conn.lock();
  if (!conn) return;
  auto watcher = g.watcher.lock();
  if (!g.key_id.empty() && key_revoked(store_, g.key_id)) {
    closing.push_back(Closing{key, std::move(conn), std::move(watcher), WsError{"API_KEY_REVOKED", {}}});
    return;
  }
  if (!watcher) return;
  auth::Rule read = auth::interpret(store_.get_rules(g.project, g.collection)).read;
  auth::ReadScope scope = auth::read_scope(read, g.principal);
  if (!scope.admitted) {
    WsError e{"FORBIDDEN", {}};
    e.extra["error_detail"] =
        std::string("the read rule of collection '") + g.collection + "' is now '" + auth::rule_name(read) + "'";
    closing.push_back(Closing{key, std::move(conn), std::move(watcher), std::move(e)});
    return;
  }
  hub_.restrict(*watcher, scope.owner);
}

}  // namespace cocobase::server::realtime
