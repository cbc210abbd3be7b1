// The SDK's HTTP layer without the real server: base URL parsing, percent-encoding, what goes
// on the wire (request line, headers, body), keep-alive reuse and the one retry on a connection
// the server closed, and how answers map to ApiError. A scripted TCP server plays the server.
#include "client_core.hpp"
#include "http/base_url.hpp"

#include <cocobase/client.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cocobase {
namespace {

using detail::BaseUrl;
using detail::parse_base_url;

// ---------------------------------------------------------------- base URL and encoding

TEST(BaseUrlTest, HostPortAndPrefix) {
  BaseUrl u = parse_base_url("http://127.0.0.1:8080");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "8080");
  EXPECT_EQ(u.path_prefix, "");
  EXPECT_EQ(u.host_header, "127.0.0.1:8080");

  u = parse_base_url("http://localhost");
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.host_header, "localhost");

  u = parse_base_url("HTTP://Example.com:80/api/v1/");
  EXPECT_EQ(u.host, "Example.com");
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.path_prefix, "/api/v1");
  EXPECT_EQ(u.host_header, "Example.com");

  u = parse_base_url("http://h:8080/");
  EXPECT_EQ(u.path_prefix, "");
}

TEST(BaseUrlTest, Ipv6InBrackets) {
  BaseUrl u = parse_base_url("http://[::1]:9000/x");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "9000");
  EXPECT_EQ(u.path_prefix, "/x");
  EXPECT_EQ(u.host_header, "[::1]:9000");
  EXPECT_EQ(parse_base_url("http://[fe80::1]").host_header, "[fe80::1]");
}

TEST(BaseUrlTest, RejectsOtherSchemesAndJunk) {
  for (const char* bad :
       {"", "https://h", "HTTPS://h:443", "ws://h", "ftp://h", "h:80", "//h", "http://",
        "http://:80", "http://h:0", "http://h:65536", "http://h:80x", "http://h:", "http://h x",
        "http://u:p@h", "http://h/?q=1", "http://h#f", "http://[::1", "http://[::1]x",
        "http://[]:80", "http://[zz]", "http://h/a b", " http://h"}) {
    EXPECT_THROW(parse_base_url(bad), Error) << bad;
  }
  try {
    parse_base_url("https://example.com");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("https"), std::string::npos) << e.what();
  }
}

