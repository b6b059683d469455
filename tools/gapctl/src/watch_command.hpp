#pragma once

// `gapctl watch [SUBJECT]`: the live bus, one decoded line per message (watch_decoder.hpp), as
// whatever NATS_USER says (the shipped read-only `operator` user may subscribe to everything).
// Runs until SIGINT/SIGTERM, `--count` events or `--duration-seconds`, then exits 0.

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "watch_decoder.hpp"

namespace gapkit::cli {

/// The command's inputs.
struct WatchOptions {
    std::string subject = ">";  ///< NATS subject to subscribe to (wildcards allowed).
    WatchFilter filter;
    WatchDecodeOptions decode;
    bool json = false;                       ///< One JSON object per line instead of text.
    std::optional<std::int64_t> count;       ///< Stop after this many shown events.
    std::optional<double> duration_seconds;  ///< Stop after this long.
};

/// Adds the `watch` subcommand.
void RegisterWatchCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
