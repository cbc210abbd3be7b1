#include "store/sqlite/checkpointer.hpp"

#include <spdlog/spdlog.h>

#include <pthread.h>

namespace cocobase::server::sqlite {
namespace {
std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Checkpointer::Checkpointer(const std::string& path, Connection& writer, int pages)
    : conn_(path, Connection::Mode::read_write), writer_(writer.handle()), pages_(pages) {
  conn_.exec("PRAGMA synchronous=FULL");
  // A TRUNCATE checkpoint that meets a reader or the writer returns at once (retried later)
  // instead of waiting for it and holding new writers back meanwhile.
  sqlite3_busy_timeout(conn_.handle(), 0);
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
  self->last_commit_ns_.store(steady_ns(), std::memory_order_relaxed);
  self->dirty_.store(true, std::memory_order_release);
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
    cv_.wait_for(lock, kQuiet, [&] { return wanted_ || stopping_; });
    if (stopping_) return;
    bool wanted = std::exchange(wanted_, false);
    lock.unlock();
    if (wanted) {
      int rc = sqlite3_wal_checkpoint_v2(conn_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) spdlog::warn("checkpoint: {}", sqlite3_errstr(rc));
    }
    truncate_if_quiet();
    lock.lock();
  }
}

void Checkpointer::truncate_if_quiet() {
  if (!dirty_.load(std::memory_order_acquire)) return;
  auto quiet_for = std::chrono::nanoseconds(steady_ns() - last_commit_ns_.load(std::memory_order_relaxed));
  if (quiet_for < kQuiet) return;
  // Cleared first: a commit racing with the checkpoint sets it again, so it is not lost.
  dirty_.store(false, std::memory_order_release);
  int rc = sqlite3_wal_checkpoint_v2(conn_.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc == SQLITE_OK) return;
  dirty_.store(true, std::memory_order_release);  // a reader or the writer was active: next second
  if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED && rc != SQLITE_FULL) spdlog::warn("WAL truncation: {}", sqlite3_errstr(rc));
}

}  // namespace cocobase::server::sqlite
