#pragma once
// One HTTP connection: reads a request, hands it to the Api, writes the answer, repeats while
// keep-alive; a WebSocket upgrade on a realtime route hands the socket to a WsSession.
// Owned by shared_ptr; all its handlers run on its socket's io_context.
#include "api/api.hpp"
#include "config/server_config.hpp"
#include "net/connection_limit.hpp"
#include "realtime/realtime_service.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace cocobase::server::net {

// `realtime` may be null (no WebSocket routes: upgrades are answered as plain requests).
// `slot` is the connection's place under --http-max-connections, held until it closes or
// becomes a WebSocket.
void start_http_session(boost::asio::ip::tcp::socket socket, ConnectionLimit::Slot slot, api::Api& api,
                        realtime::RealtimeService* realtime, const ServerConfig& config);

}  // namespace cocobase::server::net
