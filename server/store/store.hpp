#pragma once
// The Store interface: documents, collections, change log, projects and API keys.
// Implementations: SqliteStore (embedded default). Writes are asynchronous (group commit);
// reads are synchronous and may run on any thread.
#include "store/change_event.hpp"

#include <cocobase/protocol/document.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace cocobase::server {

// Thrown by any store call that could not write because the disk or a quota is full. What it
// was writing was rolled back; the same call succeeds once space is freed. The API answers
// 503 STORAGE_FULL with Retry-After (docs/rest.md).
struct StorageFull : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CollectionInfo {
  std::string id;
  std::string name;
  std::string created_at;
  std::int64_t document_count = 0;
};

// A consistent read of one collection: the documents and the head seq of the same snapshot.
struct CollectionSnapshot {
  std::uint64_t head_seq = 0;
  std::vector<protocol::Document> documents;
  std::vector<std::string> owners;  // parallel to documents: the creating user's id, or ""
};

struct DocumentRead {
  std::uint64_t head_seq = 0;
  std::optional<protocol::Document> document;
  std::string owner_id;
};

// A collection's access rules as stored (names as in docs/auth.md; auth/ interprets them).
struct StoredRules {
  std::string collection;
  std::string read = "public";
  std::string write = "public";
};

// Change-log entries after a seq, with the bounds of the retained log (PROTOCOL 8a).
struct ChangeLogRead {
  std::uint64_t floor_seq = 0;  // highest pruned seq (0 if none)
  std::uint64_t head_seq = 0;
  std::vector<ChangeEventPtr> events;  // seq > after_seq, ascending, at most max_events
};

struct ProjectInfo {
  std::string id;
  std::string name;
  std::string created_at;
};

struct ApiKeyInfo {
  std::string key_id;   // public, non-secret prefix used to name the key
  std::string project;
  std::string created_at;
  bool revoked = false;
  bool admin = false;  // admin keys bypass access rules; never for client apps
};

// What the store keeps of a key: never the key itself, only its hash (auth/api_keys.hpp).
struct StoredApiKey {
  ApiKeyInfo info;
  std::string hash;  // raw bytes
};

// --- writes -------------------------------------------------------------------------------

// The document's owner is server metadata, never part of the Document shape: a client cannot
// set or forge it.
struct CreateDocuments {
  std::string project, collection;
  std::vector<protocol::json::object> data;
  std::string owner_id;  // the creating user, or ""
};
struct UpdateDocuments {
  std::string project, collection;
  std::vector<std::pair<std::string, protocol::json::object>> patches;  // id -> patch
  // The merged data of a document may not serialize larger than this (0 = no limit): the
  // patch alone can be small while the merge makes the document too large.
  std::size_t max_data_bytes = 0;
  // When set, a document with another owner counts as missing (owner access rule).
  std::optional<std::string> required_owner;
};
struct DeleteDocuments {
  std::string project, collection;
  std::vector<std::string> ids;
  bool missing_is_error = false;  // single DELETE: 404; batch: skipped
  std::optional<std::string> required_owner;  // as in UpdateDocuments
};
struct CreateCollection {
  std::string project, collection;
};
using WriteRequest = std::variant<CreateDocuments, UpdateDocuments, DeleteDocuments, CreateCollection>;

// invalid_data: the data holds what no reader could decode (a non-finite number).
// storage_full: the disk (or filesystem quota) is full; nothing of the request was written.
enum class WriteStatus { ok, not_found, already_exists, too_large, invalid_data, storage_full, failed };

struct WriteResult {
  WriteStatus status = WriteStatus::ok;
  std::string missing_id;                    // not_found, too_large: which id
  std::vector<protocol::Document> documents; // created/updated/deleted, in request order
  std::uint64_t seq = 0;                     // seq of the last write, or head when none
  std::optional<CollectionInfo> collection;  // CreateCollection
};

using WriteCallback = std::function<void(WriteResult)>;
using ChangeSink = std::function<void(const ChangeEventPtr&)>;

// An app user (PROTOCOL 7.1) as stored; password_hash never leaves the server.
struct UserRecord {
  std::string id;
  std::string project;
  std::string email;  // lower case
  std::string password_hash;
  protocol::json::object data;
  protocol::json::array roles;
  std::string phone_number;  // "" when none was given
  std::string created_at, updated_at;
};

