// The HTTP request path up to the router: Beast's request parser configured as
// server/net/http_session.cpp configures it (body limit, 64 KiB header limit), then what the
// session does with a parsed request: the WebSocket upgrade checks (route, handshake,
// permessage-deflate offer) or the Api (split_target, query string, routing, handlers) over a
// real store holding a few documents. Up to three pipelined requests per input.
// Checked: every answer comes exactly once, with a status in 100-599; error bodies are
// {"detail","code"} (PROTOCOL 1.6) and every JSON body parses.
// Writes reach the router and authentication but never the store (the credentials of
// non-GET requests are dropped), so the store stays the same size however long the run.
#include "api/api.hpp"
#include "fixture.hpp"
#include "net/ws_deflate.hpp"
#include "net/ws_handshake.hpp"
#include "realtime/route.hpp"

#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <future>

namespace beast = boost::beast;
namespace http = beast::http;
namespace pr = cocobase::protocol;
using namespace cocobase::server;

namespace {

constexpr std::uint32_t kHeaderLimit = 64 * 1024;  // as in server/net/http_session.cpp

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_http_request: %s\n", what.c_str());
  std::abort();
}

struct Server {
  ServerConfig config;
  api::Api api{*cocobase::fuzz::fixture().store, cocobase::fuzz::fixture().jwt, config};
};

api::HttpResponse call(api::Api& a, api::HttpRequest req) {
  auto answered = std::make_shared<std::promise<api::HttpResponse>>();
  auto future = answered->get_future();
  a.handle(std::move(req), [answered](api::HttpResponse r) {
    try {
      answered->set_value(std::move(r));
    } catch (const std::future_error&) {
      fail("a request was answered twice");
    }
  });
  if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) fail("a request was never answered");
  return future.get();
}

void check(const api::HttpResponse& r, const std::string& target) {
  if (r.status < 100 || r.status > 599) fail("status " + std::to_string(r.status) + " for " + target);
  if (r.content_type != "application/json" || r.body.empty()) return;
  pr::json::value v;
  try {
    v = pr::parse_json(r.body, {1024});
  } catch (const pr::JsonParseError& e) {
    fail("a body that is not JSON (" + e.message + ") for " + target + ": " + r.body.substr(0, 200));
  }
  if (r.status < 400) return;
  const auto* o = v.if_object();
  if (!o || !o->contains("detail") || !o->contains("code") || !o->at("code").is_string())
    fail("an error body without detail and code for " + target + ": " + r.body.substr(0, 200));
}

Server& server() {
  static Server* s = [] {
    auto* srv = new Server;
    const auto& key = cocobase::fuzz::fixture().key;
    // Documents to read, filter, sort and populate: d1 refers to d2, d2 to d1.
    const char* bodies[] = {R"({"name":"Ada","n":1,"tags":["a"],"nested":{"x":1.5}})",
                            R"({"name":"bob","n":"2","ok":true,"nested":{"x":null}})",
                            R"({"name":null,"n":9007199254740993,"list":[1,{"a":"b"}]})"};
    for (const char* b : bodies) {
      api::HttpRequest req{"POST", "/collections/c/documents", {{"x-api-key", key}}, b, "127.0.0.1"};
      if (call(srv->api, req).status != 201) fail("could not seed the store");
    }
    return srv;
  }();
  return *s;
}

// What HttpSession::upgrade does before handing the socket over.
void upgrade(const http::request<http::string_body>& msg) {
  auto header = [&](http::field f) {
    auto v = msg[f];
    return std::string_view(v.data(), v.size());
  };
  if (net::check_handshake(header(http::field::sec_websocket_version), header(http::field::sec_websocket_key)))
    return;
  auto deflate = net::negotiate_deflate(header(http::field::sec_websocket_extensions));
  (void)net::switching_protocols(header(http::field::sec_websocket_key), deflate ? deflate->response : "");
}

void handle(http::request<http::string_body>& msg) {
  std::string_view target(msg.target().data(), msg.target().size());
  if (beast::websocket::is_upgrade(msg) && realtime::match_route(target)) return upgrade(msg);
  api::HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(target);
  const bool read_only = req.method == "GET" || req.method == "OPTIONS";
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!read_only && (name == "x-api-key" || name == "authorization")) continue;
    req.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  req.body = std::move(msg.body());
  check(call(server().api, std::move(req)), std::string(target));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  server();
  std::string input = cocobase::fuzz::fixture().expand(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string_view rest(input);
  for (int n = 0; n < 3 && !rest.empty(); ++n) {
    http::request_parser<http::string_body> p;
    p.body_limit(server().config.max_body_bytes);
    p.header_limit(kHeaderLimit);
    beast::error_code ec;
    while (!p.is_done()) {
      std::size_t used = 0;
      if (!rest.empty()) used = p.put(boost::asio::buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(used);
      // All the input is there: no progress means the peer closed mid-message, as async_read
      // would see it.
      if (ec == http::error::need_more || (!ec && used == 0)) {
        ec = {};
        p.put_eof(ec);
        break;
      }
      if (ec) break;
    }
    if (ec || !p.is_done()) return 0;  // the session answers 400/413/431 and closes
    handle(p.get());
    if (!p.get().keep_alive()) return 0;
  }
  return 0;
}
