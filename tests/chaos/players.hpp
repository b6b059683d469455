#pragma once

/// @file
/// The players of a fault scenario, modelled on a game that links gapkit::client
/// (docs/client-library.md). A player clicks "Play": one matchmaking request over a fresh WebSocket
/// to httpd, read until the final reply (gapkit-loadgen's client, `RunWebSocketLevel`). A final
/// reply is an **answer**: `SessionReady`, or a clear `Error` reply (the client shows the
/// message). When the matchmaker cannot be reached or hangs up before a final reply (the client's
/// `kMatchmakerUnreachable`, `kMatchmakerBusy` and `kMatchmakerClosed`, whose texts say "try
/// again"), the player clicks again after `retry_pause`. All of it must fit in the client's
/// `matchmaking_timeout_seconds` (`timeout`), counted from the first click; a player with no answer
/// by then (or a reply the client cannot read) is **unanswered**.
///
/// Threads: `Play` runs on the calling thread; `RunSurge` starts one thread per player and returns
/// when all have finished.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace gapkit::chaos {

using SteadyTime = std::chrono::steady_clock::time_point;

struct PlayerPlan {
    std::string url;                              ///< httpd's `ws://.../matchmaker/ws`.
    std::string game = "spaceships";              ///< Game (Edgegap app) asked for.
    std::string version = "1";                    ///< Its version.
    std::chrono::milliseconds timeout{120000};    ///< The client's matchmaking timeout (default 120 s).
    std::chrono::milliseconds retry_pause{1000};  ///< Before clicking "Play" again.
};

struct PlayerResult {
    bool answered = false;     ///< `SessionReady` or an `Error` reply within `timeout`.
    bool ready = false;        ///< The answer was `SessionReady`.
    std::string outcome;       ///< The last attempt's loadgen outcome: "ok", "error 502", "connect", ...
    int attempts = 0;          ///< Clicks on "Play".
    SteadyTime answered_at{};  ///< When the answer arrived (valid when `answered`).
};

/// One player, from the first click to an answer or the timeout.
PlayerResult Play(const PlayerPlan& plan);

/// `players` players whose first clicks are spread evenly over `spread` from now.
std::vector<PlayerResult> RunSurge(const PlayerPlan& plan, int players, std::chrono::milliseconds spread);

/// Players who click one after another, starting now, until one gets `SessionReady`: when that
/// happened, or nothing when none did within `plan.timeout`. The probe of "players are served again".
std::optional<SteadyTime> FirstReady(const PlayerPlan& plan);

}  // namespace gapkit::chaos
