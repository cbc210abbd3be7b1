#pragma once
// Moves WAL pages into the database file on its own thread and connection, so that the writer
// never stalls on a checkpoint (SQLite's automatic checkpoint runs inside the committing
// writer). PASSIVE checkpoints never block the writer or readers; SQLite restarts the WAL on a
// later write once a checkpoint has caught up.
//
// Restarting reuses the file but never shrinks it, and without writes it is never restarted:
// a burst left a WAL of its own size on disk for good (558 MB once). So once writes have been
// quiet for kQuiet, a TRUNCATE checkpoint empties the file; it takes no busy handler, so when a
// reader or the writer is active it gives up at once (SQLITE_BUSY) and is retried a second
// later instead of stalling anyone. Under sustained writes, the writer's journal_size_limit
// (kWalSizeLimit, set by the store) cuts the file back at each restart.
#include "store/sqlite/sqlite_db.hpp"

#include <atomic>
#include <utility>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cocobase::server::sqlite {

class Checkpointer {
 public:
  // How long the WAL must see no commit before it is truncated: short enough that a burst's WAL
  // is gone within seconds, long enough that steady traffic does not pay an fsync per second.
  static constexpr auto kQuiet = std::chrono::seconds(1);
  // Bytes a restarted WAL is cut back to (PRAGMA journal_size_limit): twice the checkpoint
  // threshold, so a WAL that outgrew it while readers held a checkpoint back shrinks again.
  static constexpr std::int64_t kWalSizeLimit = 64 * 1024 * 1024;

  // Installs a WAL hook on `writer` (which must outlive this object) that wakes the thread
  // once the WAL holds at least `pages` pages, and turns SQLite's automatic checkpoint off.
  Checkpointer(const std::string& path, Connection& writer, int pages);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  static int on_wal_commit(void* self, sqlite3*, const char*, int pages);
  void run();
  void truncate_if_quiet();

  Connection conn_;
  sqlite3* writer_;
  int pages_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool wanted_ = false, stopping_ = false;
  // Set by every commit (writer thread), cleared by a successful truncation.
  std::atomic<bool> dirty_{false};
  std::atomic<std::int64_t> last_commit_ns_{0};  // steady_clock
  std::thread thread_;
};

}  // namespace cocobase::server::sqlite
