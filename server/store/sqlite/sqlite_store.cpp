#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/schema.hpp"
#include "store/sqlite/stored_json.hpp"
#include "store/sqlite/write_ops.hpp"

#include <cocobase/protocol/time.hpp>

#include <spdlog/spdlog.h>

#include <pthread.h>

#include <cstdlib>
#include <tuple>

namespace cocobase::server::sqlite {

namespace json = protocol::json;

SqliteStore::ReadLease::~ReadLease() {
  if (!conn_) return;
  std::lock_guard lock(store_.readers_mutex_);
  store_.idle_readers_.push_back(std::move(conn_));
  store_.readers_cv_.notify_one();
}

SqliteStore::SqliteStore(SqliteStoreOptions options) : options_(std::move(options)) {
  writer_conn_ = std::make_unique<Connection>(options_.path, Connection::Mode::read_write);
  apply_schema(*writer_conn_);
  writer_conn_->exec("PRAGMA synchronous=FULL");
  writer_conn_->exec(("PRAGMA journal_size_limit=" + std::to_string(Checkpointer::kWalSizeLimit)).c_str());
  checkpointer_ = std::make_unique<Checkpointer>(options_.path, *writer_conn_, kCheckpointPages);
  admin_conn_ = std::make_unique<Connection>(options_.path, Connection::Mode::read_write);
  admin_conn_->exec("PRAGMA synchronous=FULL");
  // Settings deleted here (the JWT secret moved out of the database) are overwritten on disk,
  // not left in a free page. Admin writes are rare, so the extra writes cost nothing.
  admin_conn_->exec("PRAGMA secure_delete=ON");
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.read_connections); ++i)
    idle_readers_.push_back(std::make_unique<Connection>(options_.path, Connection::Mode::read_only));
  last_prune_ = std::chrono::steady_clock::now();
  writer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "cb-store-writer");  // shown by top -H, ps -T, perf
    writer_loop();
  });
}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::close() {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  checkpointer_.reset();
}

StoreStats SqliteStore::stats() const { return {commits_.load(), writes_.load(), undecodable_rows()}; }

void SqliteStore::set_change_sink(ChangeSink sink) {
  std::lock_guard lock(sink_mutex_);
  sink_ = std::move(sink);
}

void SqliteStore::submit(WriteRequest request, WriteCallback done) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back(PendingWrite{std::move(request), std::move(done)});
      queue_cv_.notify_one();
      return;
    }
  }
  WriteResult r;
  r.status = WriteStatus::failed;
  done(std::move(r));
}

void SqliteStore::writer_loop() {
  std::deque<PendingWrite> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      // Take everything that queued while the last commit was syncing: that is the group.
      while (!queue_.empty() && batch.size() < options_.max_writes_per_commit) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!batch.empty()) commit_batch(batch);
    if (std::chrono::steady_clock::now() - last_prune_ > std::chrono::seconds(1)) {
      try {
        prune_changelog(*writer_conn_);
      } catch (const StorageFull&) {
        log_storage_full();
      } catch (const std::exception& e) {
        spdlog::error("change-log pruning failed: {}", e.what());
      }
      last_prune_ = std::chrono::steady_clock::now();
    }
  }
}

