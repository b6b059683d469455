#pragma once

/// @file
/// spaceships-server's configuration: one struct, filled from defaults, then environment
/// variables, then command-line flags (CLI11 reads each flag's variable when the flag is absent),
/// then the private key from the environment or a file, and validated before the server starts.
///
/// The netcode private key never comes from argv and is never logged: GAPKIT_PRIVATE_KEY or
/// `--private-key-file`. Without a key, local mode uses the server library's dev key and Edgegap
/// mode refuses to start (gapkit::server checks it).

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/common.hpp"
#include "gapkit/server/config.hpp"
#include "spaceships/constants.hpp"

namespace spaceships::server {

struct ServerConfig {
    /// Local mode only: UDP port to bind and advertise, 1..65535. Env SPACESHIPS_PORT. Default 6420.
    int port = 6420;
    /// Local mode only: UDP port of the WebTransport endpoint for browser players, 0..65535; 0 =
    /// none. On Edgegap the deployment's port named "webtransport" is used instead. Env
    /// SPACESHIPS_WEBTRANSPORT_PORT. Default 0.
    int webtransport_port = 0;
    /// netcode protocol id, shared with the matchmaker, non-zero. Env GAPKIT_PROTOCOL_ID. Default 80085.
    std::uint64_t protocol_id = kDefaultProtocolId;
    /// File holding the private key (hex, base64 or 32 comma-separated bytes). Env
    /// GAPKIT_PRIVATE_KEY_FILE. Default "": read GAPKIT_PRIVATE_KEY instead.
    std::string private_key_file;
    /// The parsed key; all zeros when none was given. Secret: never logged.
    gapkit::netcode::Key private_key{};
    /// On Edgegap: stop the deployment after this many seconds without players; 0 = never.
    /// Env SPACESHIPS_SELF_STOP_AFTER_EMPTY_SECONDS. Default 0.
    double self_stop_after_empty_seconds = 0;
    /// Development only: let clients without a known session play (require_session = false).
    /// Env SPACESHIPS_ALLOW_UNKNOWN_SESSIONS. Default false.
    bool allow_unknown_sessions = false;
    /// Player slots, 1..kMaxShips. Env SPACESHIPS_MAX_PLAYERS. Default kMaxShips (6).
    int max_players = kMaxShips;
    /// World seed; 0 picks a random one at start. Env SPACESHIPS_SEED. Default 0.
    std::uint32_t seed = 0;
    /// Edgegap's `--ca_contents <PEM>`: accepted here so parsing succeeds; GameServer::Start reads
    /// it from argv itself. Default "".
    std::string ca_contents;
    /// error, warn, info, debug or trace. Env GAPKIT_LOG_LEVEL. Default info.
    std::string log_level = "info";

    /// Checks every field; the error names the field and the bad value (never the key).
    gapkit::common::Status Validate() const;
    /// The server library's config for this one.
    gapkit::server::GameServerConfig ToGameServerConfig() const;
};

/// Registers every option on `app` with its environment variable and default (shown by --help).
void AddOptions(CLI::App& app, ServerConfig& config);

/// Runs after parsing: validates, then reads the key as the server library does
/// (`gapkit::server::ApplyGapkitEnvironment`: `--private-key-file`, which stands for
/// GAPKIT_PRIVATE_KEY_FILE, else GAPKIT_PRIVATE_KEY; neither is fine locally; on Edgegap, i.e. with
/// ARBITRIUM_REQUEST_ID set, a missing key is an error).
gapkit::common::Status Finish(ServerConfig& config);

}  // namespace spaceships::server
