#pragma once
// A WebSocket connection on a realtime route: the Beast side of realtime::Connection.
// Owned by shared_ptr (its pending handlers); all its handlers run on its socket's io_context.
#include "config/server_config.hpp"
#include "realtime/realtime_service.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace cocobase::server::net {

// Takes over an HTTP connection whose request is a WebSocket upgrade for `route`. The caller
// has acquired a connection slot from `service`; the session releases it.
void start_ws_session(boost::beast::tcp_stream stream, boost::beast::http::request<boost::beast::http::string_body> req,
                      realtime::Route route, realtime::RealtimeService& service, const ServerConfig& config);

}  // namespace cocobase::server::net