void SqliteStore::commit_batch(std::deque<PendingWrite>& batch) {
  std::vector<WriteResult> results(batch.size());
  std::vector<ChangeEventPtr> events;
  bool committed = false, full = false;
  try {
    Transaction txn(*writer_conn_, "BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::size_t first_event = events.size();
      // A savepoint per write: one failing write rolls back alone, the group still commits.
      writer_conn_->prepare("SAVEPOINT w").run();  // prepared once: this runs for every write
      try {
        results[i] = apply_write(*writer_conn_, batch[i].request, events);
      } catch (const StorageFull& e) {
        full = true;
        results[i] = WriteResult{};
        results[i].status = WriteStatus::storage_full;
      } catch (const std::exception& e) {
        spdlog::error("write failed: {}", e.what());
        results[i] = WriteResult{};
        results[i].status = WriteStatus::failed;
      }
      if (results[i].status != WriteStatus::ok) {
        writer_conn_->prepare("ROLLBACK TO w").run();
        events.resize(first_event);
        results[i].documents.clear();
      }
      writer_conn_->prepare("RELEASE w").run();
    }
    txn.commit();
    committed = true;
    commits_.fetch_add(1, std::memory_order_relaxed);
    writes_.fetch_add(batch.size(), std::memory_order_relaxed);
  } catch (const StorageFull&) {
    full = true;
  } catch (const std::exception& e) {
    spdlog::error("commit failed: {}", e.what());
  }
  if (full) log_storage_full();
  if (!committed) {
    events.clear();
    for (auto& r : results) {
      r = WriteResult{};
      r.status = full ? WriteStatus::storage_full : WriteStatus::failed;
    }
  }
  {
    std::lock_guard lock(sink_mutex_);
    if (sink_)
      for (const auto& e : events) sink_(e);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
  batch.clear();
}

// A full disk fails every write until space is freed: one line per interval, not per write.
void SqliteStore::log_storage_full() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_full_log_ < std::chrono::seconds(10) && last_full_log_ != std::chrono::steady_clock::time_point{}) return;
  last_full_log_ = now;
  spdlog::warn("store: the disk holding {} is full; writes are refused with 503 STORAGE_FULL until space is freed",
               options_.path);
}

void SqliteStore::prune_changelog(Connection& c) {
  // Runs about once a second on the writer thread, so every statement here uses an index:
  // the work is proportional to what is pruned, not to the size of the log.
  Transaction txn(c, "BEGIN IMMEDIATE");
  std::int64_t cutoff_ms = protocol::now_unix_ms() - options_.changelog_max_age_s * 1000;
  c.prepare("DELETE FROM changelog WHERE committed_ms < ?").bind(1, cutoff_ms).run();
  bool pruned = c.changes() > 0;
  std::vector<std::tuple<std::string, std::string, std::int64_t>> over;
  {
    auto st = c.prepare("SELECT project, name, head_seq FROM collections WHERE head_seq - floor_seq > ?");
    st.bind(1, options_.changelog_max_events);
    while (st.step()) over.emplace_back(std::string(st.text(0)), std::string(st.text(1)), st.integer(2));
  }
  for (const auto& [project, name, head] : over) {
    c.prepare("DELETE FROM changelog WHERE project=? AND collection=? AND seq <= ?")
        .bind(1, project).bind(2, name).bind(3, head - options_.changelog_max_events).run();
    pruned |= c.changes() > 0;
  }
  if (pruned) {
    // floor_seq = highest pruned seq: one below the oldest entry left, or the head when none is.
    c.prepare(
         "UPDATE collections SET floor_seq = COALESCE((SELECT MIN(seq) - 1 FROM changelog l"
         " WHERE l.project=collections.project AND l.collection=collections.name), head_seq)")
        .run();
  }
  txn.commit();
}

void SqliteStore::prune_changelog_now() {
  // Runs on the writer's connection, so serialize with it through the queue's thread: simplest
  // is a dedicated connection (SQLite serializes writers across connections).
  Connection c(options_.path, Connection::Mode::read_write);
  c.exec("PRAGMA synchronous=FULL");
  prune_changelog(c);
}

SqliteStore::ReadLease SqliteStore::lease_reader() {
  std::unique_lock lock(readers_mutex_);
  readers_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
  auto c = std::move(idle_readers_.back());
  idle_readers_.pop_back();
  return ReadLease(*this, std::move(c));
}

namespace {

// nullopt when the stored data cannot be decoded (stored_json.hpp: logged and counted).
std::optional<protocol::Document> row_to_document(Statement& st, const std::string& collection,
                                                  const std::string& collection_id) {
  protocol::Document d;
  d.id = st.text(0);
  auto data = decode_stored_object(st.text(1), "documents row " + d.id);
  if (!data) return std::nullopt;
  d.collection = collection;
  d.collection_id = collection_id;
  d.data = std::move(*data);
  d.created_at = st.text(2);
  d.updated_at = st.text(3);
  return d;
}

struct CollectionHead {
  std::string id;
  std::uint64_t head_seq = 0, floor_seq = 0;
};

// The collection's id and seq bounds, inside the caller's read transaction.
std::optional<CollectionHead> collection_head(Connection& c, const std::string& project, const std::string& name) {
  auto st = c.prepare("SELECT id, head_seq, floor_seq FROM collections WHERE project=? AND name=?");
  st.bind(1, project).bind(2, name);
  if (!st.step()) return std::nullopt;
  return CollectionHead{std::string(st.text(0)), static_cast<std::uint64_t>(st.integer(1)),
                        static_cast<std::uint64_t>(st.integer(2))};
}

}  // namespace

