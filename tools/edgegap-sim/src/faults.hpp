#pragma once

// The live fault settings shared by the HTTP layer and the world. Thread-safe. Lock order: its
// mutex may be taken while the simulator's mutex is held, and it never calls out while locked.

#include <mutex>
#include <random>
#include <string>

#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {

class FaultState {
  public:
    explicit FaultState(const Faults& initial) : faults_(initial) {}

    void Set(const Faults& faults);
    Faults Get() const;

    /// Each Take* consumes one count of its counter and returns true when it fired.
    bool TakeRateLimit();
    bool TakeFailDeployment();
    bool TakeCrashProcess();
    /// Consumes one count of `countdowns` for `route_name` ("POST /v1/session"), or else of its
    /// "*" entry; true when one fired.
    bool TakeRouted(RouteCountdowns Faults::*countdowns, const std::string& route_name);

    /// Draws against a fraction: true with probability `fraction`.
    bool Roll(double Faults::*fraction);

  private:
    bool Take(int Faults::*counter);

    mutable std::mutex mutex_;
    Faults faults_;                                // Guarded by mutex_.
    std::mt19937 random_{std::random_device{}()};  // Guarded by mutex_.
};

}  // namespace gapkit::edgegap_sim