TEST(EncodingTest, PathSegmentAndQueryValue) {
  EXPECT_EQ(detail::encode_path_segment("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(detail::encode_path_segment("a b/c?d#e%"), "a%20b%2Fc%3Fd%23e%25");
  EXPECT_EQ(detail::encode_path_segment("é"), "%C3%A9");
  EXPECT_EQ(detail::encode_query_value("a b+c&d=e"), "a+b%2Bc%26d%3De");
  EXPECT_EQ(detail::encode_query_value("[or]x"), "%5Bor%5Dx");
  EXPECT_EQ(detail::encode_query_value(""), "");
}

// ---------------------------------------------------------------- scripted server

struct Reply {
  std::string raw;          // bytes to send; empty: answer nothing
  bool close_after = false; // close the connection after this (without saying so)
};

Reply http_reply(int status, const std::string& body, const std::string& extra_headers = "") {
  return {"HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
              "Content-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" +
              body,
          false};
}

const std::string kDoc =
    R"({"id":"d1","collection":"c","collection_id":"k","data":{"a":1},)"
    R"("created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-01T00:00:00.000Z"})";

// Accepts connections one at a time on 127.0.0.1 and answers each request with script(index,
// request text).
class ScriptedServer {
 public:
  using Script = std::function<Reply(int index, const std::string& request)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      throw std::runtime_error("scripted server: bind/listen failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (int fd = active_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
    thread_.join();
    ::close(listen_fd_);
  }

  std::string url(const std::string& prefix = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + prefix;
  }
  std::uint16_t port() const { return port_; }
  int connections() const { return connections_; }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (;;) {
      int conn = ::accept(listen_fd_, nullptr, nullptr);
      if (conn < 0) {
        if (stopping_) return;
        continue;
      }
      ++connections_;
      active_fd_ = conn;
      serve_connection(conn);
      active_fd_ = -1;
      ::close(conn);
    }
  }

  void serve_connection(int conn) {
    std::string buffer, request;
    while (read_request(conn, buffer, request)) {
      int index;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        index = static_cast<int>(requests_.size()) - 1;
      }
      Reply reply = script_(index, request);
      if (reply.raw.empty()) return;
      if (::send(conn, reply.raw.data(), reply.raw.size(), MSG_NOSIGNAL) < 0) return;
      if (reply.close_after) return;
    }
  }

  // One request (head and Content-Length body) into `request`; false at EOF.
  static bool read_request(int conn, std::string& buffer, std::string& request) {
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(conn, buffer)) return false;
    }
    std::string head = lowercase(buffer.substr(0, head_end));
    std::size_t body_size = 0;
    if (auto at = head.find("content-length:"); at != std::string::npos) {
      body_size = std::stoul(head.substr(at + 15));
    }
    while (buffer.size() < head_end + 4 + body_size) {
      if (!read_more(conn, buffer)) return false;
    }
    request = buffer.substr(0, head_end + 4 + body_size);
    buffer.erase(0, request.size());
    return true;
  }

  static bool read_more(int conn, std::string& buffer) {
    char chunk[4096];
    ssize_t n = ::recv(conn, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

 public:
  static std::string lowercase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

 private:
  Script script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_fd_{-1};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
};

ClientConfig config_for(const std::string& url, std::string key = "cb_key") {
  ClientConfig c;
  c.base_url = url;
  c.api_key = std::move(key);
  c.request_timeout = std::chrono::seconds(5);
  return c;
}

std::string first_line(const std::string& request) { return request.substr(0, request.find("\r\n")); }

bool has_header(const std::string& request, const std::string& line) {
  return ScriptedServer::lowercase(request).find("\r\n" + ScriptedServer::lowercase(line) + "\r\n") !=
         std::string::npos;
}

std::string body_of(const std::string& request) { return request.substr(request.find("\r\n\r\n") + 4); }

// ---------------------------------------------------------------- what goes on the wire

TEST(HttpWireTest, RequestLineHeadersAndBody) {
  ScriptedServer server([](int index, const std::string&) {
    return index == 0 ? http_reply(201, kDoc) : http_reply(200, "[]");
  });
  ClientConfig c = config_for(server.url("/base/"));
  c.token = "tok123";
  Client client(c);
  client.create_document("my coll", {{"a", 1}});
  client.list_documents("c");

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string& create = requests[0];
  EXPECT_EQ(first_line(create), "POST /base/collections/documents?collection=my+coll HTTP/1.1");
  EXPECT_TRUE(has_header(create, "host: 127.0.0.1:" + std::to_string(server.port()))) << create;
  EXPECT_TRUE(has_header(create, "x-api-key: cb_key")) << create;
  EXPECT_TRUE(has_header(create, "authorization: Bearer tok123")) << create;
  EXPECT_TRUE(has_header(create, "content-type: application/json")) << create;
  EXPECT_EQ(body_of(create), R"({"data":{"a":1}})");

  const std::string& list = requests[1];
  EXPECT_EQ(first_line(list), "GET /base/collections/c/documents?limit=100&offset=0 HTTP/1.1");
  EXPECT_FALSE(has_header(list, "content-type: application/json")) << list;
  EXPECT_EQ(body_of(list), "");
}

TEST(HttpWireTest, NoKeyNoTokenSendsNeitherHeader) {
  ScriptedServer server([](int, const std::string&) { return http_reply(200, "[]"); });
  Client client(config_for(server.url(), ""));
  client.list_documents("c");
  auto request = ScriptedServer::lowercase(server.requests().at(0));
  EXPECT_EQ(request.find("x-api-key"), std::string::npos) << request;
  EXPECT_EQ(request.find("authorization"), std::string::npos) << request;
}

TEST(HttpWireTest, BatchAndAggregateShapes) {
  ScriptedServer server([](int index, const std::string&) {
    switch (index) {
      case 0: return http_reply(201, "[]");
      case 1: return http_reply(200, "[]");
      case 2: return http_reply(200, R"({"status":"success","count":2})");
      default: return http_reply(200, R"({"result":3.5,"field":"f"})");
    }
  });
  Client client(config_for(server.url()));
  client.batch_create("c", {{{"a", 1}}, {{"data", 2}}});
  client.batch_update("c", {{"id/1", {{"x", true}}}});
  EXPECT_EQ(client.batch_delete("c", {"i1", "i2"}), 2);
  Query q;
  q.where("k", "a b");
  EXPECT_EQ(client.aggregate("c", "amount", "sum", q), json::value(3.5));

  auto r = server.requests();
  EXPECT_EQ(first_line(r[0]), "POST /collections/c/batch/documents/create HTTP/1.1");
  EXPECT_EQ(body_of(r[0]), R"({"documents":[{"a":1},{"data":2}]})");
  EXPECT_EQ(first_line(r[1]), "POST /collections/c/batch/documents/update HTTP/1.1");
  EXPECT_EQ(body_of(r[1]), R"({"updates":{"id/1":{"x":true}}})");
  EXPECT_EQ(body_of(r[2]), R"({"document_ids":["i1","i2"]})");
  EXPECT_EQ(first_line(r[3]),
            "GET /collections/c/query/documents/aggregate?field=amount&operation=sum&k=a+b"
            "&limit=100&offset=0 HTTP/1.1");
}

// ---------------------------------------------------------------- connections

TEST(HttpConnectionTest, KeepAliveConnectionIsReused) {
  ScriptedServer server([](int, const std::string&) { return http_reply(200, "[]"); });
  Client client(config_for(server.url()));
  for (int i = 0; i < 3; ++i) client.list_documents("c");
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpConnectionTest, ConnectionCloseAnswerIsNotReused) {
  ScriptedServer server([](int, const std::string&) {
    Reply r = http_reply(200, "[]", "Connection: close\r\n");
    r.close_after = true;
    return r;
  });
  Client client(config_for(server.url()));
  for (int i = 0; i < 3; ++i) client.list_documents("c");
  EXPECT_EQ(server.connections(), 3);
}

// The server dropped the idle keep-alive connection: the request is sent again, once, on a
// fresh connection.
TEST(HttpConnectionTest, RetriesOnceWhenPooledConnectionWasClosed) {
  ScriptedServer server([](int index, const std::string&) {
    Reply r = index == 0 ? http_reply(200, "[]") : http_reply(201, kDoc);
    r.close_after = true;  // without Connection: close, like an idle timeout
    return r;
  });
  Client client(config_for(server.url()));
  client.list_documents("c");
  client.create_document("c", {{"a", 1}});  // pooled connection is dead: retried
  EXPECT_EQ(server.connections(), 2);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);  // the server saw each request once
  EXPECT_EQ(first_line(requests[1]), "POST /collections/documents?collection=c HTTP/1.1");
}