CollectionSnapshot SqliteStore::read_collection(const std::string& project, const std::string& collection) {
  auto c = lease_reader();
  CollectionSnapshot snap;
  Transaction txn(*c);
  auto head = collection_head(*c, project, collection);
  if (!head) return snap;
  const std::string& collection_id = head->id;
  snap.head_seq = head->head_seq;
  auto st = c->prepare("SELECT id, data, created_at, updated_at, owner_id FROM documents WHERE project=? AND collection=?");
  st.bind(1, project).bind(2, collection);
  while (st.step()) {
    auto d = row_to_document(st, collection, collection_id);
    if (!d) continue;
    snap.documents.push_back(std::move(*d));
    snap.owners.emplace_back(st.text(4));
  }
  return snap;
}

DocumentRead SqliteStore::read_document(const std::string& project, const std::string& collection,
                                        const std::string& id) {
  auto c = lease_reader();
  DocumentRead r;
  Transaction txn(*c);
  auto head = collection_head(*c, project, collection);
  if (!head) return r;
  const std::string& collection_id = head->id;
  r.head_seq = head->head_seq;
  auto st = c->prepare(
      "SELECT id, data, created_at, updated_at, owner_id FROM documents WHERE project=? AND collection=? AND id=?");
  st.bind(1, project).bind(2, collection).bind(3, id);
  if (st.step()) {
    r.document = row_to_document(st, collection, collection_id);
    if (!r.document) throw UndecodableRow("document " + id + " cannot be decoded");
    r.owner_id = st.text(4);
  }
  return r;
}

DocumentRead SqliteStore::document_by_id(const std::string& project, const std::string& id) {
  auto c = lease_reader();
  DocumentRead r;
  auto st = c->prepare(
      "SELECT d.id, d.data, d.created_at, d.updated_at, d.collection, c.id, d.owner_id FROM documents d"
      " JOIN collections c ON c.project=d.project AND c.name=d.collection WHERE d.project=? AND d.id=?");
  st.bind(1, project).bind(2, id);
  if (!st.step()) return r;
  r.document = row_to_document(st, std::string(st.text(4)), std::string(st.text(5)));
  r.owner_id = st.text(6);
  return r;
}

std::vector<CollectionInfo> SqliteStore::list_collections(const std::string& project) {
  auto c = lease_reader();
  std::vector<CollectionInfo> out;
  auto st = c->prepare("SELECT id, name, created_at FROM collections WHERE project=? ORDER BY name");
  st.bind(1, project);
  while (st.step()) out.push_back(CollectionInfo{std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2)), 0});
  return out;
}

std::optional<CollectionInfo> SqliteStore::get_collection(const std::string& project, const std::string& name) {
  auto c = lease_reader();
  Transaction txn(*c);
  CollectionInfo info;
  {
    auto st = c->prepare("SELECT id, name, created_at FROM collections WHERE project=? AND name=?");
    st.bind(1, project).bind(2, name);
    if (!st.step()) return std::nullopt;
    info = CollectionInfo{std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2)), 0};
  }
  auto st = c->prepare("SELECT COUNT(*) FROM documents WHERE project=? AND collection=?");
  st.bind(1, project).bind(2, name);
  if (st.step()) info.document_count = st.integer(0);
  return info;
}