enum class UserWriteStatus { ok, not_found, email_taken };

struct StoreStats {
  std::uint64_t commits = 0;  // transactions committed by the writer
  std::uint64_t writes = 0;   // write requests in them
  std::uint64_t undecodable_rows = 0;  // stored rows skipped because they cannot be decoded
};

class Store {
 public:
  virtual ~Store() = default;

  // Called after each commit with the committed changes, in seq order, from the writer thread.
  virtual void set_change_sink(ChangeSink sink) = 0;

  // Queues a write. `done` runs on the writer thread after commit (or failure): keep it short
  // and post real work elsewhere. Writes are applied in submission order.
  virtual void submit(WriteRequest request, WriteCallback done) = 0;

  virtual CollectionSnapshot read_collection(const std::string& project, const std::string& collection) = 0;
  virtual DocumentRead read_document(const std::string& project, const std::string& collection,
                                     const std::string& id) = 0;
  virtual std::vector<CollectionInfo> list_collections(const std::string& project) = 0;
  virtual std::optional<CollectionInfo> get_collection(const std::string& project, const std::string& name) = 0;
  // A document of any collection of the project by id (populate, PROTOCOL 4.10), with its owner
  // so that its collection's read rule can be applied (head_seq is not set).
  virtual DocumentRead document_by_id(const std::string& project, const std::string& id) = 0;
  // Stops after max_events, or after the entry that takes the data read past max_bytes (at
  // least one entry is returned when there is one): a caller pages through a long log holding
  // a bounded window.
  virtual ChangeLogRead read_changelog(const std::string& project, const std::string& collection,
                                       std::uint64_t after_seq, std::size_t max_events, std::size_t max_bytes) = 0;

  // Projects and keys, read and written directly (not through the writer queue): the CLI uses
  // these on a data dir a server may be running on, and the server sees them at once.
  // nullopt when the project exists already.
  virtual std::optional<ProjectInfo> create_project(const std::string& id, const std::string& name) = 0;
  virtual std::vector<ProjectInfo> list_projects() = 0;
  virtual bool project_exists(const std::string& id) = 0;
  // Keys whose public id is key_id (normally one), revoked ones included.
  virtual std::vector<StoredApiKey> api_keys_with_id(const std::string& key_id) = 0;
  // false when the project is unknown or the key id is taken.
  virtual bool insert_api_key(const StoredApiKey& key) = 0;
  virtual std::vector<ApiKeyInfo> list_api_keys(const std::string& project) = 0;
  virtual bool revoke_api_key(const std::string& project, const std::string& key_id) = 0;
  // A number that changes whenever rules are set or a key is revoked, by this process or by
  // another on the same data dir (the CLI): open sockets are re-checked when it moves.
  virtual std::uint64_t access_version() = 0;

  // App users. Written directly (not through the change-log writer: users have no change feed).
  virtual UserWriteStatus insert_user(const UserRecord& user) = 0;
  // Replaces email, password_hash, data and updated_at of the user with that id and project.
  virtual UserWriteStatus update_user(const UserRecord& user) = 0;
  virtual std::optional<UserRecord> user_by_id(const std::string& project, const std::string& id) = 0;
  virtual std::optional<UserRecord> user_by_email(const std::string& project, const std::string& email) = 0;
  virtual std::vector<UserRecord> list_users(const std::string& project) = 0;

  // Access rules per collection (absent: public/public).
  virtual StoredRules get_rules(const std::string& project, const std::string& collection) = 0;
  virtual void set_rules(const std::string& project, const StoredRules& rules) = 0;
  virtual std::vector<StoredRules> list_rules(const std::string& project) = 0;

  // A server-wide setting kept in the store (e.g. the JWT secret), or nullopt.
  virtual std::optional<std::string> get_setting(const std::string& key) = 0;
  virtual void put_setting(const std::string& key, const std::string& value) = 0;
  virtual void delete_setting(const std::string& key) = 0;

  virtual StoreStats stats() const = 0;

  // Stops the writer after draining queued writes.
  virtual void close() = 0;
};

}  // namespace cocobase::server
