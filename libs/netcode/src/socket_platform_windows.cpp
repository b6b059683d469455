// First: <mswsock.h> (SIO_UDP_CONNRESET) needs the Winsock types it includes.
#include "socket_platform.hpp"

#include <mswsock.h>

#include <mutex>

#include <fmt/core.h>

namespace gapkit::netcode::detail::platform {

namespace {

SOCKET Native(NativeSocket socket) { return static_cast<SOCKET>(socket); }

// Winsock needs one WSAStartup per process before any socket call. It is never undone with
// WSACleanup: sockets may live until exit, and the OS releases everything then.
bool StartWinsock() {
    static std::once_flag once;
    static bool started = false;
    std::call_once(once, [] {
        WSADATA data;
        started = WSAStartup(MAKEWORD(2, 2), &data) == 0;
    });
    return started;
}

}  // namespace

NativeSocket OpenUdpSocket(int family) {
    if (!StartWinsock()) return kInvalidSocket;
    const SOCKET socket = ::socket(family, SOCK_DGRAM, IPPROTO_UDP);
    return socket == INVALID_SOCKET ? kInvalidSocket : static_cast<NativeSocket>(socket);
}

void CloseSocket(NativeSocket socket) { ::closesocket(Native(socket)); }

bool MakeNonBlockingDatagram(NativeSocket socket) {
    u_long non_blocking = 1;
    if (::ioctlsocket(Native(socket), FIONBIO, &non_blocking) != 0) return false;
    // Without this, an ICMP port unreachable (the server not listening yet, or gone) makes the next
    // recvfrom fail with WSAECONNRESET, which would end that update's reads. Best effort:
    // ReceiveFrom skips the resets that still arrive.
    BOOL report_resets = FALSE;
    DWORD returned = 0;
    ::WSAIoctl(Native(socket), SIO_UDP_CONNRESET, &report_resets, sizeof(report_resets), nullptr, 0, &returned, nullptr,
               nullptr);
    return true;
}

bool SetIntOption(NativeSocket socket, int level, int name, int value) {
    return ::setsockopt(Native(socket), level, name, reinterpret_cast<const char*>(&value), sizeof(value)) == 0;
}

bool Bind(NativeSocket socket, const sockaddr_storage& address, socklen_t length) {
    return ::bind(Native(socket), reinterpret_cast<const sockaddr*>(&address), length) == 0;
}

bool LocalAddress(NativeSocket socket, sockaddr_storage& address) {
    socklen_t length = sizeof(address);
    return ::getsockname(Native(socket), reinterpret_cast<sockaddr*>(&address), &length) == 0;
}

bool SendTo(NativeSocket socket, std::span<const std::uint8_t> datagram, const sockaddr_storage& to, socklen_t length) {
    return ::sendto(Native(socket), reinterpret_cast<const char*>(datagram.data()), static_cast<int>(datagram.size()),
                    0, reinterpret_cast<const sockaddr*>(&to), length) != SOCKET_ERROR;
}

std::optional<std::size_t> ReceiveFrom(NativeSocket socket, std::span<std::uint8_t> buffer, sockaddr_storage& from) {
    // A reset that slipped past SIO_UDP_CONNRESET says nothing about the next datagram: skip it.
    // Bounded, so a flood of resets cannot hold the caller's thread.
    for (int attempt = 0; attempt < 8; ++attempt) {
        int length = sizeof(from);
        const int received =
            ::recvfrom(Native(socket), reinterpret_cast<char*>(buffer.data()), static_cast<int>(buffer.size()), 0,
                       reinterpret_cast<sockaddr*>(&from), &length);
        if (received != SOCKET_ERROR) return static_cast<std::size_t>(received);
        const int error = ::WSAGetLastError();
        if (error == WSAEMSGSIZE) return buffer.size() + 1;
        if (error != WSAECONNRESET && error != WSAENETRESET) return std::nullopt;
    }
    return std::nullopt;
}

std::string LastSocketError() {
    const int error = ::WSAGetLastError();
    char* text = nullptr;
    const DWORD size =
        ::FormatMessageA(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                         nullptr, static_cast<DWORD>(error), 0, reinterpret_cast<char*>(&text), 0, nullptr);
    std::string message = size > 0 ? std::string(text, size) : std::string();
    ::LocalFree(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == '.'))
        message.pop_back();
    return fmt::format("{} (Winsock error {})", message.empty() ? "unknown error" : message, error);
}

}  // namespace gapkit::netcode::detail::platform