ChangeLogRead SqliteStore::read_changelog(const std::string& project, const std::string& collection,
                                          std::uint64_t after_seq, std::size_t max_events, std::size_t max_bytes) {
  auto c = lease_reader();
  ChangeLogRead r;
  Transaction txn(*c);
  auto head = collection_head(*c, project, collection);
  if (!head) return r;
  const std::string& collection_id = head->id;
  r.head_seq = head->head_seq;
  r.floor_seq = head->floor_seq;
  auto st = c->prepare(
      "SELECT seq, kind, doc_id, data, created_at, updated_at, old_data, old_updated_at, committed_ms, owner_id"
      " FROM changelog WHERE project=? AND collection=? AND seq>? ORDER BY seq LIMIT ?");
  st.bind(1, project).bind(2, collection).bind(3, static_cast<std::int64_t>(after_seq))
      .bind(4, static_cast<std::int64_t>(max_events));
  std::size_t bytes = 0;
  while (bytes < max_bytes && st.step()) {
    bytes += st.text(3).size() + (st.is_null(6) ? 0 : st.text(6).size());
    auto e = std::make_shared<ChangeEvent>();
    e->project = project;
    e->seq = static_cast<std::uint64_t>(st.integer(0));
    e->kind = static_cast<ChangeKind>(st.integer(1));
    e->document.id = st.text(2);
    e->document.collection = collection;
    e->document.collection_id = collection_id;
    std::string what = "changelog row " + collection + "#" + std::to_string(e->seq);
    auto data = decode_stored_object(st.text(3), what);
    if (!data) continue;  // the replay goes on without it, as if a filter had left it out
    e->document.data = std::move(*data);
    e->document.created_at = st.text(4);
    e->document.updated_at = st.text(5);
    if (!st.is_null(6)) {
      e->old_data = decode_stored_object(st.text(6), what);
      if (!e->old_data) continue;
      e->old_updated_at = st.text(7);
    }
    e->committed_unix_ms = st.integer(8);
    e->owner_id = st.text(9);
    r.events.push_back(std::move(e));
  }
  return r;
}

// --- administration (own connection; may race with another process, so use transactions) ---

std::optional<ProjectInfo> SqliteStore::create_project(const std::string& id, const std::string& name) {
  std::lock_guard lock(admin_mutex_);
  ProjectInfo p{id, name, protocol::now_timestamp()};
  auto st = admin_conn_->prepare("INSERT INTO projects(id, name, created_at) VALUES(?,?,?) ON CONFLICT DO NOTHING");
  st.bind(1, p.id).bind(2, p.name).bind(3, p.created_at).run();
  if (admin_conn_->changes() == 0) return std::nullopt;
  return p;
}

std::vector<ProjectInfo> SqliteStore::list_projects() {
  std::lock_guard lock(admin_mutex_);
  std::vector<ProjectInfo> out;
  auto st = admin_conn_->prepare("SELECT id, name, created_at FROM projects ORDER BY id");
  while (st.step()) out.push_back(ProjectInfo{std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2))});
  return out;
}

bool SqliteStore::project_exists(const std::string& id) {
  auto c = lease_reader();
  auto st = c->prepare("SELECT 1 FROM projects WHERE id=?");
  st.bind(1, id);
  return st.step();
}

std::vector<StoredApiKey> SqliteStore::api_keys_with_id(const std::string& key_id) {
  // Hot path (every request): a pooled reader, so this never waits for the admin connection.
  auto c = lease_reader();
  std::vector<StoredApiKey> out;
  auto st = c->prepare("SELECT project, hash, created_at, revoked_at IS NOT NULL, admin FROM api_keys WHERE key_id=?");
  st.bind(1, key_id);
  while (st.step())
    out.push_back(StoredApiKey{
        ApiKeyInfo{key_id, std::string(st.text(0)), std::string(st.text(2)), st.integer(3) != 0, st.integer(4) != 0},
        std::string(st.blob(1))});
  return out;
}

bool SqliteStore::insert_api_key(const StoredApiKey& key) {
  std::lock_guard lock(admin_mutex_);
  Transaction txn(*admin_conn_, "BEGIN IMMEDIATE");
  {
    auto st = admin_conn_->prepare("SELECT 1 FROM projects WHERE id=?");
    st.bind(1, key.info.project);
    if (!st.step()) return false;
  }
  auto st = admin_conn_->prepare(
      "INSERT INTO api_keys(key_id, project, hash, created_at, admin) VALUES(?,?,?,?,?) ON CONFLICT DO NOTHING");
  st.bind(1, key.info.key_id).bind(2, key.info.project).bind_blob(3, key.hash).bind(4, key.info.created_at)
      .bind(5, std::int64_t{key.info.admin}).run();
  if (admin_conn_->changes() == 0) return false;
  txn.commit();
  return true;
}

