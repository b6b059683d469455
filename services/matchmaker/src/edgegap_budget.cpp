#include "edgegap_budget.hpp"

#include <algorithm>

#include "gapkit/common/log.hpp"

namespace gapkit::matchmaker {

EdgegapBudget::EdgegapBudget(const edgegap::RateLimits& organization, const common::Clock& clock, Metrics& metrics)
    : organization_(organization),
      limiter_(std::make_shared<edgegap::RateLimiter>(organization, clock,
                                                      [&metrics](edgegap::EndpointClass endpoint) {
                                                          metrics.CountEdgegapRefused(
                                                              edgegap::EndpointClassName(endpoint));
                                                      })),
      metrics_(metrics) {
    metrics_.budget_matchmakers.Set(1);
}

void EdgegapBudget::SetLiveMatchmakers(int live) {
    live = std::max(live, 1);
    const int before = sharers_.exchange(live);
    metrics_.budget_matchmakers.Set(live);
    if (before == live) return;
    const edgegap::RateLimits share = organization_.Share(live);
    limiter_->SetLimits(share);
    GAPKIT_LOG_INFO("matchmaker", "Edgegap budget: 1/{} of the organization's limits ({} live matchmakers): {}", live,
                    live, edgegap::FormatRateLimits(share));
}

}  // namespace gapkit::matchmaker
