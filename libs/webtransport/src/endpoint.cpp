#include "gapkit/webtransport/endpoint.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "h3_wire.hpp"
#include "quic_connection.hpp"
#include "tls_context.hpp"

namespace gapkit::webtransport {
namespace {

using common::ErrorCode;
using detail::QuicConnection;

// Receiving is bounded per Update so that a flood cannot hold the game loop.
constexpr int kMaxPacketsPerUpdate = 1024;
// Events waiting for Poll. Beyond this, datagrams are dropped (sessions' open and close events
// are always kept): a game that stops polling must not grow memory without bound.
constexpr std::size_t kMaxQueuedEvents = 4096;
// Large enough for any UDP datagram, so an oversized one is read whole and refused by QUIC.
constexpr std::size_t kReceiveBufferBytes = 65536;
// The synthetic session addresses: 100::/64, the IPv6 discard-only prefix (RFC 6666).
constexpr std::uint16_t kSessionPrefixGroup = 0x0100;

common::Error ConfigError(std::string message) {
    return common::Error(ErrorCode::kInvalidArgument, std::move(message));
}

ngtcp2_tstamp ToTimestamp(double now_seconds) {
    return now_seconds <= 0 ? 0 : static_cast<ngtcp2_tstamp>(std::llround(now_seconds * NGTCP2_SECONDS));
}

std::string IdKey(std::span<const std::uint8_t> cid) {
    return std::string(reinterpret_cast<const char*>(cid.data()), cid.size());
}

netcode::Address SessionAddress(std::uint64_t number, std::uint16_t port) {
    return netcode::Address::Ipv6({kSessionPrefixGroup, 0, 0, 0, static_cast<std::uint16_t>(number >> 48),
                                   static_cast<std::uint16_t>(number >> 32), static_cast<std::uint16_t>(number >> 16),
                                   static_cast<std::uint16_t>(number)},
                                  port);
}

std::optional<std::uint64_t> SessionNumber(const netcode::Address& address, std::uint16_t port) {
    const auto& g = address.ipv6;
    if (address.type != netcode::AddressType::kIpv6 || address.port != port || g[0] != kSessionPrefixGroup ||
        g[1] != 0 || g[2] != 0 || g[3] != 0) {
        return std::nullopt;
    }
    return (std::uint64_t{g[4]} << 48) | (std::uint64_t{g[5]} << 32) | (std::uint64_t{g[6]} << 16) | g[7];
}

common::Result<sockaddr_storage> BindAddress(const EndpointConfig& config, socklen_t& length) {
    sockaddr_storage storage{};
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (inet_pton(AF_INET, config.bind_ip.c_str(), &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(config.port);
        length = sizeof(sockaddr_in);
        return storage;
    }
    if (inet_pton(AF_INET6, config.bind_ip.c_str(), &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(config.port);
        length = sizeof(sockaddr_in6);
        return storage;
    }
    return common::Fail(ConfigError(fmt::format("bind_ip \"{}\" is not an IPv4 or IPv6 address", config.bind_ip)));
}

common::Error SocketError(std::string_view what, const EndpointConfig& config) {
    return common::Error(ErrorCode::kIo,
                         fmt::format("{} UDP {}:{}: {}", what, config.bind_ip, config.port, std::strerror(errno)));
}

}  // namespace

common::Status EndpointConfig::Validate() const {
    if (certificate_pem.empty()) return common::Fail(ConfigError("certificate_pem is empty"));
    if (private_key_pem.empty()) return common::Fail(ConfigError("private_key_pem is empty"));
    if (path.empty() || path.front() != '/') {
        return common::Fail(ConfigError(fmt::format("path \"{}\" must start with '/'", path)));
    }
    if (!(handshake_timeout_seconds > 0)) {
        return common::Fail(
            ConfigError(fmt::format("handshake_timeout_seconds must be > 0 (got {})", handshake_timeout_seconds)));
    }
    for (auto [name, value, low, high] :
         {std::tuple{"max_sessions", double(max_sessions), 1.0, 4096.0},
          std::tuple{"max_handshakes", double(max_handshakes), 1.0, 4096.0},
          std::tuple{"max_handshakes_per_ip", double(max_handshakes_per_ip), 1.0, 4096.0},
          std::tuple{"handshake_timeout_seconds", handshake_timeout_seconds, 0.0, 60.0},
          std::tuple{"idle_timeout_seconds", idle_timeout_seconds, 1.0, 600.0},
          std::tuple{"max_datagram_bytes", double(max_datagram_bytes), 64.0, 1200.0}}) {
        if (auto in_range = common::CheckRange(name, value, low, high); !in_range) return in_range;
    }
    return common::Ok();
}

struct Endpoint::Impl final : detail::ConnectionHost {
    EndpointConfig config;
    std::unique_ptr<detail::TlsContext> tls;
    detail::ConnectionLimits limits;
    int fd = -1;
    sockaddr_storage local{};
    socklen_t local_length = 0;
    std::uint16_t port = 0;
    std::array<std::uint8_t, 32> secret{};
    ngtcp2_tstamp now = 0;

    std::vector<std::unique_ptr<QuicConnection>> connections;
    std::unordered_map<std::string, QuicConnection*> by_id;
    std::unordered_map<std::uint64_t, QuicConnection*> by_session;
    std::uint64_t next_session_number = 1;

    std::deque<Event> events;
    std::vector<std::vector<std::uint8_t>> spare_buffers;
    EndpointStats stats;
    std::vector<std::uint8_t> receive_buffer = std::vector<std::uint8_t>(kReceiveBufferBytes);

    ~Impl() override {
        for (auto& connection : connections) {
            connection->Close(detail::kH3NoError, "the server is shutting down", now);
        }
        connections.clear();
        if (fd >= 0) {
            ::close(fd);
        }
    }

    // ConnectionHost.
    void AddConnectionId(std::span<const std::uint8_t> cid, QuicConnection& connection) override {
        by_id[IdKey(cid)] = &connection;
    }
    void RemoveConnectionId(std::span<const std::uint8_t> cid) override { by_id.erase(IdKey(cid)); }
    void SendPacket(const ngtcp2_addr& to, std::span<const std::uint8_t> packet) override {
        // UDP: a failed send is a lost packet, which QUIC recovers from or the game tolerates.
        (void)::sendto(fd, packet.data(), packet.size(), 0, to.addr, to.addrlen);
    }
    void OnDatagram(QuicConnection& connection, std::span<const std::uint8_t> payload) override {
        Announce(connection);
        if (events.size() >= kMaxQueuedEvents || payload.size() > config.max_datagram_bytes) {
            ++stats.datagrams_dropped;
            return;
        }
        Event& event = PushEvent(EventType::kDatagram, connection.address);
        event.datagram.assign(payload.begin(), payload.end());
        ++stats.datagrams_received;
    }
    void OnDatagramDropped() override { ++stats.datagrams_dropped; }
    std::span<const std::uint8_t> static_secret() const override { return secret; }

    Event& PushEvent(EventType type, const netcode::Address& address) {
        Event& event = events.emplace_back();
        event.type = type;
        event.address = address;
        if (!spare_buffers.empty()) {
            event.datagram = std::move(spare_buffers.back());
            spare_buffers.pop_back();
            event.datagram.clear();
        }
        return event;
    }

    // Gives an opened session its address and announces it, once.
    void Announce(QuicConnection& connection) {
        if (connection.address.type != netcode::AddressType::kNone) {
            return;
        }
        const std::uint64_t number = next_session_number++;
        connection.address = SessionAddress(number, port);
        by_session[number] = &connection;
        ++stats.sessions_opened;
        PushEvent(EventType::kSessionOpened, connection.address).detail = connection.remote_text();
    }

    // Brings the session table and the events in line with a connection's state after it ran.
    void Reconcile(QuicConnection& connection) {
        const bool announced = connection.address.type != netcode::AddressType::kNone;
        if (connection.session_state() == detail::SessionState::kOpen && !announced && !connection.session_over()) {
            Announce(connection);
        }
        if (connection.session_over() && announced) {
            if (auto number = SessionNumber(connection.address, port); number && by_session.erase(*number) > 0) {
                PushEvent(EventType::kSessionClosed, connection.address).detail = connection.end_reason();
            }
        }
    }

    void Reap() {
        std::erase_if(connections, [&](const std::unique_ptr<QuicConnection>& connection) {
            Reconcile(*connection);
            if (connection->session_state() == detail::SessionState::kRefused && !connection->refusal_counted) {
                connection->refusal_counted = true;
                ++stats.sessions_refused;
            }
            return connection->finished();
        });
    }

    // Connections in their handshake: all of them, and those from `ip`.
    std::pair<int, int> Handshakes(const std::string& ip) const {
        std::pair<int, int> counts{0, 0};
        for (const auto& connection : connections) {
            if (!connection->in_handshake()) continue;
            ++counts.first;
            counts.second += connection->remote_ip() == ip ? 1 : 0;
        }
        return counts;
    }

    void ReceivePackets() {
        for (int i = 0; i < kMaxPacketsPerUpdate; ++i) {
            sockaddr_storage remote{};
            socklen_t remote_length = sizeof(remote);
            const ssize_t received = ::recvfrom(fd, receive_buffer.data(), receive_buffer.size(), 0,
                                                reinterpret_cast<sockaddr*>(&remote), &remote_length);
            if (received <= 0) {
                return;  // EAGAIN, or an ICMP error reported on the socket: nothing to read now.
            }
            const detail::PacketPath path{reinterpret_cast<const ngtcp2_sockaddr*>(&local), local_length,
                                          reinterpret_cast<const ngtcp2_sockaddr*>(&remote), remote_length};
            HandlePacket(path, std::span(receive_buffer.data(), static_cast<std::size_t>(received)));
        }
    }

    void HandlePacket(const detail::PacketPath& path, std::span<const std::uint8_t> packet) {
        ngtcp2_version_cid ids{};
        const int rv = ngtcp2_pkt_decode_version_cid(&ids, packet.data(), packet.size(), detail::kConnectionIdBytes);
        if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
            SendVersionNegotiation(ids, path);
            return;
        }
        if (rv != 0) {
            return;
        }
        if (auto it = by_id.find(IdKey({ids.dcid, ids.dcidlen})); it != by_id.end()) {
            QuicConnection& connection = *it->second;
            connection.Read(path, packet, now);
            Reconcile(connection);
            return;
        }
        Accept(path, packet);
    }

    void Accept(const detail::PacketPath& path, std::span<const std::uint8_t> packet) {
        ngtcp2_pkt_hd header{};
        if (ngtcp2_accept(&header, packet.data(), packet.size()) != 0) {
            return;  // Not an Initial that may open a connection (or a short packet for a gone one).
        }
        const auto [handshakes, from_ip] = Handshakes(detail::PeerIp(path.remote));
        if (static_cast<int>(connections.size()) >= config.max_sessions || handshakes >= config.max_handshakes ||
            from_ip >= config.max_handshakes_per_ip) {
            ++stats.connections_refused;
            Refuse(header, path);
            return;
        }
        auto connection = QuicConnection::Accept(*this, *tls, limits, header, path, packet, now);
        if (!connection) {
            return;
        }
        ++stats.connections_accepted;
        connections.push_back(std::move(*connection));
        Reconcile(*connections.back());
    }

    // CONNECTION_REFUSED in an Initial, so the browser fails at once instead of timing out.
    void Refuse(const ngtcp2_pkt_hd& header, const detail::PacketPath& path) {
        std::array<std::uint8_t, NGTCP2_MAX_UDP_PAYLOAD_SIZE> packet{};
        const ngtcp2_ssize written =
            ngtcp2_crypto_write_connection_close(packet.data(), packet.size(), header.version, &header.scid,
                                                 &header.dcid, NGTCP2_CONNECTION_REFUSED, nullptr, 0);
        if (written > 0) {
            SendPacket(ngtcp2_addr{const_cast<ngtcp2_sockaddr*>(path.remote), path.remote_length},
                       std::span(packet.data(), static_cast<std::size_t>(written)));
        }
    }

    void SendVersionNegotiation(const ngtcp2_version_cid& ids, const detail::PacketPath& path) {
        std::array<std::uint8_t, NGTCP2_MAX_UDP_PAYLOAD_SIZE> packet{};
        const std::uint32_t versions[] = {NGTCP2_PROTO_VER_V1};
        std::uint8_t unused = 0;
        gnutls_rnd(GNUTLS_RND_NONCE, &unused, 1);
        const ngtcp2_ssize written = ngtcp2_pkt_write_version_negotiation(
            packet.data(), packet.size(), unused, ids.scid, ids.scidlen, ids.dcid, ids.dcidlen, versions, 1);
        if (written > 0) {
            SendPacket(ngtcp2_addr{const_cast<ngtcp2_sockaddr*>(path.remote), path.remote_length},
                       std::span(packet.data(), static_cast<std::size_t>(written)));
        }
    }

    QuicConnection* FindSession(const netcode::Address& address) const {
        const auto number = SessionNumber(address, port);
        if (!number) {
            return nullptr;
        }
        const auto it = by_session.find(*number);
        return it == by_session.end() ? nullptr : it->second;
    }
};

common::Result<std::unique_ptr<Endpoint>> Endpoint::Open(const EndpointConfig& config) {
    if (auto status = config.Validate(); !status) {
        return common::Fail(status.error().WithContext("webtransport endpoint config"));
    }
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->limits.h3.path = config.path;
    impl->limits.handshake_timeout = ToTimestamp(config.handshake_timeout_seconds);
    impl->limits.idle_timeout = ToTimestamp(config.idle_timeout_seconds);
    auto tls = detail::TlsContext::Load(config.certificate_pem, config.private_key_pem);
    if (!tls) {
        return common::Fail(tls.error());
    }
    impl->tls = std::move(*tls);
    gnutls_rnd(GNUTLS_RND_KEY, impl->secret.data(), impl->secret.size());

    auto bind_address = BindAddress(config, impl->local_length);
    if (!bind_address) {
        return common::Fail(bind_address.error());
    }
    impl->local = *bind_address;
    impl->fd = ::socket(impl->local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (impl->fd < 0) {
        return common::Fail(SocketError("cannot create the socket for", config));
    }
    if (impl->local.ss_family == AF_INET6) {
        const int on = 1;
        ::setsockopt(impl->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    }
    if (::bind(impl->fd, reinterpret_cast<const sockaddr*>(&impl->local), impl->local_length) != 0) {
        return common::Fail(SocketError("cannot bind", config));
    }
    ::getsockname(impl->fd, reinterpret_cast<sockaddr*>(&impl->local), &impl->local_length);
    impl->port = ntohs(impl->local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&impl->local)->sin6_port
                                                         : reinterpret_cast<sockaddr_in*>(&impl->local)->sin_port);
    return std::unique_ptr<Endpoint>(new Endpoint(std::move(impl)));
}

Endpoint::Endpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Endpoint::~Endpoint() = default;

void Endpoint::Update(double now_seconds) {
    Impl& impl = *impl_;
    impl.now = std::max(impl.now, ToTimestamp(now_seconds));
    // Timers first: the ACKs the last tick's reads left behind go out now unless a datagram
    // carried them since, and this tick's reads leave theirs for the game's datagrams to carry.
    for (auto& connection : impl.connections) {
        if (connection->expiry() <= impl.now) {
            connection->OnTimer(impl.now);
        }
    }
    impl.ReceivePackets();
    impl.Reap();
}

bool Endpoint::Poll(Event& event) {
    Impl& impl = *impl_;
    if (impl.events.empty()) {
        return false;
    }
    Event& front = impl.events.front();
    event.type = front.type;
    event.address = front.address;
    std::swap(event.datagram, front.datagram);
    std::swap(event.detail, front.detail);
    impl.spare_buffers.push_back(std::move(front.datagram));
    impl.events.pop_front();
    return true;
}

bool Endpoint::Serves(const netcode::Address& address) const { return impl_->FindSession(address) != nullptr; }

void Endpoint::Send(const netcode::Address& to, std::span<const std::uint8_t> packet) {
    Impl& impl = *impl_;
    QuicConnection* connection = impl.FindSession(to);
    if (connection == nullptr || packet.size() > impl.config.max_datagram_bytes ||
        packet.size() > connection->max_datagram_payload() || !connection->SendDatagram(packet, impl.now)) {
        ++impl.stats.datagrams_dropped;
        return;
    }
    ++impl.stats.datagrams_sent;
}

void Endpoint::Close(const netcode::Address& address) {
    Impl& impl = *impl_;
    if (QuicConnection* connection = impl.FindSession(address); connection != nullptr) {
        connection->EndSession(0, "closed by the server", impl.now);
        impl.Reconcile(*connection);
    }
}

std::uint16_t Endpoint::bound_port() const { return impl_->port; }

int Endpoint::num_sessions() const { return static_cast<int>(impl_->by_session.size()); }

const EndpointStats& Endpoint::stats() const { return impl_->stats; }

}  // namespace gapkit::webtransport
