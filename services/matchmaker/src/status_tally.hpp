#pragma once

// `StatusTally`: the reports of several asynchronous bus calls counted down to one outcome (the
// first failure, else Ok). Shared by SessionBook's joined writes and a request's pending calls.
// Threads: any; calls report from the bus library's threads.

#include <mutex>
#include <optional>
#include <utility>

#include "gapkit/common/result.hpp"

namespace gapkit::matchmaker {

class StatusTally {
  public:
    /// Waits for `expected` reports to begin with.
    explicit StatusTally(int expected = 0) : outstanding_(expected) {}

    /// One more report to wait for.
    void Expect() {
        std::lock_guard lock(mutex_);
        ++outstanding_;
    }

    /// Records one report; returns the outcome when it was the last one outstanding.
    std::optional<common::Status> Record(common::Status status) {
        std::lock_guard lock(mutex_);
        if (!status && first_failure_) first_failure_ = std::move(status);
        if (--outstanding_ > 0) return std::nullopt;
        return first_failure_;
    }

    /// The outcome once no report is outstanding.
    std::optional<common::Status> Outcome() const {
        std::lock_guard lock(mutex_);
        if (outstanding_ > 0) return std::nullopt;
        return first_failure_;
    }

  private:
    mutable std::mutex mutex_;
    int outstanding_;               // Guarded by mutex_.
    common::Status first_failure_;  // Ok until a report fails. Guarded by mutex_.
};

}  // namespace gapkit::matchmaker
