#pragma once

// `gapctl app-version show|create|update`: read and write Edgegap app versions
// (`/v1/app/{app}/version[/{version}]`).
//
// create builds the whole version from `--from-version OTHER` (every setting of OTHER copied) or
// from nothing, then applies the flags; `--if-exists update` turns a create of an existing
// version into a PATCH of what differs, so rerunning a release is harmless. update reads the
// version, applies the flags and PATCHes only what changed. `--port` and `--env` merge into the
// version's lists by port name and env key.
//
// Registry credentials (private_username/private_token, what Edgegap pulls the image with): the
// user from `--registry-username` (env EDGEGAP_REGISTRY_USERNAME), the token from env
// EDGEGAP_REGISTRY_TOKEN or `--registry-token-file`, never from argv. The token is printed as
// "(hidden)" and never logged. `--from-version` copies the user but never the token: Edgegap does
// not say whether its GET answers the token in clear or masked, and sending a mask back would
// break every pull.
//
// The pure parts (flag parsing and applying, the table) are public for the unit tests.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json/value.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/types.hpp"

namespace gapkit::cli {

/// Default `req_cpu` (vCPU units, 1024 = 1 vCPU) and `req_memory` (MB) of a version created
/// without `--from-version`: Edgegap's examples' 256.
inline constexpr int kDefaultVersionRequest = 256;

/// The version settings a command line gives; unset ones are left as they are.
struct VersionFlags {
    std::optional<std::string> registry;  ///< `--registry` -> docker_repository.
    std::optional<std::string> image;     ///< `--image` -> docker_image.
    std::optional<std::string> tag;       ///< `--tag` -> docker_tag.
    /// `--registry-username`, env EDGEGAP_REGISTRY_USERNAME -> private_username.
    std::optional<std::string> registry_username;
    std::string registry_token_file;  ///< `--registry-token-file`; read by `ReadRegistryToken`.
    /// private_token (secret): from `registry_token_file`, else env EDGEGAP_REGISTRY_TOKEN.
    std::optional<std::string> registry_token;
    std::vector<std::string> ports;      ///< `--port NAME:PORT/PROTO[:tls]`, repeatable.
    std::vector<std::string> envs;       ///< `--env KEY=VALUE`, repeatable.
    std::optional<int> session_sockets;  ///< `--session-sockets`.
    std::optional<int> empty_ttl_minutes;
    std::optional<std::string> arguments;
    std::optional<std::string> command;
    std::optional<int> req_cpu;
    std::optional<int> req_memory;
    std::optional<int> max_duration_minutes;
    bool inactive = false;  ///< `--inactive`.
    bool active = false;    ///< `--active` (update only).
};

/// "gameport:6420/UDP", "web:443/HTTPS:tls" -> a port (to_check on). Protocols: TCP, UDP,
/// TCP/UDP, HTTP, HTTPS, WS, WSS (any case); port 0..59999 (0: Edgegap maps 1:1).
common::Result<edgegap::AppVersionPort> ParsePortFlag(std::string_view text);

/// "KEY=VALUE" -> an env, hidden when the key ends in _PASSWORD, _KEY, _SECRET or _TOKEN.
common::Result<edgegap::EnvVar> ParseEnvFlag(std::string_view text);

/// True for env names whose values Edgegap should hide (see `ParseEnvFlag`).
bool IsSecretEnvName(std::string_view key);

/// A CLI11 check of `--env` values by `ParseEnvFlag`, so a bad one is a usage error (exit 2).
CLI::Validator EnvFlagCheck();

/// Env variable of the registry token (a secret; never an argv flag).
inline constexpr std::string_view kRegistryTokenEnv = "EDGEGAP_REGISTRY_TOKEN";

/// Sets `flags.registry_token` from `flags.registry_token_file` (one trailing newline dropped),
/// else from env EDGEGAP_REGISTRY_TOKEN when set and not empty. An unreadable or empty file is an
/// error naming the file, never the token.
common::Status ReadRegistryToken(VersionFlags& flags);

/// What a created version lacks to pull its image on Edgegap, for a warning (empty: nothing).
/// `token_not_copied`: the `--from-version` base had a token, which is never copied.
std::string RegistryCredentialsWarning(const edgegap::AppVersion& version, bool token_not_copied);

/// Applies `flags` to `version`. A session setting on a version without session config starts
/// one as {Seat, 1 socket, autodeploy}.
common::Status ApplyVersionFlags(const VersionFlags& flags, edgegap::AppVersion& version);

/// Every field of `version` for `--json` (Edgegap's names; hidden env values and a set
/// private_token replaced by "(hidden)", an unset one "").
boost::json::value VersionToJson(const edgegap::AppVersion& version);

/// FIELD/VALUE rows for people; the CA in the arguments shortened (`ShortenCaArgument`).
std::string VersionTable(const edgegap::AppVersion& version);

/// Adds the `app-version` subcommand and its `show`, `create` and `update`.
void RegisterAppVersionCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
