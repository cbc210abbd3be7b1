#include "auth/api_keys.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include "../../../testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

using namespace cocobase::server;

namespace {

std::unique_ptr<sqlite::SqliteStore> open_store(const std::string& path) {
  sqlite::SqliteStoreOptions o;
  o.path = path;
  return std::make_unique<sqlite::SqliteStore>(o);
}

TEST(ApiKeys, IssuedKeyAuthenticatesItsProjectOnly) {
  ASSERT_GE(sodium_init(), 0);
  cocobase::testing::TempDir dir;
  auto store = open_store(dir.file("db"));
  ASSERT_TRUE(store->create_project("a", "A"));
  ASSERT_TRUE(store->create_project("b", "B"));
  EXPECT_FALSE(store->create_project("a", "again"));
  auto ka = auth::issue_api_key(*store, "a");
  auto kb = auth::issue_api_key(*store, "b");
  ASSERT_TRUE(ka && kb);
  EXPECT_EQ(ka->api_key.size(), 43u);
  EXPECT_EQ(ka->api_key.rfind("cb_", 0), 0u);
  EXPECT_EQ(auth::project_for_api_key(*store, ka->api_key), "a");
  EXPECT_EQ(auth::project_for_api_key(*store, kb->api_key), "b");
  std::string tampered = ka->api_key;
  tampered.back() = tampered.back() == 'x' ? 'y' : 'x';
  EXPECT_FALSE(auth::project_for_api_key(*store, tampered));
  EXPECT_FALSE(auth::project_for_api_key(*store, ""));
  EXPECT_FALSE(auth::issue_api_key(*store, "nope"));
}

TEST(ApiKeys, RevocationFromAnotherConnectionTakesEffectAtOnce) {
  ASSERT_GE(sodium_init(), 0);
  cocobase::testing::TempDir dir;
  auto server_store = open_store(dir.file("db"));
  server_store->create_project("p", "P");
  auto key = auth::issue_api_key(*server_store, "p");
  ASSERT_EQ(auth::project_for_api_key(*server_store, key->api_key), "p");
  {
    auto cli_store = open_store(dir.file("db"));  // as the CLI would, on the same file
    EXPECT_TRUE(cli_store->revoke_api_key("p", key->info.key_id));
    EXPECT_FALSE(cli_store->revoke_api_key("p", key->info.key_id));
    auto keys = cli_store->list_api_keys("p");
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_TRUE(keys[0].revoked);
  }
  EXPECT_FALSE(auth::project_for_api_key(*server_store, key->api_key));
}

}  // namespace
