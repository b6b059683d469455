#include "test_client_test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>

#include <fmt/format.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "gapkit/server/certificate.hpp"
#include "h3_qpack.hpp"
#include "h3_wire.hpp"
#include "quic_connection.hpp"

namespace gapkit::webtransport::testing {
namespace {

using common::ErrorCode;
using common::MakeError;
namespace wire = detail;

// Same suites as the endpoint: QUIC forbids the compatibility mode (RFC 9001 §8.4).
constexpr const char* kPriority =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
    "%DISABLE_TLS13_COMPAT_MODE";
constexpr std::string_view kAlpn = "h3";
constexpr std::string_view kOrigin = "http://127.0.0.1";
// Chromium's values (research §1.3, §1.8): its QPACK limits, QUICHE's accepted DATAGRAM frame
// size, and kDefaultMaxPacketSize as the UDP payload it sends.
constexpr std::uint64_t kMaxFieldSectionBytes = 16384;
constexpr std::uint64_t kMaxDatagramFrameBytes = 65536;
constexpr std::size_t kMaxUdpPayloadBytes = 1250;
constexpr std::size_t kCidBytes = 8;
// A test client, not a server: bounds that only stop a broken endpoint from exhausting memory.
constexpr std::size_t kMaxBufferedStreamBytes = 1 << 20;
constexpr std::size_t kMaxQueuedDatagrams = 1 << 16;
constexpr int kMaxDatagramWriteAttempts = 8;
// Chromium still announces the old HTTP Datagrams draft next to RFC 9297's 0x33 (research §1.3).
constexpr std::uint64_t kSettingH3DatagramDraft04 = 0xffd277;

ngtcp2_tstamp Now() {
    return static_cast<ngtcp2_tstamp>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

ngtcp2_duration Nanoseconds(double seconds) { return static_cast<ngtcp2_duration>(seconds * NGTCP2_SECONDS); }

// Bytes queued on one of our streams. ngtcp2 points into them until they are acknowledged, so
// each chunk's buffer stays where it is (moving a vector keeps its buffer) until the client ends.
struct SendStream {
    std::vector<std::vector<std::uint8_t>> chunks;
    std::size_t chunk = 0;   // First chunk not fully written.
    std::size_t offset = 0;  // Bytes of it written.
    bool fin = false;
    bool fin_sent = false;

    bool Pending() const { return chunk < chunks.size() || (fin && !fin_sent); }
};

// Bytes received on one of the server's streams and not parsed yet.
struct ReceiveStream {
    std::vector<std::uint8_t> bytes;
    std::optional<std::uint64_t> type;  // Unidirectional streams: the stream type once read.
};

// Chromium's checks of the server's SETTINGS (research §1.4): its boolean settings must be 0 or 1,
// and a session needs HTTP datagrams and draft-02 (which also allows the extended CONNECT).
std::optional<std::string> CheckServerSettings(const std::vector<wire::Setting>& settings) {
    bool datagrams = false;
    bool draft02 = false;
    for (const auto& [id, value] : settings) {
        const bool boolean = id == wire::kSettingEnableConnectProtocol || id == wire::kSettingH3Datagram ||
                             id == kSettingH3DatagramDraft04 || id == wire::kSettingWebTransportDraft02;
        if (boolean && value > 1) {
            return fmt::format("the server's SETTINGS {:#x} = {} is not 0 or 1 (Chromium closes the connection)", id,
                               value);
        }
        datagrams = datagrams || ((id == wire::kSettingH3Datagram || id == kSettingH3DatagramDraft04) && value == 1);
        draft02 = draft02 || (id == wire::kSettingWebTransportDraft02 && value == 1);
    }
    if (datagrams && draft02) return std::nullopt;
    return "the server's SETTINGS lack 0x33 = 1 (HTTP datagrams) or 0x2b603742 = 1 (WebTransport draft-02): "
           "Chromium fails with ERR_METHOD_NOT_SUPPORTED";
}

}  // namespace

struct TestClient::Impl {
    explicit Impl(TestClientConfig config_in) : config(std::move(config_in)) {}
    ~Impl();

    common::Status Open();
    common::Status OpenSocket();
    common::Status SetUpTls();
    common::Status CreateConnection();
    std::string Authority() const;

    template <typename Done>
    bool RunUntil(ngtcp2_tstamp deadline, Done done);
    void ReadPackets();
    void HandleExpiry();
    void Flush();
    void Progress();
    void SendPacket(const std::uint8_t* data, std::size_t size);
    common::Result<bool> WriteDatagram(std::span<const ngtcp2_vec> data);
    std::size_t MaxDatagramPayload() const;
    void Queue(std::int64_t stream_id, std::vector<std::uint8_t> bytes, bool fin);
    void CloseConnection(const ngtcp2_connection_close_error& ccerr);
    void Fail(ErrorCode code, std::string message);
    void FailFromServerClose();
    bool Ended() const { return error.has_value(); }
    std::string Phase() const;

