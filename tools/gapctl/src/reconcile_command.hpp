#pragma once

// `gapctl reconcile [--dry-run]`: one pass of the matchmaker's reconciler
// (services/matchmaker/src/reconciler.hpp) now, without its lease (`RunOnceUnleased`: a pass
// beside the leader's is harmless), printing what it saw and each action with its reason.
//
// It writes (queues deletes, removes records), so it connects as the matchmaker's NATS user
// (`NATS_USER=matchmaker`) with the matchmaker's Edgegap key, and reads the pass's settings from the
// matchmaker's variables (GAPKIT_MM_APP_NAME, GAPKIT_MM_APP_VERSION, GAPKIT_MM_RECONCILE_GRACE,
// GAPKIT_MM_RECONCILE_MAX_LOOKUPS, GAPKIT_MM_EDGEGAP_TIMEOUT), so one .env file serves both. The
// queued deletes are carried out by the running matchmakers' delete workers: the command waits up
// to `--wait-seconds` for the delete queue to drain and says so when it does not.

#include <CLI/CLI.hpp>

namespace gapkit::cli {

/// Adds the `reconcile` subcommand.
void RegisterReconcileCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
