#pragma once

/// @file
/// What a load run measured: one `Sample` per finished request, reduced to a `LevelSummary` per
/// phase and concurrency level (rate, latency percentiles, outcome counts), printed as a table or
/// as JSON. Pure functions of their arguments; callable from any thread.

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace gapkit::loadgen {

/// The outcome that counts as success; every other outcome is an error.
inline constexpr const char* kOutcomeOk = "ok";

/// One finished request.
struct Sample {
    std::chrono::nanoseconds latency{0};  ///< Start (TCP connect or bus publish) to the final reply.
    std::string outcome = kOutcomeOk;     ///< `kOutcomeOk`, "error 503", "connect", "timeout", ...
};

/// One phase ("websocket" or "bus-floor") at one concurrency level.
struct LevelSummary {
    std::string phase;
    int concurrency = 0;
    std::size_t requests = 0;                   ///< Requests finished, whatever the outcome.
    std::size_t ok = 0;                         ///< Requests with `kOutcomeOk`.
    double wall_seconds = 0;                    ///< First start to last finish of the level.
    double ok_per_second = 0;                   ///< `ok / wall_seconds`.
    std::chrono::nanoseconds p50{0};            ///< Median latency of the successful requests.
    std::chrono::nanoseconds p99{0};            ///< 99th percentile of the successful requests.
    std::chrono::nanoseconds max{0};            ///< Slowest successful request.
    std::map<std::string, std::size_t> errors;  ///< Count per non-ok outcome.
};

/// The nearest-rank percentile (`fraction` in [0, 1]) of `sorted` (ascending); zero when empty.
std::chrono::nanoseconds Percentile(const std::vector<std::chrono::nanoseconds>& sorted, double fraction);

/// Reduces the samples of one level. Latency figures cover successful requests only, so fast
/// refusals (503 at a cap) do not flatter them; errors are counted by outcome.
LevelSummary Summarize(std::string phase, int concurrency, const std::vector<Sample>& samples,
                       std::chrono::nanoseconds wall);

/// A fixed-width table, one line per summary, latencies in milliseconds.
std::string RenderTable(const std::vector<LevelSummary>& summaries);

/// `{"levels":[{"phase":..,"concurrency":..,"requests":..,"ok":..,"wall_seconds":..,
/// "ok_per_second":..,"p50_ms":..,"p99_ms":..,"max_ms":..,"errors":{"<outcome>":n}}]}`.
std::string RenderJson(const std::vector<LevelSummary>& summaries);

}  // namespace gapkit::loadgen
