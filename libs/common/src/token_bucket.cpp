#include "gapkit/common/token_bucket.hpp"

#include <algorithm>

namespace gapkit::common {

TokenBucket::TokenBucket(double tokens_per_second, double burst, Clock::SteadyTime now)
    : tokens_per_second_(tokens_per_second), burst_(burst), tokens_(burst), refilled_at_(now) {}

double TokenBucket::TokensAt(Clock::SteadyTime now) const {
    // A clock that went backwards (or an earlier `now` from another thread) adds nothing.
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - refilled_at_).count());
    return std::min(burst_, tokens_ + elapsed * tokens_per_second_);
}

void TokenBucket::Refill(Clock::SteadyTime now) {
    tokens_ = TokensAt(now);
    refilled_at_ = std::max(refilled_at_, now);
}

bool TokenBucket::TryTake(Clock::SteadyTime now) {
    Refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

std::chrono::nanoseconds TokenBucket::Reserve(Clock::SteadyTime now) {
    Refill(now);
    tokens_ -= 1.0;
    if (tokens_ >= 0.0) return std::chrono::nanoseconds(0);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(-tokens_ / tokens_per_second_));
}

std::chrono::nanoseconds TokenBucket::TimeUntilToken(Clock::SteadyTime now) const {
    const double missing = 1.0 - TokensAt(now);
    if (missing <= 0.0) return std::chrono::nanoseconds(0);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(missing / tokens_per_second_));
}

void TokenBucket::SetRate(double tokens_per_second, double burst, Clock::SteadyTime now) {
    Refill(now);
    tokens_per_second_ = tokens_per_second;
    burst_ = burst;
    tokens_ = std::min(tokens_, burst_);
}

bool TokenBucket::IsFull(Clock::SteadyTime now) const { return TokensAt(now) >= burst_; }

}  // namespace gapkit::common
