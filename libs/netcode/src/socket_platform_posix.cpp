#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "socket_platform.hpp"

namespace gapkit::netcode::detail::platform {

namespace {

int Fd(NativeSocket socket) { return static_cast<int>(socket); }

}  // namespace

NativeSocket OpenUdpSocket(int family) {
    const int fd = ::socket(family, SOCK_DGRAM, IPPROTO_UDP);
    return fd < 0 ? kInvalidSocket : static_cast<NativeSocket>(fd);
}

void CloseSocket(NativeSocket socket) { ::close(Fd(socket)); }

bool MakeNonBlockingDatagram(NativeSocket socket) {
    const int flags = ::fcntl(Fd(socket), F_GETFL, 0);
    return flags >= 0 && ::fcntl(Fd(socket), F_SETFL, flags | O_NONBLOCK) == 0;
}

bool SetIntOption(NativeSocket socket, int level, int name, int value) {
    return ::setsockopt(Fd(socket), level, name, &value, sizeof(value)) == 0;
}

bool Bind(NativeSocket socket, const sockaddr_storage& address, socklen_t length) {
    return ::bind(Fd(socket), reinterpret_cast<const sockaddr*>(&address), length) == 0;
}

bool LocalAddress(NativeSocket socket, sockaddr_storage& address) {
    socklen_t length = sizeof(address);
    return ::getsockname(Fd(socket), reinterpret_cast<sockaddr*>(&address), &length) == 0;
}

bool SendTo(NativeSocket socket, std::span<const std::uint8_t> datagram, const sockaddr_storage& to, socklen_t length) {
    return ::sendto(Fd(socket), datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), length) >=
           0;
}

std::optional<std::size_t> ReceiveFrom(NativeSocket socket, std::span<std::uint8_t> buffer, sockaddr_storage& from) {
    socklen_t length = sizeof(from);
    // MSG_TRUNC makes Linux return the datagram's full length, so truncation is visible; elsewhere
    // it is accepted and the length is capped at the buffer, which the caller's limit also rejects.
    const ssize_t received =
        ::recvfrom(Fd(socket), buffer.data(), buffer.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &length);
    if (received < 0) return std::nullopt;
    return static_cast<std::size_t>(received);
}

std::string LastSocketError() { return std::strerror(errno); }

}  // namespace gapkit::netcode::detail::platform
