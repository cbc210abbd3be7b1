#pragma once
// What the provisioning verbs share: the store of a data dir (possibly in use by a running
// server: SQLite serializes the writers) and how a verb fails.
#include "store/sqlite/sqlite_store.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

namespace cocobase::cli {

// The SQLite file inside a data dir, creating the directory when asked.
inline std::string database_path(const std::string& data_dir, bool create) {
  if (create) std::filesystem::create_directories(data_dir);
  return (std::filesystem::path(data_dir) / "cocobase.db").string();
}

inline std::unique_ptr<server::sqlite::SqliteStore> open_data_dir(const std::string& data_dir) {
  server::sqlite::SqliteStoreOptions o;
  o.path = database_path(data_dir, true);
  o.read_connections = 1;
  return std::make_unique<server::sqlite::SqliteStore>(o);
}

// Prints the message and ends the verb with exit status 1.
[[noreturn]] inline void fail(const std::string& msg) {
  std::cerr << "cocobase: " << msg << "\n";
  throw CLI::RuntimeError(1);
}

}  // namespace cocobase::cli
