#include "client_limiter.hpp"

#include <gtest/gtest.h>

namespace gapkit::httpd {
namespace {

using namespace std::chrono_literals;

TEST(ClientLimiter, CapsConnectionsPerClientAndReleasesOnDestruction) {
    common::ManualClock clock;
    auto limiter = std::make_shared<ClientLimiter>(ClientLimits{60, 10, 2, 100, 10}, clock);
    auto first = limiter->AdmitClient("1.1.1.1");
    auto second = limiter->AdmitClient("1.1.1.1");
    ASSERT_TRUE(first && second);
    auto third = limiter->AdmitClient("1.1.1.1");
    ASSERT_FALSE(third.has_value());
    EXPECT_NE(third.error().message().find("too many connections"), std::string::npos);
    EXPECT_TRUE(limiter->AdmitClient("2.2.2.2").has_value());
    first->reset();
    EXPECT_TRUE(limiter->AdmitClient("1.1.1.1").has_value());
}

TEST(ClientLimiter, LimitsWrongWebhookSecretsPerClient) {
    common::ManualClock clock;
    ClientLimits limits;
    limits.webhook_failures_per_minute = 2;
    auto limiter = std::make_shared<ClientLimiter>(limits, clock);
    EXPECT_TRUE(limiter->AdmitWebhookFailure("1.1.1.1"));
    EXPECT_TRUE(limiter->AdmitWebhookFailure("1.1.1.1"));
    EXPECT_FALSE(limiter->AdmitWebhookFailure("1.1.1.1"));
    EXPECT_TRUE(limiter->AdmitWebhookFailure("2.2.2.2"));
    clock.Advance(30s);
    EXPECT_TRUE(limiter->AdmitWebhookFailure("1.1.1.1"));
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
    auto held = limiter->AdmitConnection();
    EXPECT_FALSE(limiter->AdmitConnection().has_value());
    EXPECT_EQ(limiter->connections(), 1);
}

}  // namespace
}  // namespace gapkit::httpd
