#pragma once

// The matchmaking WebSocket (`GET /matchmaker/ws`): one request message in, every streamed reply
// out as one text frame, then a normal close after `SessionReady` or `Error`.
//
// Life of a session, all on the connection's strand:
//   1. check Origin and the per-IP limits, accept the upgrade (handshake timeout)
//   2. read one text message within the first-message timeout and the frame size limit
//   3. validate it, take a request slot (per-IP rate, global in-flight cap), resolve the client IP
//   4. send it through the gateway; replies arrive on a foreign thread and are queued into a
//      channel; one writer drains it (one write in flight, each with a write timeout)
//   5. after the final reply, or an error, or the overall request timeout: close.
// A reader runs beside the writer for the rest of the session, so pings, pongs and a client's
// close are seen while the matchmaker works.

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "http_routes.hpp"
#include "server_context.hpp"

namespace gapkit::httpd {

boost::asio::awaitable<void> ServeMatchmaking(std::shared_ptr<ServerContext> context, boost::beast::tcp_stream stream,
                                              HttpRequest request, std::string peer_ip);

}  // namespace gapkit::httpd
