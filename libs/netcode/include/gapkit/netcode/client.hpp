#pragma once

/// @file
/// A netcode 1.02 client: connects to a server with a connect token and exchanges unreliable
/// payloads.
///
/// Tick driven and single-threaded: no threads, no blocking. Call every method from one thread;
/// call `Update(now_seconds)` once per tick with a monotonic time in seconds, then drain `Poll`.
/// The client owns its UDP socket (bound to an ephemeral port of the server address's family).
///
/// States follow the reference (section 7 of the spec), including every error state; each value
/// equals the reference's number. A token lists up to 32 servers: on a denial or a handshake timeout
/// the client tries the next one before giving up. Token expiry is judged by the token's lifetime
/// (expire - create) on the monotonic clock, so the client's wall clock does not matter.

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode {

enum class ClientState : int {
    kConnectTokenExpired = -6,
    kInvalidConnectToken = -5,
    kConnectionTimedOut = -4,
    kConnectionResponseTimedOut = -3,
    kConnectionRequestTimedOut = -2,
    kConnectionDenied = -1,
    kDisconnected = 0,
    kSendingConnectionRequest = 1,
    kSendingConnectionResponse = 2,
    kConnected = 3,
};

/// "connect token expired", ..., "connected".
std::string_view ToString(ClientState state);

/// A path to the server other than the client's UDP socket: a WebTransport session, or a game's
/// own transport. The client sends every packet through `Send` and takes what `Receive` hands it
/// as packets from the server it is trying, with the same checks as from the socket. Called only
/// from within the client's own calls, on its thread.
class ClientLink {
  public:
    virtual ~ClientLink() = default;
    /// One whole netcode packet (at most kMaxPacketBytes) for the server.
    virtual void Send(std::span<const std::uint8_t> packet) = 0;
    /// Moves the next packet from the server into `packet`; false when none is waiting.
    virtual bool Receive(std::vector<std::uint8_t>& packet) = 0;
};

class Client {
  public:
    Client();
    ~Client();  ///< Disconnects (sending disconnect packets) if connected or connecting.
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Carries the client's packets over `link` (not owned: it must outlive the client, or be
    /// replaced by nullptr first) instead of a UDP socket; set it before `Connect`. Default: none.
    void SetLink(ClientLink* link);

    /// Starts connecting with a 2048-byte public connect token. A token that does not parse leaves
    /// the client in kInvalidConnectToken and returns the reason; a local socket failure returns an
    /// error and leaves it kDisconnected.
    Status Connect(std::span<const std::uint8_t> connect_token, double now_seconds);

    /// Receives, sends the handshake or keep-alive at 10 Hz, and applies the timeouts.
    void Update(double now_seconds);

    /// Sends one unreliable payload (1..1200 bytes). Errors when not connected or bad size.
    Status SendPayload(std::span<const std::uint8_t> payload);

    /// Moves the oldest received payload into `payload`; false when there is none.
    bool Poll(std::vector<std::uint8_t>& payload);

    /// Sends the redundant disconnect packets if connecting or connected and goes to kDisconnected.
    void Disconnect();

    ClientState state() const;
    int client_index() const;        ///< The server's slot for us, once connected; -1 before.
    int max_clients() const;         ///< The server's capacity, once connected; 0 before.
    Address server_address() const;  ///< The server being tried or connected to.
    Address local_address() const;   ///< Our socket's address; kNone before `Connect` or with a link.

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::netcode
