#include "quic_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>
#include <gnutls/crypto.h>

#include "h3_wire.hpp"
#include "tls_context.hpp"

namespace gapkit::webtransport::detail {
namespace {

using common::ErrorCode;

// Packets are never larger than PMTU discovery may grow them to (ngtcp2 sends 1200 until then).
constexpr std::size_t kMaxPacketBytes = NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE;
// Flow control for what a browser sends on its streams: the CONNECT request and a closing
// capsule on the bidirectional stream, SETTINGS and QPACK instructions on three unidirectional
// ones. Generous for that, small for an attacker; credit is returned as bytes are read.
constexpr std::uint64_t kStreamWindowBytes = 16 * 1024;
constexpr std::uint64_t kConnectionWindowBytes = 64 * 1024;
// One bidirectional stream (the CONNECT) and the three unidirectional streams HTTP/3 needs, plus
// one for a GREASE stream: the browser can open no WebTransport streams, which we do not serve.
constexpr std::uint64_t kMaxBidiStreams = 1;
constexpr std::uint64_t kMaxUniStreams = 4;
constexpr std::uint64_t kMaxDatagramFrameBytes = 65535;
// DATAGRAM frame type and length, and the most a short header takes before the payload: flags,
// a 20-byte connection id, a 4-byte packet number, and the AEAD tag after it.
constexpr std::size_t kDatagramOverheadBytes = 1 + 8 + 1 + 20 + 4 + 16;
// Tries at handing one datagram to ngtcp2: a packet already holding ACKs may have no room left.
constexpr int kDatagramWriteAttempts = 2;

void Random(std::uint8_t* dest, std::size_t length) { gnutls_rnd(GNUTLS_RND_RANDOM, dest, length); }

void RandomCallback(std::uint8_t* dest, std::size_t length, const ngtcp2_rand_ctx*) { Random(dest, length); }

std::string AddressText(const ngtcp2_sockaddr* address) {
    if (address->sa_family == AF_INET6) {
        return fmt::format("[{}]:{}", PeerIp(address),
                           ntohs(reinterpret_cast<const sockaddr_in6*>(address)->sin6_port));
    }
    return fmt::format("{}:{}", PeerIp(address), ntohs(reinterpret_cast<const sockaddr_in*>(address)->sin_port));
}

ngtcp2_path MakePath(const PacketPath& path) {
    return ngtcp2_path{{const_cast<ngtcp2_sockaddr*>(path.local), path.local_length},
                       {const_cast<ngtcp2_sockaddr*>(path.remote), path.remote_length},
                       nullptr};
}

std::span<const std::uint8_t> IdBytes(const ngtcp2_cid& cid) { return {cid.data, cid.datalen}; }

bool IsUnidirectional(std::int64_t stream_id) { return (stream_id & 0x2) != 0; }

}  // namespace

std::string PeerIp(const ngtcp2_sockaddr* address) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (address->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text.data(), text.size());
    } else {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text.data(), text.size());
    }
    return text.data();
}

QuicConnection::QuicConnection(ConnectionHost& host, const ConnectionLimits& limits)
    : host_(host), limits_(limits), h3_(limits.h3), send_buffer_(kMaxPacketBytes) {
    ngtcp2_path_storage_zero(&path_);
}

QuicConnection::~QuicConnection() {
    for (const ngtcp2_cid& cid : issued_ids_) {
        host_.RemoveConnectionId(IdBytes(cid));
    }
    if (conn_ != nullptr) {
        ngtcp2_conn_del(conn_);
    }
    if (tls_ != nullptr) {
        gnutls_deinit(tls_);
    }
}

ngtcp2_callbacks CryptoCallbacks() {
    ngtcp2_callbacks callbacks{};
    callbacks.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    callbacks.encrypt = ngtcp2_crypto_encrypt_cb;
    callbacks.decrypt = ngtcp2_crypto_decrypt_cb;
    callbacks.hp_mask = ngtcp2_crypto_hp_mask_cb;
    callbacks.update_key = ngtcp2_crypto_update_key_cb;
    callbacks.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    callbacks.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    callbacks.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    callbacks.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    return callbacks;
}