    void OpenLocalStreams();
    void SendConnect();
    bool OnStreamData(std::int64_t stream_id, std::span<const std::uint8_t> data, bool fin);
    bool ParseFrames(std::int64_t stream_id, ReceiveStream& stream);
    bool OnFrame(std::int64_t stream_id, std::uint64_t type, std::span<const std::uint8_t> payload);
    bool DecodeResponse(std::span<const std::uint8_t> block);
    bool CheckCertificate();

    static ngtcp2_conn* GetConn(ngtcp2_crypto_conn_ref* ref);
    static int VerifyCertificate(gnutls_session_t session);
    static void Rand(std::uint8_t* dest, std::size_t size, const ngtcp2_rand_ctx* ctx);
    static int NewConnectionId(ngtcp2_conn* conn, ngtcp2_cid* cid, std::uint8_t* token, std::size_t size,
                               void* user_data);
    static int ReceiveStreamData(ngtcp2_conn* conn, std::uint32_t flags, std::int64_t stream_id, std::uint64_t offset,
                                 const std::uint8_t* data, std::size_t size, void* user_data, void* stream_user_data);
    static int ReceiveDatagramFrame(ngtcp2_conn* conn, std::uint32_t flags, const std::uint8_t* data, std::size_t size,
                                    void* user_data);
    static int StreamReset(ngtcp2_conn* conn, std::int64_t stream_id, std::uint64_t final_size,
                           std::uint64_t app_error_code, void* user_data, void* stream_user_data);

    TestClientConfig config;
    int fd = -1;
    ngtcp2_path_storage path{};
    gnutls_certificate_credentials_t credentials = nullptr;
    gnutls_session_t session = nullptr;
    ngtcp2_crypto_conn_ref conn_ref{};
    ngtcp2_conn* conn = nullptr;

    std::map<std::int64_t, SendStream> send_streams;
    // Something may be due to go out: a packet was read, a timer fired or stream data was queued.
    // Saves asking ngtcp2 for packets on every poll of an idle connection.
    bool flush_needed = true;
    std::map<std::int64_t, ReceiveStream> receive_streams;
    bool local_streams_opened = false;
    bool settings_received = false;
    std::int64_t connect_stream = -1;
    int status = 0;
    std::deque<std::vector<std::uint8_t>> datagrams;
    std::vector<std::uint8_t> datagram_prefix;  // The CONNECT stream's quarter id as a varint.
    std::uint64_t next_datagram_id = 0;
    // Reused for every packet: large enough for any UDP datagram, and Chromium's packet size.
    std::vector<std::uint8_t> receive_buffer = std::vector<std::uint8_t>(65536);
    std::array<std::uint8_t, kMaxUdpPayloadBytes> send_buffer{};

    std::string certificate_error;         // Set by the verify callback; explains a TLS failure.
    bool closed_by_server = false;         // CONNECTION_CLOSE received, or the server ended the session.
    bool session_ended_by_server = false;  // FIN on the CONNECT stream after the response.
    std::optional<common::Error> error;    // Why the connection ended; nothing while it is up.
};

TestClient::Impl::~Impl() {
    if (conn != nullptr && !Ended()) {
        ngtcp2_connection_close_error ccerr;
        ngtcp2_connection_close_error_default(&ccerr);
        ngtcp2_connection_close_error_set_application_error(&ccerr, wire::kH3NoError, nullptr, 0);
        CloseConnection(ccerr);
    }
    if (conn != nullptr) ngtcp2_conn_del(conn);
    if (session != nullptr) gnutls_deinit(session);
    if (credentials != nullptr) gnutls_certificate_free_credentials(credentials);
    if (fd >= 0) ::close(fd);
}

common::Status TestClient::Impl::Open() {
    return OpenSocket().and_then([&] { return SetUpTls(); }).and_then([&] { return CreateConnection(); });
}

common::Status TestClient::Impl::OpenSocket() {
    sockaddr_storage remote{};
    socklen_t remote_size = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&remote);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&remote);
    if (inet_pton(AF_INET, config.server_ip.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(config.server_port);
        remote_size = sizeof(*v4);
    } else if (inet_pton(AF_INET6, config.server_ip.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(config.server_port);
        remote_size = sizeof(*v6);
    } else {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("server_ip '{}' is no IP literal", config.server_ip));
    }
    // A connected socket: the kernel filters other senders and reports ICMP errors to recv().
    fd = ::socket(remote.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_storage local{};
    socklen_t local_size = sizeof(local);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&remote), remote_size) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0) {
        return MakeError(ErrorCode::kIo, fmt::format("UDP socket to {}: {}", Authority(), std::strerror(errno)));
    }
    ngtcp2_path_storage_init(&path, reinterpret_cast<ngtcp2_sockaddr*>(&local), local_size,
                             reinterpret_cast<ngtcp2_sockaddr*>(&remote), remote_size, nullptr);
    return common::Ok();
}

