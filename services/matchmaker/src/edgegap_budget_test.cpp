#include "edgegap_budget.hpp"

#include <gtest/gtest.h>

#include "service_test_support.hpp"

namespace gapkit::matchmaker {
namespace {

using namespace std::chrono_literals;

std::int64_t BudgetGauge(common::MetricsRegistry& registry) {
    return registry.GetGauge("gapkit_matchmaker_edgegap_budget_matchmakers", "").Value();
}

TEST(EdgegapBudget, StartsWithTheWholeBudgetAndTakesOneShareOfIt) {
    common::ManualClock clock;
    common::MetricsRegistry registry;
    Metrics metrics(registry);
    EdgegapBudget budget(edgegap::RateLimits{}, clock, metrics);
    EXPECT_EQ(budget.sharers(), 1);
    EXPECT_EQ(BudgetGauge(registry), 1);
    EXPECT_DOUBLE_EQ(budget.limiter()->limits().deployments.requests_per_second, 36.0);

    budget.SetLiveMatchmakers(3);
    EXPECT_EQ(budget.sharers(), 3);
    EXPECT_EQ(BudgetGauge(registry), 3);
    const auto share = budget.limiter()->limits();
    EXPECT_DOUBLE_EQ(share.deployments.requests_per_second, 12.0);
    EXPECT_DOUBLE_EQ(share.sessions.requests_per_second, 12.0);
    EXPECT_DOUBLE_EQ(share.status.requests_per_second, 3.0);
    // The limiter really serves the share: 12/s + 4/3 lets one call through, then queues at 1/12 s.
    EXPECT_EQ(budget.limiter()->Reserve(edgegap::EndpointClass::kDeployments), 0ns);
    EXPECT_GT(budget.limiter()->Reserve(edgegap::EndpointClass::kDeployments), 0ns);

    budget.SetLiveMatchmakers(0);  // Never below one share: itself.
    EXPECT_EQ(budget.sharers(), 1);
    EXPECT_DOUBLE_EQ(budget.limiter()->limits().deployments.requests_per_second, 36.0);
}

TEST(EdgegapBudget, UnlimitedClassesStayUnlimitedWhenShared) {
    common::ManualClock clock;
    common::MetricsRegistry registry;
    Metrics metrics(registry);
    auto organization = edgegap::ParseRateLimits("sessions=off");
    ASSERT_TRUE(organization);
    EdgegapBudget budget(*organization, clock, metrics);
    budget.SetLiveMatchmakers(4);
    EXPECT_TRUE(budget.limiter()->limits().sessions.unlimited);
    EXPECT_DOUBLE_EQ(budget.limiter()->limits().deployments.requests_per_second, 9.0);
}

using EdgegapBudgetServiceTest = MatchmakerServiceTest;

// Presence beats every 5 s, so the first matchmaker sees the second one at its next beat.
TEST_F(EdgegapBudgetServiceTest, TwoMatchmakersOnOneBusEachTakeHalfAndTheSurvivorTakesItAllBack) {
    common::MetricsRegistry& first_registry = NewRegistry();
    common::MetricsRegistry& second_registry = NewRegistry();
    ASSERT_NE(StartService(Config(), nullptr, &first_registry), nullptr);
    EXPECT_EQ(BudgetGauge(first_registry), 1);
    Service* second = StartService(Config(), nullptr, &second_registry);
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(BudgetGauge(second_registry), 2);  // Counted at its first beat, inside Start.
    EXPECT_TRUE(WaitFor([&] { return BudgetGauge(first_registry) == 2; }, 12s));

    second->Shutdown(0ms);  // Deletes its presence key at once.
    EXPECT_TRUE(WaitFor([&] { return BudgetGauge(first_registry) == 1; }, 12s));
}

TEST_F(EdgegapBudgetServiceTest, CountsEvery429EvenWhenTheRetryAfterItSucceeds) {
    common::MetricsRegistry& registry = NewRegistry();
    ASSERT_NE(StartService(Config(), nullptr, &registry), nullptr);
    sim_->SetFaults(edgegap_sim::Faults{.rate_limit_next_requests = 1, .retry_after_seconds = 0});
    auto replies = Request();
    ASSERT_FALSE(replies.empty());
    EXPECT_TRUE(Holds<protocol::SessionReady>(replies.back()));
    sim_->SetFaults({});
    EXPECT_EQ(registry.GetCounter("gapkit_matchmaker_edgegap_refused_total", "", {{"class", "sessions"}}).Value(), 1u);
}

}  // namespace
}  // namespace gapkit::matchmaker