ngtcp2_callbacks QuicConnection::Callbacks() {
    ngtcp2_callbacks callbacks = CryptoCallbacks();
    callbacks.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    callbacks.handshake_completed = OnHandshakeCompleted;
    callbacks.recv_stream_data = OnStreamData;
    callbacks.acked_stream_data_offset = OnAckedStreamData;
    callbacks.stream_close = OnStreamClose;
    callbacks.rand = RandomCallback;
    callbacks.get_new_connection_id = OnNewConnectionId;
    callbacks.remove_connection_id = OnRemoveConnectionId;
    callbacks.stream_reset = OnStreamReset;
    callbacks.recv_datagram = OnDatagram;
    return callbacks;
}

common::Result<std::unique_ptr<QuicConnection>> QuicConnection::Accept(
    ConnectionHost& host, const TlsContext& tls, const ConnectionLimits& limits, const ngtcp2_pkt_hd& header,
    const PacketPath& path, std::span<const std::uint8_t> packet, ngtcp2_tstamp now) {
    std::unique_ptr<QuicConnection> connection(new QuicConnection(host, limits));
    if (auto status = connection->Init(tls, header, path, now); !status) {
        return common::Fail(status.error());
    }
    connection->Read(path, packet, now);
    return connection;
}

common::Status QuicConnection::Init(const TlsContext& tls, const ngtcp2_pkt_hd& header, const PacketPath& path,
                                    ngtcp2_tstamp now) {
    accepted_at_ = now;
    remote_text_ = AddressText(path.remote);
    remote_ip_ = PeerIp(path.remote);
    ngtcp2_cid scid{};
    scid.datalen = kConnectionIdBytes;
    Random(scid.data, scid.datalen);

    ngtcp2_settings settings;
    ngtcp2_settings_default(&settings);
    settings.initial_ts = now;
    settings.handshake_timeout = limits_.handshake_timeout;

    ngtcp2_transport_params params;
    ngtcp2_transport_params_default(&params);
    params.initial_max_stream_data_bidi_remote = kStreamWindowBytes;
    params.initial_max_stream_data_uni = kStreamWindowBytes;
    params.initial_max_data = kConnectionWindowBytes;
    params.initial_max_streams_bidi = kMaxBidiStreams;
    params.initial_max_streams_uni = kMaxUniStreams;
    params.max_idle_timeout = limits_.idle_timeout;
    params.max_datagram_frame_size = kMaxDatagramFrameBytes;
    params.disable_active_migration = 1;
    params.original_dcid = header.dcid;
    const auto secret = host_.static_secret();
    if (ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, secret.data(), secret.size(),
                                                     &scid) != 0) {
        return common::MakeError(ErrorCode::kInternal, "could not derive a stateless reset token");
    }
    params.stateless_reset_token_present = 1;

    const ngtcp2_path ngtcp2_path = MakePath(path);
    const ngtcp2_callbacks callbacks = Callbacks();
    if (int rv = ngtcp2_conn_server_new(&conn_, &header.scid, &scid, &ngtcp2_path, header.version, &callbacks,
                                        &settings, &params, nullptr, this);
        rv != 0) {
        return common::MakeError(ErrorCode::kInternal,
                                 fmt::format("ngtcp2 could not create a connection: {}", ngtcp2_strerror(rv)));
    }
    conn_ref_.get_conn = GetConnection;
    conn_ref_.user_data = this;
    auto session = tls.NewServerSession(&conn_ref_);
    if (!session) {
        return common::Fail(session.error());
    }
    tls_ = *session;
    ngtcp2_conn_set_tls_native_handle(conn_, tls_);
    for (const ngtcp2_cid& cid : {header.dcid, scid}) {
        issued_ids_.push_back(cid);
        host_.AddConnectionId(IdBytes(cid), *this);
    }
    return common::Ok();
}

ngtcp2_conn* QuicConnection::GetConnection(ngtcp2_crypto_conn_ref* ref) {
    return static_cast<QuicConnection*>(ref->user_data)->conn_;
}

void QuicConnection::Read(const PacketPath& path, std::span<const std::uint8_t> packet, ngtcp2_tstamp now) {
    if (finished_) {
        return;
    }
    if (closing()) {
        // RFC 9000 §10.2.1: answer a peer that keeps sending with our CONNECTION_CLOSE again.
        if (!draining_ && !close_packet_.empty()) {
            host_.SendPacket(path_.path.remote, close_packet_);
        }
        return;
    }
    const ngtcp2_path ngtcp2_path = MakePath(path);
    ngtcp2_pkt_info info{};
    if (int rv = ngtcp2_conn_read_pkt(conn_, &ngtcp2_path, &info, packet.data(), packet.size(), now); rv != 0) {
        HandleLibraryError(rv, now);
        return;
    }
    AfterProgress(now);
}

