#pragma once

/// @file
/// What Edgegap tells a game server about itself: the `ARBITRIUM_*` environment variables and the
/// `--ca_contents '<PEM>'` command-line flag; and what the operator gives it: the netcode key and
/// protocol id shared with the matchmaker (`GAPKIT_PRIVATE_KEY`/`_FILE`, `GAPKIT_PROTOCOL_ID`).
///
/// The parsers are pure (the environment comes in through a lookup function) and treat their
/// input as outside data: a malformed value is a `kInvalidArgument` error naming the variable and
/// the problem, never a crash. Secret values (the context and delete tokens, the key) are never
/// echoed.
/// Thread-safe free functions.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"
#include "gapkit/server/config.hpp"

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

/// Fills what `config` leaves unset from gapkit's variables. Config wins: a field already set is
/// kept and its variables are not read. An empty variable counts as unset.
/// - `private_key`, when all zeros: from the file named by `GAPKIT_PRIVATE_KEY_FILE` (e.g. a mounted
///   secret; one trailing newline is ignored), else from `GAPKIT_PRIVATE_KEY`; the text is 64 hex
///   digits, base64 or 32 comma-separated bytes (`netcode::ParsePrivateKey`). With neither, on
///   Edgegap (`ARBITRIUM_REQUEST_ID` set) it is an error; in local mode the key stays all zeros and
///   `GameServer::Start` uses `netcode::DevPrivateKey()`.
/// - `protocol_id`, when 0: from `GAPKIT_PROTOCOL_ID`, decimal 1..2^63-1. Unset too, on Edgegap
///   it is an error (the matchmaker's id is never 0); in local mode it stays 0.
/// Errors name the variable (and the key file's path), never the key or the file's content.
/// `GameServer::Start` calls it with the process environment.
common::Status ApplyGapkitEnvironment(const EnvLookup& lookup, GameServerConfig& config);

/// Finds `--ca_contents <PEM>` or `--ca_contents=<PEM>` in `argv` (argv[0] is skipped; other
/// arguments are ignored). Nothing when the flag is absent; an error when it has no value, is
/// given twice, or its value holds no `-----BEGIN CERTIFICATE-----` block. Edgegap limits the size
/// of environment values, so the NATS CA certificate travels as a launch argument instead.
common::Result<std::optional<std::string>> ParseCaContentsFlag(int argc, const char* const* argv);

}  // namespace gapkit::server
