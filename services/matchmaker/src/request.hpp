#pragma once

/// @file
/// One matchmaking request's lifecycle (docs/architecture.md section 2, steps 3-4), as a coroutine:
/// reply `Acknowledged`, get the player a seat in an Edgegap session (its own, or one shared with
/// other waiting players under a surge: session_batcher.hpp), record the seat in
/// `unclaimed_sessions`, reply `SessionRequestAccepted`, wait for the session's readiness
/// (readiness.hpp; `ProgressReport` on each status change), mint the token, record the client id
/// mappings, reply `SessionReady`, end the stream. Any failure replies `Error(code, message)` and,
/// once a seat exists, enqueues its deletion, so no session is left behind.
///
/// Bus traffic on the way to `SessionReady` is one round trip: the first unclaimed record is sent
/// without waiting, and the token's records and the certificate digest read go out together.
///
/// Threads: `RunRequest` runs on one strand of the service's io_context. `RequestContext` is shared
/// by every request; its members are thread-safe or constant.

#include <atomic>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "config.hpp"
#include "digest_cache.hpp"
#include "failure.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/edgegap/api.hpp"
#include "metrics.hpp"
#include "session_batcher.hpp"
#include "session_book.hpp"
#include "waiters.hpp"

namespace gapkit::matchmaker {

/// What every request uses. Owned by the service; outlives every request.
struct RequestContext {
    const MatchmakerConfig& config;
    bus::Connection& bus;
    edgegap::EdgegapApi& api;
    SessionBook& book;
    const common::Clock& clock;
    Metrics& metrics;
    WaiterRegistry& waiters;
    std::atomic<int> sessions_in_creation{0};  ///< Requests between CreateSession and their final reply.
    std::atomic<int> in_flight{0};             ///< Requests not yet finished.
    std::atomic<bool> draining{false};         ///< Shutdown began: new requests get Error 503.
    std::atomic<bool> aborting{false};         ///< Shutdown grace is over: waiting requests fail with 503.
    std::unique_ptr<SessionBatcher> batcher;   ///< Set by the service before the first request.
    DigestCache digests{};                     ///< Game servers' certificate digests, read once a while.
};

/// Runs the lifecycle of `message` (a request on `matchmaker.request.<game>.<version>`) and sends
/// every reply to its inbox. Never throws. REQUIRES: `context.in_flight` was incremented for this
/// request; it is decremented when the coroutine ends.
boost::asio::awaitable<void> RunRequest(RequestContext& context, bus::Message message);

}  // namespace gapkit::matchmaker
