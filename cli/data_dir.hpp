#pragma once
// What the provisioning verbs share: the store of a data dir (possibly in use by a running
// server: SQLite serializes the writers) and how a verb fails.
#include "store/data_dir.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace cocobase::cli {

// Exit status of every verb that finds its data dir unusable (a 0-byte or missing database
// beside other files; see server/store/data_dir.hpp): distinct from 1 (any other failure), so
// a supervisor can tell "do not restart, restore the store" from a crash.
constexpr int kExitDataDirRefused = 3;

// The SQLite file inside a prepared data dir (created 0700, modes tightened; refused when the
// store was lost): prints why and exits with kExitDataDirRefused.
inline std::string prepared_database(const std::string& data_dir) {
  try {
    return server::prepare_data_dir(data_dir);
  } catch (const server::DataDirError& e) {
    std::cerr << "cocobase: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitDataDirRefused);
  }
}

inline std::unique_ptr<server::sqlite::SqliteStore> open_data_dir(const std::string& data_dir) {
  server::sqlite::SqliteStoreOptions o;
  o.path = prepared_database(data_dir);
  o.read_connections = 1;
  return std::make_unique<server::sqlite::SqliteStore>(o);
}

// Prints the message and ends the verb with exit status 1.
[[noreturn]] inline void fail(const std::string& msg) {
  std::cerr << "cocobase: " << msg << "\n";
  throw CLI::RuntimeError(1);
}

}  // namespace cocobase::cli
