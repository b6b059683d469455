#pragma once

// gapctl's commands. Each Register* function adds one CLI11 subcommand to `app`; when the
// subcommand runs, its callback stores the process exit code in `exit_code` (0 on success).
// Commands write their result to stdout and their progress and errors through the log (stderr).

#include <CLI/CLI.hpp>

namespace gapkit::cli {

/// Adds every command gapctl knows, in the order `gapctl --help` lists them.
void RegisterCommands(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
