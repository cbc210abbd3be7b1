#pragma once
// Every limit of PROTOCOL 8f that the server enforces today, with its default and the reason.
// The CLI (cli/serve.cpp) binds each member to a flag and a COCOBASE_* environment variable.
#include <cstddef>
#include <cstdint>
#include <string>

namespace cocobase::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // loopback by default: not reachable until asked
  std::string data_dir = "./cb_data";
  unsigned io_threads = 0;                 // 0 = hardware concurrency

  // Bodies larger than this are refused before they are buffered (memory bound per request).
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::size_t max_document_bytes = 1024 * 1024;
  // Deep nesting costs stack in every recursive walker (serializer, filter, merge).
  std::size_t max_json_depth = 64;
  std::size_t max_batch_size = 500;
  std::size_t default_list_limit = 100;   // the JS SDK's default
  std::size_t max_list_limit = 1000;
  std::size_t max_filter_conditions = 64;
  std::size_t max_in_items = 1000;
  // contains/startswith/endswith cost document + operand per match: bounds one condition.
  std::size_t max_filter_operand_bytes = 4096;
  std::size_t max_populate_depth = 3;  // each level is a lookup per reference
  // Records one response may insert by populate, each copy counted (a reference repeated or
  // reached by many paths is inserted each time). Without a bound, a document with N
  // self-references populated two levels deep inserts N^2 copies of itself (issue 12: 300
  // references, 12 KB, past 3 GB). 1000 lets a full list page (--max-list-limit) carry one
  // populated reference per document.
  std::size_t max_populate_documents = 1000;
  // Serialized bytes those records may add to one response: twice the largest body a client
  // may send (--max-body-bytes), enough for a page of large referenced documents, and far below
  // what would threaten the process.
  std::size_t max_populate_bytes = 16 * 1024 * 1024;

  // Change-log retention (PROTOCOL 8a): bounded so the log cannot outgrow the documents.
  std::int64_t changelog_max_age_s = 86400;
  std::int64_t changelog_max_events = 100000;

  // Realtime WebSocket limits (PROTOCOL 8f).
  // Inbound messages are buffered whole before parsing: this bounds memory per connection.
  std::size_t ws_max_message_bytes = 65536;
  // An unauthenticated socket costs a descriptor; clients that never speak are dropped.
  std::int64_t ws_auth_timeout_ms = 10000;
  std::int64_t ws_ping_interval_ms = 30000;  // below common proxy idle cut-offs (60 s)
  std::int64_t ws_idle_timeout_ms = 90000;   // three missed pings
  // A reader slower than the event rate would otherwise grow memory without bound; it is
  // closed (4509) and resumes from its last seq instead.
  std::size_t ws_max_queue_bytes = 8 * 1024 * 1024;
  double ws_rate_per_sec = 20;     // 0 = off; the JS SDK sends one ping per 30 s
  double ws_rate_burst = 40;
  std::size_t ws_max_connections = 100000;  // descriptors and memory per process
  // A longer replay holds a read transaction and floods the socket; a REST re-read is cheaper.
  std::uint64_t ws_max_replay_events = 10000;
  // Watch filters run on the fan-out thread, not the store writer. When the fan-out falls this
  // far behind, writes wait for it: memory stays bounded (about one event each).
  std::size_t fanout_max_queued_events = 65536;
  // A replay holds one page of the change log at a time, read as the socket drains: at most
  // this many events, or (after the first) this many bytes of stored data. Before, a resume
  // held up to 10,000 entries (53 MB per watcher with 500 KB documents).
  std::size_t ws_replay_page_events = 256;
  std::size_t ws_replay_page_bytes = 1024 * 1024;
  bool ws_document_alias = true;   // npm 1.6.0 reads `document`; off halves event frames
  bool ws_deflate = false;  // permessage-deflate costs CPU and memory per socket; opt-in
  std::string ws_allowed_origins;  // comma-separated; empty: Origin is not checked (1.7)
  // How often the server looks for rules set or keys revoked (by the CLI, while it runs) to
  // re-check open sockets: one read of one row; a second is how long a revoked key or a
  // tightened rule may keep reaching an open socket. 0 = never (checked at auth only).
  std::int64_t access_recheck_ms = 1000;
  std::size_t max_rooms_per_project = 1000;
  std::size_t max_room_participants = 1000;
  std::size_t room_history_size = 100;  // per room, in memory
  std::int64_t room_empty_grace_ms = 0;  // 0: an empty room is removed at once (6.2)

  // App users and tokens (PROTOCOL 7, 8f).
  std::string jwt_secret;                  // "" = generated once and kept in the store
  std::int64_t jwt_ttl_s = 2592000;        // 30 days, the hosted service's lifetime
  std::int64_t jwt_leeway_s = 30;          // clock skew between hosts
  std::size_t min_password_length = 8;
  // Off: the API key that authorizes signup is public in client apps.
  bool allow_signup_roles = false;

  // REST request rate (PROTOCOL 8f): a token bucket per API key, or per user for requests with
  // a token and no key. Off by default, as the protocol says: a public key is shared by every
  // client of an app, so only its operator knows the right rate.
  double http_rate_per_sec = 0;
  double http_rate_burst = 100;
  // The same per client IP, before authentication. Off by default: behind a reverse proxy every
  // request comes from the proxy's address (X-Forwarded-For is not trusted, it is forged at
  // will), and NATs put many users behind one; when on, the burst covers a page load's fan-out.
  double http_ip_rate_per_sec = 0;
  double http_ip_rate_burst = 200;
  // Keys (API keys, users, IPs, emails) tracked per limiter table: bounds memory (~150 B each)
  // against floods of distinct keys; past it some are evicted and start afresh.
  std::size_t max_tracked_clients = 100000;

  // Login throttling (docs/auth.md): argon2id alone let 1,000 guesses through in minutes.
  // Five failures is more than a user mistyping; after them each failure doubles the lockout
  // from 1 s up to 5 min, so a guesser gets about 300 tries a day per email. The IP threshold
  // is higher because many users can share one address. 0 failures = off.
  int login_max_failures = 5;
  int login_ip_max_failures = 50;
  std::int64_t login_failure_window_s = 900;  // failures are forgotten after this long without one
  std::int64_t login_delay_base_ms = 1000;
  std::int64_t login_delay_max_ms = 300000;

  // HTTP connections open at once (WebSockets leave this count once upgraded): idle clients
  // beyond it would take every descriptor, and then even /health could not be answered. In
  // force: this, clamped below RLIMIT_NOFILE minus the descriptors in use at start and a
  // headroom (net/fd_budget.hpp). Over it a connection gets 503 and is closed.
  std::size_t http_max_connections = 10000;

  std::string cors_origins = "*";
  bool metrics = true;
};

}  // namespace cocobase::server
