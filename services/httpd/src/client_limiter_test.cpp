#include "client_limiter.hpp"

#include <gtest/gtest.h>

namespace gapkit::httpd {
namespace {

using namespace std::chrono_literals;

TEST(ClientLimiter, CapsConnectionsPerIpAndReleasesOnDestruction) {
    common::ManualClock clock;
    auto limiter = std::make_shared<ClientLimiter>(ClientLimits{60, 10, 2, 100, 10}, clock);
    auto first = limiter->AdmitConnection("1.1.1.1");
    auto second = limiter->AdmitConnection("1.1.1.1");
    ASSERT_TRUE(first && second);
    auto third = limiter->AdmitConnection("1.1.1.1");
    ASSERT_FALSE(third.has_value());
    EXPECT_NE(third.error().message().find("too many connections"), std::string::npos);
    EXPECT_TRUE(limiter->AdmitConnection("2.2.2.2").has_value());
    first->reset();
    EXPECT_TRUE(limiter->AdmitConnection("1.1.1.1").has_value());
}

TEST(ClientLimiter, RateLimitsRequestsPerIp) {
    common::ManualClock clock;
    auto limiter = std::make_shared<ClientLimiter>(ClientLimits{60, 2, 8, 100, 100}, clock);
    EXPECT_TRUE(limiter->AdmitRequest("1.1.1.1").has_value());
    EXPECT_TRUE(limiter->AdmitRequest("1.1.1.1").has_value());
    auto limited = limiter->AdmitRequest("1.1.1.1");
    ASSERT_FALSE(limited.has_value());
    EXPECT_EQ(limited.error().code(), common::ErrorCode::kResourceExhausted);
    clock.Advance(1s);
    EXPECT_TRUE(limiter->AdmitRequest("1.1.1.1").has_value());
}

TEST(ClientLimiter, CapsRequestsInFlight) {
    common::ManualClock clock;
    auto limiter = std::make_shared<ClientLimiter>(ClientLimits{600, 100, 8, 100, 1}, clock);
    auto held = limiter->AdmitRequest("1.1.1.1");
    ASSERT_TRUE(held.has_value());
    auto busy = limiter->AdmitRequest("2.2.2.2");
    ASSERT_FALSE(busy.has_value());
    EXPECT_EQ(busy.error().code(), common::ErrorCode::kUnavailable);
    held->reset();
    EXPECT_EQ(limiter->in_flight(), 0);
    EXPECT_TRUE(limiter->AdmitRequest("2.2.2.2").has_value());
}

TEST(ClientLimiter, CapsConnectionsInAll) {
    common::ManualClock clock;
    auto limiter = std::make_shared<ClientLimiter>(ClientLimits{60, 10, 8, 1, 10}, clock);
    auto held = limiter->AdmitConnection("1.1.1.1");
    EXPECT_FALSE(limiter->AdmitConnection("2.2.2.2").has_value());
    EXPECT_EQ(limiter->connections(), 1);
}

}  // namespace
}  // namespace gapkit::httpd