common::Status TestClient::Impl::SetUpTls() {
    const gnutls_datum_t alpn{reinterpret_cast<unsigned char*>(const_cast<char*>(kAlpn.data())),
                              static_cast<unsigned>(kAlpn.size())};
    conn_ref = ngtcp2_crypto_conn_ref{&Impl::GetConn, this};
    const char* error_position = nullptr;
    if (gnutls_certificate_allocate_credentials(&credentials) != 0 ||
        gnutls_init(&session, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA) != 0 ||
        ngtcp2_crypto_gnutls_configure_client_session(session) != 0 ||
        gnutls_priority_set_direct(session, kPriority, &error_position) != 0 ||
        gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials) != 0 ||
        gnutls_alpn_set_protocols(session, &alpn, 1, GNUTLS_ALPN_MANDATORY) != 0) {
        return MakeError(ErrorCode::kTls, "cannot set up the client's TLS session");
    }
    // Like serverCertificateHashes: the pin replaces chain and name checks, so none else is made.
    gnutls_certificate_set_verify_function(credentials, &Impl::VerifyCertificate);
    gnutls_session_set_ptr(session, &conn_ref);
    return common::Ok();
}

common::Status TestClient::Impl::CreateConnection() {
    ngtcp2_cid dcid{};
    ngtcp2_cid scid{};
    dcid.datalen = scid.datalen = kCidBytes;
    Rand(dcid.data, dcid.datalen, nullptr);
    Rand(scid.data, scid.datalen, nullptr);

    ngtcp2_callbacks callbacks = detail::CryptoCallbacks();
    callbacks.client_initial = ngtcp2_crypto_client_initial_cb;
    callbacks.recv_retry = ngtcp2_crypto_recv_retry_cb;
    callbacks.rand = &Impl::Rand;
    callbacks.get_new_connection_id = &Impl::NewConnectionId;
    callbacks.recv_stream_data = &Impl::ReceiveStreamData;
    callbacks.recv_datagram = &Impl::ReceiveDatagramFrame;
    callbacks.stream_reset = &Impl::StreamReset;

    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = Now();
    settings.max_tx_udp_payload_size = kMaxUdpPayloadBytes;
    // Chromium sends packets of kMaxUdpPayloadBytes from the start, without probing up from 1200.
    settings.no_tx_udp_payload_size_shaping = 1;
    settings.handshake_timeout = Nanoseconds(config.timeout_seconds);

    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_data = 1 << 20;
    params.initial_max_stream_data_bidi_local = 1 << 18;
    params.initial_max_stream_data_uni = 1 << 18;
    params.initial_max_streams_uni = 16;
    params.initial_max_streams_bidi = 0;
    params.max_idle_timeout = 30 * NGTCP2_SECONDS;
    params.max_datagram_frame_size = kMaxDatagramFrameBytes;

    if (int rv = ngtcp2_conn_client_new(&conn, &dcid, &scid, &path.path, NGTCP2_PROTO_VER_V1, &callbacks, &settings,
                                        &params, nullptr, this);
        rv != 0) {
        return MakeError(ErrorCode::kInternal, fmt::format("ngtcp2_conn_client_new: {}", ngtcp2_strerror(rv)));
    }
    ngtcp2_conn_set_tls_native_handle(conn, session);
    return common::Ok();
}

std::string TestClient::Impl::Authority() const {
    const bool v6 = config.server_ip.find(':') != std::string::npos;
    return v6 ? fmt::format("[{}]:{}", config.server_ip, config.server_port)
              : fmt::format("{}:{}", config.server_ip, config.server_port);
}

std::string TestClient::Impl::Phase() const {
    if (conn == nullptr || ngtcp2_conn_get_handshake_completed(conn) == 0) return "QUIC handshake";
    if (!settings_received) return "server SETTINGS";
    return status == 0 ? "CONNECT response" : "session";
}

// Runs the connection (packets in, timers, packets out) until `done()` holds, it ends, or
// `deadline` passes; returns `done()`.
template <typename Done>
bool TestClient::Impl::RunUntil(ngtcp2_tstamp deadline, Done done) {
    Flush();
    // At least one pass, so that a zero timeout still reads what has arrived (a poll, not a wait).
    for (bool first = true; !done() && !Ended(); first = false) {
        const ngtcp2_tstamp now = Now();
        if (now >= deadline && !first) break;
        const ngtcp2_tstamp wake = std::min(deadline, ngtcp2_conn_get_expiry(conn));
        const auto wait_ms =
            wake <= now ? 0 : static_cast<int>((wake - now + NGTCP2_MILLISECONDS - 1) / NGTCP2_MILLISECONDS);
        pollfd entry{fd, POLLIN, 0};
        if (wait_ms == 0 || ::poll(&entry, 1, wait_ms) > 0) ReadPackets();
        if (!Ended() && Now() >= ngtcp2_conn_get_expiry(conn)) HandleExpiry();
        Progress();
        Flush();
    }
    return done();
}

