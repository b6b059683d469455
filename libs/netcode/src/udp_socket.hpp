#pragma once

// A non-blocking UDP socket (POSIX or Winsock, through socket_platform.hpp) bound to one local address. IPv6 sockets
// are IPv6-only, as in the reference, so an IPv4 and an IPv6 server can share a port. Owned by one thread.

#include <cstdint>
#include <optional>
#include <span>

#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::netcode::detail {

class UdpSocket {
  public:
    /// Opens and binds; port 0 picks a free port, which `local_address()` then reports.
    static Result<UdpSocket> Open(const Address& bind_address);

    UdpSocket(UdpSocket&& other) noexcept;
    UdpSocket& operator=(UdpSocket&& other) noexcept;
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;
    ~UdpSocket();

    /// Sends one datagram. Failures (no route, full buffer) are returned; UDP callers usually drop them.
    Status SendTo(const Address& to, std::span<const std::uint8_t> datagram);

    /// Receives one waiting datagram into `buffer` and returns its full length, which exceeds
    /// `buffer.size()` when the datagram was truncated. Nothing when no datagram is waiting.
    std::optional<std::size_t> ReceiveFrom(std::span<std::uint8_t> buffer, Address& from);

    const Address& local_address() const { return local_address_; }

  private:
    UdpSocket(std::uintptr_t socket, const Address& local_address) : socket_(socket), local_address_(local_address) {}

    // A platform::NativeSocket; spelled out so that this header does not pull in <winsock2.h>.
    std::uintptr_t socket_ = ~std::uintptr_t{0};
    Address local_address_;
};

}  // namespace gapkit::netcode::detail
