#pragma once

/// @file
/// spaceships-bot's flags: defaults < environment < command line (CLI11 `->envname`), validated
/// before any bot starts. The key for `--direct` comes from GAPKIT_PRIVATE_KEY, never from argv.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/netcode/common.hpp"
#include "spaceships/constants.hpp"

namespace spaceships::bot {

struct BotOptions {
    /// Matchmaker WebSocket URL. Env MATCHMAKER_URL. Default the client library's
    /// ws://127.0.0.1:3000/matchmaker/ws.
    std::string matchmaker_url = "ws://127.0.0.1:3000/matchmaker/ws";
    /// Game and version asked of the matchmaker. Defaults kGameName / kGameVersion.
    std::string game = kGameName;
    std::string version = kGameVersion;
    /// Seconds each bot plays once connected, 1..86400. Default 10.
    double seconds = 10;
    /// Concurrent bots in this process, each its own GameClient, 1..64. Default 1.
    int bots = 1;
    /// Development: connect straight to this server ("host:port") without the matchmaker. Default "".
    std::string direct;
    /// netcode protocol id for `--direct`. Env GAPKIT_PROTOCOL_ID. Default kDefaultProtocolId.
    std::uint64_t protocol_id = kDefaultProtocolId;
    /// Key for `--direct`, from GAPKIT_PRIVATE_KEY; all zeros means the server library's dev key.
    gapkit::netcode::Key private_key{};
    /// Matchmaking plus connecting limit, seconds, 1..3600. Default 120.
    double timeout_seconds = 120;
    /// Print only the summary lines and failures. Default false.
    bool quiet = false;

    /// Checks ranges; the error names the flag and the bad value.
    gapkit::common::Status Validate() const;
};

/// Registers every flag on `app` with its environment variable and default (shown by --help).
void AddOptions(CLI::App& app, BotOptions& options);

/// Runs after parsing: reads GAPKIT_PRIVATE_KEY when `--direct` is given, then validates.
gapkit::common::Status Finish(BotOptions& options);

}  // namespace spaceships::bot
