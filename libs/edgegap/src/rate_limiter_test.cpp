#include "gapkit/edgegap/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <vector>

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

TEST(RateLimiter, WaitForPeeksWithoutReserving) {
    common::ManualClock clock;
    RateLimits limits;
    limits.sessions = {10.0, 1.0};
    limits.status.unlimited = true;
    RateLimiter limiter(limits, clock);
    EXPECT_EQ(limiter.WaitFor(EndpointClass::kSessions), 0ns);
    EXPECT_EQ(limiter.Reserve(EndpointClass::kSessions), 0ns);
    EXPECT_EQ(limiter.WaitFor(EndpointClass::kSessions), 100ms);
    EXPECT_EQ(limiter.WaitFor(EndpointClass::kSessions), 100ms);
    EXPECT_EQ(limiter.Reserve(EndpointClass::kStatus), 0ns);
    EXPECT_EQ(limiter.WaitFor(EndpointClass::kStatus), 0ns);
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

double Seconds(std::chrono::nanoseconds wait) { return std::chrono::duration<double>(wait).count(); }

TEST(RateLimiter, ReRatingKeepsGivenWaitsAndQueuesLaterCallersAtTheNewRate) {
    common::ManualClock clock;
    RateLimits limits;
    limits.sessions = {10.0, 1.0};
    RateLimiter limiter(limits, clock);
    EXPECT_EQ(limiter.Reserve(EndpointClass::kSessions), 0ns);
    EXPECT_NEAR(Seconds(limiter.Reserve(EndpointClass::kSessions)), 0.1, 1e-6);
    limiter.SetLimits(limits.Share(2));  // 5/s + 1 from now on.
    EXPECT_DOUBLE_EQ(limiter.limits().sessions.requests_per_second, 5.0);
    EXPECT_NEAR(Seconds(limiter.Reserve(EndpointClass::kSessions)), 0.4, 1e-6);  // 1 owed + 1 at 5/s.
    clock.Advance(10s);
    limiter.SetLimits(limits);  // Back to 10/s: the bucket refilled only to the burst.
    EXPECT_EQ(limiter.Reserve(EndpointClass::kSessions), 0ns);
    EXPECT_NEAR(Seconds(limiter.Reserve(EndpointClass::kSessions)), 0.1, 1e-6);
}

TEST(RateLimiter, UnlimitedClassNeverWaitsAndCanBeLimitedLater) {
    common::ManualClock clock;
    auto limits = ParseRateLimits("sessions=off");
    ASSERT_TRUE(limits) << limits.error().ToString();
    RateLimiter limiter(*limits, clock);
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Reserve(EndpointClass::kSessions), 0ns);
    limiter.SetLimits(RateLimits{});  // 36/s + 4, starting full.
    for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.Reserve(EndpointClass::kSessions), 0ns);
    EXPECT_GT(limiter.Reserve(EndpointClass::kSessions), 0ns);
}

TEST(RateLimiter, HandsEachRefusalToItsHandler) {
    common::ManualClock clock;
    std::vector<EndpointClass> refused;
    RateLimiter limiter(RateLimits{}, clock, [&](EndpointClass endpoint) { refused.push_back(endpoint); });
    limiter.CountRefused(EndpointClass::kSessions);
    limiter.CountRefused(EndpointClass::kStatus);
    EXPECT_EQ(refused, (std::vector<EndpointClass>{EndpointClass::kSessions, EndpointClass::kStatus}));
    RateLimiter(RateLimits{}, clock).CountRefused(EndpointClass::kApps);  // No handler: nothing happens.
}

TEST(RateLimitsShare, DividesRateAndBurstWithFloors) {
    const RateLimits limits;
    const RateLimits half = limits.Share(2);
    EXPECT_DOUBLE_EQ(half.deployments.requests_per_second, 18.0);
    EXPECT_DOUBLE_EQ(half.deployments.burst, 2.0);
    EXPECT_DOUBLE_EQ(half.status.requests_per_second, 4.5);
    EXPECT_DOUBLE_EQ(half.status.burst, 1.0);  // Never below one request at once.
    const RateLimits many = limits.Share(100);
    EXPECT_DOUBLE_EQ(many.status.requests_per_second, kMinShareRequestsPerSecond);
    EXPECT_DOUBLE_EQ(many.sessions.requests_per_second, kMinShareRequestsPerSecond);
    EXPECT_DOUBLE_EQ(limits.Share(0).sessions.requests_per_second, 36.0);  // Counts as one.
}

TEST(RateLimitsShare, KeepsUnlimitedClassesAndSlowerThanFloorRates) {
    auto limits = ParseRateLimits("apps=0.5+1,sessions=off");
    ASSERT_TRUE(limits) << limits.error().ToString();
    const RateLimits share = limits->Share(4);
    EXPECT_TRUE(share.sessions.unlimited);
    EXPECT_DOUBLE_EQ(share.apps.requests_per_second, 0.5);  // The floor never raises a class's own rate.
}

TEST(ParseRateLimits, ChangesOnlyTheNamedClasses) {
    auto limits = ParseRateLimits(" sessions=100+10 , status=off,apps=2.5+1");
    ASSERT_TRUE(limits) << limits.error().ToString();
    EXPECT_DOUBLE_EQ(limits->sessions.requests_per_second, 100.0);
    EXPECT_DOUBLE_EQ(limits->sessions.burst, 10.0);
    EXPECT_TRUE(limits->status.unlimited);
    EXPECT_DOUBLE_EQ(limits->apps.requests_per_second, 2.5);
    const RateLimits defaults;
    EXPECT_DOUBLE_EQ(limits->deployments.requests_per_second, defaults.deployments.requests_per_second);
    EXPECT_DOUBLE_EQ(limits->context.burst, defaults.context.burst);
    EXPECT_TRUE(ParseRateLimits(""));
}

TEST(ParseRateLimits, RefusesBadItemsNamingThemAndTheForm) {
    for (const char* bad : {"sessions", "sessions=", "sessions=10", "sessions=0+1", "sessions=10+0.5", "sessions=-1+1",
                            "sessions=x+1", "sessions=10+1+1", "session=10+1", "sessions=nan+1", "sessions=10+1,",
                            "sessions=off,sessions=10+1", "sessions=OFF"}) {
        auto limits = ParseRateLimits(bad);
        ASSERT_FALSE(limits) << bad;
        EXPECT_NE(limits.error().message().find("<class>=<per_second>+<burst> or <class>=off"), std::string::npos)
            << limits.error().message();
    }
}

TEST(FormatRateLimits, NamesEveryClassAndParsesBack) {
    RateLimits limits;
    limits.sessions.unlimited = true;
    limits.apps = {0.5, 2.0};
    const std::string text = FormatRateLimits(limits);
    EXPECT_EQ(text, "deployments=36+4,status=9+1,context=9+1,sessions=off,apps=0.5+2");
    auto parsed = ParseRateLimits(text);
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    EXPECT_EQ(FormatRateLimits(*parsed), text);
}

}  // namespace
}  // namespace gapkit::edgegap