std::vector<ApiKeyInfo> SqliteStore::list_api_keys(const std::string& project) {
  std::lock_guard lock(admin_mutex_);
  std::vector<ApiKeyInfo> out;
  auto st = admin_conn_->prepare(
      "SELECT key_id, created_at, revoked_at IS NOT NULL, admin FROM api_keys WHERE project=? ORDER BY created_at, key_id");
  st.bind(1, project);
  while (st.step())
    out.push_back(ApiKeyInfo{std::string(st.text(0)), project, std::string(st.text(1)), st.integer(2) != 0, st.integer(3) != 0});
  return out;
}

namespace {

// In the transaction of the change it announces: whoever sees the new version also sees the
// change.
void bump_access_version(Connection& c) {
  c.prepare("INSERT INTO settings(key, value) VALUES('access_version', '1') ON CONFLICT(key)"
            " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")
      .run();
}

}  // namespace

bool SqliteStore::revoke_api_key(const std::string& project, const std::string& key_id) {
  std::lock_guard lock(admin_mutex_);
  Transaction txn(*admin_conn_, "BEGIN IMMEDIATE");
  admin_conn_->prepare("UPDATE api_keys SET revoked_at=? WHERE project=? AND key_id=? AND revoked_at IS NULL")
      .bind(1, protocol::now_timestamp()).bind(2, project).bind(3, key_id).run();
  if (admin_conn_->changes() == 0) return false;
  bump_access_version(*admin_conn_);
  txn.commit();
  return true;
}

std::uint64_t SqliteStore::access_version() {
  // Polled by the access re-check (--access-recheck-ms): a pooled reader, one indexed row.
  auto c = lease_reader();
  auto st = c->prepare("SELECT value FROM settings WHERE key='access_version'");
  if (!st.step()) return 0;
  return static_cast<std::uint64_t>(std::strtoull(std::string(st.text(0)).c_str(), nullptr, 10));
}

StoredRules SqliteStore::get_rules(const std::string& project, const std::string& collection) {
  // Every request reads this: a pooled reader, so it never waits for the admin connection.
  auto c = lease_reader();
  StoredRules r;
  r.collection = collection;
  auto st = c->prepare("SELECT read_rule, write_rule FROM rules WHERE project=? AND collection=?");
  st.bind(1, project).bind(2, collection);
  if (st.step()) {
    r.read = st.text(0);
    r.write = st.text(1);
  }
  return r;
}

void SqliteStore::set_rules(const std::string& project, const StoredRules& r) {
  std::lock_guard lock(admin_mutex_);
  Transaction txn(*admin_conn_, "BEGIN IMMEDIATE");
  admin_conn_->prepare("INSERT INTO rules(project, collection, read_rule, write_rule) VALUES(?,?,?,?)"
                       " ON CONFLICT(project, collection) DO UPDATE SET read_rule=excluded.read_rule,"
                       " write_rule=excluded.write_rule")
      .bind(1, project).bind(2, r.collection).bind(3, r.read).bind(4, r.write).run();
  bump_access_version(*admin_conn_);
  txn.commit();
}

std::vector<StoredRules> SqliteStore::list_rules(const std::string& project) {
  std::lock_guard lock(admin_mutex_);
  std::vector<StoredRules> out;
  auto st = admin_conn_->prepare("SELECT collection, read_rule, write_rule FROM rules WHERE project=? ORDER BY collection");
  st.bind(1, project);
  while (st.step()) out.push_back(StoredRules{std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2))});
  return out;
}

std::optional<std::string> SqliteStore::get_setting(const std::string& key) {
  std::lock_guard lock(admin_mutex_);
  auto st = admin_conn_->prepare("SELECT value FROM settings WHERE key=?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return std::string(st.text(0));
}

void SqliteStore::put_setting(const std::string& key, const std::string& value) {
  std::lock_guard lock(admin_mutex_);
  admin_conn_->prepare("INSERT INTO settings(key, value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value")
      .bind(1, key).bind(2, value).run();
}

void SqliteStore::delete_setting(const std::string& key) {
  std::lock_guard lock(admin_mutex_);
  admin_conn_->prepare("DELETE FROM settings WHERE key=?").bind(1, key).run();
}

}  // namespace cocobase::server::sqlite
