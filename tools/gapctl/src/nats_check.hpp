#pragma once

// `gapctl nats-check`: connects to NATS from the NATS_* environment as client
// `gapkit_nats_check`, logs each step (stderr), prints `NATS connected OK!` on stdout and exits 0;
// on failure logs the error and exits 1.

#include <chrono>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::cli {

/// The client name the check connects as (visible in the server's connection list).
inline constexpr const char* kNatsCheckClientName = "gapkit_nats_check";

/// Connects, confirms a round trip to the server, and disconnects.
common::Status CheckNatsConnection(std::chrono::milliseconds connect_timeout);

/// Adds the `nats-check` subcommand.
void RegisterNatsCheckCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
