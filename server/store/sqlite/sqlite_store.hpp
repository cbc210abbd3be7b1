#pragma once
// The embedded store: one SQLite file in WAL mode, durable commits (synchronous=FULL).
//
// Threads: one writer thread owns the write connection and commits every pending write in one
// transaction (group commit: one fsync for many writes); reads use a pool of read-only
// connections and may run on any thread; project/key administration uses its own connection
// (rare, and may come from another process: the CLI).
#include "store/sqlite/checkpointer.hpp"
#include "store/sqlite/sqlite_db.hpp"
#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace cocobase::server::sqlite {

struct SqliteStoreOptions {
  std::string path;                       // the database file
  std::size_t read_connections = 4;
  std::int64_t changelog_max_age_s = 86400;
  std::int64_t changelog_max_events = 100000;
  std::size_t max_writes_per_commit = 2048;  // bounds one transaction's latency and memory
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database and starts the writer. Throws SqliteError.
  explicit SqliteStore(SqliteStoreOptions options);
  ~SqliteStore() override;

  void set_change_sink(ChangeSink sink) override;
  void submit(WriteRequest request, WriteCallback done) override;

  CollectionSnapshot read_collection(const std::string& project, const std::string& collection) override;
  DocumentRead read_document(const std::string& project, const std::string& collection,
                             const std::string& id) override;
  std::vector<CollectionInfo> list_collections(const std::string& project) override;
  std::optional<CollectionInfo> get_collection(const std::string& project, const std::string& name) override;
  DocumentRead document_by_id(const std::string& project, const std::string& id) override;
  ChangeLogRead read_changelog(const std::string& project, const std::string& collection,
                               std::uint64_t after_seq, std::size_t max_events, std::size_t max_bytes) override;

  std::optional<ProjectInfo> create_project(const std::string& id, const std::string& name) override;
  std::vector<ProjectInfo> list_projects() override;
  bool project_exists(const std::string& id) override;
  std::vector<StoredApiKey> api_keys_with_id(const std::string& key_id) override;
  bool insert_api_key(const StoredApiKey& key) override;
  std::vector<ApiKeyInfo> list_api_keys(const std::string& project) override;
  bool revoke_api_key(const std::string& project, const std::string& key_id) override;
  std::uint64_t access_version() override;
  UserWriteStatus insert_user(const UserRecord& user) override;
  UserWriteStatus update_user(const UserRecord& user) override;
  std::optional<UserRecord> user_by_id(const std::string& project, const std::string& id) override;
  std::optional<UserRecord> user_by_email(const std::string& project, const std::string& email) override;
  std::vector<UserRecord> list_users(const std::string& project) override;
  StoredRules get_rules(const std::string& project, const std::string& collection) override;
  void set_rules(const std::string& project, const StoredRules& rules) override;
  std::vector<StoredRules> list_rules(const std::string& project) override;
  std::optional<std::string> get_setting(const std::string& key) override;
  void put_setting(const std::string& key, const std::string& value) override;
  void delete_setting(const std::string& key) override;

  StoreStats stats() const override;
  void close() override;

  // Runs the change-log retention now (normally done by the writer about once a second).
  void prune_changelog_now();

 private:
  // A read connection borrowed from the pool for one read; returned on destruction.
  class ReadLease {
   public:
    ReadLease(SqliteStore& s, std::unique_ptr<Connection> c) : store_(s), conn_(std::move(c)) {}
    ReadLease(ReadLease&&) = default;
    ~ReadLease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    SqliteStore& store_;
    std::unique_ptr<Connection> conn_;
  };
  struct PendingWrite {
    WriteRequest request;
    WriteCallback done;
  };

  ReadLease lease_reader();
  void writer_loop();
  void commit_batch(std::deque<PendingWrite>& batch);
  void prune_changelog(Connection& c);
  void log_storage_full();  // writer thread only

  // Checkpoint once the WAL passes 8000 pages (~32 MiB; SQLite's default is 1000): fewer,
  // larger checkpoints measured +15-20% creates/s at 64 connections (docs/benchmarks.md), and
  // since they run on their own thread the writer's p99 does not pay for them.
  static constexpr int kCheckpointPages = 8000;

  SqliteStoreOptions options_;
  std::unique_ptr<Connection> writer_conn_;
  std::unique_ptr<Checkpointer> checkpointer_;

  std::mutex admin_mutex_;
  std::unique_ptr<Connection> admin_conn_;

  std::mutex readers_mutex_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<PendingWrite> queue_;
  bool stopping_ = false;

  std::mutex sink_mutex_;
  ChangeSink sink_;

  std::chrono::steady_clock::time_point last_prune_{}, last_full_log_{};
  std::atomic<std::uint64_t> commits_{0}, writes_{0};
  std::thread writer_;
};

}  // namespace cocobase::server::sqlite
