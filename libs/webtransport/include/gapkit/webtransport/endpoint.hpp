#pragma once

/// @file
/// `Endpoint`: a WebTransport server for datagrams only, so that browsers can reach a netcode game
/// server. It speaks QUIC v1 (ngtcp2 + gnutls) and the small part of HTTP/3 a WebTransport session
/// needs (SETTINGS, the extended CONNECT, HTTP datagrams); it opens no streams for the game and
/// accepts none. WebTransport draft-02 is what Chromium speaks today (docs/browser.md).
///
/// Each accepted session is one client of the game, named by a synthetic `netcode::Address` from
/// the discard-only prefix `100::/64` (RFC 6666) that no real peer can have. The address stays the
/// same for the whole session even if the browser's UDP address changes. `Endpoint` is a
/// `netcode::PacketLink`: give it to `netcode::Server::SetLink`, hand each `kDatagram` event to
/// `netcode::Server::ReceiveFromLink`, and netcode's packets for its sessions come back through
/// `Send`, one packet per datagram.
///
/// Threads: no threads of its own, no callbacks. Call every method from one thread (the game
/// loop): `Update` once per tick, then drain `Poll`. Nothing blocks: the socket is non-blocking.
///
/// Ownership: the caller owns the `Endpoint`; it owns its socket, TLS credentials and connections.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/server.hpp"

namespace gapkit::webtransport {

struct EndpointConfig {
    /// Local address to bind, an IPv4 or IPv6 literal. Default "0.0.0.0".
    std::string bind_ip = "0.0.0.0";
    /// UDP port to bind; 0 picks a free one (see `Endpoint::bound_port`). Default 0.
    std::uint16_t port = 0;
    /// The server certificate, PEM. Browsers pin it by the SHA-256 of its DER
    /// (`serverCertificateHashes`), so it must be ECDSA and valid for at most 14 days. Required.
    std::string certificate_pem;
    /// Its private key, PEM. Secret: never logged. Required.
    std::string private_key_pem;
    /// The CONNECT request's `:path` must be this (the query string is ignored); others get 404.
    /// Default "/netcode".
    std::string path = "/netcode";
    /// Sessions at once, counting handshakes in progress, 1..4096. Default 64.
    int max_sessions = 64;
    /// Connections still in their TLS handshake at once, 1..4096: a cap on what a flood of Initial
    /// packets can cost. Default 16.
    int max_handshakes = 16;
    /// Of those, from one IP address, 1..4096: one address cannot take every handshake slot and
    /// keep other browsers out. Default 4.
    int max_handshakes_per_ip = 4;
    /// A connection that has not finished its handshake and CONNECT in this time is dropped,
    /// (0, 60]. Default 5 s.
    double handshake_timeout_seconds = 5;
    /// A connection silent this long is closed (QUIC max_idle_timeout), [1, 600]. Default 30 s,
    /// longer than netcode's own timeout so that netcode decides when a player is gone.
    double idle_timeout_seconds = 30;
    /// Largest datagram payload (one netcode packet) accepted from or sent to a browser,
    /// 64..1200. A larger one is dropped and counted. Default 1200.
    std::size_t max_datagram_bytes = 1200;

    /// Checks ranges and that the certificate and key are present; errors name the field.
    common::Status Validate() const;
};

enum class EventType {
    kSessionOpened,  ///< A browser's CONNECT was accepted; `address` names the session from now on.
    kDatagram,       ///< One datagram from `address`, in `datagram`.
    kSessionClosed,  ///< The session ended (closed by the browser, idle, or a protocol error).
};

struct Event {
    EventType type = EventType::kDatagram;
    /// The session's synthetic address (see the file comment).
    netcode::Address address;
    /// kDatagram: the payload, without the HTTP datagram prefix.
    std::vector<std::uint8_t> datagram;
    /// kSessionOpened: the browser's UDP address, e.g. "[::1]:50312"; kSessionClosed: why.
    std::string detail;
};

/// Counters since `Open`, for metrics and tests.
struct EndpointStats {
    std::uint64_t connections_accepted = 0;  ///< QUIC connections created from an Initial.
    std::uint64_t connections_refused = 0;   ///< Initials refused by the session and handshake caps.
    std::uint64_t sessions_opened = 0;       ///< CONNECTs answered 200.
    std::uint64_t sessions_refused = 0;      ///< CONNECTs answered 4xx.
    std::uint64_t datagrams_received = 0;    ///< Datagrams handed to `Poll`.
    std::uint64_t datagrams_sent = 0;        ///< Datagrams written into a QUIC packet.
    std::uint64_t datagrams_dropped = 0;     ///< Too big, unknown session, or no room to send.
    std::uint64_t protocol_errors = 0;       ///< Connections closed for breaking QUIC or HTTP/3.
};

class Endpoint final : public netcode::PacketLink {
  public:
    /// Validates `config`, loads the certificate and key, and binds the UDP socket. Errors name
    /// the field, the TLS failure or the socket failure.
    static common::Result<std::unique_ptr<Endpoint>> Open(const EndpointConfig& config);

    /// Closes every connection (CONNECTION_CLOSE, no wait) and the socket.
    ~Endpoint() override;
    Endpoint(const Endpoint&) = delete;
    Endpoint& operator=(const Endpoint&) = delete;

    /// Receives waiting packets (a bounded number per call), runs QUIC timers, answers CONNECTs
    /// and queues events. `now_seconds` is any monotonic clock in seconds, never going back.
    void Update(double now_seconds);

    /// Moves the oldest event into `event` (reusing its buffer); false when there is none.
    bool Poll(Event& event);

    /// netcode::PacketLink: true for the address of an open session.
    bool Serves(const netcode::Address& address) const override;
    /// netcode::PacketLink: sends `packet` to the session `to` as one datagram now. Dropped (and
    /// counted) when the session is gone, the packet is over `max_datagram_bytes` or the
    /// browser's limit, or congestion control has no room.
    void Send(const netcode::Address& to, std::span<const std::uint8_t> packet) override;

    /// Closes one session (the browser sees the WebTransport session end). A `kSessionClosed`
    /// event follows.
    void Close(const netcode::Address& address);

    std::uint16_t bound_port() const;
    int num_sessions() const;
    const EndpointStats& stats() const;

  private:
    struct Impl;
    explicit Endpoint(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::webtransport
