#include "gapkit/netcode/address.hpp"

#include <charconv>

#include <fmt/core.h>

#include "socket_platform.hpp"

namespace gapkit::netcode {

namespace {

using common::ErrorCode;
using common::MakeError;

common::Result<std::uint16_t> ParsePort(std::string_view port_text, std::string_view whole) {
    unsigned value = 0;
    const char* end = port_text.data() + port_text.size();
    auto [ptr, ec] = std::from_chars(port_text.data(), end, value);
    if (port_text.empty() || ec != std::errc{} || ptr != end || value > 65535) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("address '{}': port must be 0..65535", whole));
    }
    return static_cast<std::uint16_t>(value);
}

common::Result<Address> ParseIpv6(std::string_view text) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("address '{}': expected [ipv6]:port", text));
    }
    const std::string host(text.substr(1, close - 1));
    std::array<std::uint8_t, 16> octets{};
    if (inet_pton(AF_INET6, host.c_str(), octets.data()) != 1) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("address '{}': '{}' is not IPv6", text, host));
    }
    auto port = ParsePort(text.substr(close + 2), text);
    if (!port) return common::Fail(port.error());
    std::array<std::uint16_t, 8> groups{};
    for (std::size_t i = 0; i < groups.size(); ++i) {
        groups[i] = static_cast<std::uint16_t>((octets[2 * i] << 8) | octets[2 * i + 1]);
    }
    return Address::Ipv6(groups, *port);
}

common::Result<Address> ParseIpv4(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("address '{}': expected ip:port", text));
    }
    const std::string host(text.substr(0, colon));
    std::array<std::uint8_t, 4> octets{};
    if (inet_pton(AF_INET, host.c_str(), octets.data()) != 1) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("address '{}': '{}' is not IPv4", text, host));
    }
    auto port = ParsePort(text.substr(colon + 1), text);
    if (!port) return common::Fail(port.error());
    return Address::Ipv4(octets[0], octets[1], octets[2], octets[3], *port);
}

}  // namespace

common::Result<Address> Address::Parse(std::string_view text) {
    if (!text.empty() && text.front() == '[') return ParseIpv6(text);
    return ParseIpv4(text);
}

common::Result<Address> Address::FromIp(std::string_view ip, std::uint16_t port) {
    if (ip.find(':') != std::string_view::npos) return Parse(fmt::format("[{}]:{}", ip, port));
    return Parse(fmt::format("{}:{}", ip, port));
}

Address Address::Ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
    Address address;
    address.type = AddressType::kIpv4;
    address.ipv4 = {a, b, c, d};
    address.port = port;
    return address;
}

Address Address::Ipv6(const std::array<std::uint16_t, 8>& groups, std::uint16_t port) {
    Address address;
    address.type = AddressType::kIpv6;
    address.ipv6 = groups;
    address.port = port;
    return address;
}

std::string Address::ToString() const {
    if (type == AddressType::kIpv4) {
        return fmt::format("{}.{}.{}.{}:{}", ipv4[0], ipv4[1], ipv4[2], ipv4[3], port);
    }
    if (type != AddressType::kIpv6) return "none";
    std::array<std::uint8_t, 16> octets{};
    for (std::size_t i = 0; i < ipv6.size(); ++i) {
        octets[2 * i] = static_cast<std::uint8_t>(ipv6[i] >> 8);
        octets[2 * i + 1] = static_cast<std::uint8_t>(ipv6[i] & 0xff);
    }
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, octets.data(), text, sizeof(text));
    return fmt::format("[{}]:{}", text, port);
}

}  // namespace gapkit::netcode
