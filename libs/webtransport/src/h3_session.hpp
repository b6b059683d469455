#pragma once

// The HTTP/3 side of one QUIC connection that carries one datagram-only WebTransport session,
// without I/O: the QUIC layer (quic_connection.cpp) feeds it stream bytes and writes what it
// asks for. It reads the peer's control stream (SETTINGS first, must allow datagrams), ignores
// the QPACK streams (both sides advertise a dynamic table of 0), decodes the CONNECT request on
// the first client bidirectional stream with nghttp3's QPACK decoder, checks it, and answers it.
//
// Owned by one connection, single-threaded.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gapkit::webtransport::detail {

struct H3Limits {
    /// Largest HEADERS frame payload accepted, and the SETTINGS_MAX_FIELD_SECTION_SIZE sent.
    std::size_t max_field_section_bytes = 4096;
    /// Largest frame of another kind accepted on the control or CONNECT stream (SETTINGS,
    /// GOAWAY, DATA carrying capsules, unknown types are skipped without buffering).
    std::size_t max_frame_bytes = 4096;
    /// The CONNECT's :path must equal this (before any '?'); otherwise 404.
    std::string path = "/netcode";
};

/// What the QUIC layer must do after a call: bytes to write on a stream (which it buffers until
/// acknowledged), streams to stop, or the whole connection to close with an HTTP/3 error code.
struct StreamWrite {
    std::int64_t stream_id = 0;
    std::vector<std::uint8_t> bytes;
    bool fin = false;
};

struct H3Error {
    std::uint64_t code = 0;  ///< An HTTP/3 error code from h3_wire.hpp.
    std::string reason;      ///< For logs and the close event.
};

enum class SessionState {
    kWaiting,  ///< No acceptable CONNECT yet.
    kOpen,     ///< The CONNECT was answered 200: datagrams flow.
    kRefused,  ///< The CONNECT was answered 4xx (bad path, method, protocol or headers).
    kClosed,   ///< The browser closed the session (capsule, FIN or reset on the CONNECT stream).
};

class H3Session {
  public:
    explicit H3Session(H3Limits limits);
    ~H3Session();
    H3Session(const H3Session&) = delete;
    H3Session& operator=(const H3Session&) = delete;

    /// The bytes of this server's three unidirectional streams, in order: control (type and
    /// SETTINGS), QPACK encoder (type only), QPACK decoder (type only). Written once, at
    /// handshake completion, on three streams the QUIC layer opens; never finished.
    std::vector<std::vector<std::uint8_t>> LocalStreamPreambles() const;

    /// Bytes received on a peer stream, in order, with `fin` on the last. Returns the error that
    /// must close the connection, if any; once one was returned, every later call returns it again
    /// and does nothing else. Client-initiated bidirectional streams other than the first one, and
    /// unidirectional streams of unknown or WebTransport type, are put in `TakeStopSending` rather
    /// than failing the connection. More than 16 unidirectional streams over the connection's life,
    /// or 16 refused bidirectional ones, is H3_EXCESSIVE_LOAD.
    std::optional<H3Error> OnStreamData(std::int64_t stream_id, std::span<const std::uint8_t> bytes, bool fin);

    /// The peer reset `stream_id`. Resetting the control or a QPACK stream is an error
    /// (H3_CLOSED_CRITICAL_STREAM, as is their FIN); resetting the CONNECT stream closes the session.
    std::optional<H3Error> OnStreamReset(std::int64_t stream_id);

    /// Writes queued by the calls above (the CONNECT's response), moved out.
    std::vector<StreamWrite> TakeWrites();
    /// Streams to refuse with STOP_SENDING / RESET_STREAM (H3_STREAM_CREATION_ERROR), moved out.
    std::vector<std::int64_t> TakeStopSending();

    SessionState state() const;
    /// The CONNECT stream's id: the first client bidirectional stream that carried bytes
    /// (datagrams carry its quarter). Check `state()` before trusting it.
    std::optional<std::int64_t> connect_stream_id() const;
    /// The peer's SETTINGS arrived (and allowed HTTP datagrams).
    bool settings_received() const;
    /// kRefused/kClosed: why, for logs.
    const std::string& end_reason() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gapkit::webtransport::detail
