#pragma once
// The data directory: what a usable one looks like, who may read it, and where the JWT secret
// lives. Used by `cocobase serve` and by every CLI verb that opens a data dir, so that none of
// them creates or leaves a file another local account can read (the database holds password
// hashes and API-key hashes; the secret signs user tokens).
#include "store/store.hpp"

#include <stdexcept>
#include <string>

namespace cocobase::server {

// The data dir cannot be used as it is; the message says why and what to do.
struct DataDirError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Makes `dir` ready for the store and returns the database path inside it.
//  - Sets the process umask to 077, so that every file created afterwards (SQLite's -wal and
//    -shm, the secret) is private whatever the caller's umask was.
//  - Creates `dir` 0700 when absent; an existing dir is tightened to 0700 and its files to 0600,
//    and what was changed is logged once.
//  - Refuses (DataDirError) a dir whose database is 0 bytes, or is missing while the dir holds
//    other files: both mean the store was lost or truncated, and opening it would silently make
//    a fresh store with a new default API key. An empty or absent dir is a first start.
// Throws DataDirError, or std::filesystem::filesystem_error when the dir cannot be created.
std::string prepare_data_dir(const std::string& dir);

// The HMAC key of user tokens, kept in <dir>/jwt_secret (0600), generated on first start.
// Earlier versions kept it in the store's `jwt_secret` setting, readable with the database:
// it is moved to the file, then deleted from the store, so tokens signed before stay valid.
// The move happens even when the server runs with --jwt-secret (the old copy must go); then
// create_if_missing is false and "" is returned when there is no secret to move.
// Throws DataDirError for an empty or unreadable secret file.
std::string load_jwt_secret(const std::string& dir, Store& store, bool create_if_missing);

}  // namespace cocobase::server
