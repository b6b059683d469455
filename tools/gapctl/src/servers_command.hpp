#pragma once

// `gapctl servers`: the deployments of an app version (or of all apps) with status, address,
// ports, players, certificate digest, age and empty TTL, as a table or `--json`. Reads only: the
// `operator` NATS user is enough.
//
// Edgegap calls: the deployment and session lists (pages of 100, at most 100 pages each), then at
// most `--max-lookups` lookups: `GET /v1/status` once per deployment (a list item has no app or
// age) and `GET /v1/app/<app>/version/<version>` once per app version shown (its empty TTL).

#include <CLI/CLI.hpp>

namespace gapkit::cli {

/// Adds the `servers` subcommand.
void RegisterServersCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
