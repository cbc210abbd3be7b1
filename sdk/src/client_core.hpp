#pragma once
// What every helper of a Client shares: configuration, the REST transport, the I/O thread and
// the registry of named watch connections. Helpers hold it by shared_ptr.
#include "http/http_transport.hpp"
#include "io_thread.hpp"

#include <cocobase/client.hpp>
#include <cocobase/config.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace cocobase::detail {

class ClientCore {
 public:
  explicit ClientCore(ClientConfig config);
  ~ClientCore();

  const ClientConfig& config() const { return config_; }
  const BaseUrl& base_url() const { return base_; }

  std::optional<std::string> token() const;
  void set_token(std::optional<std::string> token);
  bool use_jwt() const;
  void set_use_jwt(bool on);

  // A REST call with the auth headers of 9.1; body, when given, is sent as application/json.
  // Throws ApiError for a non-2xx answer, TransportError when none came.
  HttpResponse call(std::string_view method, std::string_view target,
                    std::optional<std::string> body = std::nullopt);

  // The credentials members of a realtime auth message (5.1.3, 8d): api_key, and token when
  // use_jwt is on and a token is held.
  json::object auth_members() const;

  IoThread& io() { return io_; }
  // A second thread for blocking work a helper must not do on the I/O thread (the REST
  // snapshot read of a resync).
  IoThread& blocking() { return blocking_; }

  // Registry of named watch connections (Client::watch_collection).
  std::mutex registry_mutex;
  std::map<std::string, std::shared_ptr<WatchConnection>> registry;

 private:
  ClientConfig config_;
  BaseUrl base_;
  mutable std::mutex token_mutex_;
  std::optional<std::string> token_;
  bool use_jwt_;
  HttpTransport http_;
  IoThread blocking_;
  IoThread io_;  // last: destroyed first, while the rest is still valid
};

}  // namespace cocobase::detail
