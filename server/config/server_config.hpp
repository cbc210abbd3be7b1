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

  // Change-log retention (PROTOCOL 8a): bounded so the log cannot outgrow the documents.
  std::int64_t changelog_max_age_s = 86400;
  std::int64_t changelog_max_events = 100000;

  std::string cors_origins = "*";
  bool metrics = true;
};

}  // namespace cocobase::server
