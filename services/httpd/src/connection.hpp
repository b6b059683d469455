#pragma once

// One accepted TCP connection: reads HTTP requests (keep-alive) and answers them, or hands the
// connection to the matchmaking WebSocket session on an upgrade. Runs as a coroutine on the
// socket's executor (a strand of its own when httpd runs more than one I/O thread).

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server_context.hpp"

namespace gapkit::httpd {

/// `peer_ip` is the TCP peer's address as text (an IPv4-mapped IPv6 peer as IPv4).
boost::asio::awaitable<void> ServeConnection(std::shared_ptr<ServerContext> context,
                                             boost::asio::ip::tcp::socket socket, std::string peer_ip);

}  // namespace gapkit::httpd