void TestClient::Impl::ReadPackets() {
    while (!Ended()) {
        const ssize_t size = ::recv(fd, receive_buffer.data(), receive_buffer.size(), 0);
        if (size < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
            return Fail(ErrorCode::kUnavailable,
                        fmt::format("no QUIC server at {}: {}", Authority(), std::strerror(errno)));
        }
        const ngtcp2_pkt_info info{};
        const int rv =
            ngtcp2_conn_read_pkt(conn, &path.path, &info, receive_buffer.data(), static_cast<std::size_t>(size), Now());
        flush_needed = true;
        if (rv == 0) continue;
        if (rv == NGTCP2_ERR_DRAINING) return FailFromServerClose();
        ngtcp2_connection_close_error ccerr;
        ngtcp2_connection_close_error_default(&ccerr);
        if (rv == NGTCP2_ERR_CRYPTO) {
            ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, ngtcp2_conn_get_tls_alert(conn),
                                                                        nullptr, 0);
        } else {
            ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, rv, nullptr, 0);
        }
        CloseConnection(ccerr);
        if (!certificate_error.empty()) return Fail(ErrorCode::kTls, certificate_error);
        return Fail(rv == NGTCP2_ERR_CRYPTO ? ErrorCode::kTls : ErrorCode::kProtocol,
                    fmt::format("reading a packet from {}: {}", Authority(), ngtcp2_strerror(rv)));
    }
}

void TestClient::Impl::HandleExpiry() {
    flush_needed = true;
    const int rv = ngtcp2_conn_handle_expiry(conn, Now());
    if (rv == NGTCP2_ERR_IDLE_CLOSE || rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
        return Fail(ErrorCode::kTimeout,
                    fmt::format("{} waiting for the {} from {}", ngtcp2_strerror(rv), Phase(), Authority()));
    }
    if (rv != 0) Fail(ErrorCode::kInternal, fmt::format("ngtcp2_conn_handle_expiry: {}", ngtcp2_strerror(rv)));
}

void TestClient::Impl::Progress() {
    if (session_ended_by_server && !Ended()) {
        closed_by_server = true;
        Fail(ErrorCode::kUnavailable, "the server closed the WebTransport session");
        ngtcp2_connection_close_error ccerr;
        ngtcp2_connection_close_error_default(&ccerr);
        ngtcp2_connection_close_error_set_application_error(&ccerr, wire::kH3NoError, nullptr, 0);
        CloseConnection(ccerr);
    }
    if (Ended()) return;
    if (!local_streams_opened && ngtcp2_conn_get_handshake_completed(conn) != 0) OpenLocalStreams();
    if (local_streams_opened && settings_received && connect_stream < 0) SendConnect();
}

void TestClient::Impl::Flush() {
    if (Ended() || !flush_needed) return;
    flush_needed = false;
    std::vector<std::int64_t> blocked;  // Streams flow control holds back for now.
    std::vector<ngtcp2_vec> data;
    const ngtcp2_tstamp now = Now();
    for (;;) {
        auto it = std::find_if(send_streams.begin(), send_streams.end(), [&](const auto& entry) {
            return entry.second.Pending() && std::find(blocked.begin(), blocked.end(), entry.first) == blocked.end();
        });
        data.clear();
        std::int64_t stream_id = -1;
        std::uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_NONE;
        if (it != send_streams.end()) {
            SendStream& stream = it->second;
            stream_id = it->first;
            for (std::size_t i = stream.chunk; i < stream.chunks.size(); ++i) {
                const std::size_t skip = i == stream.chunk ? stream.offset : 0;
                data.push_back(ngtcp2_vec{stream.chunks[i].data() + skip, stream.chunks[i].size() - skip});
            }
            if (stream.fin) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
        }
        ngtcp2_ssize written = -1;
        const ngtcp2_ssize size =
            ngtcp2_conn_writev_stream(conn, &path.path, nullptr, send_buffer.data(), send_buffer.size(), &written,
                                      flags, stream_id, data.data(), data.size(), now);
        if (size == NGTCP2_ERR_STREAM_DATA_BLOCKED || size == NGTCP2_ERR_STREAM_SHUT_WR) {
            blocked.push_back(stream_id);
            continue;
        }
        if (size < 0) {
            return Fail(ErrorCode::kProtocol,
                        fmt::format("ngtcp2_conn_writev_stream: {}", ngtcp2_strerror(static_cast<int>(size))));
        }
        if (written >= 0) {
            SendStream& stream = it->second;
            for (auto left = static_cast<std::size_t>(written); left > 0;) {
                const std::size_t step = std::min(left, stream.chunks[stream.chunk].size() - stream.offset);
                stream.offset += step;
                left -= step;
                if (stream.offset == stream.chunks[stream.chunk].size()) {
                    ++stream.chunk;
                    stream.offset = 0;
                }
            }
            stream.fin_sent = stream.fin && stream.chunk == stream.chunks.size();
        }
        if (size == 0) break;
        SendPacket(send_buffer.data(), static_cast<std::size_t>(size));
    }
    ngtcp2_conn_update_pkt_tx_time(conn, now);
}

