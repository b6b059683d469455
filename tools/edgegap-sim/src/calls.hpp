#pragma once

// Per-route API call counters (method, route template, status, fault), shared by the HTTP layer
// and the admin endpoints. Thread-safe; its mutex is a leaf (nothing is called while it is held).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "gapkit/edgegap_sim/simulator.hpp"

namespace gapkit::edgegap_sim {

class CallCounters {
  public:
    void Count(std::string_view method, std::string_view route, std::string_view status, std::string_view fault);
    /// Every count, ordered by method, route, status, fault.
    std::vector<CallCount> Snapshot() const;
    void Reset();

  private:
    using Key = std::tuple<std::string, std::string, std::string, std::string>;
    mutable std::mutex mutex_;
    std::map<Key, std::uint64_t> counts_;  // Guarded by mutex_.
};

/// The sum of `calls` matching `method` and `route`, and `status` unless it is empty.
std::uint64_t SumCalls(const std::vector<CallCount>& calls, std::string_view method, std::string_view route,
                       std::string_view status);

}  // namespace gapkit::edgegap_sim
