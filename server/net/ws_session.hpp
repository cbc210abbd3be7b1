#pragma once
// A WebSocket connection on a realtime route: the socket side of realtime::Connection.
// Owned by shared_ptr (its pending handlers); all its handlers run on its socket's io_context.
#include "config/server_config.hpp"
#include "net/ws_deflate.hpp"
#include "realtime/realtime_service.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>

namespace cocobase::server::net {

// Takes over a connection whose upgrade request for `route` was accepted: writes `handshake`
// (the 101 response) and runs the WebSocket. The caller has acquired a connection slot from
// `service`; the session releases it.
void start_ws_session(boost::asio::ip::tcp::socket socket, std::string handshake,
                      std::optional<DeflateAgreement> deflate, realtime::Route route,
                      realtime::RealtimeService& service, const ServerConfig& config);

}  // namespace cocobase::server::net
