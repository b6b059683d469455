#include "gapkit/edgegap/retry_policy.hpp"

#include <algorithm>

#include "gapkit/common/assert.hpp"

namespace gapkit::edgegap {

using std::chrono::milliseconds;

RetryPolicy::RetryPolicy(RetryConfig config, std::uint64_t seed) : config_(config), random_(seed) {}

std::optional<milliseconds> RetryPolicy::NextDelay(int failed_attempts, const ErrorDetails& error,
                                                   Idempotency idempotency) {
    GAPKIT_ASSERT(failed_attempts >= 1, "asked only after an attempt failed");
    if (failed_attempts >= config_.max_attempts || !error.IsTransient()) return std::nullopt;
    if (error.category == ErrorCategory::kRateLimited) {
        if (!error.retry_after) return Backoff(failed_attempts);
        if (*error.retry_after > config_.max_retry_after) return std::nullopt;
        return milliseconds(*error.retry_after) + Uniform(milliseconds(0), config_.backoff_base / 2);
    }
    if (idempotency != Idempotency::kIdempotent) return std::nullopt;
    return Backoff(failed_attempts);
}

milliseconds RetryPolicy::Backoff(int failed_attempts) {
    // Doubling stops well before overflow; the cap takes over long before that anyway.
    const int doublings = std::clamp(failed_attempts - 1, 0, 20);
    const milliseconds full = std::min(config_.backoff_cap, config_.backoff_base * (std::int64_t{1} << doublings));
    return Uniform(full / 2, full);
}

milliseconds RetryPolicy::Uniform(milliseconds low, milliseconds high) {
    if (high <= low) return low;
    std::lock_guard lock(mutex_);
    std::uniform_int_distribution<std::int64_t> pick(low.count(), high.count());
    return milliseconds(pick(random_));
}

}  // namespace gapkit::edgegap
