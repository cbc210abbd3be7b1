// Every REST call of cocobase::Client against the real server binary (testing/server_process.hpp):
// results, typed errors, and transport failures.
#include "testing/server_process.hpp"

#include <cocobase/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cocobase {
namespace {

using testing::ServerProcess;

// A collection name of its own for every test, so tests do not see each other's documents.
std::string test_collection() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("t_") + info->name();
  return name.substr(0, 64);
}

bool is_rfc3339_millis(const std::string& ts) {
  return ts.size() == 24 && ts[4] == '-' && ts[10] == 'T' && ts[19] == '.' && ts.back() == 'Z';
}

template <typename Call>
ApiError expect_api_error(Call&& call) {
  try {
    call();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "no ApiError thrown";
  return ApiError(0, "", "", "");
}

std::vector<std::int64_t> ages_of(const std::vector<Document>& docs) {
  std::vector<std::int64_t> ages;
  for (const auto& d : docs) ages.push_back(d.data.at("age").as_int64());
  return ages;
}

class RestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static ClientConfig config(std::string api_key = server_->api_key()) {
    ClientConfig c;
    c.base_url = server_->url();
    c.api_key = std::move(api_key);
    c.request_timeout = std::chrono::seconds(10);
    return c;
  }

  void SetUp() override { ASSERT_FALSE(server_->api_key().empty()); }

  static ServerProcess* server_;
  Client client_{config()};
};

ServerProcess* RestTest::server_ = nullptr;

TEST_F(RestTest, CreateGetUpdateDelete) {
  const auto name = test_collection();
  Document created = client_.create_document(name, {{"name", "Alice"}, {"age", 30}});
  EXPECT_EQ(created.collection, name);
  EXPECT_EQ(created.id.size(), 36u);
  EXPECT_FALSE(created.collection_id.empty());
  EXPECT_EQ(created.data, (json::object{{"name", "Alice"}, {"age", 30}}));
  EXPECT_TRUE(is_rfc3339_millis(created.created_at)) << created.created_at;
  EXPECT_EQ(created.updated_at, created.created_at);

  Document got = client_.get_document(name, created.id);
  EXPECT_EQ(got.id, created.id);
  EXPECT_EQ(got.collection_id, created.collection_id);
  EXPECT_EQ(got.data, created.data);

  Document updated = client_.update_document(name, created.id, {{"age", 31}, {"city", "Oslo"}});
  EXPECT_EQ(updated.data, (json::object{{"name", "Alice"}, {"age", 31}, {"city", "Oslo"}}));
  EXPECT_GE(updated.updated_at, created.created_at);
  EXPECT_EQ(client_.get_document(name, created.id).data, updated.data);

  client_.delete_document(name, created.id);
  auto e = expect_api_error([&] { client_.get_document(name, created.id); });
  EXPECT_EQ(e.status(), 404);
  auto again = expect_api_error([&] { client_.delete_document(name, created.id); });
  EXPECT_EQ(again.code(), "NOT_FOUND");
}

TEST_F(RestTest, GetMissingDocumentIsTypedNotFound) {
  auto e = expect_api_error([&] { client_.get_document(test_collection(), "no-such-id"); });
  EXPECT_EQ(e.status(), 404);
  EXPECT_EQ(e.code(), "NOT_FOUND");
  EXPECT_EQ(e.detail(), "Document not found");
  EXPECT_NE(e.body().find("\"NOT_FOUND\""), std::string::npos) << e.body();
  EXPECT_STREQ(e.what(), "HTTP 404 NOT_FOUND: Document not found");
  EXPECT_FALSE(e.retry_after().has_value());
  auto update = expect_api_error([&] { client_.update_document(test_collection(), "x", {}); });
  EXPECT_EQ(update.status(), 404);
}

