#pragma once

/// @file
/// `GameServer`: everything a dedicated game server needs to run behind the gapkit matchmaker on
/// Edgegap, for any engine.
///
/// On `Start` it reads the `ARBITRIUM_*` environment and `--ca_contents`, and the netcode key and
/// protocol id the config leaves unset from `GAPKIT_PRIVATE_KEY`/`_FILE` and `GAPKIT_PROTOCOL_ID`
/// (see environment.hpp),
/// connects the bus as `gameserver-<request id>`, creates its self-signed certificate, binds the
/// netcode server on the game port's internal port and advertises `<public ip>:<external port>`,
/// so the matchmaker's tokens are accepted behind Edgegap's port mapping. Without `ARBITRIUM_*` it
/// runs in local mode on `GameServerConfig::local_port`.
///
/// On the bus the server only states facts on `gameserver.<request id>.<fact>`; the matchmaker
/// checks each one before it writes its KV buckets (docs/protocol/gameserver-facts.md). In the
/// background it fetches its Edgegap context and publishes it on `.context`, and states its
/// certificate digest on `.cert_digest`, retried with back-off until the matchmaker accepts or
/// refuses it (it may start after the server).
///
/// A connecting client is announced only once its session is known: a `join` request with its
/// client id is answered by the matchmaker with the session (which it then records as connected),
/// and then `kPlayerJoined` is polled. A client the matchmaker refuses, or whose join is not
/// answered within a few seconds, is disconnected (unless `require_session` is off); until then
/// its payloads are dropped. When a joined player leaves, a `left` request is sent (retried with
/// back-off for about 30 s); the matchmaker then frees the Edgegap seat.
///
/// Browser players: when the deployment has a UDP port named `webtransport_port_name` (or, in
/// local mode, `local_webtransport_port` is set), the server also serves WebTransport there with
/// its certificate, whose digest browsers pin. A browser session is one more netcode client: the
/// same tokens, joins, leaves and payloads; closing the tab frees its slot at once
/// (`kClientDisconnected`). Payloads to browser players are at most
/// `kMaxWebTransportPayloadBytes` (docs/browser.md).
///
/// Local mode with a bus (`NATS_HOST` set, no `ARBITRIUM_*`) uses the deployment id "local": the
/// matchmaker never issues a session for it, so every join is refused (clients are disconnected
/// unless `require_session` is off), and no digest or context is stated.
///
/// Threads: single-threaded for the game. Call every method from one thread (the game loop):
/// `Update` once per tick, then drain `Poll`. It never blocks the game loop after `Start`
/// (`Start` itself may wait up to a few seconds for the bus). Inside there is one worker thread,
/// owned by the library, that performs the bus and HTTP calls; its results are handed over under a
/// mutex and applied only inside `Update`. There are no callbacks from it: events reach the game
/// only through `Poll`, on the game's thread.
///
/// Ownership: the game owns the `GameServer`; it owns its socket, bus connection and worker.
///
/// A game that keeps its own networking uses `SessionGate` (session_gate.hpp) instead: the same
/// matchmaking, joins, leaves and self-stop without a socket.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/server/certificate.hpp"
#include "gapkit/server/config.hpp"
#include "gapkit/server/environment.hpp"
#include "gapkit/server/events.hpp"

namespace gapkit::server {

/// Largest payload `SendPayload` sends to a browser player: with netcode's 25 bytes of header and
/// MAC and QUIC's own, the datagram must fit the 1200-byte packets browsers are sure to accept.
inline constexpr std::size_t kMaxWebTransportPayloadBytes = 1100;

class GameServer {
  public:
    /// Validates `config`, reads the environment (`ARBITRIUM_*`; `GAPKIT_*` for what `config`
    /// leaves unset: `ApplyGapkitEnvironment`) and `argv` (only `--ca_contents` is looked at),
    /// connects the bus when configured, and starts the netcode server. Errors name the cause: a
    /// bad config field, a missing or malformed variable, the bus, or the socket.
    static common::Result<std::unique_ptr<GameServer>> Start(const GameServerConfig& config, int argc,
                                                             const char* const* argv);

    /// `Stop`s.
    ~GameServer();
    GameServer(const GameServer&) = delete;
    GameServer& operator=(const GameServer&) = delete;

    /// Processes network traffic and finished background work, and queues events. `now_seconds`
    /// is any monotonic clock in seconds; wall time (token expiry) is read from the system clock.
    void Update(double now_seconds);
    /// The same with the wall clock passed in (Unix seconds), for tests.
    void Update(double now_seconds, std::uint64_t now_unix_seconds);

    /// Moves the oldest event into `event`; false when there is none.
    bool Poll(ServerEvent& event);

    /// Sends one unreliable datagram (1..1200 bytes, 1..kMaxWebTransportPayloadBytes to a browser
    /// player) to a joined player.
    common::Status SendPayload(int client_index, std::span<const std::uint8_t> payload);

    /// Disconnects a client (a `kPlayerLeft` with `kServerDisconnected` follows if it had joined).
    void Disconnect(int client_index);

    /// Disconnects everyone, states their `left` once more each without retrying (waiting for the
    /// worker to finish, a few seconds at most per fact the matchmaker does not answer) and closes
    /// the socket. Idempotent.
    void Stop();

    /// Players who have joined and not left.
    int num_players() const;
    /// True on Edgegap (`ARBITRIUM_*` present), false in local mode.
    bool on_edgegap() const;
    /// The parsed `ARBITRIUM_*` values on Edgegap.
    const std::optional<ArbitriumEnvironment>& environment() const;
    /// The port the netcode server is bound to.
    std::uint16_t bound_port() const;
    /// The port the WebTransport endpoint is bound to; 0 when there is none.
    std::uint16_t webtransport_port() const;
    /// The address players' tokens must name: `<public ip>:<external port>` on Edgegap,
    /// `<local_public_ip>:<local_port>` in local mode.
    netcode::Address advertised_address() const;
    /// The certificate created at start (for WebTransport and similar).
    const SelfSignedCertificate& certificate() const;

  private:
    struct Impl;
    explicit GameServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::server
