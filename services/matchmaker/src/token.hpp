#pragma once

/// @file
/// From a ready deployment to what the player needs: the game server's public address and a
/// netcode 1.02 connect token for it. Pure functions (apart from the random client id); any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/types.hpp"
#include "gapkit/netcode/common.hpp"

namespace gapkit::matchmaker {

/// Where players connect: the deployment's public IP and the external port of its game port.
struct GameEndpoint {
    std::string ip;
    std::uint16_t port = 0;
};

/// Picks the port named `port_name` from `deployment.ports`; with an empty name, the first port
/// (a warning is logged when there are several). Errors (kProtocol) name what is missing: the
/// public IP, the port, or a valid external port number.
common::Result<GameEndpoint> PickGameEndpoint(const edgegap::DeploymentStatus& deployment, std::string_view port_name);

/// What a token is minted with.
struct TokenSettings {
    std::uint64_t protocol_id = 0;
    netcode::Key private_key{};
    int expire_seconds = 30;   ///< Token lifetime. Default 30 s.
    int timeout_seconds = 15;  ///< netcode connection timeout. Default 15 s.
};

/// A connect token for `client_id` naming `endpoint`, created at `now_unix_seconds`, in standard
/// padded base64. Fails (kInvalidArgument) when the IP is not an IPv4/IPv6 literal.
common::Result<std::string> MintToken(const TokenSettings& settings, const GameEndpoint& endpoint,
                                      std::uint64_t client_id, std::uint64_t now_unix_seconds);

/// A random non-zero u64 from a CSPRNG, so client ids from many matchmakers do not collide.
std::uint64_t NewClientId();

}  // namespace gapkit::matchmaker
