#include "api/api.hpp"

#include "api/handlers.hpp"

#include <cocobase/protocol/names.hpp>

#include <spdlog/spdlog.h>

namespace cocobase::server::api {
namespace {

constexpr const char* kVersion = "0.1.0";

struct Target {
  std::vector<std::string> segments;  // percent-decoded
  std::string_view query;
};

Target split_target(std::string_view target) {
  Target t;
  auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos) t.query = target.substr(q + 1);
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);  // one trailing '/' is ignored
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    auto slash = path.find('/');
    auto decoded = protocol::percent_decode_path(path.substr(0, slash));
    if (!decoded) throw ApiError{400, "INVALID_QUERY", "Invalid percent-encoding in path", {}, {}};
    t.segments.push_back(std::move(*decoded));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return t;
}

[[noreturn]] void method_not_allowed(const char* allow) {
  throw ApiError{405, "METHOD_NOT_ALLOWED", "Method not allowed", {}, {{"Allow", allow}}};
}

[[noreturn]] void not_found() { throw ApiError{404, "NOT_FOUND", "Not found", {}, {}}; }

[[noreturn]] void not_supported(const std::string& feature) {
  throw ApiError{404, "NOT_SUPPORTED", feature + " is not supported by this server", {}, {}};
}

void require(const std::string& method, std::initializer_list<const char*> allowed, const char* allow_header) {
  for (const char* m : allowed)
    if (method == m) return;
  method_not_allowed(allow_header);
}

void check_collection_name(RequestContext& ctx, const std::string& name) {
  if (!protocol::is_valid_collection_name(name))
    throw ApiError{400, "INVALID_COLLECTION_NAME", "Invalid collection name '" + name + "'", {}, {}};
  ctx.collection = name;
}

void add_cors(HttpResponse& r, const ServerConfig& config, const std::string& origin) {
  if (config.cors_origins == "*") {
    r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else {
    std::string_view list = config.cors_origins;
    while (!list.empty()) {
      auto comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!origin.empty() && item == origin) r.headers.emplace_back("Access-Control-Allow-Origin", origin);
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    r.headers.emplace_back("Vary", "Origin");
  }
  r.headers.emplace_back("Access-Control-Expose-Headers",
                         "X-Cocobase-Seq, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset");
}

HttpResponse preflight() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  r.headers = {{"Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"},
               {"Access-Control-Allow-Headers", "content-type, x-api-key, authorization"},
               {"Access-Control-Max-Age", "600"}};
  return r;
}

std::string metrics_text(const Metrics& m, const StoreStats& store) {
  std::string out;
  auto counter = [&](const char* name, const char* help, std::uint64_t v) {
    out += "# HELP "; out += name; out += ' '; out += help; out += '\n';
    out += "# TYPE "; out += name; out += " counter\n";
    out += name; out += ' '; out += std::to_string(v); out += '\n';
  };
  counter("cocobase_http_requests_total", "REST requests handled.", m.http_requests.load());
  counter("cocobase_http_errors_total", "REST responses with a status of 400 or more.", m.http_errors.load());
  counter("cocobase_documents_written_total", "Documents created, updated or deleted.", m.documents_written.load());
  counter("cocobase_change_events_total", "Change events published after commit.", m.change_events.load());
  counter("cocobase_store_commits_total", "Store transactions committed (group commit).", store.commits);
  counter("cocobase_store_writes_total", "Write requests committed in those transactions.", store.writes);
  counter("cocobase_store_undecodable_rows_total",
          "Stored rows skipped by reads because they cannot be decoded (see `cocobase doctor`).", store.undecodable_rows);
  return out;
}

// Routes under /collections. Returns true when the handler responds asynchronously.
bool route_collections(RequestContext& ctx, const std::vector<std::string>& seg, Respond& respond,
                       HttpResponse& out) {
  const std::string& m = ctx.request.method;
  auto authed = [&] {
    ctx.principal = authenticate_project(ctx.store, ctx.jwt, ctx.request);
    ctx.project = ctx.principal.project;
  };
  if (seg.size() == 1) {
    require(m, {"GET", "POST"}, "GET, POST");
    authed();
    if (m == "GET") { out = list_collections(ctx); return false; }
    create_collection(ctx, respond);
    return true;
  }
  if (seg[1] == "file" && seg.size() == 2) not_supported("File uploads");
  if (seg[1] == "documents" && seg.size() == 2) {
    require(m, {"POST"}, "POST");
    authed();
    const std::string* name = protocol::last_value(ctx.query, "collection");
    if (!name || name->empty())
      throw validation_error("collection query parameter is required", {"query", "collection"});
    check_collection_name(ctx, *name);
    create_document(ctx, respond);
    return true;
  }
  const std::string& name = seg[1];
  if (seg.size() == 2) {
    require(m, {"GET", "POST"}, "GET, POST");
    authed();
    check_collection_name(ctx, name);
    if (m == "GET") { out = get_collection(ctx); return false; }
    create_document(ctx, respond);
    return true;
  }
  if (seg[2] == "documents" && seg.size() == 3) {
    require(m, {"GET", "POST"}, "GET, POST");
    authed();
    check_collection_name(ctx, name);
    if (m == "GET") { out = list_documents(ctx); return false; }
    create_document(ctx, respond);
    return true;
  }
  if (seg[2] == "documents" && seg.size() == 4) {
    require(m, {"GET", "PATCH", "PUT", "DELETE"}, "GET, PATCH, PUT, DELETE");
    authed();
    check_collection_name(ctx, name);
    if (m == "GET") { out = get_document(ctx, seg[3]); return false; }
    if (m == "DELETE") delete_document(ctx, seg[3], respond);
    else update_document(ctx, seg[3], respond);
    return true;
  }
  if (seg.size() == 5 && seg[2] == "query" && seg[3] == "documents" &&
      (seg[4] == "count" || seg[4] == "aggregate")) {
    require(m, {"GET"}, "GET");
    authed();
    check_collection_name(ctx, name);
    out = seg[4] == "count" ? count_documents(ctx) : aggregate_documents(ctx);
    return false;
  }
  if (seg.size() == 5 && seg[2] == "batch" && seg[3] == "documents" &&
      (seg[4] == "create" || seg[4] == "update" || seg[4] == "delete")) {
    require(m, {"POST"}, "POST");
    authed();
    check_collection_name(ctx, name);
    if (seg[4] == "create") batch_create(ctx, respond);
    else if (seg[4] == "update") batch_update(ctx, respond);
    else batch_delete(ctx, respond);
    return true;
  }
  not_found();
}

