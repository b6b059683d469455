#include "gapkit/edgegap/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace gapkit::edgegap {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, DefaultsKeepEveryWindowUnderEdgegapLimits) {
    const RateLimits limits;
    EXPECT_LE(limits.deployments.burst + limits.deployments.requests_per_second, 40.0);
    EXPECT_LE(limits.status.burst + limits.status.requests_per_second, 10.0);
    EXPECT_LE(limits.context.burst + limits.context.requests_per_second, 10.0);
}

TEST(RateLimiter, SpacesRequestsOfOneClassAndLeavesOthersAlone) {
    common::ManualClock clock;
    RateLimits limits;
    limits.status = {10.0, 2.0};
    RateLimiter limiter(limits, clock);
    EXPECT_EQ(limiter.Reserve(EndpointClass::kStatus), 0ns);
    EXPECT_EQ(limiter.Reserve(EndpointClass::kStatus), 0ns);
    // The bucket is empty: the next callers queue 100 ms apart.
    const auto third = limiter.Reserve(EndpointClass::kStatus);
    const auto fourth = limiter.Reserve(EndpointClass::kStatus);
    EXPECT_NEAR(std::chrono::duration<double>(third).count(), 0.1, 1e-6);
    EXPECT_NEAR(std::chrono::duration<double>(fourth).count(), 0.2, 1e-6);
    EXPECT_EQ(limiter.Reserve(EndpointClass::kDeployments), 0ns);
    clock.Advance(1s);
    EXPECT_EQ(limiter.Reserve(EndpointClass::kStatus), 0ns);
}

TEST(RateLimiter, GrantsAtMostBurstPlusRateInAnySecond) {
    common::ManualClock clock;
    RateLimits limits;
    limits.deployments = {36.0, 4.0};
    RateLimiter limiter(limits, clock);
    // 200 callers ask at once; count how many may start within the first second.
    int within_one_second = 0;
    for (int i = 0; i < 200; ++i) {
        if (limiter.Reserve(EndpointClass::kDeployments) <= 1s) ++within_one_second;
    }
    EXPECT_LE(within_one_second, 40);
    EXPECT_GE(within_one_second, 39);
}

}  // namespace
}  // namespace gapkit::edgegap
