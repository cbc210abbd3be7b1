#pragma once
// What every example shares: where the server is, from `--url URL --api-key KEY` or the
// environment (COCOBASE_URL, COCOBASE_API_KEY), plus its own `--name value` options.
#include <cocobase/client.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <string_view>

namespace example {

class Args {
 public:
  Args(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
      std::string_view name = argv[i];
      if (name.starts_with("--")) options_[std::string(name.substr(2))] = argv[i + 1];
    }
  }

  std::string get(const std::string& name, std::string fallback = {}) const {
    auto it = options_.find(name);
    return it == options_.end() ? fallback : it->second;
  }

  cocobase::ClientConfig client_config() const {
    cocobase::ClientConfig config;
    config.base_url = get("url", env("COCOBASE_URL", "http://127.0.0.1:8080"));
    config.api_key = get("api-key", env("COCOBASE_API_KEY", ""));
    return config;
  }

 private:
  static std::string env(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value ? value : fallback;
  }

  std::map<std::string, std::string> options_;
};

// The examples run until Enter (or end of input), so that they need no signal handling.
inline void wait_for_enter() {
  std::cout << "(press Enter to stop)" << std::endl;
  std::string line;
  std::getline(std::cin, line);
}

inline void print_error(const cocobase::RealtimeError& e) {
  std::cerr << "realtime error " << e.code << ": " << e.message
            << (e.terminal ? " (stopped)" : " (will retry)") << std::endl;
}

}  // namespace example
