#pragma once
// One HTTP connection: reads a request, hands it to the Api, writes the answer, repeats while
// keep-alive. Owned by shared_ptr; all its handlers run on its socket's io_context.
#include "api/api.hpp"
#include "config/server_config.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace cocobase::server::net {

void start_http_session(boost::asio::ip::tcp::socket socket, api::Api& api, const ServerConfig& config);

}  // namespace cocobase::server::net
