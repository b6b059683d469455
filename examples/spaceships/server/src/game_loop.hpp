#pragma once

/// @file
/// The spaceships server's game loop: one `spaceships::World` driven by `gapkit::server` at
/// kTickRateHz. Players join and leave through the server library, their input payloads steer
/// their ships, and every tick each player gets its own snapshot. A payload that is not a valid
/// input is counted and dropped. On `kSelfStopping` (the empty timeout asked Edgegap to delete the
/// deployment) the loop logs it and keeps running: the SIGTERM that Edgegap or the simulator sends
/// next ends it cleanly.
///
/// Threads: single-threaded. Create, `Tick` and `Stop` from one thread; `Run` is that thread's
/// loop. The only cross-thread input is the stop flag `Run` reads (set it from a signal handler).
///
/// Ownership: the loop owns its `GameServer` and its `World`.

#include <cstdint>
#include <functional>
#include <memory>

#include "config.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/server/game_server.hpp"
#include "spaceships/world.hpp"

namespace spaceships::server {

/// Counters for logs and tests.
struct LoopStats {
    std::uint64_t ticks = 0;          ///< Ticks run.
    std::uint64_t joins = 0;          ///< kPlayerJoined events seen.
    std::uint64_t leaves = 0;         ///< kPlayerLeft events seen.
    std::uint64_t bad_payloads = 0;   ///< Payloads that did not decode as input (dropped).
    std::uint64_t overruns = 0;       ///< Ticks that started more than one tick late (skipped ahead).
    std::uint64_t send_failures = 0;  ///< Snapshots the server library refused to send.
};

class GameLoop {
  public:
    /// Starts the server library with `config` (argv is handed through for `--ca_contents`) and
    /// logs the start-up line: mode, bound port, advertised address. The error names the cause.
    static gapkit::common::Result<std::unique_ptr<GameLoop>> Start(const ServerConfig& config, int argc,
                                                                   const char* const* argv);

    /// One tick at monotonic time `now_seconds`: Update the server, apply its events (join ->
    /// AddShip, leave -> RemoveShip, payload -> SetInput), step the world, send every player its
    /// snapshot.
    void Tick(double now_seconds);

    /// Ticks at kTickRateHz on the steady clock until `stop_requested()` (asked once per tick, on
    /// this thread) returns true, sleeping between ticks. A late tick does not make the loop catch
    /// up in a burst: it skips ahead and logs at most once per 10 s. Then `Stop`s.
    void Run(const std::function<bool()>& stop_requested);

    /// Disconnects everyone and clears their active_connections entries. Idempotent.
    void Stop();

    const LoopStats& stats() const { return stats_; }
    const World& world() const { return world_; }
    gapkit::server::GameServer& game_server() { return *server_; }

  private:
    GameLoop(std::unique_ptr<gapkit::server::GameServer> server, std::uint32_t seed);
    void Apply(const gapkit::server::ServerEvent& event);
    void SendSnapshots();

    std::unique_ptr<gapkit::server::GameServer> server_;
    World world_;
    LoopStats stats_;
    Snapshot snapshot_;                // reused every tick
    std::vector<std::uint8_t> bytes_;  // reused every tick
};

}  // namespace spaceships::server