void QuicConnection::OnTimer(ngtcp2_tstamp now) {
    if (finished_) {
        return;
    }
    if (closing()) {
        finished_ = now >= *closing_deadline_;
        return;
    }
    if (end_deadline_ && now >= *end_deadline_) {
        Close(kH3NoError, end_reason_, now);
        return;
    }
    if (h3_.state() != SessionState::kOpen && !end_deadline_ && now >= accepted_at_ + limits_.handshake_timeout) {
        Close(kH3RequestRejected, "no WebTransport session within the handshake timeout", now);
        return;
    }
    if (ngtcp2_conn_get_expiry(conn_) <= now) {
        if (int rv = ngtcp2_conn_handle_expiry(conn_, now); rv != 0) {
            HandleLibraryError(rv, now);
            return;
        }
    }
    Flush(now);
}

ngtcp2_tstamp QuicConnection::expiry() const {
    if (finished_ || flush_due_) {
        return 0;
    }
    if (closing()) {
        return *closing_deadline_;
    }
    ngtcp2_tstamp expiry = ngtcp2_conn_get_expiry(conn_);
    if (end_deadline_) {
        expiry = std::min(expiry, *end_deadline_);
    } else if (h3_.state() != SessionState::kOpen) {
        expiry = std::min(expiry, accepted_at_ + limits_.handshake_timeout);
    }
    return expiry;
}

bool QuicConnection::in_handshake() const {
    return conn_ == nullptr || ngtcp2_conn_get_handshake_completed(conn_) == 0;
}

const std::string& QuicConnection::end_reason() const { return end_reason_.empty() ? h3_.end_reason() : end_reason_; }

std::size_t QuicConnection::max_datagram_payload() const {
    const ngtcp2_transport_params* remote = ngtcp2_conn_get_remote_transport_params(conn_);
    const auto stream_id = h3_.connect_stream_id();
    if (remote == nullptr || !stream_id) {
        return 0;
    }
    const std::size_t by_frame = remote->max_datagram_frame_size;
    // What the path carries now: 1200 bytes until PMTU discovery proves more.
    const std::size_t by_packet = ngtcp2_conn_get_path_max_tx_udp_payload_size(conn_) - kDatagramOverheadBytes;
    const std::size_t prefix = VarintSize(static_cast<std::uint64_t>(*stream_id) / 4);
    const std::size_t limit = std::min(by_frame, by_packet);
    return limit > prefix ? limit - prefix : 0;
}

void QuicConnection::Close(std::uint64_t h3_error_code, std::string_view reason, ngtcp2_tstamp now) {
    if (finished_ || closing()) {
        return;
    }
    ngtcp2_connection_close_error error;
    ngtcp2_connection_close_error_default(&error);
    ngtcp2_connection_close_error_set_application_error(&error, h3_error_code, nullptr, 0);
    CloseWith(error, std::string(reason), now);
}

void QuicConnection::EndSession(std::uint32_t code, std::string_view reason, ngtcp2_tstamp now) {
    if (session_over()) {
        return;
    }
    if (h3_.state() != SessionState::kOpen) {
        Close(kH3NoError, reason, now);
        return;
    }
    end_reason_ = std::string(reason);
    end_deadline_ = now + kSessionEndGrace;
    QueueStreamBytes(*h3_.connect_stream_id(), CloseSessionData(code, reason), true);
    Flush(now);
}

void QuicConnection::AfterProgress(ngtcp2_tstamp now) {
    if (handshake_completed_ && !local_streams_open_) {
        OpenLocalStreams();
    }
    ApplyH3Output();
    if (h3_.state() == SessionState::kOpen && datagram_prefix_.empty()) {
        datagram_prefix_ = HttpDatagramPrefix(static_cast<std::uint64_t>(*h3_.connect_stream_id()));
    }
    if (pending_error_) {
        const H3Error error = *pending_error_;
        pending_error_.reset();
        Close(error.code, error.reason, now);
        return;
    }
    if (h3_.state() == SessionState::kClosed && !end_deadline_) {
        Flush(now);
        Close(kH3NoError, h3_.end_reason().empty() ? "closed by the browser" : h3_.end_reason(), now);
        return;
    }
    // Once the session is open, what is left to write after a read is mostly an ACK. It waits for
    // the game's next datagram to this browser, which carries it, or for the next Update: a
    // separate ACK packet per datagram would double the packets a game sends.
    if (h3_.state() == SessionState::kOpen && StreamWithDataToWrite({}) == nullptr) {
        flush_due_ = true;
        return;
    }
    Flush(now);
}

