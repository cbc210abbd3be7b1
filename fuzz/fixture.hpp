#pragma once
// A real store for the fuzz targets that need one (auth messages, the HTTP router): a SQLite
// file in a temporary directory, created once per process, with a project "p", its API key, a
// user token for "p" and one for another project "q". Inputs name them with the placeholders
// $KEY, $TOKEN and $QTOKEN (seeds and dictionaries use them), since no fuzzer guesses a key.
#include "auth/api_keys.hpp"
#include "auth/jwt.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "testing/temp_dir.hpp"

#include <sodium.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace cocobase::fuzz {

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<server::sqlite::SqliteStore> store;
  server::auth::JwtCodec jwt{std::string(32, 's'), 3600, 0};
  std::string key, token, q_token;

  Fixture() {
    if (sodium_init() < 0) std::abort();
    server::sqlite::SqliteStoreOptions o;
    o.path = dir.file("db");
    o.read_connections = 1;
    store = std::make_unique<server::sqlite::SqliteStore>(o);
    store->create_project("p", "P");
    store->create_project("q", "Q");
    key = server::auth::issue_api_key(*store, "p")->api_key;
    token = jwt.issue({"u1", "p", "u1@example.com", {}, "Ada", 0, 0});
    q_token = jwt.issue({"u2", "q", "u2@example.com", {}, "", 0, 0});
  }

  // The input with its placeholders replaced.
  std::string expand(std::string_view in) const {
    std::string out;
    out.reserve(in.size());
    while (!in.empty()) {
      if (in.starts_with("$KEY")) { out += key; in.remove_prefix(4); }
      else if (in.starts_with("$TOKEN")) { out += token; in.remove_prefix(6); }
      else if (in.starts_with("$QTOKEN")) { out += q_token; in.remove_prefix(7); }
      else { out.push_back(in.front()); in.remove_prefix(1); }
    }
    return out;
  }
};

inline Fixture& fixture() {
  static Fixture f;
  return f;
}

}  // namespace cocobase::fuzz
