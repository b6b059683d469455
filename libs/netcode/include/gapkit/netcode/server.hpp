#pragma once

/// @file
/// A netcode 1.02 game server endpoint: one bound UDP socket, up to 256 client slots, admission by
/// connect token, keep-alives, timeouts and unreliable payloads.
///
/// Tick driven and single-threaded: the server has no threads of its own and never blocks. Call
/// every method from one thread (the game loop): `Update` once per tick with the current time,
/// then drain `Poll` until it returns false, then send. Time comes in as two parameters so tests
/// can drive it by hand: `now_seconds` is any monotonic clock (timeouts, keep-alives) and
/// `now_unix_seconds` is wall-clock Unix time (connect-token expiry).
///
/// Admission follows the reference (section 6 of the spec): the token must decrypt with the
/// private key, not be expired, list one of this server's *advertised* addresses, not be in use
/// from another address, and a slot must be free; then a challenge/response round trip proves the
/// client owns its address. Reliability and ordering are not provided: payloads are datagrams.
///
/// Ownership: the server owns its socket and all connection state; `ServerEvent`s are values.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode {

/// Set once at construction. `Validate()` runs in `Start()`.
struct ServerConfig {
    std::uint64_t protocol_id = 0;  ///< Must equal the tokens' protocol id. Default 0.
    Key private_key{};              ///< Shared with the token issuer. Never logged. Default all zeros (refused).
    /// Local address to bind, e.g. 0.0.0.0:6420; port 0 picks a free port. Default 0.0.0.0:0.
    Address bind_address = Address::Ipv4(0, 0, 0, 0, 0);
    /// Addresses clients are told to use (the public ip:port behind a port mapping). A token is
    /// accepted when its private address list holds one of these or the bound address. Default
    /// empty: only the bound address (with the port actually bound).
    std::vector<Address> advertised_addresses;
    int max_clients = 64;  ///< Slots, 1..256. Default 64.

    /// Checks ranges and that the key is not all zeros; the error names the field.
    Status Validate() const;
};

enum class ServerEventType { kClientConnected, kClientDisconnected, kPayload };

/// Why a slot was freed.
enum class DisconnectReason {
    kClientDisconnected,  ///< The client sent a disconnect packet.
    kTimedOut,            ///< Nothing heard for the token's timeout_seconds.
    kServerDisconnected,  ///< `DisconnectClient` was called.
    kServerStopped,       ///< `Stop` (or destruction) disconnected everyone.
};

std::string_view ToString(ServerEventType type);
std::string_view ToString(DisconnectReason reason);

/// One thing the game must know about. Fields beyond the first four are set only for their type.
struct ServerEvent {
    ServerEventType type = ServerEventType::kPayload;
    int client_index = -1;
    std::uint64_t client_id = 0;
    Address address;
    UserData user_data{};                                   ///< kClientConnected: from the token.
    DisconnectReason reason = DisconnectReason::kTimedOut;  ///< kClientDisconnected.
    std::vector<std::uint8_t> payload;                      ///< kPayload: 1..1200 bytes.
};

/// A path to clients other than the server's UDP socket. A game server's WebTransport endpoint
/// (browsers cannot send UDP) gives each of its sessions an address of its own and carries that
/// client's packets: it hands each one to `Server::ReceiveFromLink`, and the server sends every
/// packet for an address the link serves through `Send` instead of its socket. The server drops
/// UDP datagrams whose source is such an address, so a spoofed source cannot speak for a link's
/// client. Called only from within the server's own calls, on the game thread.
class PacketLink {
  public:
    virtual ~PacketLink() = default;
    /// True for the addresses of this link's clients.
    virtual bool Serves(const Address& address) const = 0;
    /// One whole netcode packet (at most kMaxPacketBytes) for `to`, an address `Serves` accepts.
    virtual void Send(const Address& to, std::span<const std::uint8_t> packet) = 0;
};

class Server {
  public:
    explicit Server(ServerConfig config);
    ~Server();  ///< Stops (sending disconnects) if running.
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Validates the config, binds the socket and starts with fresh secrets: a new challenge key and
    /// the global sequence re-seeded to 2^63 (the reference's 2026 fix against nonce reuse across
    /// restarts). Restarts if already running. Errors name the config field or the socket failure.
    Status Start();

    /// Disconnects every client (reason kServerStopped), closes the socket and forgets all tokens,
    /// pending handshakes and sequences. Harmless when stopped.
    void Stop();

    bool running() const;

    /// Receives and processes waiting datagrams (at most a bounded number per call), sends due
    /// keep-alives and times out silent clients. No-op when stopped.
    void Update(double now_seconds, std::uint64_t now_unix_seconds);

    /// Routes the packets for `link`'s addresses through it (not owned: it must outlive the server,
    /// or be replaced by nullptr first). Default: none, every packet goes to the socket.
    void SetLink(PacketLink* link);

    /// Processes one packet that came over the link from `from` exactly as a datagram from the
    /// socket: the same admission, checks and events. It counts as received at the `now_seconds`
    /// of the last `Update`, so hand over a tick's link packets right after it. Packets of 1 byte
    /// or more than kMaxPacketBytes are dropped, as from the socket. No-op when stopped.
    void ReceiveFromLink(const Address& from, std::span<const std::uint8_t> packet, std::uint64_t now_unix_seconds);

    /// Moves the oldest pending event into `event`; false when there is none.
    bool Poll(ServerEvent& event);

    /// Sends one unreliable payload (1..1200 bytes) to a connected client. Errors: bad index, not
    /// connected, bad size, socket failure.
    Status SendPayload(int client_index, std::span<const std::uint8_t> payload);

    /// Sends the redundant disconnect packets and frees the slot (event reason kServerDisconnected).
    void DisconnectClient(int client_index);

    int num_connected_clients() const;
    int max_clients() const;
    bool ClientConnected(int client_index) const;
    /// The token's client id of a connected slot; 0 for a free or invalid slot.
    std::uint64_t ClientId(int client_index) const;
    /// The token's user data of a connected slot; all zeros for a free or invalid slot.
    const UserData& ClientUserData(int client_index) const;

    /// The bound address (actual port after binding port 0); kNone while stopped.
    Address bound_address() const;

    /// The sequence the next pre-slot packet (challenge, denied) will use; for tests and diagnostics.
    std::uint64_t global_sequence() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::netcode