TEST_F(RestTest, InvalidInputIsTypedError) {
  auto bad_name = expect_api_error([&] { client_.create_document("bad name!", {{"a", 1}}); });
  EXPECT_EQ(bad_name.status(), 400);
  EXPECT_EQ(bad_name.code(), "INVALID_COLLECTION_NAME");
  Query bad_filter;
  bad_filter.filter("[x]name", "A");
  auto bad_query = expect_api_error([&] { client_.list_documents(test_collection(), bad_filter); });
  EXPECT_EQ(bad_query.status(), 400);
  EXPECT_EQ(bad_query.code(), "INVALID_QUERY");
  EXPECT_NE(bad_query.detail().find("[x]name"), std::string::npos) << bad_query.detail();
}

TEST_F(RestTest, BadApiKeyIs401) {
  Client wrong(config("cb_not_a_real_key"));
  auto e = expect_api_error([&] { wrong.list_documents(test_collection()); });
  EXPECT_EQ(e.status(), 401);
  EXPECT_EQ(e.code(), "INVALID_API_KEY");
  Client none(config(""));
  auto missing = expect_api_error([&] { none.list_collections(); });
  EXPECT_EQ(missing.status(), 401);
  EXPECT_EQ(missing.code(), "AUTH_REQUIRED");
}

// Ids and names travel percent-encoded; an id with '/' or '?' must stay one path segment.
TEST_F(RestTest, PathSegmentsAndFilterValuesAreEncoded) {
  const auto name = test_collection();
  auto e = expect_api_error([&] { client_.get_document(name, "a/b?c=d e"); });
  EXPECT_EQ(e.status(), 404);
  EXPECT_EQ(e.code(), "NOT_FOUND");

  const std::string tricky = "Ann & Bob = 100% Zürich+";
  client_.create_document(name, {{"title", tricky}});
  client_.create_document(name, {{"title", "Ann"}});
  Query q;
  q.where("title", json::value(tricky));
  auto found = client_.list_documents(name, q).documents;
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].data.at("title").as_string(), tricky);
}

TEST_F(RestTest, GetDocumentAppliesSelect) {
  const auto name = test_collection();
  auto doc = client_.create_document(name, {{"name", "A"}, {"age", 3}, {"x", true}});
  Query q;
  q.select({"name", "x"}).where("age", 99);  // the filter must be ignored by get
  auto got = client_.get_document(name, doc.id, q);
  EXPECT_EQ(got.data, (json::object{{"name", "A"}, {"x", true}}));
}

TEST_F(RestTest, ListWithFiltersSortPagingAndSeq) {
  const auto name = test_collection();
  EXPECT_EQ(client_.list_documents(name).seq, 0);  // never written
  for (int age : {30, 10, 50, 20, 40}) client_.create_document(name, {{"age", age}});

  ListResult all = client_.list_documents(name);
  EXPECT_EQ(all.documents.size(), 5u);
  EXPECT_EQ(all.seq, 5);

  Query q;
  q.where("age", Op::gte, 20).sort("age", Order::asc).limit(2).offset(1);
  EXPECT_EQ(ages_of(client_.list_documents(name, q).documents), (std::vector<std::int64_t>{30, 40}));

  Query desc;
  desc.sort("age");
  EXPECT_EQ(ages_of(client_.list_documents(name, desc).documents),
            (std::vector<std::int64_t>{50, 40, 30, 20, 10}));

  Query grouped;
  grouped.or_where("age", Op::lt, 15).or_where("age", Op::gt, 45).sort("age", Order::asc);
  EXPECT_EQ(ages_of(client_.list_documents(name, grouped).documents),
            (std::vector<std::int64_t>{10, 50}));

  Query in_list;
  in_list.where("age", Op::in, json::array{20, 40, 99}).sort("age", Order::asc);
  EXPECT_EQ(ages_of(client_.list_documents(name, in_list).documents),
            (std::vector<std::int64_t>{20, 40}));

  client_.update_document(name, all.documents[0].id, {{"age", 60}});
  EXPECT_EQ(client_.list_documents(name).seq, 6);
}