std::size_t TestClient::Impl::MaxDatagramPayload() const {
    const ngtcp2_transport_params* params = ngtcp2_conn_get_remote_transport_params(conn);
    if (params == nullptr || connect_stream < 0) return 0;
    // The frame (type, length varint, data: RFC 9221 §4) within the server's limit and within one
    // packet after a short header with the longest packet number and the AEAD tag.
    const std::uint64_t by_packet = kMaxUdpPayloadBytes - (1 + ngtcp2_conn_get_dcid(conn)->datalen + 4 + 16);
    const std::uint64_t limit = std::min(params->max_datagram_frame_size, by_packet);
    const std::size_t prefix = wire::VarintSize(static_cast<std::uint64_t>(connect_stream) / 4);
    std::uint64_t length = limit > 2 ? limit - 2 : 0;
    while (length > 0 && 1 + wire::VarintSize(length) + length > limit) --length;
    return length > prefix ? static_cast<std::size_t>(length - prefix) : 0;
}

// Writes packets until one carries the datagram (true) or none can be written now (false).
common::Result<bool> TestClient::Impl::WriteDatagram(std::span<const ngtcp2_vec> data) {
    const ngtcp2_tstamp now = Now();
    // A packet may fill up with ACKs first; the datagram then goes into the next one.
    for (int attempt = 0; attempt < kMaxDatagramWriteAttempts; ++attempt) {
        int accepted = 0;
        const ngtcp2_ssize size = ngtcp2_conn_writev_datagram(
            conn, &path.path, nullptr, send_buffer.data(), send_buffer.size(), &accepted,
            NGTCP2_WRITE_DATAGRAM_FLAG_NONE, next_datagram_id, data.data(), data.size(), now);
        if (size < 0) {
            return MakeError(ErrorCode::kProtocol,
                             fmt::format("ngtcp2_conn_writev_datagram: {}", ngtcp2_strerror(static_cast<int>(size))));
        }
        if (size == 0) return false;
        SendPacket(send_buffer.data(), static_cast<std::size_t>(size));
        ngtcp2_conn_update_pkt_tx_time(conn, now);
        if (accepted != 0) {
            ++next_datagram_id;
            return true;
        }
    }
    return false;
}

void TestClient::Impl::SendPacket(const std::uint8_t* data, std::size_t size) {
    // Like any UDP sender, a failed send is a lost packet; QUIC retransmits.
    (void)::send(fd, data, size, 0);
}

void TestClient::Impl::Queue(std::int64_t stream_id, std::vector<std::uint8_t> bytes, bool fin) {
    flush_needed = true;
    SendStream& stream = send_streams[stream_id];
    if (!bytes.empty()) stream.chunks.push_back(std::move(bytes));
    stream.fin = stream.fin || fin;
}

void TestClient::Impl::CloseConnection(const ngtcp2_connection_close_error& ccerr) {
    if (ngtcp2_conn_is_in_closing_period(conn) != 0 || ngtcp2_conn_is_in_draining_period(conn) != 0) return;
    const ngtcp2_ssize size = ngtcp2_conn_write_connection_close(conn, &path.path, nullptr, send_buffer.data(),
                                                                 send_buffer.size(), &ccerr, Now());
    if (size > 0) SendPacket(send_buffer.data(), static_cast<std::size_t>(size));
}

void TestClient::Impl::Fail(ErrorCode code, std::string message) {
    if (!error) error = common::Error(code, std::move(message));
}

void TestClient::Impl::FailFromServerClose() {
    closed_by_server = true;
    ngtcp2_connection_close_error ccerr;
    ngtcp2_conn_get_connection_close_error(conn, &ccerr);
    const bool application = ccerr.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION;
    const std::string reason =
        ccerr.reason != nullptr ? std::string(reinterpret_cast<const char*>(ccerr.reason), ccerr.reasonlen) : "";
    std::string what = fmt::format("{} error code {:#x}", application ? "application" : "transport", ccerr.error_code);
    // Transport codes 0x100-0x1ff carry a TLS alert (RFC 9001 §4.8).
    const bool tls_alert = !application && ccerr.error_code >= 0x100 && ccerr.error_code <= 0x1ff;
    if (tls_alert) {
        const auto alert = static_cast<gnutls_alert_description_t>(ccerr.error_code & 0xff);
        const char* name = gnutls_alert_get_strname(alert);
        what += fmt::format(" (TLS alert {})", name != nullptr ? name : "unknown");
    }
    Fail(tls_alert ? ErrorCode::kTls : ErrorCode::kUnavailable,
         fmt::format("connection closed by {} with {}, frame type {:#x}, during the {}{}{}", Authority(), what,
                     ccerr.frame_type, Phase(), reason.empty() ? "" : ": ", reason));
}

void TestClient::Impl::OpenLocalStreams() {
    // Control, QPACK encoder, QPACK decoder, in Chromium's order (client streams 2, 6, 10).
    std::vector<std::uint8_t> control;
    wire::AppendVarint(control, wire::kStreamControl);
    if (config.send_settings) {
        std::vector<std::uint8_t> settings;
        for (const auto& [id, value] : std::initializer_list<std::pair<std::uint64_t, std::uint64_t>>{
                 {wire::kSettingQpackMaxTableCapacity, 0},
                 {wire::kSettingMaxFieldSectionSize, kMaxFieldSectionBytes},
                 {wire::kSettingQpackBlockedStreams, 0},
                 {wire::kSettingH3Datagram, 1},
                 {kSettingH3DatagramDraft04, 1},
                 {wire::kSettingWebTransportDraft02, 1}}) {
            wire::AppendVarint(settings, id);
            wire::AppendVarint(settings, value);
        }
        wire::AppendFrame(control, wire::kFrameSettings, settings);
    }
    for (auto& bytes : {control, std::vector<std::uint8_t>{wire::kStreamQpackEncoder},
                        std::vector<std::uint8_t>{wire::kStreamQpackDecoder}}) {
        std::int64_t stream_id = -1;
        if (int rv = ngtcp2_conn_open_uni_stream(conn, &stream_id, nullptr); rv != 0) {
            return Fail(ErrorCode::kProtocol, fmt::format("opening a unidirectional stream: {}", ngtcp2_strerror(rv)));
        }
        Queue(stream_id, bytes, false);
    }
    local_streams_opened = true;
}

