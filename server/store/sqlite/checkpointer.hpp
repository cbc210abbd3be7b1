#pragma once
// Moves WAL pages into the database file on its own thread and connection, so that the writer
// never stalls on a checkpoint (SQLite's automatic checkpoint runs inside the committing
// writer). PASSIVE checkpoints never block the writer or readers; SQLite restarts the WAL on a
// later write once a checkpoint has caught up.
#include "store/sqlite/sqlite_db.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace cocobase::server::sqlite {

class Checkpointer {
 public:
  // Installs a WAL hook on `writer` (which must outlive this object) that wakes the thread
  // once the WAL holds at least `pages` pages, and turns SQLite's automatic checkpoint off.
  Checkpointer(const std::string& path, Connection& writer, int pages);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  static int on_wal_commit(void* self, sqlite3*, const char*, int pages);
  void run();

  Connection conn_;
  sqlite3* writer_;
  int pages_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool wanted_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace cocobase::server::sqlite