void QuicConnection::HandleLibraryError(int error, ngtcp2_tstamp now) {
    ngtcp2_connection_close_error close;
    ngtcp2_connection_close_error_default(&close);
    switch (error) {
        case NGTCP2_ERR_DRAINING:
            EnterDraining("closed by the browser", now);
            return;
        case NGTCP2_ERR_IDLE_CLOSE:
            Drop("idle timeout");
            return;
        case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
            Drop("handshake timeout");
            return;
        case NGTCP2_ERR_DROP_CONN:
        case NGTCP2_ERR_RETRY:
            Drop(fmt::format("dropped: {}", ngtcp2_strerror(error)));
            return;
        case NGTCP2_ERR_CRYPTO:
            ngtcp2_connection_close_error_set_transport_error_tls_alert(&close, ngtcp2_conn_get_tls_alert(conn_),
                                                                        nullptr, 0);
            break;
        default:
            ngtcp2_connection_close_error_set_transport_error_liberr(&close, error, nullptr, 0);
            break;
    }
    CloseWith(close, fmt::format("QUIC error: {}", ngtcp2_strerror(error)), now);
}

void QuicConnection::CloseWith(const ngtcp2_connection_close_error& error, std::string reason, ngtcp2_tstamp now) {
    end_reason_ = std::move(reason);
    ngtcp2_pkt_info info{};
    const ngtcp2_ssize written = ngtcp2_conn_write_connection_close(conn_, &path_.path, &info, send_buffer_.data(),
                                                                    send_buffer_.size(), &error, now);
    if (written <= 0) {
        finished_ = true;
        return;
    }
    close_packet_.assign(send_buffer_.begin(), send_buffer_.begin() + written);
    host_.SendPacket(path_.path.remote, close_packet_);
    closing_deadline_ = now + 3 * ngtcp2_conn_get_pto(conn_);
}

void QuicConnection::EnterDraining(std::string reason, ngtcp2_tstamp now) {
    end_reason_ = std::move(reason);
    draining_ = true;
    closing_deadline_ = now + 3 * ngtcp2_conn_get_pto(conn_);
}

void QuicConnection::Drop(std::string reason) {
    end_reason_ = std::move(reason);
    finished_ = true;
}

void QuicConnection::OpenLocalStreams() {
    local_streams_open_ = true;
    for (std::vector<std::uint8_t>& preamble : h3_.LocalStreamPreambles()) {
        std::int64_t stream_id = -1;
        if (int rv = ngtcp2_conn_open_uni_stream(conn_, &stream_id, nullptr); rv != 0) {
            pending_error_ =
                H3Error{kH3InternalError, fmt::format("cannot open an HTTP/3 stream: {}", ngtcp2_strerror(rv))};
            return;
        }
        QueueStreamBytes(stream_id, std::move(preamble), false);
    }
}

void QuicConnection::ApplyH3Output() {
    for (StreamWrite& write : h3_.TakeWrites()) {
        QueueStreamBytes(write.stream_id, std::move(write.bytes), write.fin);
    }
    for (std::int64_t stream_id : h3_.TakeStopSending()) {
        if (IsUnidirectional(stream_id)) {
            ngtcp2_conn_shutdown_stream_read(conn_, stream_id, kH3StreamCreationError);
        } else {
            ngtcp2_conn_shutdown_stream(conn_, stream_id, kH3StreamCreationError);
        }
    }
}

void QuicConnection::QueueStreamBytes(std::int64_t stream_id, std::vector<std::uint8_t> bytes, bool fin) {
    auto it = std::find_if(outgoing_.begin(), outgoing_.end(),
                           [&](const OutgoingStream& stream) { return stream.id == stream_id; });
    if (it == outgoing_.end()) {
        it = outgoing_.emplace(outgoing_.end());
        it->id = stream_id;
    }
    if (it->fin) {
        return;
    }
    it->queued_offset += bytes.size();
    if (!bytes.empty()) {
        it->chunks.push_back(std::move(bytes));
    }
    it->fin = fin;
}

