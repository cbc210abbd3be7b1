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

  std::string cors_origins = "*";
  bool metrics = true;
};

}  // namespace cocobase::server