void TestClient::Impl::SendConnect() {
    if (int rv = ngtcp2_conn_open_bidi_stream(conn, &connect_stream, nullptr); rv != 0) {
        return Fail(ErrorCode::kProtocol, fmt::format("opening the CONNECT stream: {}", ngtcp2_strerror(rv)));
    }
    const std::string authority = Authority();
    const std::array<wire::HeaderField, 7> fields{{{":method", "CONNECT"},
                                                   {":protocol", "webtransport"},
                                                   {":scheme", "https"},
                                                   {":authority", authority},
                                                   {":path", config.path},
                                                   {"sec-webtransport-http3-draft02", "1"},
                                                   {"origin", kOrigin}}};
    datagram_prefix = wire::HttpDatagramPrefix(static_cast<std::uint64_t>(connect_stream));
    const auto section = wire::EncodeFieldSection(connect_stream, fields);
    if (!section) return Fail(ErrorCode::kInternal, "QPACK could not encode the CONNECT headers");
    std::vector<std::uint8_t> frame;
    wire::AppendFrame(frame, wire::kFrameHeaders, *section);
    Queue(connect_stream, std::move(frame), false);
}

bool TestClient::Impl::OnStreamData(std::int64_t stream_id, std::span<const std::uint8_t> data, bool fin) {
    ReceiveStream& stream = receive_streams[stream_id];
    if (stream.bytes.size() + data.size() > kMaxBufferedStreamBytes) {
        Fail(ErrorCode::kProtocol,
             fmt::format("over {} unparsed bytes on stream {}", kMaxBufferedStreamBytes, stream_id));
        return false;
    }
    stream.bytes.insert(stream.bytes.end(), data.begin(), data.end());
    const bool unidirectional = (stream_id & 0x2) != 0;
    if (unidirectional && !stream.type) {
        const auto type = wire::ReadVarint(stream.bytes);
        if (!type) return true;
        stream.type = type->first;
        stream.bytes.erase(stream.bytes.begin(), stream.bytes.begin() + static_cast<std::ptrdiff_t>(type->second));
    }
    if (unidirectional && stream.type != wire::kStreamControl) {
        stream.bytes.clear();  // QPACK streams stay empty with a table capacity of 0; others are ignored.
        return true;
    }
    if (!ParseFrames(stream_id, stream)) return false;
    if (fin && stream_id == connect_stream && status == 0) {
        Fail(ErrorCode::kProtocol, "the server finished the CONNECT stream without a response");
    }
    // The server ended the session (its close capsule, then FIN): Chromium then closes the
    // connection itself, which Progress does outside this ngtcp2 callback.
    if (fin && stream_id == connect_stream && status != 0) session_ended_by_server = true;
    return true;
}

bool TestClient::Impl::ParseFrames(std::int64_t stream_id, ReceiveStream& stream) {
    std::size_t used = 0;
    for (;;) {
        const std::span<const std::uint8_t> rest = std::span(stream.bytes).subspan(used);
        const auto header = wire::ReadFrameHeader(rest);
        if (!header || rest.size() - header->header_bytes < header->length) break;
        if (!OnFrame(stream_id, header->type, rest.subspan(header->header_bytes, header->length))) return false;
        used += header->header_bytes + header->length;
    }
    stream.bytes.erase(stream.bytes.begin(), stream.bytes.begin() + static_cast<std::ptrdiff_t>(used));
    return true;
}

bool TestClient::Impl::OnFrame(std::int64_t stream_id, std::uint64_t type, std::span<const std::uint8_t> payload) {
    if (stream_id == connect_stream) {
        return type != wire::kFrameHeaders || status != 0 || DecodeResponse(payload);
    }
    if (type != wire::kFrameSettings) return true;
    const auto settings = wire::ParseSettings(payload);
    if (settings_received || !settings) {
        Fail(ErrorCode::kProtocol, "the server sent a malformed or second SETTINGS frame");
        return false;
    }
    if (auto problem = CheckServerSettings(*settings)) {
        Fail(ErrorCode::kProtocol, *problem);
        return false;
    }
    settings_received = true;
    return true;
}

