#pragma once

/// @file
/// `SessionGate`: gapkit's matchmaking and scale-to-zero for a game server that keeps its own
/// networking (ENet, Steam sockets, an engine's net driver). The gate owns no socket: the game
/// accepts connections on its own transport and hands the gate the bytes each client sends first.
///
/// What the client sends (docs/own-transport.md): the 1078-byte netcode connection request built
/// from the connect token the matchmaker gave it (`client::GameClient::connection_request()`,
/// `netcode::MakeConnectionRequest`). `Admit` checks it as a netcode server would (length,
/// version, protocol id, expiry, decryption with the private key, that it names this server's
/// advertised address) and refuses a token used before, whatever channel it comes over.
///
/// An admitted client holds a player slot and is pending: the gate asks the matchmaker for its
/// session (the same `join` fact `GameServer` states) and then polls `kPlayerJoined`, or
/// `kPlayerRefused` when the matchmaker refused it or did not answer within a few seconds (unless
/// `require_session` is off): the game then closes that connection. The game reports every
/// connection that ends with `Release`; a joined player's `kPlayerLeft` follows and its `left` is
/// stated (retried with back-off for about 30 s), so the matchmaker frees the Edgegap seat. While
/// players are joined, `alive` facts name them; with `self_stop_after_empty_seconds` the gate stops
/// the empty deployment on Edgegap (`kSelfStopping`).
///
/// Configuration: `GameServerConfig`, read as `GameServer::Start` reads it (`ARBITRIUM_*`,
/// `GAPKIT_PRIVATE_KEY`/`_FILE`, `GAPKIT_PROTOCOL_ID`, `--ca_contents`, `NATS_*`). `max_clients`
/// is the number of player slots; `game_port_name` names the Edgegap port the game's own socket
/// binds (`game_port()`); the WebTransport fields are ignored.
///
/// Threads: single-threaded for the game, like `GameServer`. Call every method from one thread
/// (the game loop): `Admit`/`Release` when the transport says so, `Update` once per tick, then
/// drain `Poll`. Nothing blocks after `Start` (which may wait up to a few seconds for the bus). One
/// worker thread, owned by the gate, performs the bus and HTTP calls; its results are applied only
/// inside `Update`. There are no callbacks.
///
/// Ownership: the game owns the gate; the gate owns its bus connection and worker. Player slots
/// are the gate's; the game maps them to its own connections.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"
#include "gapkit/server/config.hpp"
#include "gapkit/server/environment.hpp"
#include "gapkit/server/events.hpp"

namespace gapkit::server {

enum class GateEventType {
    kPlayerJoined,   ///< The matchmaker confirmed an admitted client's session; it may now play.
    kPlayerRefused,  ///< The matchmaker refused (or did not confirm in time) an admitted client's
                     ///< session: its slot is free again; close that connection.
    kPlayerLeft,     ///< A joined player's connection ended (`Release`) or the gate stopped (`reason`).
    kSelfStopping,   ///< The empty timeout passed and the deployment was asked to stop.
};

/// "player joined", "player refused", "player left", "self stopping".
std::string_view ToString(GateEventType type);

/// One event. `player_index` and `client_id` are set for player events; the other fields only for
/// the types named beside them.
struct GateEvent {
    GateEventType type = GateEventType::kPlayerJoined;
    int player_index = -1;          ///< The slot `Admit` returned.
    std::uint64_t client_id = 0;    ///< From the connect token.
    std::string session_id;         ///< kPlayerJoined/kPlayerLeft: the Edgegap session ("" without bus).
    netcode::UserData user_data{};  ///< kPlayerJoined: from the connect token.
    LeaveReason reason = LeaveReason::kClientDisconnected;  ///< kPlayerLeft.
};

/// What the gate learned from an admitted client's connect token.
struct Admission {
    int player_index = -1;             ///< The slot, 0..max_clients-1; names the player in events and `Release`.
    std::uint64_t client_id = 0;       ///< Chosen by the matchmaker.
    netcode::UserData user_data{};     ///< From the token.
    std::int32_t timeout_seconds = 0;  ///< The token's connection timeout (negative: none); the game may apply it.
    /// The token's session keys, shared with this client only: a game may use them to encrypt its
    /// own channel. Never logged.
    netcode::Key client_to_server_key{};
    netcode::Key server_to_client_key{};
};

class SessionGate {
  public:
    /// Validates `config`, reads the environment and `argv` as `GameServer::Start` does and
    /// connects the bus when configured. Opens no socket. Errors name the cause.
    static common::Result<std::unique_ptr<SessionGate>> Start(const GameServerConfig& config, int argc,
                                                              const char* const* argv);

    /// `Stop`s.
    ~SessionGate();
    SessionGate(const SessionGate&) = delete;
    SessionGate& operator=(const SessionGate&) = delete;

    /// Checks a client's connection request (`bytes`: hostile input of any length) and, when it
    /// holds, takes a player slot for it (pending until its join is answered). Errors, and nothing
    /// changes: `kProtocol` (not 1078 bytes, bad version, another protocol id, expired),
    /// `kUnauthenticated` (forged or another key), `kInvalidArgument` (a private token that does
    /// not parse), `kPermissionDenied` (a token for another server), `kAlreadyExists` (the token
    /// was used before, or its client id holds a slot), `kResourceExhausted` (no free slot),
    /// `kFailedPrecondition` (stopped). Wall time for expiry is the system clock.
    common::Result<Admission> Admit(std::span<const std::uint8_t> bytes);
    /// The same with the wall clock passed in (Unix seconds), for tests.
    common::Result<Admission> Admit(std::span<const std::uint8_t> bytes, std::uint64_t now_unix_seconds);

    /// The game's connection admitted as `player_index` / `client_id` ended (the player left,
    /// timed out or the game dropped it: `reason`). A joined player's `kPlayerLeft` follows and its
    /// `left` is stated; a pending one is forgotten (and its join undone should it succeed later).
    /// Ignored when the slot no longer holds `client_id` (after `kPlayerRefused` the slot may
    /// already serve someone else), so a late call is harmless.
    void Release(int player_index, std::uint64_t client_id, LeaveReason reason = LeaveReason::kClientDisconnected);

    /// Applies finished background work (join answers, facts), sends `alive` when due and checks
    /// the empty timeout. `now_seconds` is any monotonic clock in seconds.
    void Update(double now_seconds);

    /// Moves the oldest event into `event`; false when there is none.
    bool Poll(GateEvent& event);

    /// Every remaining player leaves (`kServerStopped`), their `left` is stated once more each
    /// without retrying (waiting a few seconds at most per unanswered fact), the worker ends.
    /// Later `Admit`s fail. Idempotent.
    void Stop();

    /// Players who have joined and not left.
    int num_players() const;
    /// True on Edgegap (`ARBITRIUM_*` present), false in local mode.
    bool on_edgegap() const;
    /// The parsed `ARBITRIUM_*` values on Edgegap.
    const std::optional<ArbitriumEnvironment>& environment() const;
    /// The port the game's own socket should bind: the internal port of `game_port_name` on
    /// Edgegap, `local_port` in local mode.
    std::uint16_t game_port() const;
    /// The address players' tokens must name: `<public ip>:<external port>` on Edgegap,
    /// `<local_public_ip>:<local_port>` in local mode.
    netcode::Address advertised_address() const;

  private:
    struct Impl;
    explicit SessionGate(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::server
