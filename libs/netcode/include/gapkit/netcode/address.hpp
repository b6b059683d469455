#pragma once

/// @file
/// A UDP endpoint as netcode stores it in tokens and compares it on the server: IPv4 or IPv6 plus a
/// port.
///
/// IPv6 is kept as eight numeric 16-bit groups (`fe80::1` has `ipv6[0] == 0xfe80`), which is how the
/// reference C implementation stores it and why its tokens carry each group as a little-endian
/// u16. Plain value type; safe to copy and to use from any thread.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::netcode {

/// Wire values of the address type byte in tokens. `kNone` never appears in a valid token.
enum class AddressType : std::uint8_t { kNone = 0, kIpv4 = 1, kIpv6 = 2 };

/// An IPv4 or IPv6 endpoint. Only the array matching `type` is meaningful; the other stays zero so
/// that `==` compares exactly type, IP and port, as the reference does.
struct Address {
    AddressType type = AddressType::kNone;
    std::array<std::uint8_t, 4> ipv4{};   ///< Dotted octets in reading order: 127.0.0.1 is {127, 0, 0, 1}.
    std::array<std::uint16_t, 8> ipv6{};  ///< Numeric group values in reading order.
    std::uint16_t port = 0;               ///< Host byte order.

    /// Parses "a.b.c.d:port" or "[v6]:port" (any textual IPv6 form `inet_pton` accepts). The port is
    /// required and may be 0 only for bind addresses ("pick a free port"). Errors name the text.
    static common::Result<Address> Parse(std::string_view text);

    /// Builds an address from a bare IP ("1.2.3.4" or "::1", no brackets) and a port, the shape
    /// REST APIs such as Edgegap's report. Errors name the text.
    static common::Result<Address> FromIp(std::string_view ip, std::uint16_t port);

    /// Returns an IPv4 address.
    static Address Ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port);

    /// Returns an IPv6 address from its eight numeric groups.
    static Address Ipv6(const std::array<std::uint16_t, 8>& groups, std::uint16_t port);

    /// "a.b.c.d:port" or "[v6]:port" in the canonical compressed form; "none" for `kNone`.
    std::string ToString() const;

    bool operator==(const Address&) const = default;
};

}  // namespace gapkit::netcode