TEST_F(RestTest, CountIgnoresPaging) {
  const auto name = test_collection();
  EXPECT_EQ(client_.count_documents(name), 0);
  for (int i = 0; i < 4; ++i) client_.create_document(name, {{"n", i}, {"even", i % 2 == 0}});
  EXPECT_EQ(client_.count_documents(name), 4);
  Query q;
  q.where("even", true).limit(1);
  EXPECT_EQ(client_.count_documents(name, q), 2);
}

TEST_F(RestTest, Aggregate) {
  const auto name = test_collection();
  EXPECT_TRUE(client_.aggregate(name, "amount", "avg").is_null());
  EXPECT_EQ(client_.aggregate(name, "amount", "sum").to_number<double>(), 0.0);
  for (double amount : {10.0, 2.5, 7.5}) client_.create_document(name, {{"amount", amount}, {"k", "a"}});
  client_.create_document(name, {{"amount", 100}, {"k", "b"}});
  Query only_a;
  only_a.where("k", "a");
  EXPECT_DOUBLE_EQ(client_.aggregate(name, "amount", "sum", only_a).to_number<double>(), 20.0);
  EXPECT_DOUBLE_EQ(client_.aggregate(name, "amount", "avg", only_a).to_number<double>(), 20.0 / 3);
  EXPECT_DOUBLE_EQ(client_.aggregate(name, "amount", "min").to_number<double>(), 2.5);
  EXPECT_DOUBLE_EQ(client_.aggregate(name, "amount", "max").to_number<double>(), 100);
  EXPECT_EQ(client_.aggregate(name, "amount", "count").to_number<std::int64_t>(), 4);
  auto e = expect_api_error([&] { client_.aggregate(name, "amount", "median"); });
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.code(), "INVALID_OPERATOR");
}

TEST_F(RestTest, Batches) {
  const auto name = test_collection();
  auto created = client_.batch_create(name, {{{"i", 0}}, {{"i", 1}}, {{"i", 2}}});
  ASSERT_EQ(created.size(), 3u);
  for (std::size_t i = 0; i < created.size(); ++i) {
    EXPECT_EQ(created[i].data.at("i").as_int64(), static_cast<std::int64_t>(i));
    EXPECT_EQ(created[i].collection, name);
  }
  EXPECT_TRUE(client_.batch_create(name, {}).empty());

  auto updated = client_.batch_update(name, {{created[2].id, {{"done", true}}},
                                             {created[0].id, {{"done", false}}}});
  ASSERT_EQ(updated.size(), 2u);
  EXPECT_EQ(updated[0].id, created[2].id);  // in request order
  EXPECT_EQ(updated[0].data, (json::object{{"i", 2}, {"done", true}}));
  EXPECT_EQ(updated[1].data, (json::object{{"i", 0}, {"done", false}}));

  auto missing = expect_api_error(
      [&] { client_.batch_update(name, {{created[1].id, {{"x", 1}}}, {"nope", {{"x", 1}}}}); });
  EXPECT_EQ(missing.status(), 404);
  EXPECT_FALSE(client_.get_document(name, created[1].id).data.contains("x"));  // all or nothing

  EXPECT_EQ(client_.batch_delete(name, {created[0].id, "unknown-id", created[2].id}), 2);
  auto left = client_.list_documents(name).documents;
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, created[1].id);
}

TEST_F(RestTest, ListCollections) {
  const auto first = test_collection() + "_b";
  const auto second = test_collection() + "_a";
  client_.create_document(first, {{"x", 1}});
  client_.create_document(second, {{"x", 1}});
  auto collections = client_.list_collections();
  std::vector<std::string> names;
  for (const auto& c : collections) {
    names.push_back(c.name);
    if (c.name == first || c.name == second) {
      EXPECT_EQ(c.id.size(), 36u);
      EXPECT_TRUE(is_rfc3339_millis(c.created_at)) << c.created_at;
    }
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::count(names.begin(), names.end(), first), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), second), 1);
}

