#pragma once

// One accepted TCP connection: reads HTTP requests (keep-alive) and answers them, or hands the
// connection to the matchmaking WebSocket session on an upgrade. Runs as a coroutine on the
// socket's strand.

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server_context.hpp"

namespace gapkit::httpd {

boost::asio::awaitable<void> ServeConnection(std::shared_ptr<ServerContext> context,
                                             boost::asio::ip::tcp::socket socket);

}  // namespace gapkit::httpd
