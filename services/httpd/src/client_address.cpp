#include "client_address.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/core.h>

namespace gapkit::httpd {
namespace {

namespace ip = boost::asio::ip;
using common::ErrorCode;
using common::MakeError;
using Entries = std::vector<std::optional<ip::address>>;

std::string_view Trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

ip::address Unmapped(const ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    return address;
}

std::optional<ip::address> ParseAddress(std::string_view text) {
    boost::system::error_code ec;
    const auto address = ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return Unmapped(address);
}

bool IsPort(std::string_view text) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size() && port <= 65535;
}

// "1.2.3.4", "1.2.3.4:80", "::1", "[::1]", "[::1]:80". Anything else is malformed.
std::optional<ip::address> ParseNode(std::string_view node) {
    node = Trim(node);
    if (node.starts_with('[')) {
        const auto close = node.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const std::string_view rest = node.substr(close + 1);
        if (!rest.empty() && !(rest.front() == ':' && IsPort(rest.substr(1)))) return std::nullopt;
        auto address = ParseAddress(node.substr(1, close - 1));
        if (!address || !address->is_v6()) return std::nullopt;
        return address;
    }
    if (auto address = ParseAddress(node)) return address;
    const auto colon = node.rfind(':');
    if (colon == std::string_view::npos || !IsPort(node.substr(colon + 1))) return std::nullopt;
    auto address = ParseAddress(node.substr(0, colon));
    if (!address || !address->is_v4()) return std::nullopt;
    return address;
}

// Splits on `separator` outside double quotes (RFC 7230 quoted-string, with backslash escapes).
std::vector<std::string_view> SplitOutsideQuotes(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (quoted && text[i] == '\\') {
            ++i;
        } else if (text[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && text[i] == separator) {
            parts.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(text.substr(start));
    return parts;
}

std::string Unquote(std::string_view value) {
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
    std::string out;
    for (std::size_t i = 1; i + 1 < value.size(); ++i) {
        if (value[i] == '\\' && i + 2 < value.size()) ++i;
        out.push_back(value[i]);
    }
    return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// The `for=` node of one Forwarded element; "unknown" and obfuscated ("_hidden") nodes are malformed
// for our purpose: they name no address.
std::optional<ip::address> ForwardedFor(std::string_view element) {
    for (std::string_view pair : SplitOutsideQuotes(element, ';')) {
        pair = Trim(pair);
        const auto equals = pair.find('=');
        if (equals == std::string_view::npos || !EqualsIgnoringCase(Trim(pair.substr(0, equals)), "for")) continue;
        return ParseNode(Unquote(Trim(pair.substr(equals + 1))));
    }
    return std::nullopt;
}

std::string JoinedHeader(const boost::beast::http::fields& headers, std::string_view name) {
    std::string joined;
    const auto [first, last] = headers.equal_range(name);
    for (auto it = first; it != last; ++it) {
        if (!joined.empty()) joined += ',';
        joined += it->value();
    }
    return joined;
}

std::vector<unsigned char> Bytes(const ip::address& address) {
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        return {bytes.begin(), bytes.end()};
    }
    const auto bytes = address.to_v6().to_bytes();
    return {bytes.begin(), bytes.end()};
}

bool SamePrefix(const ip::address& a, const ip::address& b, int prefix_bits) {
    if (a.is_v4() != b.is_v4()) return false;
    const auto bytes_a = Bytes(a);
    const auto bytes_b = Bytes(b);
    for (int bit = 0; bit < prefix_bits; ++bit) {
        const auto mask = static_cast<unsigned char>(0x80u >> (bit % 8));
        if ((bytes_a[bit / 8] & mask) != (bytes_b[bit / 8] & mask)) return false;
    }
    return true;
}

}  // namespace

common::Result<ProxyList> ProxyList::Parse(const std::vector<std::string>& entries) {
    ProxyList list;
    for (const std::string& entry : entries) {
        const auto slash = entry.find('/');
        auto base = ParseAddress(Trim(std::string_view(entry).substr(0, slash)));
        const int max_bits = base && base->is_v4() ? 32 : 128;
        int bits = max_bits;
        bool ok = base.has_value();
        if (ok && slash != std::string::npos) {
            const std::string_view text = std::string_view(entry).substr(slash + 1);
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits);
            ok = ec == std::errc() && end == text.data() + text.size() && bits >= 0 && bits <= max_bits;
        }
        if (!ok) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("trusted proxy '{}' is not an IP address or CIDR range "
                                         "(e.g. 127.0.0.1, 172.30.0.0/16, fd00::/8)",
                                         entry));
        }
        list.ranges_.push_back(Range{*base, bits});
    }
    return list;
}

