#pragma once

// One QUIC connection of the endpoint: ngtcp2's state, the gnutls session, the HTTP/3 session it
// carries, and the bytes of our own streams until the peer acknowledges them (ngtcp2 keeps only
// pointers to stream data it may have to resend). Owned by the endpoint, used from its thread.
//
// ngtcp2 forbids calling back into a connection from its callbacks, so callbacks only record:
// stream bytes go to the HTTP/3 session (pure computation), datagrams to the host, errors to
// `pending_error_`; the caller acts after `Read` or `OnTimer` returns.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/address.hpp"
#include "h3_session.hpp"

namespace gapkit::webtransport::detail {

class QuicConnection;
class TlsContext;

/// Bytes of the connection ids this endpoint issues.
inline constexpr std::size_t kConnectionIdBytes = 18;

/// How long after `EndSession` the browser has to close the connection itself (Chromium closes
/// within min(3 PTO, 2 s) of a session's end).
inline constexpr ngtcp2_duration kSessionEndGrace = 2 * NGTCP2_SECONDS;

/// The callbacks ngtcp2_crypto implements for either side of a connection (packet protection,
/// crypto data, key updates, path challenges, version negotiation); each side adds its own.
ngtcp2_callbacks CryptoCallbacks();

/// The IP of a socket address as text, without the port ("::1", "192.0.2.7").
std::string PeerIp(const ngtcp2_sockaddr* address);

/// What a connection needs from the endpoint that owns it.
class ConnectionHost {
  public:
    virtual ~ConnectionHost() = default;
    /// Packets for `cid` must now reach `connection`.
    virtual void AddConnectionId(std::span<const std::uint8_t> cid, QuicConnection& connection) = 0;
    /// `cid` is retired.
    virtual void RemoveConnectionId(std::span<const std::uint8_t> cid) = 0;
    /// Sends one UDP datagram to `to`.
    virtual void SendPacket(const ngtcp2_addr& to, std::span<const std::uint8_t> packet) = 0;
    /// One HTTP datagram payload of `connection`'s open session.
    virtual void OnDatagram(QuicConnection& connection, std::span<const std::uint8_t> payload) = 0;
    /// A received datagram was dropped: malformed, or for no open session.
    virtual void OnDatagramDropped() = 0;
    /// 32 secret bytes for stateless-reset tokens, fixed for the endpoint's life.
    virtual std::span<const std::uint8_t> static_secret() const = 0;
};

struct ConnectionLimits {
    H3Limits h3;
    ngtcp2_duration handshake_timeout = 5 * NGTCP2_SECONDS;
    ngtcp2_duration idle_timeout = 30 * NGTCP2_SECONDS;
};

/// The socket addresses of a packet's path, as the endpoint received it.
struct PacketPath {
    const ngtcp2_sockaddr* local = nullptr;
    ngtcp2_socklen local_length = 0;
    const ngtcp2_sockaddr* remote = nullptr;
    ngtcp2_socklen remote_length = 0;
};

class QuicConnection {
  public:
    /// Creates the server side of a connection from a client's first Initial packet (`header`
    /// from `ngtcp2_accept`) and reads that packet. Errors: TLS or ngtcp2 set-up failures.
    static common::Result<std::unique_ptr<QuicConnection>> Accept(ConnectionHost& host, const TlsContext& tls,
                                                                  const ConnectionLimits& limits,
                                                                  const ngtcp2_pkt_hd& header, const PacketPath& path,
                                                                  std::span<const std::uint8_t> packet,
                                                                  ngtcp2_tstamp now);
    ~QuicConnection();
    QuicConnection(const QuicConnection&) = delete;
    QuicConnection& operator=(const QuicConnection&) = delete;

    /// Processes one received packet and writes what is due: handshake packets and the
    /// CONNECT's answer at once; once the session is open, ACKs wait for the next datagram sent
    /// or the next `OnTimer`.
    void Read(const PacketPath& path, std::span<const std::uint8_t> packet, ngtcp2_tstamp now);
    /// Runs ngtcp2's timers if due, and the handshake deadline, then writes what is due.
    void OnTimer(ngtcp2_tstamp now);
    /// Sends one HTTP datagram on the open session now. False when it was dropped: no open
    /// session, larger than the browser accepts, or no room under congestion control.
    bool SendDatagram(std::span<const std::uint8_t> payload, ngtcp2_tstamp now);
    /// Closes the connection with an HTTP/3 application error (kH3NoError for a normal end).
    void Close(std::uint64_t h3_error_code, std::string_view reason, ngtcp2_tstamp now);
    /// Ends an open session the way the browser expects: CLOSE_WEBTRANSPORT_SESSION with FIN on
    /// the CONNECT stream, so its `closed` promise resolves (a bare CONNECTION_CLOSE reads as
    /// "connection lost"). The browser then closes the connection; if it has not within
    /// kSessionEndGrace, `Close` does. Without an open session it is `Close`.
    void EndSession(std::uint32_t code, std::string_view reason, ngtcp2_tstamp now);

