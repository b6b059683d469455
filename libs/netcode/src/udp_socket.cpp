#include "udp_socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/core.h>

namespace gapkit::netcode::detail {

namespace {

using common::ErrorCode;
using common::MakeError;

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
    return MakeError(ErrorCode::kIo, fmt::format("UDP {} {}: {}", what, address.ToString(), std::strerror(errno)));
}

Status Configure(int fd, const Address& bind_address) {
    const int one = 1;
    if (bind_address.type == AddressType::kIpv6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) {
        return SocketError("IPV6_V6ONLY on", bind_address);
    }
    // Best effort: a smaller buffer only means more drops under bursts.
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBufferBytes, sizeof(kSocketBufferBytes));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBufferBytes, sizeof(kSocketBufferBytes));
    sockaddr_storage storage;
    if (bind(fd, reinterpret_cast<sockaddr*>(&storage), ToSockaddr(bind_address, storage)) != 0) {
        return SocketError("bind to", bind_address);
    }
    const int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return SocketError("non-blocking mode on", bind_address);
    return common::Ok();
}

}  // namespace

Result<UdpSocket> UdpSocket::Open(const Address& bind_address) {
    if (bind_address.type == AddressType::kNone) {
        return MakeError(ErrorCode::kInvalidArgument, "UDP socket needs an IPv4 or IPv6 bind address");
    }
    const int fd = socket(bind_address.type == AddressType::kIpv6 ? AF_INET6 : AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (fd < 0) return SocketError("socket for", bind_address);
    UdpSocket udp(fd, bind_address);
    if (auto status = Configure(fd, bind_address); !status) return common::Fail(status.error());
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
        return SocketError("getsockname", bind_address);
    udp.local_address_ = FromSockaddr(storage);
    return udp;
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), local_address_(other.local_address_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        local_address_ = other.local_address_;
    }
    return *this;
}

UdpSocket::~UdpSocket() {
    if (fd_ >= 0) close(fd_);
}

Status UdpSocket::SendTo(const Address& to, std::span<const std::uint8_t> datagram) {
    if (to.type != local_address_.type) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("cannot send to {} from {}", to.ToString(), local_address_.ToString()));
    }
    sockaddr_storage storage;
    const socklen_t length = ToSockaddr(to, storage);
    if (sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&storage), length) < 0) {
        return SocketError("send to", to);
    }
    return common::Ok();
}

std::optional<std::size_t> UdpSocket::ReceiveFrom(std::span<std::uint8_t> buffer, Address& from) {
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    const ssize_t received =
        recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&storage), &length);
    if (received < 0) return std::nullopt;
    from = FromSockaddr(storage);
    return static_cast<std::size_t>(received);
}

}  // namespace gapkit::netcode::detail
