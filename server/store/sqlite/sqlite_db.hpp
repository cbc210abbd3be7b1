#pragma once
// Thin RAII over the SQLite C API: a connection with a cache of prepared statements, and a
// statement handle that resets itself when released. Errors throw SqliteError.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cocobase::server::sqlite {

struct SqliteError : std::runtime_error {
  int code;
  SqliteError(int c, const std::string& what) : std::runtime_error(what), code(c) {}
};

class Statement {
 public:
  explicit Statement(sqlite3_stmt* s) : stmt_(s) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }

  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, std::int64_t v);
  Statement& bind_null(int i);
  Statement& bind_blob(int i, std::string_view bytes);
  // true while a row is available.
  bool step();
  void run() { while (step()) {} }

  std::string_view text(int col) const;
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string_view blob(int col) const;

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  enum class Mode { read_write, read_only };
  Connection(const std::string& path, Mode mode);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  void exec(const char* sql);
  // A prepared statement from the cache (prepared on first use). One user at a time.
  Statement prepare(const char* sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;  // keyed by the literal's address
};

// BEGIN ... COMMIT, rolled back if destroyed without commit().
class Transaction {
 public:
  Transaction(Connection& c, const char* begin = "BEGIN") : c_(c) { c_.exec(begin); }
  ~Transaction() {
    if (!done_) try { c_.exec("ROLLBACK"); } catch (...) {}
  }
  void commit() { c_.exec("COMMIT"); done_ = true; }

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace cocobase::server::sqlite
