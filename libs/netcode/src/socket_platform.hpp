#pragma once

// The few socket calls where Winsock and POSIX differ, so that udp_socket.cpp and address.cpp hold
// no platform #ifdef. socket_platform_posix.cpp is the default (Linux; it uses nothing Linux-only,
// so BSD and macOS too) and socket_platform_windows.cpp replaces it on Windows (CMake picks one).
// Stateless apart from Winsock's one-time start; every function may be called from any thread.

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode::detail::platform {

/// A POSIX file descriptor or a Winsock SOCKET, widened to one type. -1 and INVALID_SOCKET both
/// become kInvalidSocket.
using NativeSocket = std::uintptr_t;
inline constexpr NativeSocket kInvalidSocket = ~NativeSocket{0};

/// Opens a UDP socket of `family` (AF_INET, AF_INET6); Winsock is started on first use.
/// kInvalidSocket on failure, with the reason in `LastSocketError()`.
NativeSocket OpenUdpSocket(int family);
void CloseSocket(NativeSocket socket);

/// Non-blocking mode, and on Windows no WSAECONNRESET from `ReceiveFrom` after an ICMP port
/// unreachable (which would otherwise fail the next receive of a client whose server is gone).
bool MakeNonBlockingDatagram(NativeSocket socket);

bool SetIntOption(NativeSocket socket, int level, int name, int value);
bool Bind(NativeSocket socket, const sockaddr_storage& address, socklen_t length);
bool LocalAddress(NativeSocket socket, sockaddr_storage& address);
bool SendTo(NativeSocket socket, std::span<const std::uint8_t> datagram, const sockaddr_storage& to, socklen_t length);

/// One waiting datagram into `buffer`: its full length, more than `buffer.size()` when it was
/// truncated (Windows only says "truncated": then `buffer.size() + 1`). Nothing when none waits.
std::optional<std::size_t> ReceiveFrom(NativeSocket socket, std::span<std::uint8_t> buffer, sockaddr_storage& from);

/// The text of the calling thread's last socket error (errno, or WSAGetLastError on Windows).
std::string LastSocketError();

}  // namespace gapkit::netcode::detail::platform
