#pragma once

/// @file
/// What a `GameClient` tells the game: its states, why it failed, and the events `Poll` returns.
///
/// The state machine (docs/client-library.md has the table):
///
///     Idle --FindServer--> Matchmaking --SessionReady--> Connecting --handshake--> Connected
///     Idle --ConnectDirect-------------------------------^                            |
///     Connected --Disconnect / server left / timed out--> Disconnected                |
///     Matchmaking, Connecting --any failure--> Failed(reason)
///     Matchmaking, Connecting --Cancel--> Idle
///     Matchmaking --SessionReady, own_transport--> ServerFound
///
/// Idle, ServerFound, Disconnected and Failed are at rest: `FindServer` or `ConnectDirect` starts
/// again.
/// Plain value types; safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gapkit::client {

enum class ClientState {
    kIdle,          ///< Nothing under way.
    kMatchmaking,   ///< Talking to the matchmaker; progress events arrive.
    kConnecting,    ///< Holding a connect token; the netcode handshake is under way.
    kConnected,     ///< Payloads flow.
    kDisconnected,  ///< Was connected; left by `Disconnect`, by the server or by a timeout.
    kFailed,        ///< Matchmaking or connecting failed; `failure_reason()` says why.
    /// `own_transport` only: the matchmaker answered; `server_address()` and
    /// `connection_request()` are what the game's own transport needs. netcode is not used.
    kServerFound,
};

/// Why the client failed (or, for `kConnectionLost`, why a connection ended).
enum class FailureReason {
    kNone,                   ///< No failure.
    kMatchmakerUnreachable,  ///< DNS, TCP, TLS or the WebSocket upgrade failed.
    kMatchmakerError,        ///< The matchmaker answered `Error(code, message)`.
    kMalformedReply,         ///< The matchmaker sent something that is not a valid reply.
    kMatchmakerClosed,       ///< The socket closed before a final answer.
    kMatchmakingTimedOut,    ///< No final answer within `matchmaking_timeout_seconds`.
    kInvalidConnectToken,    ///< The token does not parse or is for another protocol id.
    kConnectTokenExpired,    ///< The token expired before the handshake finished.
    kConnectionDenied,       ///< The game server refused the token (full, reused, wrong key).
    kConnectionTimedOut,     ///< The game server did not complete the handshake in time.
    kConnectionLost,         ///< A connected server went silent (`Disconnected`, not `Failed`).
    kLocalNetworkError,      ///< This machine could not open a UDP socket.
    kMatchmakerBusy,         ///< The matchmaker refused the WebSocket upgrade with HTTP 429 or 503
                             ///< (too many connections from this address, or shutting down).
};

enum class ClientEventType {
    kStateChanged,  ///< `state` is the new state; `text` says why for the player.
    kProgress,      ///< `text` is a matchmaker progress message for the player.
    kPayload,       ///< `payload` holds 1..1200 bytes from the server.
};

/// One thing the game should know. Fields not used by the type are left empty.
struct ClientEvent {
    ClientEventType type = ClientEventType::kStateChanged;
    ClientState state = ClientState::kIdle;       ///< The state after this event.
    FailureReason reason = FailureReason::kNone;  ///< kStateChanged to kFailed / kDisconnected.
    std::string text;                             ///< Player-facing text (English).
    std::vector<std::uint8_t> payload;            ///< kPayload only.
};

/// "idle", "matchmaking", "connecting", "connected", "disconnected", "failed", "server_found".
std::string_view ToString(ClientState state);

/// Stable snake_case names: "none", "matchmaker_unreachable", ... (for logs and metrics).
std::string_view ToString(FailureReason reason);

/// A short sentence a player can be shown for `reason`, e.g. "Cannot reach the matchmaker.".
std::string_view PlayerText(FailureReason reason);

/// "state_changed", "progress", "payload".
std::string_view ToString(ClientEventType type);

}  // namespace gapkit::client
