#pragma once

// `gapctl deploy APP VERSION` and `gapctl stop REQUEST_ID`: a manual test deployment outside the
// matchmaker (POST /v1/deploy, GET /v1/status/{id}, DELETE /v1/stop/{id}). The matchmaker never
// sees such a deployment: no session is made on it, no player is sent to it.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/types.hpp"
#include "output.hpp"

namespace gapkit::cli {

/// Longest `--wait-seconds`.
inline constexpr int kMaxDeployWaitSeconds = 3600;

/// The deployment as `deploy` prints it: request id, status, address and ports.
Output DeploymentOutput(const edgegap::DeploymentStatus& status);

/// Adds the `deploy` and `stop` subcommands.
void RegisterDeployCommands(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