bool TestClient::Impl::DecodeResponse(std::span<const std::uint8_t> section) {
    const bool decoded =
        wire::DecodeFieldSection(connect_stream, section, [&](std::string_view name, std::string_view value) {
            if (name == ":status") std::from_chars(value.data(), value.data() + value.size(), status);
        });
    if (!decoded || status == 0) {
        Fail(ErrorCode::kProtocol, "the CONNECT response has no valid QPACK field section with a :status");
        return false;
    }
    return true;
}

bool TestClient::Impl::CheckCertificate() {
    unsigned int count = 0;
    const gnutls_datum_t* chain = gnutls_certificate_get_peers(session, &count);
    if (chain == nullptr || count == 0) {
        certificate_error = "the server sent no certificate";
        return false;
    }
    std::array<std::uint8_t, 32> digest{};
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, chain[0].data, chain[0].size, digest.data()) != 0) {
        certificate_error = "cannot hash the server certificate";
        return false;
    }
    const std::string actual = server::FormatDigest(digest);
    if (config.expected_digest.empty() || actual == config.expected_digest) return true;
    certificate_error =
        fmt::format("the server certificate's SHA-256 {} is not the expected {}", actual, config.expected_digest);
    return false;
}

ngtcp2_conn* TestClient::Impl::GetConn(ngtcp2_crypto_conn_ref* ref) { return static_cast<Impl*>(ref->user_data)->conn; }

int TestClient::Impl::VerifyCertificate(gnutls_session_t session) {
    auto* ref = static_cast<ngtcp2_crypto_conn_ref*>(gnutls_session_get_ptr(session));
    return static_cast<Impl*>(ref->user_data)->CheckCertificate() ? 0 : GNUTLS_E_CERTIFICATE_ERROR;
}

void TestClient::Impl::Rand(std::uint8_t* dest, std::size_t size, const ngtcp2_rand_ctx* /*ctx*/) {
    (void)gnutls_rnd(GNUTLS_RND_RANDOM, dest, size);
}

int TestClient::Impl::NewConnectionId(ngtcp2_conn* /*conn*/, ngtcp2_cid* cid, std::uint8_t* token, std::size_t size,
                                      void* /*user_data*/) {
    cid->datalen = size;
    Rand(cid->data, size, nullptr);
    Rand(token, NGTCP2_STATELESS_RESET_TOKENLEN, nullptr);
    return 0;
}

int TestClient::Impl::ReceiveStreamData(ngtcp2_conn* conn, std::uint32_t flags, std::int64_t stream_id,
                                        std::uint64_t /*offset*/, const std::uint8_t* data, std::size_t size,
                                        void* user_data, void* /*stream_user_data*/) {
    auto* impl = static_cast<Impl*>(user_data);
    if (!impl->OnStreamData(stream_id, {data, size}, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0)) {
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    ngtcp2_conn_extend_max_stream_offset(conn, stream_id, size);
    ngtcp2_conn_extend_max_offset(conn, size);
    return 0;
}

int TestClient::Impl::ReceiveDatagramFrame(ngtcp2_conn* /*conn*/, std::uint32_t /*flags*/, const std::uint8_t* data,
                                           std::size_t size, void* user_data) {
    auto* impl = static_cast<Impl*>(user_data);
    const auto datagram = wire::ParseHttpDatagram({data, size});
    // Like Chromium: drop datagrams for other streams, and any before the response.
    if (datagram && impl->status != 0 && static_cast<std::int64_t>(datagram->stream_id) == impl->connect_stream &&
        impl->datagrams.size() < kMaxQueuedDatagrams) {
        impl->datagrams.emplace_back(datagram->payload.begin(), datagram->payload.end());
    }
    return 0;
}

int TestClient::Impl::StreamReset(ngtcp2_conn* /*conn*/, std::int64_t stream_id, std::uint64_t /*final_size*/,
                                  std::uint64_t app_error_code, void* user_data, void* /*stream_user_data*/) {
    auto* impl = static_cast<Impl*>(user_data);
    if (stream_id == impl->connect_stream && impl->status == 0) {
        impl->Fail(ErrorCode::kUnavailable,
                   fmt::format("the server reset the CONNECT stream with error code {:#x}", app_error_code));
    }
    return 0;
}

TestClient::TestClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TestClient::~TestClient() = default;

common::Result<std::unique_ptr<TestClient>> TestClient::Connect(const TestClientConfig& config) {
    if (config.server_port == 0) return MakeError(ErrorCode::kInvalidArgument, "TestClientConfig.server_port is 0");
    auto impl = std::make_unique<Impl>(config);
    if (auto opened = impl->Open(); !opened) return common::Fail(opened.error());
    const ngtcp2_tstamp deadline = Now() + Nanoseconds(config.timeout_seconds);
    if (!impl->RunUntil(deadline, [&] { return impl->status != 0; })) {
        if (impl->error) return common::Fail(*impl->error);
        return MakeError(ErrorCode::kTimeout, fmt::format("no {} from {} within {} s", impl->Phase(), impl->Authority(),
                                                          config.timeout_seconds));
    }
    if (impl->status < 200 || impl->status > 299) {
        return MakeError(ErrorCode::kPermissionDenied,
                         fmt::format("CONNECT {} refused with status {}", config.path, impl->status));
    }
    return std::unique_ptr<TestClient>(new TestClient(std::move(impl)));
}

int TestClient::response_status() const { return impl_->status; }

common::Status TestClient::SendDatagram(std::span<const std::uint8_t> payload) {
    Impl& impl = *impl_;
    if (impl.error) return common::Fail(*impl.error);
    const std::vector<std::uint8_t>& prefix = impl.datagram_prefix;
    if (payload.size() > impl.MaxDatagramPayload()) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("a datagram of {} bytes is over the {} that fit",
                                                                  payload.size(), impl.MaxDatagramPayload()));
    }
    const std::array data{ngtcp2_vec{const_cast<std::uint8_t*>(prefix.data()), prefix.size()},
                          ngtcp2_vec{const_cast<std::uint8_t*>(payload.data()), payload.size()}};
    const ngtcp2_tstamp deadline = Now() + Nanoseconds(impl.config.timeout_seconds);
    while (!impl.Ended() && Now() < deadline) {
        auto sent = impl.WriteDatagram(data);
        if (!sent) return common::Fail(sent.error());
        if (*sent) return common::Ok();
        // Pacing or congestion control holds it back until one of ngtcp2's timers.
        impl.RunUntil(std::min(deadline, ngtcp2_conn_get_expiry(impl.conn)), [] { return false; });
    }
    if (impl.error) return common::Fail(*impl.error);
    return MakeError(ErrorCode::kResourceExhausted,
                     fmt::format("congestion control took no datagram for {} s", impl.config.timeout_seconds));
}