// Routes under /realtime (PROTOCOL 5.1.1, 6.1). The WebSocket routes reach here only without
// an upgrade (the network layer takes upgrades first).
HttpResponse route_realtime(Store& store, const auth::JwtCodec& jwt, realtime::RoomDirectory* rooms,
                            const HttpRequest& request, const std::vector<std::string>& seg) {
  const std::string& m = request.method;
  if (seg.size() == 2 && seg[1] == "rooms") {
    require(m, {"GET"}, "GET");
    std::string project = authenticate_project(store, jwt, request).project;
    return json_response(200, rooms ? rooms->rooms_json(project) : R"({"rooms":[],"total":0})");
  }
  bool ws_route = (seg.size() == 2 && seg[1] == "broadcast") ||
                  (seg.size() == 3 && (seg[1] == "collections" || seg[1] == "rooms"));
  if (!ws_route) not_found();
  require(m, {"GET"}, "GET");
  throw ApiError{400, "WEBSOCKET_REQUIRED", "This route needs a WebSocket upgrade", {}, {}};
}

}  // namespace

Api::Api(Store& store, const auth::JwtCodec& jwt, const ServerConfig& config)
    : store_(store), jwt_(jwt), config_(config), limits_(config) {}

void Api::handle(HttpRequest request, Respond respond) {
  metrics_.http_requests.fetch_add(1, std::memory_order_relaxed);
  // Every response passes here: CORS headers and the error counter are added in one place.
  const std::string* origin = request.header("origin");
  // Handlers that complete later hold a copy of `finish`; exactly one copy is ever called.
  Respond finish = [this, respond = std::move(respond), origin = origin ? *origin : std::string()](HttpResponse r) {
    if (r.status >= 400) metrics_.http_errors.fetch_add(1, std::memory_order_relaxed);
    add_cors(r, config_, origin);
    respond(std::move(r));
  };
  try {
    dispatch(request, finish);
  } catch (const ApiError& e) {
    finish(error_response(e));
  } catch (const StorageFull&) {
    finish(error_response(storage_full_error()));  // the store logs it, once per interval
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", request.method, request.target, e.what());
    finish(error_response(ApiError{500, "INTERNAL_ERROR", "Internal server error", {}, {}}));
  }
}

void Api::dispatch(HttpRequest& request, Respond& respond) {
  if (request.method == "OPTIONS") return respond(preflight());
  Target t = split_target(request.target);
  const auto& seg = t.segments;
  if (seg.size() == 1 && seg[0] == "health") {
    // HEAD: load balancers and uptime checkers probe with it (the session drops the body).
    require(request.method, {"GET", "HEAD"}, "GET, HEAD");
    if (draining_) return respond(json_response(503, R"({"status":"draining"})"));
    return respond(json_response(200, std::string(R"({"status":"ok","version":")") + kVersion + "\"}"));
  }
  if (seg.size() == 1 && seg[0] == "metrics" && config_.metrics) {
    require(request.method, {"GET"}, "GET");
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics_text(metrics_, store_.stats());
    if (extra_metrics_) r.body += extra_metrics_();
    return respond(std::move(r));
  }
  if (draining_)
    throw ApiError{503, "UNAVAILABLE", "Server is shutting down", {}, {{"Retry-After", "1"}}};
  limits_.charge(request, jwt_, limits::Clock::now());  // not /health or /metrics: monitoring stays open
  if (!seg.empty() && seg[0] == "realtime") return respond(route_realtime(store_, jwt_, rooms_, request, seg));
  bool users = !seg.empty() && seg[0] == "auth-collections";
  if (!users && (seg.empty() || seg[0] != "collections")) not_found();

  auto query = protocol::parse_query_string(t.query);
  if (!query) throw ApiError{400, "INVALID_QUERY", "Invalid query string encoding", {}, {}};
  RequestContext ctx{store_, config_, metrics_, request, jwt_, blocking_, limits_, std::move(*query), {}, {}, {}};
  if (users) return route_users(ctx, seg, respond);
  HttpResponse out;
  if (!route_collections(ctx, seg, respond, out)) respond(std::move(out));
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace cocobase::server::api
