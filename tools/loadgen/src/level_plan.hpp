#pragma once

/// @file
/// How much load one concurrency level gets, and what it brought back.

#include <chrono>
#include <cstddef>
#include <vector>

#include "summary.hpp"

namespace gapkit::loadgen {

/// One level: `concurrency` clients that each run one request after another until `requests`
/// have started or `max_duration` has passed, whichever comes first.
struct LevelPlan {
    int concurrency = 1;                               ///< Clients at once (>= 1).
    std::size_t requests = 100;                        ///< Requests started in the level. Default 100.
    std::chrono::milliseconds max_duration{60000};     ///< No request starts after this. Default 60 s.
    std::chrono::milliseconds request_timeout{30000};  ///< One request's bound, start to final reply. Default 30 s.
    /// Pause of each client between the end of one request and the start of its next, to hold
    /// the offered rate below a limit (about `concurrency / pause` requests/s). Default 0.
    std::chrono::milliseconds think_time{0};
};

/// The samples of one level (in finishing order) and its wall time, first start to last finish.
struct LevelRun {
    std::vector<Sample> samples;
    std::chrono::nanoseconds wall{0};
};

}  // namespace gapkit::loadgen
