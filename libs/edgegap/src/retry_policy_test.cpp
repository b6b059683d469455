#include "gapkit/edgegap/retry_policy.hpp"

#include <gtest/gtest.h>

namespace gapkit::edgegap {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

ErrorDetails ErrorOf(ErrorCategory category, int status = 0) { return ErrorDetails{category, status, std::nullopt}; }

RetryConfig Config() {
    RetryConfig config;
    config.max_attempts = 4;
    config.backoff_base = 100ms;
    config.backoff_cap = 300ms;
    config.max_retry_after = 10s;
    return config;
}

TEST(RetryPolicy, BacksOffWithEqualJitterUpToTheCap) {
    RetryPolicy policy(Config(), 42);
    const auto server_error = ErrorOf(ErrorCategory::kServerError, 503);
    for (int round = 0; round < 50; ++round) {
        auto first = policy.NextDelay(1, server_error, Idempotency::kIdempotent);
        auto second = policy.NextDelay(2, server_error, Idempotency::kIdempotent);
        auto third = policy.NextDelay(3, server_error, Idempotency::kIdempotent);
        ASSERT_TRUE(first && second && third);
        EXPECT_GE(*first, 50ms);
        EXPECT_LE(*first, 100ms);
        EXPECT_GE(*second, 100ms);
        EXPECT_LE(*second, 200ms);
        EXPECT_GE(*third, 150ms);  // 400 ms capped to 300 ms.
        EXPECT_LE(*third, 300ms);
    }
}

TEST(RetryPolicy, StopsAfterMaxAttempts) {
    RetryPolicy policy(Config(), 1);
    EXPECT_TRUE(policy.NextDelay(3, ErrorOf(ErrorCategory::kNetwork), Idempotency::kIdempotent).has_value());
    EXPECT_FALSE(policy.NextDelay(4, ErrorOf(ErrorCategory::kNetwork), Idempotency::kIdempotent).has_value());
}

TEST(RetryPolicy, NeverRetriesFinalCategories) {
    RetryPolicy policy(Config(), 1);
    for (auto category :
         {ErrorCategory::kAuth, ErrorCategory::kNotFound, ErrorCategory::kGone, ErrorCategory::kConflict,
          ErrorCategory::kBadRequest, ErrorCategory::kTimeout, ErrorCategory::kBadResponse}) {
        EXPECT_FALSE(policy.NextDelay(1, ErrorOf(category), Idempotency::kIdempotent).has_value())
            << ToString(category);
    }
}

TEST(RetryPolicy, RetriesOnlyRateLimitsOfNonIdempotentCalls) {
    RetryPolicy policy(Config(), 1);
    EXPECT_FALSE(policy.NextDelay(1, ErrorOf(ErrorCategory::kServerError), Idempotency::kNotIdempotent));
    EXPECT_FALSE(policy.NextDelay(1, ErrorOf(ErrorCategory::kNetwork), Idempotency::kNotIdempotent));
    EXPECT_TRUE(policy.NextDelay(1, ErrorOf(ErrorCategory::kRateLimited, 429), Idempotency::kNotIdempotent));
}

TEST(RetryPolicy, HonoursRetryAfterWithinItsLimit) {
    RetryPolicy policy(Config(), 7);
    auto limited = ErrorOf(ErrorCategory::kRateLimited, 429);
    limited.retry_after = 2s;
    auto delay = policy.NextDelay(1, limited, Idempotency::kIdempotent);
    ASSERT_TRUE(delay.has_value());
    EXPECT_GE(*delay, 2000ms);
    EXPECT_LE(*delay, 2050ms);
    limited.retry_after = 11s;
    EXPECT_FALSE(policy.NextDelay(1, limited, Idempotency::kIdempotent).has_value());
}

TEST(RetryPolicy, SameSeedSameJitter) {
    RetryPolicy a(Config(), 99);
    RetryPolicy b(Config(), 99);
    const auto error = ErrorOf(ErrorCategory::kNetwork);
    for (int attempt = 1; attempt < 4; ++attempt) {
        EXPECT_EQ(a.NextDelay(attempt, error, Idempotency::kIdempotent),
                  b.NextDelay(attempt, error, Idempotency::kIdempotent));
    }
}

}  // namespace
}  // namespace gapkit::edgegap
