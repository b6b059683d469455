#pragma once

// The matchmaking WebSocket (`GET /matchmaker/ws`): one request message in, every streamed reply
// out as one text frame, then a normal close after `SessionReady` or `Error`.
//
// Life of a session, all on the connection's strand:
//   1. check Origin, accept the upgrade (handshake timeout); the connection has already taken the
//      client's connection slot (connection.cpp) and hands it over
//   2. read one text message within the first-message timeout and the frame size limit
//   3. validate it, take a request slot (per-client rate, global in-flight cap)
//   4. send it through the gateway; replies arrive on a foreign thread and are queued into a
//      channel; one writer drains it (one write in flight, each with a write timeout), each reply
//      as the bytes the gateway checked (gateway.hpp, RelayedReply)
//   5. after the final reply, or an error, or the overall request timeout, or the matchmaker's
//      silence for `matchmaker_silence_seconds` (Error 503): close.
// A reader runs beside the writer for the rest of the session, so pings, pongs and a client's
// close are seen while the matchmaker works.

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "client_address.hpp"
#include "http_routes.hpp"
#include "server_context.hpp"

namespace gapkit::httpd {

/// `socket` is the connection that sent `request`, the upgrade request (freed once the handshake
/// is done). `client` is its resolved client; `client_slot` its connection slot, held until the
/// session ends.
boost::asio::awaitable<void> ServeMatchmaking(std::shared_ptr<ServerContext> context,
                                              boost::asio::ip::tcp::socket socket, HttpRequest request,
                                              ClientAddress client, std::unique_ptr<ClientLimiter::Lease> client_slot);

}  // namespace gapkit::httpd
