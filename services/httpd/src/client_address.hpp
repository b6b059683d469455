#pragma once

// Which IP address httpd tells the matchmaker the player is at (Edgegap picks the server location
// from it). Pure functions, tested on their own.

#include <optional>
#include <string>
#include <string_view>

#include "config.hpp"

namespace gapkit::httpd {

/// Resolves the client IP in order: the request's `client_ip` when overrides are allowed; the last
/// address of `X-Forwarded-For` when the peer is a trusted proxy; the peer address. A loopback or
/// private result is replaced by `fake_ip` when one is configured (local development, where
/// Edgegap could not place a private address).
std::string ResolveClientIp(const HttpdConfig& config, std::string_view peer_ip, std::string_view forwarded_for,
                            const std::optional<std::string>& requested_ip);

/// True for loopback, private (RFC 1918, fc00::/7) and link-local addresses.
bool IsPrivateAddress(std::string_view ip);

}  // namespace gapkit::httpd
