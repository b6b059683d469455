#pragma once

// Who the client is: the address a request came from, seen through trusted proxies, and the key
// its per-client limits are counted under. Pure functions, tested on their own.
//
// The chain rule (X-Forwarded-For or RFC 7239 Forwarded, whichever the config believes): every
// line of the header is joined in order and the entries are walked right to left, starting from
// the peer. While the current hop is a trusted proxy, the entry to its left is what that proxy
// saw; the first entry that is not a trusted proxy is the client. When every entry is trusted, the
// leftmost is the client. An entry that is not an address (garbage, `unknown`, an obfuscated
// Forwarded node, a `Forwarded` element without `for=`) stops the walk and the client is the
// nearest trusted hop to its right: a client can never choose its address by sending garbage, it
// only ends up sharing that proxy's budget.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>

#include "config.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::httpd {

/// Which header carries the proxy chain.
enum class ForwardedHeader { kXForwardedFor, kForwarded };

/// The trusted proxies: single addresses and CIDR ranges (IPv4 and IPv6).
class ProxyList {
  public:
    /// Parses entries such as "127.0.0.1", "172.30.0.0/16", "fd00::/8"; the error names the bad one.
    static common::Result<ProxyList> Parse(const std::vector<std::string>& entries);

    /// True when `address` (IPv4-mapped IPv6 counts as IPv4) is inside one of the ranges.
    bool Contains(const boost::asio::ip::address& address) const;

  private:
    struct Range {
        boost::asio::ip::address base;
        int prefix_bits = 0;
    };
    std::vector<Range> ranges_;
};

/// Everything the server needs to identify clients, built once from the config.
struct ClientAddressPolicy {
    ProxyList trusted_proxies;
    ForwardedHeader header = ForwardedHeader::kXForwardedFor;
    int ipv6_limit_prefix_bits = 64;

    /// Fails on a bad trusted proxy, header name or prefix length.
    static common::Result<ClientAddressPolicy> FromConfig(const HttpdConfig& config);
};

/// One request's client.
struct ClientAddress {
    std::string ip;          ///< The resolved address, in full (what the matchmaker is told).
    std::string limit_key;   ///< What per-client limits count: the IPv4 address, or the IPv6 /prefix.
    bool via_proxy = false;  ///< The peer is a trusted proxy (so the TCP connection is shared).
};

/// Resolves the client of a request that arrived from `peer_ip` with `headers` (see the chain
/// rule above). An unparsable peer address is kept as it is.
ClientAddress ResolveClient(const ClientAddressPolicy& policy, std::string_view peer_ip,
                            const boost::beast::http::fields& headers);

/// The chain walk alone: `entries` left to right as the header lists them, std::nullopt for a
/// malformed entry; `peer` is the TCP peer.
boost::asio::ip::address WalkChain(const ProxyList& proxies, const boost::asio::ip::address& peer,
                                   const std::vector<std::optional<boost::asio::ip::address>>& entries);

/// Parses the joined header lines into chain entries (see `WalkChain`).
std::vector<std::optional<boost::asio::ip::address>> ParseXForwardedFor(std::string_view joined);
std::vector<std::optional<boost::asio::ip::address>> ParseForwarded(std::string_view joined);

/// The IPv4 address itself, or the IPv6 network of `ipv6_prefix_bits` around it ("2001:db8::/64").
std::string LimitKey(const boost::asio::ip::address& address, int ipv6_prefix_bits);

/// The address to tell the matchmaker: the request's `client_ip` when overrides are allowed, else
/// the resolved client; a loopback or private result is replaced by `fake_ip` when one is
/// configured (local development, where Edgegap could not place a private address).
std::string MatchmakerClientIp(const HttpdConfig& config, const std::string& resolved_ip,
                               const std::optional<std::string>& requested_ip);

/// True for loopback, private (RFC 1918, fc00::/7) and link-local addresses.
bool IsPrivateAddress(std::string_view ip);

}  // namespace gapkit::httpd