QuicConnection::OutgoingStream* QuicConnection::StreamWithDataToWrite(std::span<const std::int64_t> blocked) {
    for (OutgoingStream& stream : outgoing_) {
        const bool has_data = stream.written_offset < stream.queued_offset || (stream.fin && !stream.fin_written);
        if (has_data && std::find(blocked.begin(), blocked.end(), stream.id) == blocked.end()) {
            return &stream;
        }
    }
    return nullptr;
}

std::size_t QuicConnection::UnwrittenVectors(const OutgoingStream& stream, std::span<ngtcp2_vec> vectors) {
    std::size_t count = 0;
    std::uint64_t offset = stream.first_chunk_offset;
    for (const std::vector<std::uint8_t>& chunk : stream.chunks) {
        const std::uint64_t end = offset + chunk.size();
        if (end > stream.written_offset && count < vectors.size()) {
            const std::size_t skip = stream.written_offset > offset ? stream.written_offset - offset : 0;
            vectors[count++] = ngtcp2_vec{const_cast<std::uint8_t*>(chunk.data()) + skip, chunk.size() - skip};
        }
        offset = end;
    }
    return count;
}

void QuicConnection::Flush(ngtcp2_tstamp now) {
    flush_due_ = false;
    std::vector<std::int64_t> blocked;
    ngtcp2_pkt_info info{};
    while (!finished_ && !closing()) {
        OutgoingStream* stream = StreamWithDataToWrite(blocked);
        std::array<ngtcp2_vec, 8> vectors{};
        std::size_t vector_count = 0;
        std::int64_t stream_id = -1;
        std::uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_NONE;
        if (stream != nullptr) {
            stream_id = stream->id;
            vector_count = UnwrittenVectors(*stream, vectors);
            flags = NGTCP2_WRITE_STREAM_FLAG_MORE | (stream->fin ? NGTCP2_WRITE_STREAM_FLAG_FIN : 0);
        }
        ngtcp2_ssize stream_bytes = -1;
        const ngtcp2_ssize written =
            ngtcp2_conn_writev_stream(conn_, &path_.path, &info, send_buffer_.data(), send_buffer_.size(),
                                      &stream_bytes, flags, stream_id, vectors.data(), vector_count, now);
        if (stream != nullptr && stream_bytes >= 0) {
            stream->written_offset += static_cast<std::uint64_t>(stream_bytes);
            stream->fin_written = stream->fin && stream->written_offset == stream->queued_offset;
        }
        if (written == NGTCP2_ERR_WRITE_MORE) {
            continue;
        }
        if (written == NGTCP2_ERR_STREAM_DATA_BLOCKED || written == NGTCP2_ERR_STREAM_SHUT_WR) {
            blocked.push_back(stream_id);
            continue;
        }
        if (written < 0) {
            HandleLibraryError(static_cast<int>(written), now);
            return;
        }
        if (written == 0) {
            return;
        }
        host_.SendPacket(path_.path.remote, std::span(send_buffer_.data(), static_cast<std::size_t>(written)));
    }
}

// ngtcp2_conn_update_pkt_tx_time is never called, which leaves ngtcp2's pacer off: a game sends a
// tick's datagrams to a player in one burst, and with pacing on, every datagram after the first
// was held back (writev returns 0) at internet round trips, and a held-back game datagram is a
// lost one. Congestion control still bounds what is in flight.
bool QuicConnection::SendDatagram(std::span<const std::uint8_t> payload, ngtcp2_tstamp now) {
    if (session_over() || h3_.state() != SessionState::kOpen) {
        return false;
    }
    std::array<ngtcp2_vec, 2> vectors{ngtcp2_vec{datagram_prefix_.data(), datagram_prefix_.size()},
                                      ngtcp2_vec{const_cast<std::uint8_t*>(payload.data()), payload.size()}};
    ngtcp2_pkt_info info{};
    for (int attempt = 0; attempt < kDatagramWriteAttempts; ++attempt) {
        int accepted = 0;
        const ngtcp2_ssize written = ngtcp2_conn_writev_datagram(
            conn_, &path_.path, &info, send_buffer_.data(), send_buffer_.size(), &accepted,
            NGTCP2_WRITE_DATAGRAM_FLAG_NONE, next_datagram_id_++, vectors.data(), vectors.size(), now);
        if (written == NGTCP2_ERR_INVALID_ARGUMENT || written == NGTCP2_ERR_INVALID_STATE) {
            return false;  // Larger than the browser accepts, or it never offered datagrams.
        }
        if (written < 0) {
            HandleLibraryError(static_cast<int>(written), now);
            return false;
        }
        if (written == 0) {
            return false;  // Congestion control or the amplification limit: game state goes stale anyway.
        }
        host_.SendPacket(path_.path.remote, std::span(send_buffer_.data(), static_cast<std::size_t>(written)));
        if (accepted != 0) {
            return true;
        }
    }
    return false;
}

