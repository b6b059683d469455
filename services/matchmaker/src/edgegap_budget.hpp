#pragma once

/// @file
/// `EdgegapBudget`: this matchmaker's share of the organization's Edgegap budget.
///
/// Edgegap limits calls per organization, not per client, so N matchmakers of one organization
/// must together stay under the limits (`MatchmakerConfig::edgegap_limits`). Each matchmaker counts
/// the live ones in the `matchmakers` presence bucket at each beat (presence.hpp, every 5 s) and
/// re-rates its Edgegap client's limiter to 1/N of every class (`edgegap::RateLimits::Share`, with
/// its floor of 1 request per second). Before the first count it uses the whole budget.
///
/// What it cannot do: a matchmaker that died keeps being counted until its presence key expires
/// (15 s), so for that long the others spend less than they may; programs of the same
/// organization that are not gapkit matchmakers (gapctl, a CI pipeline) are not counted at all,
/// so leave them room by setting the budget below Edgegap's limits.
///
/// Threads: `SetLiveMatchmakers` from one thread at a time (the presence beat); the readers from
/// any thread. Ownership: shares the limiter
/// with the Edgegap client; borrows the metrics, which must outlive it.

#include <atomic>
#include <memory>

#include "gapkit/common/clock.hpp"
#include "gapkit/edgegap/rate_limiter.hpp"
#include "metrics.hpp"

namespace gapkit::matchmaker {

class EdgegapBudget {
  public:
    /// `organization` is the whole budget; `clock` drives the limiter and must outlive it.
    EdgegapBudget(const edgegap::RateLimits& organization, const common::Clock& clock, Metrics& metrics);

    /// The limiter to hand to the Edgegap client (`edgegap::ClientConfig::limiter`).
    const std::shared_ptr<edgegap::RateLimiter>& limiter() const { return limiter_; }

    /// Re-rates the limiter to a 1/`live` share (`live` < 1 counts as 1) and sets the gauge
    /// `gapkit_matchmaker_edgegap_budget_matchmakers`. Logs when the share changes.
    void SetLiveMatchmakers(int live);

    /// The N this matchmaker divides by now (1 before the first count).
    int sharers() const { return sharers_.load(); }

  private:
    const edgegap::RateLimits organization_;
    const std::shared_ptr<edgegap::RateLimiter> limiter_;
    Metrics& metrics_;
    std::atomic<int> sharers_{1};
};

}  // namespace gapkit::matchmaker