TEST(HttpConnectionTest, NoSecondRetryAndNoRetryOnAFreshConnection) {
  ScriptedServer server([](int index, const std::string&) {
    if (index == 0) {
      Reply r = http_reply(200, "[]");
      r.close_after = true;
      return r;
    }
    return Reply{};  // drop the connection without answering
  });
  Client client(config_for(server.url()));
  client.list_documents("c");
  EXPECT_THROW(client.list_documents("c"), TransportError);  // pooled dead, retry dropped
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_THROW(client.list_documents("c"), TransportError);  // fresh connection: no retry
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections(), 3);
}

TEST(HttpConnectionTest, ChunkedAnswerIsAssembled) {
  ScriptedServer server([](int, const std::string&) {
    std::string body = "[" + kDoc + "]";
    std::string half = body.substr(0, 10), rest = body.substr(10);
    auto hex = [](std::size_t n) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%zx", n);
      return std::string(buf);
    };
    return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Cocobase-Seq: 42\r\n\r\n" +
                     hex(half.size()) + "\r\n" + half + "\r\n" + hex(rest.size()) + "\r\n" + rest +
                     "\r\n0\r\n\r\n",
                 false};
  });
  Client client(config_for(server.url()));
  ListResult r = client.list_documents("c");
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].id, "d1");
  EXPECT_EQ(r.seq, 42);
}

// ---------------------------------------------------------------- answers

TEST(HttpAnswerTest, RateLimitCarriesRetryAfter) {
  ScriptedServer server([](int, const std::string&) {
    return http_reply(429, R"({"detail":"Too many requests","code":"RATE_LIMIT_EXCEEDED"})",
                      "Retry-After: 7\r\n");
  });
  Client client(config_for(server.url()));
  try {
    client.count_documents("c");
    ADD_FAILURE() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 429);
    EXPECT_EQ(e.code(), "RATE_LIMIT_EXCEEDED");
    EXPECT_EQ(e.detail(), "Too many requests");
    ASSERT_TRUE(e.retry_after().has_value());
    EXPECT_EQ(*e.retry_after(), std::chrono::seconds(7));
  }
}

