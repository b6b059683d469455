#pragma once

// What httpd needs from the rest of the system, as an interface so the HTTP/WebSocket layer is
// tested with a fake and runs against the NATS bus in production (bus_gateway.hpp).

#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "gapkit/common/result.hpp"
#include "gapkit/protocol/match_messages.hpp"

namespace gapkit::httpd {

/// One reply on its way to the player.
struct RelayedReply {
    /// What a reply means to httpd: whether the stream goes on, or ends and how.
    enum class Kind { kProgress, kReady, kError };
    /// What it says, as far as httpd cares. Only this is kept of the parsed reply: when a
    /// deployment becomes ready, thousands of replies may wait in the sessions' queues at once.
    Kind kind = Kind::kProgress;
    /// The JSON the player gets: the matchmaker's own bytes once `reply` was parsed from them, so
    /// they are relayed without being serialized again.
    std::string text;
};

/// The kind of `reply`: kReady for `SessionReady`, kError for `MatchError`, else kProgress.
inline RelayedReply::Kind KindOf(const protocol::MatchReply& reply) {
    if (std::holds_alternative<protocol::SessionReady>(reply)) return RelayedReply::Kind::kReady;
    return protocol::IsFinal(reply) ? RelayedReply::Kind::kError : RelayedReply::Kind::kProgress;
}

/// Callbacks of one matchmaking request. Both may be called from any thread (a NATS thread in
/// production): implementations of the session side must hop to their own executor. `on_reply` is
/// called once per streamed reply, in order; then `on_end` exactly once: Ok when the stream ended
/// normally, an error (timeout, no matchmaker, malformed reply) otherwise.
struct ReplyHandlers {
    std::function<void(RelayedReply reply)> on_reply;
    std::function<void(common::Status end)> on_end;
};

/// The matchmaker as seen from httpd. Thread-safe: called from every I/O thread.
class MatchmakerGateway {
  public:
    virtual ~MatchmakerGateway() = default;

    /// Sends `request` to the matchmakers of its game and version and streams the replies to
    /// `handlers`. Returns at once; never calls the handlers before returning.
    virtual void Request(const protocol::MatchRequest& request, ReplyHandlers handlers) = 0;

    /// True while the bus connection is up (`/readyz`).
    virtual bool Ready() const = 0;

    /// Forwards one Edgegap session webhook body (JSON, unparsed) to the matchmakers.
    virtual common::Status RelayWebhook(std::string_view body) = 0;
};

}  // namespace gapkit::httpd
