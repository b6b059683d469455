#pragma once

// A blocking WebTransport client for tests and benchmarks, built on ngtcp2 + gnutls like the
// endpoint, that behaves as Chromium 156 does (docs/design/webtransport-research.md §1.3-1.8):
// QUIC v1, ALPN "h3", its SETTINGS {0x01:0, 0x06:16384, 0x07:0, 0x33:1, 0xffd277:1, 0x2b603742:1},
// the extended CONNECT on stream 0 after the server's SETTINGS (which must allow WebTransport as
// Chromium requires), draft-02 headers, datagrams with the quarter stream id prefix, and the
// certificate pinned by the SHA-256 of its DER.
//
// Threads: one client belongs to one thread. It has its own non-blocking UDP socket and only does
// I/O inside its calls (poll()), so the endpoint under test may run in another thread:
// `EndpointLoop` runs one there as a game loop would.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/client.hpp"
#include "gapkit/server/certificate.hpp"
#include "gapkit/webtransport/endpoint.hpp"

namespace gapkit::webtransport::testing {

struct TestClientConfig {
    /// The endpoint's IPv4 or IPv6 literal. Default "127.0.0.1".
    std::string server_ip = "127.0.0.1";
    /// The endpoint's UDP port. Required.
    std::uint16_t server_port = 0;
    /// The CONNECT's :path. Default "/netcode".
    std::string path = "/netcode";
    /// The server certificate's SHA-256 as `server::FormatDigest` writes it ("ab:cd:..."); "" skips
    /// the check. Default "".
    std::string expected_digest;
    /// How long `Connect` waits for the handshake, the SETTINGS and the response, in seconds.
    /// Default 5.
    double timeout_seconds = 5;
    /// false: never send our SETTINGS (to test that the server waits for them). Default true.
    bool send_settings = true;
};

class TestClient {
  public:
    /// Handshake, SETTINGS, CONNECT, and the response. Errors say which: a timeout (and in which
    /// step), a TLS failure or digest mismatch, "refused with status 404", or the connection
    /// closed by the server with its error code.
    static common::Result<std::unique_ptr<TestClient>> Connect(const TestClientConfig& config);

    /// Sends CONNECTION_CLOSE (H3_NO_ERROR) unless the connection is already closed.
    ~TestClient();
    TestClient(const TestClient&) = delete;
    TestClient& operator=(const TestClient&) = delete;

    /// The CONNECT response's :status (200 once `Connect` returned).
    int response_status() const;

    /// Sends `payload` as one WebTransport datagram, now or, while pacing or congestion control
    /// holds it back, within `timeout_seconds` of the config. Errors when it is over
    /// `max_datagram_payload`, congestion control took nothing in time, or the connection ended.
    common::Status SendDatagram(std::span<const std::uint8_t> payload);

    /// The oldest datagram received (payload without the prefix), pumping the connection for up
    /// to `timeout_seconds` until one arrives; nothing on timeout or when the connection closed.
    std::optional<std::vector<std::uint8_t>> ReceiveDatagram(double timeout_seconds);

    /// Sends CLOSE_WEBTRANSPORT_SESSION (capsule 0x2843 in a DATA frame) and FIN on the CONNECT
    /// stream, as `WebTransport.close()` does.
    common::Status CloseSession(std::uint32_t code, std::string_view message);

    /// Pumps the connection for `seconds` (ACKs, timers, the server's packets).
    void Pump(double seconds);

    /// The server closed the connection (CONNECTION_CLOSE received, or it is draining) or ended
    /// the session (close capsule and FIN on the CONNECT stream; the client then closes, as
    /// Chromium does).
    bool closed_by_server() const;

    /// The largest datagram payload `SendDatagram` takes: within the server's
    /// max_datagram_frame_size and one 1250-byte packet (Chromium's size), after the QUIC
    /// overhead and the quarter stream id prefix.
    std::size_t max_datagram_payload() const;

  private:
    struct Impl;
    explicit TestClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// Runs an `Endpoint` in a thread of its own like a game loop: `Update` about every millisecond,
/// then `Poll` until empty, keeping each event for `WaitFor`. With `echo`, every datagram is sent
/// straight back to its session. Methods may be called from any thread.
class EndpointLoop {
  public:
    EndpointLoop(std::unique_ptr<Endpoint> endpoint, bool echo);
    /// Stops the thread, then destroys the endpoint.
    ~EndpointLoop();
    EndpointLoop(const EndpointLoop&) = delete;
    EndpointLoop& operator=(const EndpointLoop&) = delete;

    std::uint16_t port() const { return port_; }

    /// Removes and returns the oldest event of `type`, waiting up to `timeout_seconds` for one.
    std::optional<Event> WaitFor(EventType type, double timeout_seconds);

    /// Runs `action` on the loop thread between two updates and returns once it ran.
    void Run(const std::function<void(Endpoint&)>& action);

    /// The endpoint's counters; they include everything a client has seen from it.
    EndpointStats stats() const;

  private:
    void Loop();

    const std::unique_ptr<Endpoint> endpoint_;
    const bool echo_;
    const std::uint16_t port_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;        // An event arrived or an action ran.
    std::deque<Event> events_;               // Guarded by mutex_.
    std::function<void(Endpoint&)> action_;  // Guarded by mutex_; run and cleared by the loop.
    EndpointStats stats_;                    // Guarded by mutex_.
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

/// A certificate for 127.0.0.1, made once per test program.
const server::SelfSignedCertificate& LoopbackCertificate();

/// An endpoint on 127.0.0.1 (a free port) with `LoopbackCertificate`, other fields at their defaults.
EndpointConfig LoopbackEndpointConfig();

/// A client of `loop`'s endpoint that pins `LoopbackCertificate`, other fields at their defaults.
TestClientConfig LoopbackClientConfig(const EndpointLoop& loop);

/// netcode over a TestClient's datagrams, the C++ twin of gapkit.js's transport: give it to
/// `netcode::Client::SetLink`. A datagram the client cannot send is a lost packet, as over UDP.
class DatagramLink final : public netcode::ClientLink {
  public:
    explicit DatagramLink(TestClient& client) : client_(client) {}
    void Send(std::span<const std::uint8_t> packet) override { (void)client_.SendDatagram(packet); }
    bool Receive(std::vector<std::uint8_t>& packet) override {
        auto datagram = client_.ReceiveDatagram(0);
        if (!datagram) return false;
        packet = std::move(*datagram);
        return true;
    }

  private:
    TestClient& client_;
};

}  // namespace gapkit::webtransport::testing
