#pragma once

/// @file
/// The game-client side of gapkit: find a server through the matchmaker, connect to it with the
/// netcode connect token it hands out, exchange payloads.
///
/// Tick driven like the server library: call `Update(now_seconds)` once per frame with a
/// monotonic time in seconds, then drain `Poll`. Every state change, matchmaker progress message
/// and received payload becomes a `ClientEvent` (see events.hpp for the state machine).
///
/// Threads: call every method from one thread (the game loop). While matchmaking, the client runs
/// the WebSocket on one internal worker thread with its own I/O loop; that thread only queues what
/// it receives, and `Update` takes it over. Nothing ever calls into the game from another thread,
/// and no method blocks on the network: `Cancel`, a final reply, a failure and the destructor stop
/// the worker without waiting for it (it ends on its own, at once or when a DNS lookup in progress
/// returns).
///
/// Ownership: the client owns its worker, its netcode client and its UDP socket. Events are values.
///
/// ```cpp
/// auto client = gapkit::client::GameClient::Create({});   // MATCHMAKER_URL applies
/// client.value()->FindServer("spaceships", "1");
/// while (running) {
///     client.value()->Update(Now());
///     gapkit::client::ClientEvent event;
///     while (client.value()->Poll(event)) Show(event);
/// }
/// ```

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "gapkit/client/config.hpp"
#include "gapkit/client/events.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/connection_request.hpp"

namespace gapkit::client {

class GameClient {
  public:
    /// Applies `MATCHMAKER_URL` to `config`, validates it and builds an idle client. The error
    /// names the bad field (or the variable).
    static common::Result<std::unique_ptr<GameClient>> Create(GameClientConfig config);

    ~GameClient();  ///< Stops the worker and disconnects (sending the netcode disconnect packets).
    GameClient(const GameClient&) = delete;
    GameClient& operator=(const GameClient&) = delete;

    /// Starts matchmaking for `game` / `version` (names matching `^[A-Za-z0-9_-]{1,30}$`): opens the
    /// WebSocket, sends the request and goes to `kMatchmaking`. Allowed from Idle, Disconnected and
    /// Failed; otherwise, or for a bad name, returns an error and changes nothing. Network failures
    /// do not show here: they arrive later as `kFailed` events.
    common::Status FindServer(std::string_view game, std::string_view version);

    /// Development mode, no matchmaker: mints a connect token for `address` ("1.2.3.4:6420") with a
    /// random client id from `protocol_id` and `dev_key` (the key the server was started with; never
    /// ship it in a game) and goes to `kConnecting`. Same preconditions as `FindServer`.
    common::Status ConnectDirect(std::string_view address, std::uint64_t protocol_id, const netcode::Key& dev_key);

    /// Abandons matchmaking or connecting (back to `kIdle`) or disconnects a connection (to
    /// `kDisconnected`). Harmless at rest.
    void Cancel();

    /// Sends the netcode disconnect packets when connecting or connected and goes to
    /// `kDisconnected`; while matchmaking it is `Cancel`. Harmless at rest.
    void Disconnect();

    /// Takes over what the worker received, drives the netcode client, applies the timeouts and
    /// queues events. `now_seconds` is any monotonic clock in seconds and must not go backwards.
    void Update(double now_seconds);

    /// Moves the oldest event into `event`; false when there is none.
    bool Poll(ClientEvent& event);

    /// Sends one unreliable payload (1..1200 bytes). Errors when not connected or on a bad size.
    common::Status SendPayload(std::span<const std::uint8_t> payload);

    ClientState State() const;
    /// Why the last `kFailed` (or `kDisconnected` by timeout) happened; kNone otherwise.
    FailureReason failure_reason() const;
    /// The game server being connected to, once known; kNone before.
    netcode::Address server_address() const;
    /// The connection request (1078 bytes, docs/own-transport.md) for the connect token the
    /// client holds, for the game's own transport to send to the server's `SessionGate`. Available
    /// from `kServerFound` (or `kConnecting`) on, until the next `FindServer`/`ConnectDirect`;
    /// `kFailedPrecondition` before. Valid only until the token expires (30 s by default).
    common::Result<netcode::ConnectionRequestBytes> connection_request() const;
    /// The public connect token that request was built from, parsed: its session keys
    /// (`client_to_server_key`, `server_to_client_key`, the ones `SessionGate`'s `Admission` holds),
    /// timeout and expiry, for an own-transport game that encrypts its channel with them. Same
    /// availability as `connection_request()`. Secret: never log the keys.
    common::Result<netcode::ConnectToken> connect_token() const;
    /// The server certificate digest from the matchmaker's `SessionReady` ("ab:cd:..."; may be "").
    const std::string& cert_digest() const;
    /// The URL in use after `MATCHMAKER_URL` was applied.
    const std::string& matchmaker_url() const;

  private:
    struct Impl;
    explicit GameClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::client
