#pragma once

/// @file
/// What Edgegap tells a game server about itself: the `ARBITRIUM_*` environment variables and the
/// `--ca_contents '<PEM>'` command-line flag.
///
/// Both parsers are pure (the environment comes in through a lookup function) and treat their
/// input as outside data: a malformed value is a `kInvalidArgument` error naming the variable and
/// the problem, never a crash. Secret values (the context and delete tokens) are never echoed.
/// Thread-safe free functions.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::server {

/// One entry of `ARBITRIUM_PORTS_MAPPING`: a port of the container and where it is published.
struct ArbitriumPort {
    std::string name;      ///< The map key (the port's name, or its number in older apps).
    int internal = 0;      ///< Port inside the container (what the server binds), 1..65535.
    int external = 0;      ///< Port on the public ip (what players reach), 1..65535.
    std::string protocol;  ///< As Edgegap spells it: "UDP", "TCP", "HTTP"...
};

/// Every `ARBITRIUM_*` value the server library uses. Tokens are secrets: never log them.
struct ArbitriumEnvironment {
    std::string request_id;            ///< `ARBITRIUM_REQUEST_ID`, e.g. "f0000000000f".
    std::string public_ip;             ///< `ARBITRIUM_PUBLIC_IP`, a literal IPv4 or IPv6 address.
    std::vector<ArbitriumPort> ports;  ///< `ARBITRIUM_PORTS_MAPPING`, sorted by name.
    std::string location_json;         ///< `ARBITRIUM_DEPLOYMENT_LOCATION` as given (a JSON object; may be empty).
    std::string city;                  ///< `location.city`, when present.
    std::string country;               ///< `location.country`, when present.
    std::string context_url;           ///< `ARBITRIUM_CONTEXT_URL` (http or https).
    std::string context_token;         ///< `ARBITRIUM_CONTEXT_TOKEN`. Secret.
    std::string delete_url;            ///< `ARBITRIUM_DELETE_URL` (http or https).
    std::string delete_token;          ///< `ARBITRIUM_DELETE_TOKEN`. Secret.

    /// The port named `name`; with an empty `name`, the first UDP port (by name order) not named
    /// `except` (the WebTransport port). Errors name what was looked for and the ports there are.
    common::Result<ArbitriumPort> GamePort(std::string_view name, std::string_view except = {}) const;
};

/// Returns a variable's value, or nothing when it is unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment as an `EnvLookup`.
EnvLookup ProcessEnvironment();

/// Reads the `ARBITRIUM_*` variables. Nothing (not an error) when `ARBITRIUM_REQUEST_ID` is unset:
/// the server then runs in local mode. Once it is set, `ARBITRIUM_PUBLIC_IP`,
/// `ARBITRIUM_PORTS_MAPPING`, `ARBITRIUM_CONTEXT_URL`/`_TOKEN` and `ARBITRIUM_DELETE_URL`/`_TOKEN`
/// are required; `ARBITRIUM_DEPLOYMENT_LOCATION` is optional but must be a JSON object if set.
common::Result<std::optional<ArbitriumEnvironment>> ParseArbitriumEnvironment(const EnvLookup& lookup);

/// Finds `--ca_contents <PEM>` or `--ca_contents=<PEM>` in `argv` (argv[0] is skipped; other
/// arguments are ignored). Nothing when the flag is absent; an error when it has no value, is
/// given twice, or its value holds no `-----BEGIN CERTIFICATE-----` block. Edgegap limits the size
/// of environment values, so the NATS CA certificate travels as a launch argument instead.
common::Result<std::optional<std::string>> ParseCaContentsFlag(int argc, const char* const* argv);

}  // namespace gapkit::server
