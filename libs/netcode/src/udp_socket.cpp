#include "udp_socket.hpp"

#include <cstring>
#include <utility>

#include <fmt/core.h>

#include "socket_platform.hpp"

namespace gapkit::netcode::detail {

namespace {

using common::ErrorCode;
using common::MakeError;
using platform::kInvalidSocket;
using platform::NativeSocket;

// Bursts of up to a few hundred datagrams between two ticks must not be dropped by the kernel;
// the OS silently caps this at net.core.rmem_max.
constexpr int kSocketBufferBytes = 4 * 1024 * 1024;

socklen_t ToSockaddr(const Address& address, sockaddr_storage& storage) {
    std::memset(&storage, 0, sizeof(storage));
    if (address.type == AddressType::kIpv6) {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(address.port);
        for (int i = 0; i < 8; ++i) {
            v6->sin6_addr.s6_addr[2 * i] = static_cast<std::uint8_t>(address.ipv6[i] >> 8);
            v6->sin6_addr.s6_addr[2 * i + 1] = static_cast<std::uint8_t>(address.ipv6[i] & 0xff);
        }
        return sizeof(sockaddr_in6);
    }
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(address.port);
    std::memcpy(&v4->sin_addr, address.ipv4.data(), 4);
    return sizeof(sockaddr_in);
}

Address FromSockaddr(const sockaddr_storage& storage) {
    if (storage.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        std::array<std::uint16_t, 8> groups{};
        for (int i = 0; i < 8; ++i) {
            groups[i] =
                static_cast<std::uint16_t>((v6->sin6_addr.s6_addr[2 * i] << 8) | v6->sin6_addr.s6_addr[2 * i + 1]);
        }
        return Address::Ipv6(groups, ntohs(v6->sin6_port));
    }
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    const auto* octets = reinterpret_cast<const std::uint8_t*>(&v4->sin_addr);
    return Address::Ipv4(octets[0], octets[1], octets[2], octets[3], ntohs(v4->sin_port));
}

tl::unexpected<common::Error> SocketError(std::string_view what, const Address& address) {
    return MakeError(ErrorCode::kIo,
                     fmt::format("UDP {} {}: {}", what, address.ToString(), platform::LastSocketError()));
}

Status Configure(NativeSocket socket, const Address& bind_address) {
    if (bind_address.type == AddressType::kIpv6 && !platform::SetIntOption(socket, IPPROTO_IPV6, IPV6_V6ONLY, 1)) {
        return SocketError("IPV6_V6ONLY on", bind_address);
    }
    // Best effort: a smaller buffer only means more drops under bursts.
    platform::SetIntOption(socket, SOL_SOCKET, SO_RCVBUF, kSocketBufferBytes);
    platform::SetIntOption(socket, SOL_SOCKET, SO_SNDBUF, kSocketBufferBytes);
    sockaddr_storage storage;
    if (!platform::Bind(socket, storage, ToSockaddr(bind_address, storage))) {
        return SocketError("bind to", bind_address);
    }
    if (!platform::MakeNonBlockingDatagram(socket)) return SocketError("non-blocking mode on", bind_address);
    return common::Ok();
}

}  // namespace

Result<UdpSocket> UdpSocket::Open(const Address& bind_address) {
    if (bind_address.type == AddressType::kNone) {
        return MakeError(ErrorCode::kInvalidArgument, "UDP socket needs an IPv4 or IPv6 bind address");
    }
    const NativeSocket socket = platform::OpenUdpSocket(bind_address.type == AddressType::kIpv6 ? AF_INET6 : AF_INET);
    if (socket == kInvalidSocket) return SocketError("socket for", bind_address);
    UdpSocket udp(socket, bind_address);
    if (auto status = Configure(socket, bind_address); !status) return common::Fail(status.error());
    sockaddr_storage storage{};
    if (!platform::LocalAddress(socket, storage)) return SocketError("getsockname", bind_address);
    udp.local_address_ = FromSockaddr(storage);
    return udp;
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : socket_(std::exchange(other.socket_, kInvalidSocket)), local_address_(other.local_address_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
    if (this != &other) {
        if (socket_ != kInvalidSocket) platform::CloseSocket(socket_);
        socket_ = std::exchange(other.socket_, kInvalidSocket);
        local_address_ = other.local_address_;
    }
    return *this;
}

UdpSocket::~UdpSocket() {
    if (socket_ != kInvalidSocket) platform::CloseSocket(socket_);
}

Status UdpSocket::SendTo(const Address& to, std::span<const std::uint8_t> datagram) {
    if (to.type != local_address_.type) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("cannot send to {} from {}", to.ToString(), local_address_.ToString()));
    }
    sockaddr_storage storage;
    const socklen_t length = ToSockaddr(to, storage);
    if (!platform::SendTo(socket_, datagram, storage, length)) return SocketError("send to", to);
    return common::Ok();
}

std::optional<std::size_t> UdpSocket::ReceiveFrom(std::span<std::uint8_t> buffer, Address& from) {
    sockaddr_storage storage{};
    const auto received = platform::ReceiveFrom(socket_, buffer, storage);
    if (received) from = FromSockaddr(storage);
    return received;
}

}  // namespace gapkit::netcode::detail
