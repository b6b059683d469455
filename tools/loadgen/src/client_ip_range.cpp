#include "client_ip_range.hpp"

#include <fmt/core.h>
#include <boost/asio/ip/network_v4.hpp>

namespace gapkit::loadgen {

namespace ip = boost::asio::ip;

common::Result<ClientIpRange> ClientIpRange::Parse(std::string_view cidr) {
    boost::system::error_code error;
    // make_network_v4 accepts host bits below the prefix ("10.0.0.1/8"); canonical() drops them.
    const ip::network_v4 network = ip::make_network_v4(cidr, error).canonical();
    if (error || cidr.find('/') == std::string_view::npos) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("'{}' is not an IPv4 range such as 198.18.0.0/15", cidr));
    }
    const std::uint32_t base = network.network().to_uint();
    const std::uint64_t addresses = std::uint64_t{1} << (32 - network.prefix_length());
    if (network.prefix_length() <= 30) return ClientIpRange(base + 1, addresses - 2);
    return ClientIpRange(base, addresses);
}

std::string ClientIpRange::At(std::uint64_t index) const {
    return ip::address_v4(static_cast<std::uint32_t>(first_ + index % size_)).to_string();
}

}  // namespace gapkit::loadgen