bool ProxyList::Contains(const ip::address& address) const {
    const ip::address unmapped = Unmapped(address);
    return std::any_of(ranges_.begin(), ranges_.end(),
                       [&](const Range& range) { return SamePrefix(range.base, unmapped, range.prefix_bits); });
}

common::Result<ClientAddressPolicy> ClientAddressPolicy::FromConfig(const HttpdConfig& config) {
    auto proxies = ProxyList::Parse(config.trusted_proxies);
    if (!proxies) return common::Fail(proxies.error());
    ClientAddressPolicy policy;
    policy.trusted_proxies = std::move(*proxies);
    if (config.forwarded_header == "forwarded") {
        policy.header = ForwardedHeader::kForwarded;
    } else if (config.forwarded_header != "x-forwarded-for") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("forwarded header must be x-forwarded-for or forwarded (got '{}')", config.forwarded_header));
    }
    if (config.ipv6_limit_prefix_bits < 1 || config.ipv6_limit_prefix_bits > 128) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("ipv6 limit prefix must be 1..128 bits (got {})", config.ipv6_limit_prefix_bits));
    }
    policy.ipv6_limit_prefix_bits = config.ipv6_limit_prefix_bits;
    return policy;
}

Entries ParseXForwardedFor(std::string_view joined) {
    Entries entries;
    for (std::string_view entry : SplitOutsideQuotes(joined, ',')) {
        if (!Trim(entry).empty()) entries.push_back(ParseNode(entry));
    }
    return entries;
}

Entries ParseForwarded(std::string_view joined) {
    Entries entries;
    for (std::string_view element : SplitOutsideQuotes(joined, ',')) {
        if (!Trim(element).empty()) entries.push_back(ForwardedFor(element));
    }
    return entries;
}

ip::address WalkChain(const ProxyList& proxies, const ip::address& peer, const Entries& entries) {
    ip::address current = Unmapped(peer);
    if (!proxies.Contains(current)) return current;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (!*it) return current;
        current = **it;
        if (!proxies.Contains(current)) return current;
    }
    return current;
}

std::string LimitKey(const ip::address& address, int ipv6_prefix_bits) {
    const ip::address unmapped = Unmapped(address);
    if (unmapped.is_v4()) return unmapped.to_string();
    auto bytes = unmapped.to_v6().to_bytes();
    for (int bit = ipv6_prefix_bits; bit < 128; ++bit) {
        bytes[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
    }
    return fmt::format("{}/{}", ip::address_v6(bytes).to_string(), ipv6_prefix_bits);
}

ClientAddress ResolveClient(const ClientAddressPolicy& policy, std::string_view peer_ip,
                            const boost::beast::http::fields& headers) {
    const auto peer = ParseAddress(peer_ip);
    if (!peer) return ClientAddress{std::string(peer_ip), std::string(peer_ip), false};
    const bool via_proxy = policy.trusted_proxies.Contains(*peer);
    ip::address client = *peer;
    if (via_proxy) {
        const bool forwarded = policy.header == ForwardedHeader::kForwarded;
        const std::string joined = JoinedHeader(headers, forwarded ? "Forwarded" : "X-Forwarded-For");
        client =
            WalkChain(policy.trusted_proxies, *peer, forwarded ? ParseForwarded(joined) : ParseXForwardedFor(joined));
    }
    return ClientAddress{client.to_string(), LimitKey(client, policy.ipv6_limit_prefix_bits), via_proxy};
}

bool IsPrivateAddress(std::string_view ip) {
    const auto address = ParseAddress(ip);
    if (!address) return false;
    if (address->is_loopback()) return true;
    if (address->is_v6()) {
        const auto v6 = address->to_v6();
        return v6.is_link_local() || (v6.to_bytes()[0] & 0xfe) == 0xfc;
    }
    const auto bytes = address->to_v4().to_bytes();
    return bytes[0] == 10 || (bytes[0] == 172 && (bytes[1] & 0xf0) == 16) || (bytes[0] == 192 && bytes[1] == 168) ||
           (bytes[0] == 169 && bytes[1] == 254);
}

std::string MatchmakerClientIp(const HttpdConfig& config, const std::string& resolved_ip,
                               const std::optional<std::string>& requested_ip) {
    std::string ip = config.allow_client_ip_override && requested_ip ? *requested_ip : resolved_ip;
    if (!config.fake_ip.empty() && IsPrivateAddress(ip)) ip = config.fake_ip;
    return ip;
}

}  // namespace gapkit::httpd
