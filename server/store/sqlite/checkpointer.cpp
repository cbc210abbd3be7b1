#include "store/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>

namespace cocobase::server::sqlite {

Checkpointer::Checkpointer(const std::string& path, Connection& writer, int pages)
    : conn_(path, Connection::Mode::read_write), writer_(writer.handle()), pages_(pages) {
  conn_.exec("PRAGMA synchronous=FULL");
  sqlite3_wal_hook(writer_, &Checkpointer::on_wal_commit, this);  // also turns autocheckpoint off
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "cb-checkpoint");
    run();
  });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

// Called by SQLite on the writer thread after each commit, with the WAL's size in pages.
int Checkpointer::on_wal_commit(void* p, sqlite3*, const char*, int pages) {
  auto* self = static_cast<Checkpointer*>(p);
  if (pages >= self->pages_) {
    std::lock_guard lock(self->mutex_);
    self->wanted_ = true;
    self->cv_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    int rc = sqlite3_wal_checkpoint_v2(conn_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("checkpoint: {}", sqlite3_errstr(rc));
    lock.lock();
  }
}

}  // namespace cocobase::server::sqlite
