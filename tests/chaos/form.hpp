#pragma once

/// @file
/// The two forms of the fault harness and the row each scenario records.
///
/// - **fast** (the default; `ctest -L chaos`, part of `make test`): short timers everywhere, so
///   each mechanism acts within seconds, and few players;
/// - **long** (`GAPKIT_CHAOS_LONG=1`; `make chaos`): the shipped defaults of every component (the
///   matchmaker's reconciler every 60 s with 120 s grace, 30 s alive TTL, ...; the simulator's
///   30 s empty TTL) and more players. Minutes per scenario.
///
/// Threads: plain values and pure functions, except `AppendRow` (appends to a file; one writer
/// per line, so parallel scenarios can share the file).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::chaos {

struct Form {
    std::string name;                                 ///< "fast" or "long".
    int players = 10;                                 ///< Players in a surge.
    std::chrono::milliseconds surge_spread{3000};     ///< Their first clicks spread over this.
    std::chrono::milliseconds player_timeout{30000};  ///< The client's matchmaking timeout.
    int bots = 4;                                     ///< spaceships-bot players in the game-server scenarios.
    std::vector<std::string> matchmaker_flags;
    std::vector<std::string> httpd_flags;
    int sim_empty_ttl_seconds = 2;
    /// Latency the simulator adds to every Edgegap answer (a real API's round trip), so that a surge
    /// keeps several requests in flight when a process is killed.
    int edgegap_latency_ms = 200;
    int stall_ms = 4000;         ///< A stalled Edgegap answer: past the matchmaker's Edgegap timeout.
    int alive_ttl_seconds = 15;  ///< The matchmaker's `--alive-ttl` in this form.
    /// The longest the system may take, once the fault is over and every player has finished, to
    /// hold no session at Edgegap: the sum of the bounds of every cleanup mechanism (unclaimed
    /// record age, reaper pass, reconciler period + grace + lease hand-over, alive TTL, delete
    /// retry) plus a margin. A session left after it is a leak.
    std::chrono::seconds settle_bound{71};

    /// The form `GAPKIT_CHAOS_LONG` (1: long) selects.
    static Form FromEnv();
};

/// One scenario's figures, all counted from the simulator's state and the players' answers.
struct Row {
    std::string scenario;
    std::string form;
    int players = 0;
    int answered = 0;              ///< Players with a final reply (ready or a clear error) in time.
    int ready = 0;                 ///< Of those, `SessionReady`.
    int retried = 0;               ///< Players who had to click "Play" more than once.
    int leaked = 0;                ///< Sessions the simulator still held after `settle_bound`.
    int past_ttl = 0;              ///< Deployments that outlived their empty TTL.
    double recovery_seconds = -1;  ///< Fault over -> first player ready again (-1: never).
    double clean_seconds = -1;     ///< Fault over -> the simulator holds no session (-1: never).
};

/// Appends `row` as one JSON line to `<GAPKIT_CHAOS_RESULTS_DIR>/<form>.jsonl` (nothing when the
/// variable is unset), for tests/chaos/write_reliability_table.py.
common::Status AppendRow(const Row& row);

/// "scenario: 10/10 answered (8 ready), 0 leaked, 0 past TTL, recovery 1.2 s, clean 9.8 s".
std::string Describe(const Row& row);

}  // namespace gapkit::chaos