std::optional<std::vector<std::uint8_t>> TestClient::ReceiveDatagram(double timeout_seconds) {
    Impl& impl = *impl_;
    impl.RunUntil(Now() + Nanoseconds(timeout_seconds), [&] { return !impl.datagrams.empty(); });
    if (impl.datagrams.empty()) return std::nullopt;
    std::vector<std::uint8_t> datagram = std::move(impl.datagrams.front());
    impl.datagrams.pop_front();
    return datagram;
}

common::Status TestClient::CloseSession(std::uint32_t code, std::string_view message) {
    Impl& impl = *impl_;
    if (impl.error) return common::Fail(*impl.error);
    impl.Queue(impl.connect_stream, wire::CloseSessionData(code, message), true);
    impl.Flush();
    return impl.error ? common::Status(common::Fail(*impl.error)) : common::Ok();
}

void TestClient::Pump(double seconds) {
    impl_->RunUntil(Now() + Nanoseconds(seconds), [] { return false; });
}

bool TestClient::closed_by_server() const { return impl_->closed_by_server; }

std::size_t TestClient::max_datagram_payload() const { return impl_->MaxDatagramPayload(); }

EndpointLoop::EndpointLoop(std::unique_ptr<Endpoint> endpoint, bool echo)
    : endpoint_(std::move(endpoint)), echo_(echo), port_(endpoint_->bound_port()), thread_([this] { Loop(); }) {}

EndpointLoop::~EndpointLoop() {
    stopping_ = true;
    thread_.join();
}

std::optional<Event> EndpointLoop::WaitFor(EventType type, double timeout_seconds) {
    std::unique_lock lock(mutex_);
    std::optional<Event> found;
    changed_.wait_for(lock, std::chrono::duration<double>(timeout_seconds), [&] {
        const auto it = std::find_if(events_.begin(), events_.end(), [&](const Event& e) { return e.type == type; });
        if (it == events_.end()) return false;
        found = std::move(*it);
        events_.erase(it);
        return true;
    });
    return found;
}

void EndpointLoop::Run(const std::function<void(Endpoint&)>& action) {
    std::unique_lock lock(mutex_);
    action_ = action;
    changed_.wait(lock, [&] { return !action_; });
}

EndpointStats EndpointLoop::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void EndpointLoop::Loop() {
    Event event;
    while (!stopping_) {
        {
            // Held across the update, so whatever a client sees from it is already in the stats.
            std::lock_guard lock(mutex_);
            endpoint_->Update(
                std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count());
            while (endpoint_->Poll(event)) {
                if (echo_ && event.type == EventType::kDatagram) endpoint_->Send(event.address, event.datagram);
                events_.push_back(event);
            }
            if (action_) {
                action_(*endpoint_);
                action_ = nullptr;
            }
            stats_ = endpoint_->stats();
        }
        changed_.notify_all();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

const server::SelfSignedCertificate& LoopbackCertificate() {
    static const server::SelfSignedCertificate certificate = server::CreateSelfSignedCertificate("127.0.0.1").value();
    return certificate;
}

EndpointConfig LoopbackEndpointConfig() {
    EndpointConfig config;
    config.bind_ip = "127.0.0.1";
    config.certificate_pem = LoopbackCertificate().certificate_pem;
    config.private_key_pem = LoopbackCertificate().private_key_pem;
    return config;
}

TestClientConfig LoopbackClientConfig(const EndpointLoop& loop) {
    TestClientConfig config;
    config.server_port = loop.port();
    config.expected_digest = LoopbackCertificate().sha256_digest;
    return config;
}

}  // namespace gapkit::webtransport::testing