TEST_F(RestTest, AppUsers) {
  Client app(config());
  EXPECT_FALSE(app.token().has_value());
  AuthResult signed_up = app.signup("Carol@Example.com", "secret-pass-1", {{"name", "Carol"}});
  EXPECT_FALSE(signed_up.access_token.empty());
  EXPECT_EQ(app.token(), signed_up.access_token);
  EXPECT_EQ(signed_up.user.email, "carol@example.com");
  EXPECT_EQ(signed_up.user.data, (json::object{{"name", "Carol"}}));
  EXPECT_TRUE(signed_up.user.roles.empty());
  EXPECT_EQ(signed_up.user.client_id, "default");
  EXPECT_TRUE(is_rfc3339_millis(signed_up.user.created_at));

  AppUser me = app.current_user();
  EXPECT_EQ(me.id, signed_up.user.id);
  EXPECT_EQ(me.email, "carol@example.com");

  AppUser changed = app.update_user({{"data", json::object{{"bio", "Dev"}}}});
  EXPECT_EQ(changed.data, (json::object{{"name", "Carol"}, {"bio", "Dev"}}));
  EXPECT_EQ(app.current_user().data, changed.data);

  auto duplicate = expect_api_error([&] { app.signup("carol@example.com", "another-pass-2"); });
  EXPECT_EQ(duplicate.status(), 409);
  EXPECT_EQ(duplicate.code(), "ALREADY_EXISTS");

  Client other(config());
  auto bad_login = expect_api_error([&] { other.login("carol@example.com", "wrong-password"); });
  EXPECT_EQ(bad_login.status(), 401);
  EXPECT_EQ(bad_login.code(), "INVALID_CREDENTIALS");
  EXPECT_FALSE(other.token().has_value());
  AuthResult logged_in = other.login("CAROL@example.com", "secret-pass-1");
  EXPECT_EQ(logged_in.user.id, me.id);
  EXPECT_EQ(other.token(), logged_in.access_token);

  app.signup("dave@example.com", "secret-pass-2");
  Query by_email;
  by_email.where("email", Op::endswith, "@example.com").sort("email", Order::asc);
  UserList users = app.list_users(by_email);
  ASSERT_GE(users.users.size(), 2u);
  EXPECT_EQ(users.total, static_cast<std::int64_t>(users.users.size()));
  EXPECT_EQ(users.limit, 100);
  EXPECT_FALSE(users.has_more);
  EXPECT_EQ(users.users[0].email, "carol@example.com");
  Query one;
  one.limit(1).where("email", "carol@example.com");
  UserList just_carol = app.list_users(one);
  ASSERT_EQ(just_carol.users.size(), 1u);
  EXPECT_EQ(just_carol.total, 1);

  EXPECT_EQ(app.get_user(me.id).email, "carol@example.com");
  auto unknown = expect_api_error([&] { app.get_user("00000000-0000-4000-8000-000000000000"); });
  EXPECT_EQ(unknown.status(), 404);
  EXPECT_EQ(unknown.code(), "NOT_FOUND");

  other.logout();
  EXPECT_FALSE(other.token().has_value());
  auto anonymous = expect_api_error([&] { other.current_user(); });
  EXPECT_EQ(anonymous.status(), 401);
}

// A held token is sent as Authorization: Bearer and authorises project routes without a key.
TEST_F(RestTest, TokenWithoutApiKeyAuthorisesCollections) {
  Client app(config());
  auto signed_up = app.signup("token-only@example.com", "secret-pass-3");
  ClientConfig token_only = config("");
  token_only.token = signed_up.access_token;
  Client user_client(token_only);
  auto doc = user_client.create_document(test_collection(), {{"by", "token"}});
  EXPECT_EQ(user_client.get_document(test_collection(), doc.id).data.at("by").as_string(), "token");
  EXPECT_EQ(user_client.current_user().email, "token-only@example.com");
  user_client.set_token("not.a.token");
  auto e = expect_api_error([&] { user_client.list_documents(test_collection()); });
  EXPECT_EQ(e.status(), 401);
  EXPECT_EQ(e.code(), "INVALID_TOKEN");
}

TEST_F(RestTest, ListRoomsIsEmptyWithoutRooms) {
  EXPECT_TRUE(client_.list_rooms().empty());
  EXPECT_TRUE(Realtime(client_.core()).list_rooms().empty());
  Client wrong(config("cb_wrong"));
  EXPECT_EQ(expect_api_error([&] { wrong.list_rooms(); }).status(), 401);
}

