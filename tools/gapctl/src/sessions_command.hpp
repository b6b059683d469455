#pragma once

// `gapctl sessions`: every Edgegap session of an app version (or of all apps) joined with what the
// bus holds for it (session_rows.hpp says the states), as a table or `--json`. Reads only: the
// `operator` NATS user is enough; the Edgegap key is read from EDGEGAP_API_KEY or a file.
//
// Edgegap calls: the session list (pages of 100, at most 100 pages), then at most `--max-lookups`
// lookups: `GET /v1/status` once per deployment (a session's app and version are its
// deployment's) and `GET /v1/session` once per session of the selection (its age and player IPs).

#include <CLI/CLI.hpp>

namespace gapkit::cli {

/// Adds the `sessions` subcommand.
void RegisterSessionsCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
