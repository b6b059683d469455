#pragma once

// The server side of Edgegap's rate limits: counts requests per category in one-second windows, as
// Edgegap states its limits ("40 requests per second"), so the simulator can answer 429 past them.
// (The client's pacing is `edgegap::RateLimiter`, which delays requests instead.) Not thread-safe:
// the owner holds its lock.

#include <array>

#include "api.hpp"
#include "gapkit/common/clock.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {

class RateLimitEnforcer {
  public:
    explicit RateLimitEnforcer(const RateLimits& limits) : limits_(limits) {}

    /// Counts one request; false when it is over its category's limit for the current second.
    bool Allow(RateCategory category, common::Clock::SteadyTime now);

  private:
    struct Window {
        common::Clock::SteadyTime start{};
        int count = 0;
    };
    const RateLimits limits_;
    std::array<Window, 4> windows_{};
};

}  // namespace gapkit::edgegap_sim
