#pragma once
// One realtime endpoint's logic for one socket. The network layer owns the socket and calls
// these from the socket's I/O thread only, so implementations need no lock for their own state.
#include "realtime/connection.hpp"

#include <string>

namespace cocobase::server::realtime {

class Session {
 public:
  virtual ~Session() = default;
  // Right after the upgrade. May report an invalid path parameter (error + close 4400).
  virtual void on_open() = 0;
  // One complete text message (valid UTF-8, within --ws-max-message-bytes).
  virtual void on_message(std::string text) = 0;
  // --ws-auth-timeout-ms passed since the upgrade: closes 4408 unless authenticated.
  virtual void on_auth_timeout() = 0;
  // The socket is gone (either side closed or it failed): unregister everything.
  virtual void on_closed() = 0;
};

}  // namespace cocobase::server::realtime
