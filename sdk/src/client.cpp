// Client construction, the realtime factories and the registry of named watch connections.
// The REST calls are in client_rest.cpp.
#include "client_core.hpp"

#include <cocobase/client.hpp>

namespace cocobase {

Client::Client(ClientConfig config) : core_(std::make_shared<detail::ClientCore>(std::move(config))) {}

// The registry's connections hold the core; closing them breaks that cycle, so the core (and
// its I/O thread) ends once no helper of this client is left.
Client::~Client() { close_all_connections(); }

Realtime Client::realtime() const { return Realtime(core_); }

CollectionWatcher Realtime::collection(std::string name, json::object filters) const {
  WatchOptions options;
  options.filters = std::move(filters);
  return CollectionWatcher(core_, std::move(name), std::move(options));
}

CollectionWatcher Realtime::collection(std::string name, WatchOptions options) const {
  return CollectionWatcher(core_, std::move(name), std::move(options));
}

ProjectBroadcast Realtime::broadcast(std::string user_id, std::string user_name) const {
  return ProjectBroadcast(core_, std::move(user_id), std::move(user_name));
}

RoomChat Realtime::room(std::string room_id, std::string user_id, std::string user_name) const {
  return RoomChat(core_, std::move(room_id), std::move(user_id), std::move(user_name));
}

std::shared_ptr<WatchConnection> Client::watch_collection(std::string_view collection,
                                                          std::function<void(const WatchEvent&)> callback,
                                                          std::string name, WatchCollectionOptions options) {
  if (name.empty()) name = "watch-" + std::string(collection);
  CollectionWatcher watcher(core_, std::string(collection), std::move(options.watch));
  watcher.on_event(std::move(callback));
  if (options.on_error) watcher.on_error(std::move(options.on_error));
  auto conn = std::make_shared<WatchConnection>(name, std::move(watcher));
  std::shared_ptr<WatchConnection> replaced;
  {
    std::lock_guard lock(core_->registry_mutex);
    auto& slot = core_->registry[name];
    replaced = std::exchange(slot, conn);
  }
  if (replaced) replaced->close();
  conn->watcher().connect();
  return conn;
}

bool Client::close_connection(const std::string& name) {
  std::shared_ptr<WatchConnection> conn;
  {
    std::lock_guard lock(core_->registry_mutex);
    auto it = core_->registry.find(name);
    if (it == core_->registry.end()) return false;
    conn = std::move(it->second);
    core_->registry.erase(it);
  }
  conn->close();
  return true;
}

std::shared_ptr<WatchConnection> Client::connection(const std::string& name) const {
  std::lock_guard lock(core_->registry_mutex);
  auto it = core_->registry.find(name);
  return it == core_->registry.end() ? nullptr : it->second;
}

std::vector<std::string> Client::connection_names() const {
  std::lock_guard lock(core_->registry_mutex);
  std::vector<std::string> names;
  for (const auto& [name, conn] : core_->registry) names.push_back(name);
  return names;
}

void Client::close_all_connections() {
  std::map<std::string, std::shared_ptr<WatchConnection>> all;
  {
    std::lock_guard lock(core_->registry_mutex);
    all.swap(core_->registry);
  }
  for (auto& [name, conn] : all) conn->close();
}

}  // namespace cocobase
