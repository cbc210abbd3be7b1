#include "commands.hpp"
#include "data_dir.hpp"

#include "api/api.hpp"
#include "auth/api_keys.hpp"
#include "auth/jwt.hpp"
#include "bus/fanout_thread.hpp"
#include "bus/local/local_bus.hpp"
#include "net/http_server.hpp"
#include "realtime/realtime_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

namespace cocobase::cli {
namespace {

using server::ServerConfig;

// Every flag is also an environment variable: upper case, dashes to underscores, COCOBASE_.
template <typename T>
void flag(CLI::App* cmd, const std::string& name, T& value, const std::string& help) {
  std::string env = "COCOBASE_";
  for (char c : name) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  cmd->add_option("--" + name, value, help)->envname(env)->capture_default_str();
}

void create_default_project(server::Store& store) {
  if (!store.list_projects().empty()) return;
  store.create_project("default", "default");
  auto key = server::auth::issue_api_key(store, "default");
  std::cout << "Project 'default' API key: " << key->api_key << std::endl;
}

// The HMAC key of user tokens: --jwt-secret, else the one generated on first start and kept
// in <data>/jwt_secret, so tokens survive restarts. An old secret in the database is moved out
// in both cases (server/store/data_dir.hpp).
std::string jwt_secret(server::Store& store, const ServerConfig& config) {
  std::string kept;
  try {
    kept = server::load_jwt_secret(config.data_dir, store, config.jwt_secret.empty());
  } catch (const server::DataDirError& e) {
    std::cerr << "cocobase: " << e.what() << "\n";
    throw CLI::RuntimeError(kExitDataDirRefused);
  }
  return config.jwt_secret.empty() ? kept : config.jwt_secret;
}

int serve(const ServerConfig& config) {
  // Signals are taken by sigwait below, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  server::sqlite::SqliteStore store({prepared_database(config.data_dir), config.io_threads + 4,
                                     config.changelog_max_age_s, config.changelog_max_events});
  create_default_project(store);
  server::LocalBus bus;
  server::auth::JwtCodec jwt(jwt_secret(store, config), config.jwt_ttl_s, config.jwt_leeway_s);
  server::api::Api api(store, jwt, config);
  // Declared after the bus and before the store's sink: destroyed (drained) before the bus.
  server::FanoutThread fanout([&bus](const server::ChangeEventPtr& e) { bus.publish(e); },
                              config.fanout_max_queued_events);
  store.set_change_sink([&](const server::ChangeEventPtr& e) {
    api.metrics().change_events.fetch_add(1, std::memory_order_relaxed);
    fanout.post(e);
  });
  // Declared before the HTTP server so that it outlives every socket.
  server::realtime::RealtimeService realtime(store, bus, &jwt, config);
  api.set_room_directory(&realtime.rooms());
  api.set_metrics_source([&realtime] { return realtime.metrics_text(); });
  server::net::HttpServer http(api, &realtime, config);
  std::string url = http.start();
  std::cout << "Listening on " << url << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: shutting down", sig);
  api.set_draining(true);
  realtime.shutdown(std::chrono::seconds(2));  // 1001 to every socket; clients reconnect elsewhere
  http.stop();
  store.close();
  fanout.stop();  // the last events reach the hub before it goes away
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto config = std::make_shared<ServerConfig>();
  auto* cmd = app.add_subcommand("serve", "Run the server (SQLite store under --data, in-process bus)");
  flag(cmd, "listen", config->listen, "HOST:PORT to listen on (port 0 picks a free port)");
  flag(cmd, "data", config->data_dir, "Data directory (the SQLite database lives here)");
  flag(cmd, "io-threads", config->io_threads, "I/O threads (0 = one per core)");
  flag(cmd, "max-body-bytes", config->max_body_bytes, "Largest HTTP request body (413 above)");
  flag(cmd, "max-document-bytes", config->max_document_bytes, "Largest serialized document data (413 above)");
  flag(cmd, "max-json-depth", config->max_json_depth, "Deepest JSON nesting accepted (400 INVALID_JSON above)");
  flag(cmd, "max-batch-size", config->max_batch_size, "Most items in one batch request (413 above)");
  flag(cmd, "default-list-limit", config->default_list_limit, "List limit when none is given");
  flag(cmd, "max-list-limit", config->max_list_limit, "Largest list limit (larger ones are clamped)");
  flag(cmd, "max-filter-conditions", config->max_filter_conditions, "Most filter conditions per query (400 above)");
  flag(cmd, "max-in-items", config->max_in_items, "Most items in one in/notin list (400 above)");
  flag(cmd, "max-filter-operand-bytes", config->max_filter_operand_bytes, "Longest filter value in bytes (400 above)");
  flag(cmd, "max-populate-depth", config->max_populate_depth, "Longest populate chain (400 above)");
  flag(cmd, "max-populate-documents", config->max_populate_documents,
       "Records populate may insert into one response, repeats counted (400 above)");
  flag(cmd, "max-populate-bytes", config->max_populate_bytes, "Bytes populate may add to one response (400 above)");
  flag(cmd, "changelog-max-age-s", config->changelog_max_age_s, "Change-log entries older than this are pruned");
  flag(cmd, "changelog-max-events", config->changelog_max_events, "Change-log entries kept per collection");
  flag(cmd, "ws-max-message-bytes", config->ws_max_message_bytes, "Largest WebSocket message (close 1009 above)");
  flag(cmd, "ws-auth-timeout-ms", config->ws_auth_timeout_ms, "Time allowed for the WebSocket auth message (4408)");
  flag(cmd, "ws-ping-interval-ms", config->ws_ping_interval_ms, "Interval of server WebSocket pings");
  flag(cmd, "ws-idle-timeout-ms", config->ws_idle_timeout_ms, "Close a silent WebSocket after this long (4408)");
  flag(cmd, "ws-max-queue-bytes", config->ws_max_queue_bytes, "Outbound bytes queued per WebSocket (4509 above)");
  flag(cmd, "ws-rate-per-sec", config->ws_rate_per_sec, "Client messages per second per WebSocket (0 = off)");
  flag(cmd, "ws-rate-burst", config->ws_rate_burst, "Burst of client messages per WebSocket");
  flag(cmd, "ws-max-connections", config->ws_max_connections, "WebSocket connections per process (429 above)");
  flag(cmd, "fanout-max-queued-events", config->fanout_max_queued_events,
       "Committed events the fan-out thread may fall behind before writes wait");
  flag(cmd, "ws-max-replay-events", config->ws_max_replay_events, "Most events replayed per resume (resync above)");
  flag(cmd, "ws-replay-page-events", config->ws_replay_page_events, "Change-log entries a replay reads and holds at a time");
  flag(cmd, "ws-replay-page-bytes", config->ws_replay_page_bytes, "Stored bytes a replay reads and holds at a time");
  flag(cmd, "ws-document-alias", config->ws_document_alias, "Repeat `data` as `document` in watch events");
  flag(cmd, "access-recheck-ms", config->access_recheck_ms,
       "Interval of the check for rules set or keys revoked, applied to open sockets (0 = off)");
  flag(cmd, "max-rooms-per-project", config->max_rooms_per_project, "Rooms per project (4429 above)");
  flag(cmd, "max-room-participants", config->max_room_participants, "Participants per room (4429 above)");
  flag(cmd, "room-history-size", config->room_history_size, "Room messages kept for `history`");
  flag(cmd, "room-empty-grace-ms", config->room_empty_grace_ms, "Keep an empty room this long (0 = remove at once)");
  flag(cmd, "ws-deflate", config->ws_deflate, "Negotiate permessage-deflate when the client offers it");
  flag(cmd, "ws-allowed-origins", config->ws_allowed_origins, "WebSocket upgrades only from these Origins (comma-separated; empty = any)");
  flag(cmd, "jwt-secret", config->jwt_secret, "HMAC key of user tokens (default: generated once, kept in <data>/jwt_secret)");
  flag(cmd, "jwt-ttl-s", config->jwt_ttl_s, "Lifetime of issued user tokens");
  flag(cmd, "jwt-leeway-s", config->jwt_leeway_s, "Clock skew tolerated on token expiry");
  flag(cmd, "min-password-length", config->min_password_length, "Shortest password accepted at signup (422 below)");
  flag(cmd, "allow-signup-roles", config->allow_signup_roles, "Honour client-supplied roles at signup");
  flag(cmd, "http-rate-per-sec", config->http_rate_per_sec, "REST requests per second per API key or user (0 = off; 429 above)");
  flag(cmd, "http-rate-burst", config->http_rate_burst, "Burst of REST requests per API key or user");
  flag(cmd, "http-ip-rate-per-sec", config->http_ip_rate_per_sec, "REST requests per second per client IP (0 = off; 429 above)");
  flag(cmd, "http-ip-rate-burst", config->http_ip_rate_burst, "Burst of REST requests per client IP");
  flag(cmd, "max-tracked-clients", config->max_tracked_clients, "Keys, users, IPs or emails tracked per rate/login table");
  flag(cmd, "login-max-failures", config->login_max_failures, "Failed logins per email before lockouts start (0 = off)");
  flag(cmd, "login-ip-max-failures", config->login_ip_max_failures, "Failed logins per client IP before lockouts start (0 = off)");
  flag(cmd, "login-failure-window-s", config->login_failure_window_s, "Failed logins are forgotten after this long without one");
  flag(cmd, "login-delay-base-ms", config->login_delay_base_ms, "First lockout after the threshold; doubles per further failure");
  flag(cmd, "login-delay-max-ms", config->login_delay_max_ms, "Longest lockout after a failed login");
  flag(cmd, "http-max-connections", config->http_max_connections,
       "HTTP connections open at once, clamped below the descriptor limit (503 above)");
  flag(cmd, "cors-origins", config->cors_origins, "Access-Control-Allow-Origin: * or a comma-separated list");
  flag(cmd, "metrics", config->metrics, "Serve /metrics");
  cmd->callback([config] {
    int rc = serve(*config);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace cocobase::cli
