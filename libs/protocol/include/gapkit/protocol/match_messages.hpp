#pragma once

/// @file
/// The matchmaking messages that travel between a game client, httpd and the matchmaker.
///
/// The same JSON is used on the public WebSocket (`/matchmaker/ws`) and in the streamed bus
/// replies of `matchmaker.request.<game>.<version>`. It is the externally tagged encoding of the
/// original Rust system (serde's default), so its clients interoperate:
///
///     request:  {"game":"spaceships","version":"1","client_ip":null}
///     replies:  "Acknowledged"
///               {"SessionRequestAccepted":"<session id>"}
///               {"ProgressReport":"<text>"}
///               {"SessionReady":{"token":"<base64>","ip":"1.2.3.4","port":30004,"cert_digest":"ab:cd"}}
///               {"Error":[<http-like code>,"<message>"]}
///
/// `SessionReady` and `Error` are final: the stream (and the WebSocket) ends after them. The
/// wire format is specified in docs/protocol/matchmaking.md.
///
/// Every parser here faces the network: it accepts any bytes, never throws, and returns an
/// `Error` (code `kInvalidArgument` or `kProtocol`) that says what was wrong. Functions are pure
/// and may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gapkit/common/result.hpp"

namespace gapkit::protocol {

/// While a request is open the matchmaker sends a reply at least this often (a `ProgressReport`
/// when nothing else happened), so a requester can tell a slow Edgegap from a dead matchmaker.
inline constexpr int kHeartbeatSeconds = 5;

/// A requester gives up on a stream after this many heartbeat periods without a reply (httpd
/// then answers the player `Error(503)`).
inline constexpr int kMissedHeartbeatsBeforeGivingUp = 3;

/// Longest game or version name (characters).
inline constexpr std::size_t kMaxNameLength = 30;

/// Default cap on a request message (bytes); httpd's frame limit is configured separately.
inline constexpr std::size_t kDefaultMaxRequestBytes = 4096;

/// True for names matching `^[A-Za-z0-9_-]{1,30}$`, the rule for game and version names. They
/// become NATS subject tokens, so '.', '*', '>' and whitespace must never get through (the
/// original design allowed spaces, which NATS subjects cannot carry).
bool IsValidName(std::string_view name);

/// How the player's client reaches the game server, which decides the port `SessionReady` names.
enum class Transport {
    kUdp,           ///< "udp": netcode over UDP, the game port (the default).
    kWebTransport,  ///< "webtransport": netcode in WebTransport datagrams (browsers), its own port.
};

/// The JSON text of `transport`: "udp" or "webtransport".
std::string_view TransportName(Transport transport);

/// "I want to play": what a client sends first on the WebSocket, and what httpd forwards on the bus.
struct MatchRequest {
    std::string game;                       ///< App name, see `IsValidName`.
    std::string version;                    ///< App version name, see `IsValidName`.
    std::optional<std::string> client_ip;   ///< Player's IP (v4 or v6 text); honoured only from trusted callers.
    Transport transport = Transport::kUdp;  ///< From `"transport"`; absent or null means UDP.
};

/// Parses and validates a request: a JSON object of at most `max_bytes` with string `game` and
/// `version` (valid names), an optional `client_ip` (string holding an IP address, or null) and an
/// optional `transport` ("udp", "webtransport", or null). Unknown fields are ignored.
common::Result<MatchRequest> ParseMatchRequest(std::string_view json, std::size_t max_bytes = kDefaultMaxRequestBytes);

/// Encodes a request; `client_ip` is written as null when absent, and `transport` only when it is
/// not UDP (so a UDP request reads exactly as the original system's).
std::string SerializeMatchRequest(const MatchRequest& request);

/// The matchmaker has the request and is working on it.
struct Acknowledged {};

/// An Edgegap session was created for the player.
struct SessionRequestAccepted {
    std::string session_id;
};

/// Free text for the player ("Waiting (1.2s)").
struct ProgressReport {
    std::string text;
};

/// Final success: where to connect and with what.
struct SessionReady {
    std::string token;        ///< netcode 1.02 connect token, standard padded base64 (2732 chars).
    std::string ip;           ///< Game server public IP.
    std::uint16_t port = 0;   ///< Game server external UDP port.
    std::string cert_digest;  ///< SHA-256 of the server's certificate, "ab:cd:..." or "" when none.
};

/// Final failure with an HTTP-like code (408 timeout, 429 rate limited, 503 busy, 500 internal...).
struct MatchError {
    int code = 500;
    std::string message;
};

using MatchReply = std::variant<Acknowledged, SessionRequestAccepted, ProgressReport, SessionReady, MatchError>;

/// Encodes a reply in the externally tagged form above.
std::string SerializeMatchReply(const MatchReply& reply);

/// Parses a reply. Anything that is not exactly one of the five forms is an error.
common::Result<MatchReply> ParseMatchReply(std::string_view json);

/// True for `SessionReady` and `MatchError`, after which the stream ends.
bool IsFinal(const MatchReply& reply);

/// The tag of a reply: "Acknowledged", "SessionReady", ... (for logs and metrics).
std::string_view ReplyName(const MatchReply& reply);

}  // namespace gapkit::protocol