void QuicConnection::RecordH3Error(const std::optional<H3Error>& error) {
    if (error && !pending_error_) {
        pending_error_ = error;
    }
}

int QuicConnection::OnHandshakeCompleted(ngtcp2_conn*, void* user_data) {
    static_cast<QuicConnection*>(user_data)->handshake_completed_ = true;
    return 0;
}

int QuicConnection::OnStreamData(ngtcp2_conn* conn, std::uint32_t flags, std::int64_t stream_id, std::uint64_t,
                                 const std::uint8_t* data, std::size_t length, void* user_data, void*) {
    auto* self = static_cast<QuicConnection*>(user_data);
    self->RecordH3Error(
        self->h3_.OnStreamData(stream_id, std::span(data, length), (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0));
    // Every byte is consumed: the HTTP/3 session keeps within its own bounds or fails the connection.
    ngtcp2_conn_extend_max_stream_offset(conn, stream_id, length);
    ngtcp2_conn_extend_max_offset(conn, length);
    return 0;
}

int QuicConnection::OnStreamReset(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t, std::uint64_t, void* user_data,
                                  void*) {
    auto* self = static_cast<QuicConnection*>(user_data);
    self->RecordH3Error(self->h3_.OnStreamReset(stream_id));
    return 0;
}

int QuicConnection::OnStreamClose(ngtcp2_conn*, std::uint32_t, std::int64_t stream_id, std::uint64_t, void* user_data,
                                  void*) {
    auto* self = static_cast<QuicConnection*>(user_data);
    std::erase_if(self->outgoing_, [&](const OutgoingStream& stream) { return stream.id == stream_id; });
    return 0;
}

int QuicConnection::OnAckedStreamData(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t offset, std::uint64_t length,
                                      void* user_data, void*) {
    auto* self = static_cast<QuicConnection*>(user_data);
    for (OutgoingStream& stream : self->outgoing_) {
        if (stream.id != stream_id) {
            continue;
        }
        const std::uint64_t acked_end = offset + length;
        while (!stream.chunks.empty() && stream.first_chunk_offset + stream.chunks.front().size() <= acked_end) {
            stream.first_chunk_offset += stream.chunks.front().size();
            stream.chunks.pop_front();
        }
    }
    return 0;
}

int QuicConnection::OnDatagram(ngtcp2_conn*, std::uint32_t, const std::uint8_t* data, std::size_t length,
                               void* user_data) {
    auto* self = static_cast<QuicConnection*>(user_data);
    const auto datagram = ParseHttpDatagram(std::span(data, length));
    const auto stream_id = self->h3_.connect_stream_id();
    if (!datagram || self->h3_.state() != SessionState::kOpen || self->end_deadline_ || !stream_id ||
        datagram->stream_id != static_cast<std::uint64_t>(*stream_id)) {
        self->host_.OnDatagramDropped();
        return 0;
    }
    self->host_.OnDatagram(*self, datagram->payload);
    return 0;
}

int QuicConnection::OnNewConnectionId(ngtcp2_conn*, ngtcp2_cid* cid, std::uint8_t* token, std::size_t length,
                                      void* user_data) {
    auto* self = static_cast<QuicConnection*>(user_data);
    cid->datalen = length;
    Random(cid->data, length);
    const auto secret = self->host_.static_secret();
    if (ngtcp2_crypto_generate_stateless_reset_token(token, secret.data(), secret.size(), cid) != 0) {
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    self->issued_ids_.push_back(*cid);
    self->host_.AddConnectionId(IdBytes(*cid), *self);
    return 0;
}

int QuicConnection::OnRemoveConnectionId(ngtcp2_conn*, const ngtcp2_cid* cid, void* user_data) {
    auto* self = static_cast<QuicConnection*>(user_data);
    self->host_.RemoveConnectionId(IdBytes(*cid));
    std::erase_if(self->issued_ids_, [&](const ngtcp2_cid& issued) { return ngtcp2_cid_eq(&issued, cid) != 0; });
    return 0;
}

}  // namespace gapkit::webtransport::detail
