#pragma once

// The matchmaker WebSocket on its own thread: connect, send one request, queue every reply until
// the final one. The game thread takes the queue over with `Take`; the worker never calls out.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gapkit/client/events.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/protocol/match_messages.hpp"

namespace gapkit::client::detail {

// The parts of a ws:// or wss:// URL the connection needs.
struct WebSocketUrl {
    bool tls = false;
    std::string host;    // Without brackets for IPv6.
    std::string port;    // Numeric text; 80 or 443 when the URL has none.
    std::string target;  // Path and query, starting with '/'.
};

// Parses an absolute ws:// or wss:// URL; anything else is kInvalidArgument naming the URL.
common::Result<WebSocketUrl> ParseWebSocketUrl(std::string_view url);

// The link gave up: why, and the technical detail (for logs, not players).
struct LinkFailure {
    FailureReason reason = FailureReason::kMatchmakerUnreachable;
    std::string detail;
};

using LinkMessage = std::variant<protocol::MatchReply, LinkFailure>;

struct LinkOptions {
    std::chrono::milliseconds connect_timeout{10'000};
    std::size_t max_message_bytes = 64 * 1024;
};

struct LinkWorker;  // The thread, its I/O loop and the queue; defined in the .cpp.

// One matchmaking request. The constructor starts the worker thread; the destructor stops its
// I/O loop without waiting: the detached thread co-owns the state and frees it when it ends
// (at once, or when a DNS lookup in progress returns). Nothing follows a final reply or a
// failure in the queue.
class MatchmakerLink {
  public:
    MatchmakerLink(WebSocketUrl url, std::string request_json, LinkOptions options);
    ~MatchmakerLink();
    MatchmakerLink(const MatchmakerLink&) = delete;
    MatchmakerLink& operator=(const MatchmakerLink&) = delete;

    // Appends what arrived since the last call to `out`. Game thread.
    void Take(std::vector<LinkMessage>& out);

  private:
    std::shared_ptr<LinkWorker> worker_;
};

}  // namespace gapkit::client::detail
