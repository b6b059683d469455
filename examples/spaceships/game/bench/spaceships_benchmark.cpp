// What one server tick costs with a full arena, against the 33 ms budget of a 30 Hz tick.
//
// Cases:
//   BM_CopySnapshotBytes   baseline: copying kMaxShips encoded snapshots (the bytes a tick sends)
//   BM_ServerTick          World::Step + kMaxShips snapshots built and encoded (the server's work
//                          per tick, sockets aside), 6 ships thrusting, turning and firing
//   BM_DecodeSnapshot      one client's decode of one snapshot
//
// Run: build/bin/gapkit_spaceships_game_benchmark (ends with the ratios to the baseline; the
// `budget` counter of BM_ServerTick is the tick cost as a fraction of 1/kTickRateHz)
#include <vector>

#include <benchmark/benchmark.h>

#include "gapkit/testing/ratio_reporter.hpp"
#include "spaceships/world.hpp"

namespace spaceships {
namespace {

// A full arena in mid-game: every ship present, thrusting, turning and firing.
World BusyWorld() {
    World world(2026);
    for (std::uint8_t id = 0; id < kMaxShips; ++id) {
        world.AddShip(id);
        world.SetInput(id,
                       PlayerInput{.thrust = true, .turn_left = id % 2 == 0, .turn_right = id % 3 == 0, .fire = true});
    }
    for (int tick = 0; tick < 3 * kTickRateHz; ++tick) world.Step();
    return world;
}

void BM_CopySnapshotBytes(benchmark::State& state) {
    const World world = BusyWorld();
    std::vector<std::vector<std::uint8_t>> sources;
    for (std::uint8_t id = 0; id < kMaxShips; ++id) sources.push_back(EncodeSnapshot(world.MakeSnapshot(id)));
    std::size_t bytes_per_tick = 0;
    for (const auto& source : sources) bytes_per_tick += source.size();
    state.counters["bytes_per_tick"] = static_cast<double>(bytes_per_tick);
    std::vector<std::uint8_t> out;
    for (auto _ : state) {
        for (const auto& source : sources) {
            out.assign(source.begin(), source.end());
            benchmark::DoNotOptimize(out.data());
        }
    }
}
BENCHMARK(BM_CopySnapshotBytes);

void BM_ServerTick(benchmark::State& state) {
    World world = BusyWorld();
    Snapshot snapshot;
    std::vector<std::uint8_t> out;
    for (auto _ : state) {
        world.Step();
        for (std::uint8_t id = 0; id < kMaxShips; ++id) {
            world.FillSnapshot(id, snapshot);
            out.clear();
            EncodeSnapshotInto(snapshot, out);
            benchmark::DoNotOptimize(out.data());
        }
    }
    // CPU seconds per tick over the tick period: the inverted rate of (1 tick period x iterations).
    state.counters["budget"] = benchmark::Counter(
        1.0 / kTickRateHz, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ServerTick);

void BM_DecodeSnapshot(benchmark::State& state) {
    const std::vector<std::uint8_t> bytes = EncodeSnapshot(BusyWorld().MakeSnapshot(0));
    for (auto _ : state) benchmark::DoNotOptimize(DecodeSnapshot(bytes));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_DecodeSnapshot);

}  // namespace
}  // namespace spaceships

int main(int argc, char** argv) {
    return gapkit::testing::RunBenchmarksWithRatios(argc, argv, {{"BM_ServerTick", "BM_CopySnapshotBytes"}});
}
