#pragma once

// Where gapctl's commands get their data: the NATS bus and the Edgegap API, configured the way the
// services configure them (the NATS_* variables of docs/bus.md; EDGEGAP_BASE_URL, EDGEGAP_API_KEY
// or --edgegap-api-key-file, EDGEGAP_REQUEST_TIMEOUT), and which app version a command is about
// (`--app`/`--app-version`, env GAPKIT_MM_APP_NAME/GAPKIT_MM_APP_VERSION, the names the matchmaker
// reads, so one .env file serves both).
//
// Read-only commands connect as whatever NATS_USER says; the shipped `operator` user is enough for
// every one of them (deploy/local/nats.conf.in).

#include <memory>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/blocking_client.hpp"

namespace gapkit::cli {

/// The app version a command is about.
struct AppSelector {
    std::string app;      ///< Edgegap app name. `--app`, env GAPKIT_MM_APP_NAME.
    std::string version;  ///< Edgegap version name. `--app-version`, env GAPKIT_MM_APP_VERSION.
};

/// Adds `--app` and `--app-version` (with their env names) to `command`, required or not.
void AddAppOptions(CLI::App& command, AppSelector& selector, bool required);

/// Edgegap access options of a command.
struct EdgegapSource {
    std::string api_key_file;  ///< `--edgegap-api-key-file`; else env EDGEGAP_API_KEY.
};

/// The --help footer line naming the Edgegap variables, for every command that calls Edgegap.
inline constexpr std::string_view kEdgegapHelp =
    "Edgegap: EDGEGAP_API_KEY (or --edgegap-api-key-file), EDGEGAP_BASE_URL (default https://api.edgegap.com).";

/// Adds `--edgegap-api-key-file` to `command`.
void AddEdgegapOptions(CLI::App& command, EdgegapSource& source);

/// Connects to the bus as client `gapctl_<command>` from the NATS_* environment.
common::Result<std::unique_ptr<bus::Connection>> ConnectBus(std::string_view command);

/// The Edgegap client settings from the environment (and the key file, when given), for a caller
/// that runs its own event loop (`gapctl reconcile`).
common::Result<edgegap::ClientConfig> EdgegapClientConfig(const EdgegapSource& source);

/// An Edgegap client from the environment (and the key file, when given).
common::Result<std::unique_ptr<edgegap::BlockingEdgegapClient>> ConnectEdgegap(const EdgegapSource& source);

}  // namespace gapkit::cli
