#include "client_address.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>

namespace gapkit::httpd {
namespace {

std::string_view Trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// The proxy appends the address it saw last, so the last entry is the one a client cannot forge.
std::optional<std::string> LastForwarded(std::string_view header) {
    const auto comma = header.rfind(',');
    const std::string_view last = Trim(comma == std::string_view::npos ? header : header.substr(comma + 1));
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(last), ec);
    if (ec) return std::nullopt;
    return address.to_string();
}

}  // namespace

bool IsPrivateAddress(std::string_view ip) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(std::string(ip), ec);
    if (ec) return false;
    if (address.is_loopback()) return true;
    if (address.is_v6()) {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped())
            return IsPrivateAddress(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string());
        return v6.is_link_local() || (v6.to_bytes()[0] & 0xfe) == 0xfc;
    }
    const auto bytes = address.to_v4().to_bytes();
    return bytes[0] == 10 || (bytes[0] == 172 && (bytes[1] & 0xf0) == 16) || (bytes[0] == 192 && bytes[1] == 168) ||
           (bytes[0] == 169 && bytes[1] == 254);
}

std::string ResolveClientIp(const HttpdConfig& config, std::string_view peer_ip, std::string_view forwarded_for,
                            const std::optional<std::string>& requested_ip) {
    std::string ip(peer_ip);
    const bool trusted_peer = std::find(config.trusted_proxies.begin(), config.trusted_proxies.end(), peer_ip) !=
                              config.trusted_proxies.end();
    if (config.allow_client_ip_override && requested_ip) {
        ip = *requested_ip;
    } else if (trusted_peer && !forwarded_for.empty()) {
        ip = LastForwarded(forwarded_for).value_or(ip);
    }
    if (!config.fake_ip.empty() && IsPrivateAddress(ip)) ip = config.fake_ip;
    return ip;
}

}  // namespace gapkit::httpd
