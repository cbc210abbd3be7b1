#pragma once
// cocobase::Client: REST calls (PROTOCOL 3, 7), the realtime factories and Go-style named
// watch connections.
//
// Thread safety: every member function may be called from any thread concurrently. REST calls
// block the calling thread (up to ClientConfig::request_timeout) and throw ApiError or
// TransportError (error.hpp). Do not call them from a realtime callback if that callback must
// stay short: callbacks run on the Client's one I/O thread.
//
// Lifetime: helpers created from a Client keep what they need alive; destroying the Client
// closes its named watch connections and never blocks on the network for more than a short
// grace period.
#include <cocobase/config.hpp>
#include <cocobase/error.hpp>
#include <cocobase/json.hpp>
#include <cocobase/query.hpp>
#include <cocobase/realtime.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cocobase {

struct ListResult {
  std::vector<Document> documents;
  std::int64_t seq = 0;  // X-Cocobase-Seq: the read reflects every write up to this seq (8g)
};

struct AppUser {
  std::string id, email, client_id, created_at, updated_at;
  json::object data;
  std::vector<std::string> roles;
  std::optional<std::string> phone_number;
};

struct AuthResult {
  std::string access_token;
  AppUser user;
};

struct UserList {
  std::vector<AppUser> users;
  std::int64_t total = 0, limit = 0, offset = 0;
  bool has_more = false;
};

struct CollectionInfo {
  std::string id, name, created_at;
};

// A Go-style watch (WatchCollection): one named connection in the Client's registry.
class WatchConnection {
 public:
  WatchConnection(std::string name, CollectionWatcher watcher)
      : name_(std::move(name)), watcher_(std::move(watcher)) {}
  const std::string& name() const { return name_; }
  void close() { watcher_.disconnect(); }
  bool is_closed() const { return watcher_.is_closed(); }
  CollectionWatcher& watcher() { return watcher_; }

 private:
  std::string name_;
  CollectionWatcher watcher_;
};

struct WatchCollectionOptions {
  WatchOptions watch;
  std::function<void(const RealtimeError&)> on_error;
};

class Client {
 public:
  explicit Client(ClientConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientConfig& config() const;

  // --- Documents (PROTOCOL 3)
  Document create_document(std::string_view collection, const json::object& data);
  // select/populate of the query apply; its filters are ignored.
  Document get_document(std::string_view collection, std::string_view id, const Query& q = {});
  Document update_document(std::string_view collection, std::string_view id,
                           const json::object& patch);
  void delete_document(std::string_view collection, std::string_view id);
  ListResult list_documents(std::string_view collection, const Query& q = {});
  std::int64_t count_documents(std::string_view collection, const Query& q = {});
  // operation: count, sum, avg, min, max. Returns the `result` member (a number or null).
  json::value aggregate(std::string_view collection, std::string_view field,
                        std::string_view operation, const Query& q = {});
  std::vector<Document> batch_create(std::string_view collection,
                                     const std::vector<json::object>& documents);
  std::vector<Document> batch_update(
      std::string_view collection,
      const std::vector<std::pair<std::string, json::object>>& updates);
  // Returns how many documents were deleted (unknown ids are skipped).
  std::int64_t batch_delete(std::string_view collection, const std::vector<std::string>& ids);
  std::vector<CollectionInfo> list_collections();

  // --- App users (PROTOCOL 7). signup and login store the returned token.
  AuthResult signup(std::string_view email, std::string_view password, json::object data = {});
  AuthResult login(std::string_view email, std::string_view password);
  AppUser current_user();
  AppUser update_user(const json::object& body);  // {"data": ..., "email": ..., "password": ...}
  UserList list_users(const Query& q = {});
  AppUser get_user(std::string_view id);
  void set_token(std::optional<std::string> token);
  std::optional<std::string> token() const;
  void logout() { set_token(std::nullopt); }
  // Realtime sockets authenticate with the user token when one is held (8d).
  void use_jwt(bool on);

  // --- Realtime
  Realtime realtime() const;
  std::vector<RoomSummary> list_rooms();

  // Go-style WatchCollection: connects at once; callback receives every WatchEvent. The
  // connection is kept in the registry under `name` (default "watch-<collection>"); a new
  // watch with a name in use closes and replaces the old one.
  std::shared_ptr<WatchConnection> watch_collection(
      std::string_view collection, std::function<void(const WatchEvent&)> callback,
      std::string name = {}, WatchCollectionOptions options = {});
  // Closes and forgets the named connection; false when there is none.
  bool close_connection(const std::string& name);
  std::shared_ptr<WatchConnection> connection(const std::string& name) const;
  std::vector<std::string> connection_names() const;
  void close_all_connections();

  // The shared internals helpers hold; not part of the stable API.
  const std::shared_ptr<detail::ClientCore>& core() const { return core_; }

 private:
  std::shared_ptr<detail::ClientCore> core_;
};

}  // namespace cocobase
