#pragma once

/// @file
/// A token bucket: the rate limiter behind httpd's per-IP limits and the Edgegap client's
/// per-endpoint limits. It lets through at most `burst + rate * T` takes in any window of T
/// seconds.
///
/// Threads: not thread-safe; callers guard it. Time is passed in, so tests drive it by hand.

#include <chrono>

#include "gapkit/common/clock.hpp"

namespace gapkit::common {

class TokenBucket {
  public:
    /// Starts full. REQUIRES: `tokens_per_second` > 0, `burst` >= 1.
    TokenBucket(double tokens_per_second, double burst, Clock::SteadyTime now);

    /// Takes a token if one is there; false (and nothing taken) otherwise.
    bool TryTake(Clock::SteadyTime now);

    /// Takes a token even if none is there yet and returns how long after `now` it becomes the
    /// caller's (zero if at once). The bucket may go negative, so concurrent callers queue up in
    /// the order they asked.
    std::chrono::nanoseconds Reserve(Clock::SteadyTime now);

    /// How long after `now` a token would be there for `TryTake` (zero if one is there now),
    /// counting every reservation already handed out. Takes nothing.
    std::chrono::nanoseconds TimeUntilToken(Clock::SteadyTime now) const;

    /// Changes the rate and burst from `now` on: tokens earned so far at the old rate are kept (up
    /// to the new burst), and a negative balance (waits already promised) is kept, so callers who
    /// reserved keep their turn and later ones queue behind them at the new rate.
    /// REQUIRES: `tokens_per_second` > 0, `burst` >= 1.
    void SetRate(double tokens_per_second, double burst, Clock::SteadyTime now);

    /// True when the bucket would be full at `now` (an idle entry that can be forgotten).
    bool IsFull(Clock::SteadyTime now) const;

  private:
    double TokensAt(Clock::SteadyTime now) const;
    void Refill(Clock::SteadyTime now);

    double tokens_per_second_;
    double burst_;
    double tokens_;
    Clock::SteadyTime refilled_at_;
};

}  // namespace gapkit::common