TEST_F(RestTest, ConfigIsKept) {
  EXPECT_EQ(client_.config().base_url, server_->url());
  EXPECT_EQ(client_.config().api_key, server_->api_key());
}

TEST_F(RestTest, ConcurrentCallsFromManyThreads) {
  const auto name = test_collection();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 5; ++i) client_.create_document(name, {{"t", t}, {"i", i}});
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(client_.count_documents(name), 60);
}

// The server answers 413 and closes before reading a body over its limit, which breaks the
// write of a big body: the answer must still arrive as an ApiError, not a TransportError.
TEST(RestLimitsTest, OversizedBodyIsPayloadTooLarge) {
  testing::ServerOptions options;
  options.args = {"--max-body-bytes", "1024"};
  ServerProcess server(options);
  ClientConfig c;
  c.base_url = server.url();
  c.api_key = server.api_key();
  Client client(c);
  for (std::size_t size : {2000u, 8u << 20}) {
    auto e = expect_api_error([&] { client.create_document("big", {{"x", std::string(size, 'a')}}); });
    EXPECT_EQ(e.status(), 413) << size;
    EXPECT_EQ(e.code(), "PAYLOAD_TOO_LARGE") << size;
  }
  EXPECT_EQ(client.create_document("big", {{"x", "small"}}).data.at("x").as_string(), "small");
}

// --- Transport failures

// A port nothing listens on: bind one, note it, close it.
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(RestTransportTest, NothingListeningIsTransportError) {
  ClientConfig c;
  c.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
  c.api_key = "cb_x";
  Client client(c);
  EXPECT_THROW(client.list_documents("x"), TransportError);
  try {
    client.count_documents("x");
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("connect"), std::string::npos) << e.what();
  }
}

// A socket that accepts connections (the kernel's backlog does) but never answers.
TEST(RestTransportTest, SilentServerTimesOut) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);

  ClientConfig c;
  c.base_url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  c.request_timeout = std::chrono::milliseconds(300);
  Client client(c);
  auto start = std::chrono::steady_clock::now();
  try {
    client.create_document("x", {{"a", 1}});
    ADD_FAILURE() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  ::close(fd);
}

TEST(RestTransportTest, BadBaseUrlIsRejectedAtConstruction) {
  ClientConfig c;
  c.base_url = "https://example.com";
  EXPECT_THROW(Client{c}, Error);
  c.base_url = "ftp://h";
  EXPECT_THROW(Client{c}, Error);
}

// --- The test support itself: restart on the same port and dir, and run_cli.

TEST(ServerProcessTest, RestartKeepsPortKeyAndData) {
  ServerProcess server;
  const auto url = server.url();
  const auto key = server.api_key();
  ASSERT_EQ(key.rfind("cb_", 0), 0u) << key;
  ClientConfig c;
  c.base_url = url;
  c.api_key = key;
  Client client(c);
  auto doc = client.create_document("persisted", {{"v", 1}});

  server.restart();
  EXPECT_EQ(server.url(), url);
  EXPECT_EQ(server.api_key(), key);
  EXPECT_TRUE(server.running());
  // The pooled connection died with the old process; the client reconnects by itself.
  EXPECT_EQ(client.get_document("persisted", doc.id).data, (json::object{{"v", 1}}));

  EXPECT_EQ(server.stop(), 0);
  EXPECT_FALSE(server.running());
  EXPECT_THROW(client.get_document("persisted", doc.id), TransportError);
}

TEST(ServerProcessTest, RunCli) {
  testing::TempDir dir;
  testing::ServerOptions options;
  options.data_dir = dir.path();
  ServerProcess server(options);
  server.stop();
  auto listed = testing::run_cli({"project", "list", "--data", dir.path().string()});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("default"), std::string::npos) << listed.out;
  auto bad = testing::run_cli({"no-such-verb"});
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace cocobase
