#pragma once

/// @file
/// The WebSocket phase: matchmaking clients against httpd's `/matchmaker/ws`, as a game client
/// speaks to it (docs/protocol/matchmaking.md). Every request opens a fresh connection, sends the
/// request, reads replies until `SessionReady` or `Error`, then lets the server close.
///
/// Threads: `RunWebSocketLevel` runs every client of the level as a C++20 coroutine on one
/// io_context on the calling thread, and returns when all have finished.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>

#include "gapkit/common/result.hpp"
#include "level_plan.hpp"

namespace gapkit::loadgen {

/// Where the clients connect: a resolved `ws://` URL.
struct WebSocketTarget {
    boost::asio::ip::tcp::endpoint endpoint;  ///< The address the URL's host resolved to.
    std::string host_header;                  ///< `host[:port]` as written in the URL.
    std::string path;                         ///< Request target, e.g. `/matchmaker/ws`.
};

/// Parses and resolves a `ws://host[:port][/path]` URL (port 80 by default, path `/` by default).
/// `wss://` and other schemes are refused (`kInvalidArgument`); an unknown host is `kNotFound`.
common::Result<WebSocketTarget> ResolveWebSocketUrl(std::string_view url);

/// Runs one level of matchmaking requests, each sending `request_json` as its first message;
/// each client pauses `plan.think_time` between its requests.
/// Outcomes: `kOutcomeOk` (SessionReady), "error <code>" (an `Error` reply), "connect",
/// "handshake", "write", "closed early" (the socket ended before a final reply), "bad reply"
/// (not a matchmaking message) and "timeout" (`plan.request_timeout` passed).
LevelRun RunWebSocketLevel(const WebSocketTarget& target, const std::string& request_json, const LevelPlan& plan);

/// The first message of each request, made when the request starts (a distinct `client_ip` per
/// player, say). Called on the level's thread, one request at a time.
using RequestSource = std::function<std::string()>;

/// As above, with each request's message from `next_request`.
LevelRun RunWebSocketLevel(const WebSocketTarget& target, const RequestSource& next_request, const LevelPlan& plan);

}  // namespace gapkit::loadgen
