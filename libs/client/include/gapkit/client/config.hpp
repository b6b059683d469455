#pragma once

/// @file
/// The settings of a `GameClient`: where the matchmaker is and how long each step may take.

#include <cstddef>
#include <cstdint>
#include <string>

#include "gapkit/common/result.hpp"

namespace gapkit::client {

/// Environment variable that replaces `GameClientConfig::matchmaker_url` when set and not empty.
inline constexpr const char* kMatchmakerUrlEnv = "MATCHMAKER_URL";

/// Set once, passed to `GameClient::Create`. Plain value type.
struct GameClientConfig {
    /// The matchmaker WebSocket, `ws://` or `wss://` (TLS, peer verified against the system's root
    /// certificates). Overridden by `MATCHMAKER_URL`. Default `ws://127.0.0.1:3000/matchmaker/ws`.
    std::string matchmaker_url = "ws://127.0.0.1:3000/matchmaker/ws";
    /// When not 0, a connect token from the matchmaker must carry this protocol id, or the client
    /// fails with `kInvalidConnectToken` instead of knocking on a server of another game. Default 0:
    /// any.
    std::uint64_t protocol_id = 0;
    /// Seconds from the first `Update` after `FindServer` to the matchmaker's final answer, on the
    /// game's clock. Default 120 (a cold Edgegap deployment can take a minute).
    double matchmaking_timeout_seconds = 120;
    /// Seconds for TCP connect plus TLS handshake, and again for the WebSocket upgrade, on the
    /// wall clock of the internal worker thread. Default 10.
    double matchmaker_connect_timeout_seconds = 10;
    /// Seconds from the first `Update` in `Connecting` to `Connected`, on the game's clock, on top
    /// of the netcode handshake's own timeouts. Default 15.
    double connect_timeout_seconds = 15;
    /// Largest matchmaker message accepted (bytes); a connect token reply is about 2.9 KB.
    /// Default 65536.
    std::size_t max_message_bytes = 64 * 1024;
    /// For games with their own transport (docs/own-transport.md): matchmaking stops at the
    /// connect token. The client enters `kServerFound` instead of connecting netcode, and
    /// `GameClient::connection_request()` gives the bytes to send to the server's `SessionGate`
    /// over the game's own connection to `server_address()`. Default false.
    bool own_transport = false;

    /// Checks the URL's form and that every number is in range; the error names the field.
    common::Status Validate() const;
};

/// Returns `config` with `MATCHMAKER_URL` applied (when set and not empty).
GameClientConfig ApplyEnvOverrides(GameClientConfig config);

}  // namespace gapkit::client