    /// The next time `OnTimer` has work (0: at once, e.g. ACKs a read left for the next Update).
    ngtcp2_tstamp expiry() const;
    /// True once the connection is gone for good (closing/draining over, idle, dropped): the
    /// endpoint deletes it and forgets its ids.
    bool finished() const { return finished_; }
    /// True while closing or draining: no session traffic any more.
    bool closing() const { return closing_deadline_.has_value(); }
    /// True once the session can carry nothing more: ended by either side, or the connection is
    /// closing or gone.
    bool session_over() const { return finished_ || closing() || end_deadline_.has_value(); }
    /// True until the TLS handshake completes.
    bool in_handshake() const;
    SessionState session_state() const { return h3_.state(); }
    /// Why the connection or session ended, for the close event.
    const std::string& end_reason() const;
    /// Largest HTTP datagram payload the browser accepts (0 before the handshake).
    std::size_t max_datagram_payload() const;
    /// The browser's address, e.g. "[::1]:50312".
    const std::string& remote_text() const { return remote_text_; }
    /// The browser's IP, without the port, as `PeerIp` writes it.
    const std::string& remote_ip() const { return remote_ip_; }

    /// The session's synthetic netcode address, set by the endpoint when the session opens.
    netcode::Address address;
    /// The endpoint has counted this connection's refused CONNECT.
    bool refusal_counted = false;

  private:
    struct OutgoingStream {
        std::int64_t id = -1;
        std::deque<std::vector<std::uint8_t>> chunks;  // Immutable once queued: ngtcp2 points into them.
        std::uint64_t first_chunk_offset = 0;          // Stream offset of chunks.front().
        std::uint64_t written_offset = 0;              // Bytes handed to ngtcp2 so far.
        std::uint64_t queued_offset = 0;               // Bytes queued so far.
        bool fin = false;                              // Finish after the queued bytes.
        bool fin_written = false;
    };

    QuicConnection(ConnectionHost& host, const ConnectionLimits& limits);
    common::Status Init(const TlsContext& tls, const ngtcp2_pkt_hd& header, const PacketPath& path, ngtcp2_tstamp now);
    static ngtcp2_callbacks Callbacks();

    void AfterProgress(ngtcp2_tstamp now);
    void HandleLibraryError(int error, ngtcp2_tstamp now);
    void CloseWith(const ngtcp2_connection_close_error& error, std::string reason, ngtcp2_tstamp now);
    void EnterDraining(std::string reason, ngtcp2_tstamp now);
    void Drop(std::string reason);
    void Flush(ngtcp2_tstamp now);
    OutgoingStream* StreamWithDataToWrite(std::span<const std::int64_t> blocked);
    static std::size_t UnwrittenVectors(const OutgoingStream& stream, std::span<ngtcp2_vec> vectors);
    void QueueStreamBytes(std::int64_t stream_id, std::vector<std::uint8_t> bytes, bool fin);
    void OpenLocalStreams();
    void ApplyH3Output();

    // ngtcp2 callbacks.
    static int OnHandshakeCompleted(ngtcp2_conn* conn, void* user_data);
    static int OnStreamData(ngtcp2_conn* conn, std::uint32_t flags, std::int64_t stream_id, std::uint64_t offset,
                            const std::uint8_t* data, std::size_t length, void* user_data, void* stream_user_data);
    static int OnStreamReset(ngtcp2_conn* conn, std::int64_t stream_id, std::uint64_t final_size,
                             std::uint64_t app_error_code, void* user_data, void* stream_user_data);
    static int OnStreamClose(ngtcp2_conn* conn, std::uint32_t flags, std::int64_t stream_id,
                             std::uint64_t app_error_code, void* user_data, void* stream_user_data);
    static int OnAckedStreamData(ngtcp2_conn* conn, std::int64_t stream_id, std::uint64_t offset, std::uint64_t length,
                                 void* user_data, void* stream_user_data);
    static int OnDatagram(ngtcp2_conn* conn, std::uint32_t flags, const std::uint8_t* data, std::size_t length,
                          void* user_data);
    static int OnNewConnectionId(ngtcp2_conn* conn, ngtcp2_cid* cid, std::uint8_t* token, std::size_t length,
                                 void* user_data);
    static int OnRemoveConnectionId(ngtcp2_conn* conn, const ngtcp2_cid* cid, void* user_data);
    static ngtcp2_conn* GetConnection(ngtcp2_crypto_conn_ref* ref);

    void RecordH3Error(const std::optional<H3Error>& error);

    ConnectionHost& host_;
    ConnectionLimits limits_;
    H3Session h3_;
    ngtcp2_conn* conn_ = nullptr;
    gnutls_session_t tls_ = nullptr;
    ngtcp2_crypto_conn_ref conn_ref_{};
    ngtcp2_path_storage path_{};
    std::string remote_text_;
    std::string remote_ip_;
    std::vector<ngtcp2_cid> issued_ids_;  // Every id the host routes to us, removed at the end.
    std::vector<OutgoingStream> outgoing_;
    std::optional<H3Error> pending_error_;
    ngtcp2_tstamp accepted_at_ = 0;
    std::optional<ngtcp2_tstamp> closing_deadline_;
    std::optional<ngtcp2_tstamp> end_deadline_;  // EndSession: when to close if the browser has not.
    std::vector<std::uint8_t> close_packet_;     // Resent while closing, when the peer keeps sending.
    bool flush_due_ = false;            // A read left ACKs to send; the next timer run (next Update) sends them.
    bool handshake_completed_ = false;  // Set by the callback; our streams open after it returns.
    bool local_streams_open_ = false;
    bool draining_ = false;
    bool finished_ = false;
    std::vector<std::uint8_t> datagram_prefix_;  // varint(CONNECT stream id / 4), once the session is open.
    std::string end_reason_;
    std::uint64_t next_datagram_id_ = 0;
    std::vector<std::uint8_t> send_buffer_;
};

}  // namespace gapkit::webtransport::detail
