#include "pending_facts.hpp"

#include <atomic>

#include <gtest/gtest.h>

namespace gapkit::server {
namespace {

using common::ErrorCode;
using common::MakeError;

// Drives the schedule by hand: each tick drains the worker, then sends what is due.
class PendingFactsTest : public ::testing::Test {
  protected:
    void Tick(double now_seconds) {
        worker_.WaitIdle();
        for (auto& completion : worker_.TakeCompletions()) completion();
        facts_.SendDue(now_seconds);
        worker_.WaitIdle();
        for (auto& completion : worker_.TakeCompletions()) completion();
    }

    // A fact that fails with `code` until `failures` attempts were made, then is accepted.
    PendingFacts::Send FailingTimes(int failures, ErrorCode code = ErrorCode::kUnavailable) {
        return [this, failures, code]() -> common::Status {
            if (++attempts_ <= failures) return MakeError(code, "no responders");
            return common::Ok();
        };
    }

    Worker worker_;
    PendingFacts facts_{worker_};
    std::atomic<int> attempts_{0};
};

TEST_F(PendingFactsTest, RetriesWithDoublingDelaysUntilAccepted) {
    facts_.Add("fact", FailingTimes(3), kLeftRetryPolicy);
    Tick(0.0);
    EXPECT_EQ(attempts_, 1);
    Tick(0.9);
    EXPECT_EQ(attempts_, 1);  // The first retry waits 1 s.
    Tick(1.0);
    EXPECT_EQ(attempts_, 2);
    Tick(2.9);
    EXPECT_EQ(attempts_, 2);  // Then 2 s.
    Tick(3.0);
    EXPECT_EQ(attempts_, 3);
    Tick(7.0);
    EXPECT_EQ(attempts_, 4);
    EXPECT_EQ(facts_.size(), 0u);
}

TEST_F(PendingFactsTest, GivesUpAfterThePolicysAttempts) {
    facts_.Add("fact", FailingTimes(100), kLeftRetryPolicy);
    for (double now = 0; now < 100; now += 0.5) Tick(now);
    EXPECT_EQ(attempts_, kLeftRetryPolicy.max_attempts);
    EXPECT_EQ(facts_.size(), 0u);
}

TEST_F(PendingFactsTest, ARefusalIsNeverRetried) {
    facts_.Add("fact", FailingTimes(100, ErrorCode::kPermissionDenied), kDigestRetryPolicy);
    for (double now = 0; now < 100; now += 0.5) Tick(now);
    EXPECT_EQ(attempts_, 1);
    EXPECT_EQ(facts_.size(), 0u);
}

TEST_F(PendingFactsTest, UnboundedPolicyKeepsTryingAtMostEveryMaxDelay) {
    facts_.Add("fact", FailingTimes(1000), kDigestRetryPolicy);
    for (double now = 0; now <= 300; now += 0.5) Tick(now);
    // 1, 2, 4, 8, 16 s, then every 30 s: 6 attempts in the first 31 s, 9 more by 301 s.
    EXPECT_GE(attempts_, 13);
    EXPECT_LE(attempts_, 15);
    EXPECT_EQ(facts_.size(), 1u);
}

TEST_F(PendingFactsTest, FinishGivesEachFactOneLastAttempt) {
    facts_.Add("fact", FailingTimes(100), kDigestRetryPolicy);
    Tick(0.0);
    facts_.Finish();
    Tick(0.1);
    EXPECT_EQ(attempts_, 2);
    EXPECT_EQ(facts_.size(), 0u);
    facts_.Add("late", FailingTimes(100), kLeftRetryPolicy);  // After Finish: sent once at once.
    Tick(0.2);
    EXPECT_EQ(attempts_, 3);
    EXPECT_EQ(facts_.size(), 0u);
}

}  // namespace
}  // namespace gapkit::server
