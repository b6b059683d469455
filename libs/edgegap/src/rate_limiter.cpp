#include "gapkit/edgegap/rate_limiter.hpp"

namespace gapkit::edgegap {

using common::Clock;

const RateLimit& RateLimits::For(EndpointClass endpoint) const {
    switch (endpoint) {
        case EndpointClass::kDeployments:
            return deployments;
        case EndpointClass::kStatus:
            return status;
        case EndpointClass::kContext:
            return context;
        case EndpointClass::kSessions:
            return sessions;
        case EndpointClass::kApps:
            break;
    }
    return apps;
}

namespace {

common::TokenBucket MakeBucket(const RateLimits& limits, EndpointClass endpoint, Clock::SteadyTime now) {
    const RateLimit& limit = limits.For(endpoint);
    return common::TokenBucket(limit.requests_per_second, limit.burst, now);
}

}  // namespace

RateLimiter::RateLimiter(const RateLimits& limits, const Clock& clock)
    : clock_(clock),
      buckets_{MakeBucket(limits, EndpointClass::kDeployments, clock.Now()),
               MakeBucket(limits, EndpointClass::kStatus, clock.Now()),
               MakeBucket(limits, EndpointClass::kContext, clock.Now()),
               MakeBucket(limits, EndpointClass::kSessions, clock.Now()),
               MakeBucket(limits, EndpointClass::kApps, clock.Now())} {}

std::chrono::nanoseconds RateLimiter::Reserve(EndpointClass endpoint) {
    std::lock_guard lock(mutex_);
    return buckets_[static_cast<std::size_t>(endpoint)].Reserve(clock_.Now());
}

}  // namespace gapkit::edgegap