TEST(HttpAnswerTest, ErrorBodiesOfOtherShapes) {
  ScriptedServer server([](int index, const std::string&) {
    if (index == 0) return http_reply(502, "Bad gateway");
    return http_reply(422, R"({"detail":[{"msg":"x"}],"code":"VALIDATION_ERROR","errors":[]})");
  });
  Client client(config_for(server.url()));
  try {
    client.list_collections();
    ADD_FAILURE() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 502);
    EXPECT_EQ(e.code(), "");
    EXPECT_EQ(e.detail(), "Bad gateway");
    EXPECT_EQ(e.body(), "Bad gateway");
    EXPECT_STREQ(e.what(), "HTTP 502: Bad gateway");
  }
  try {
    client.list_collections();
    ADD_FAILURE() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "VALIDATION_ERROR");
    EXPECT_EQ(e.detail(), R"([{"msg":"x"}])");
  }
}

TEST(HttpAnswerTest, UnknownMembersAreToleratedAndTimestampsKeptAsText) {
  ScriptedServer server([](int, const std::string&) {
    return http_reply(200, R"({"id":"d9","data":{"x":[1,{"y":null}]},"extra":{"z":1},)"
                           R"("created_at":"2025-01-01T01:00:00+01:00","collection":"c"})");
  });
  Client client(config_for(server.url()));
  Document d = client.get_document("c", "d9");
  EXPECT_EQ(d.id, "d9");
  EXPECT_EQ(d.collection, "c");
  EXPECT_EQ(d.collection_id, "");
  EXPECT_EQ(d.created_at, "2025-01-01T01:00:00+01:00");
  EXPECT_EQ(d.data, (json::object{{"x", json::array{1, json::object{{"y", nullptr}}}}}));
}

TEST(HttpAnswerTest, MalformedSuccessBodyIsAnError) {
  ScriptedServer server([](int index, const std::string&) {
    if (index == 0) return http_reply(200, "not json");
    return http_reply(200, R"({"data":{}})");  // a document without id
  });
  Client client(config_for(server.url()));
  EXPECT_THROW(client.get_document("c", "x"), Error);
  EXPECT_THROW(client.get_document("c", "x"), Error);
}

TEST(DocumentJsonTest, RoundTrip) {
  Document d;
  d.id = "i";
  d.collection = "c";
  d.collection_id = "k";
  d.data = {{"a", 1}, {"b", json::array{"x"}}};
  d.created_at = "2025-01-01T00:00:00.000Z";
  d.updated_at = "2025-01-02T00:00:00.000Z";
  Document back = document_from_json(document_to_json(d));
  EXPECT_EQ(back.id, d.id);
  EXPECT_EQ(back.collection, d.collection);
  EXPECT_EQ(back.collection_id, d.collection_id);
  EXPECT_EQ(back.data, d.data);
  EXPECT_EQ(back.created_at, d.created_at);
  EXPECT_EQ(back.updated_at, d.updated_at);
  EXPECT_THROW(document_from_json(json::value(1)), Error);
  EXPECT_THROW(document_from_json(json::object{{"id", 1}, {"data", json::object{}}}), Error);
  EXPECT_THROW(document_from_json(json::object{{"id", "i"}, {"data", json::array{}}}), Error);
}

// ---------------------------------------------------------------- credentials of sockets

TEST(AuthMembersTest, KeyAndTokenWhenJwtIsOn) {
  ClientConfig c = config_for("http://127.0.0.1:1");
  Client client(c);
  auto& core = *client.core();
  EXPECT_EQ(core.auth_members(), (json::object{{"api_key", "cb_key"}}));
  client.set_token("t1");
  EXPECT_EQ(core.auth_members(), (json::object{{"api_key", "cb_key"}}));
  client.use_jwt(true);
  EXPECT_TRUE(core.use_jwt());
  EXPECT_EQ(core.auth_members(), (json::object{{"api_key", "cb_key"}, {"token", "t1"}}));
  client.logout();
  EXPECT_EQ(core.auth_members(), (json::object{{"api_key", "cb_key"}}));

  ClientConfig token_only = config_for("http://127.0.0.1:1", "");
  token_only.token = "t2";
  token_only.use_jwt = true;
  Client other(token_only);
  EXPECT_EQ(other.token(), std::optional<std::string>("t2"));
  EXPECT_EQ(other.core()->auth_members(), (json::object{{"token", "t2"}}));
}

}  // namespace
}  // namespace cocobase
