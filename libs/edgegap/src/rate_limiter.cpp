#include "gapkit/edgegap/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/core.h>

namespace gapkit::edgegap {

using common::Clock;
using common::ErrorCode;
using common::MakeError;

namespace {

constexpr std::string_view kLimitForm = "<class>=<per_second>+<burst> or <class>=off";

common::TokenBucket MakeBucket(const RateLimit& limit, Clock::SteadyTime now) {
    // An unlimited class never reserves from its bucket; it only needs a valid placeholder.
    return limit.unlimited ? common::TokenBucket(1.0, 1.0, now)
                           : common::TokenBucket(limit.requests_per_second, limit.burst, now);
}

std::string_view Trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

std::optional<double> ParseNumber(std::string_view text) {
    double value = 0.0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

common::Result<RateLimit> ParseLimit(std::string_view item, std::string_view value) {
    if (value == "off") return RateLimit{0.0, 0.0, true};
    const auto plus = value.find('+');
    if (plus == std::string_view::npos) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("Edgegap limit '{}': expected {} (e.g. sessions=36+4)", item, kLimitForm));
    }
    const auto rate = ParseNumber(value.substr(0, plus));
    const auto burst = ParseNumber(value.substr(plus + 1));
    if (!rate || !burst || *rate <= 0.0 || *burst < 1.0) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("Edgegap limit '{}': expected {} with per_second > 0 and burst >= 1", item, kLimitForm));
    }
    return RateLimit{*rate, *burst, false};
}

}  // namespace

std::string_view EndpointClassName(EndpointClass endpoint) {
    switch (endpoint) {
        case EndpointClass::kDeployments:
            return "deployments";
        case EndpointClass::kStatus:
            return "status";
        case EndpointClass::kContext:
            return "context";
        case EndpointClass::kSessions:
            return "sessions";
        case EndpointClass::kApps:
            break;
    }
    return "apps";
}

std::optional<EndpointClass> EndpointClassFromName(std::string_view name) {
    for (EndpointClass endpoint : kEndpointClasses) {
        if (EndpointClassName(endpoint) == name) return endpoint;
    }
    return std::nullopt;
}

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

RateLimit& RateLimits::For(EndpointClass endpoint) {
    return const_cast<RateLimit&>(std::as_const(*this).For(endpoint));
}

RateLimits RateLimits::Share(int parts) const {
    const double divisor = std::max(parts, 1);
    RateLimits share = *this;
    for (EndpointClass endpoint : kEndpointClasses) {
        RateLimit& limit = share.For(endpoint);
        if (limit.unlimited) continue;
        const double floor = std::min(limit.requests_per_second, kMinShareRequestsPerSecond);
        limit.requests_per_second = std::max(limit.requests_per_second / divisor, floor);
        limit.burst = std::max(limit.burst / divisor, 1.0);
    }
    return share;
}

common::Result<RateLimits> ParseRateLimits(std::string_view text, const RateLimits& base) {
    RateLimits limits = base;
    std::array<bool, kEndpointClassCount> named{};
    if (Trim(text).empty()) return limits;
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = Trim(text.substr(start, comma - start));
        start = comma + 1;
        const auto equals = item.find('=');
        const auto endpoint = EndpointClassFromName(Trim(item.substr(0, std::min(equals, item.size()))));
        if (equals == std::string_view::npos || !endpoint) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("Edgegap limit '{}': expected {} for a class of deployments, status, "
                                         "context, sessions, apps",
                                         item, kLimitForm));
        }
        auto& seen = named[static_cast<std::size_t>(*endpoint)];
        if (seen) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("Edgegap limit '{}': class {} is named twice; expected {}, each class at most once", item,
                            EndpointClassName(*endpoint), kLimitForm));
        }
        seen = true;
        auto limit = ParseLimit(item, Trim(item.substr(equals + 1)));
        if (!limit) return common::Fail(limit.error());
        limits.For(*endpoint) = *limit;
    }
    return limits;
}

std::string FormatRateLimits(const RateLimits& limits) {
    std::string text;
    for (EndpointClass endpoint : kEndpointClasses) {
        const RateLimit& limit = limits.For(endpoint);
        if (!text.empty()) text += ',';
        text += limit.unlimited
                    ? fmt::format("{}=off", EndpointClassName(endpoint))
                    : fmt::format("{}={}+{}", EndpointClassName(endpoint), limit.requests_per_second, limit.burst);
    }
    return text;
}

RateLimiter::RateLimiter(const RateLimits& limits, const Clock& clock, RefusedHandler on_refused)
    : clock_(clock),
      on_refused_(std::move(on_refused)),
      limits_(limits),
      buckets_{MakeBucket(limits.deployments, clock.Now()), MakeBucket(limits.status, clock.Now()),
               MakeBucket(limits.context, clock.Now()), MakeBucket(limits.sessions, clock.Now()),
               MakeBucket(limits.apps, clock.Now())} {}

std::chrono::nanoseconds RateLimiter::Reserve(EndpointClass endpoint) {
    std::lock_guard lock(mutex_);
    if (limits_.For(endpoint).unlimited) return std::chrono::nanoseconds(0);
    return buckets_[static_cast<std::size_t>(endpoint)].Reserve(clock_.Now());
}

std::chrono::nanoseconds RateLimiter::WaitFor(EndpointClass endpoint) const {
    std::lock_guard lock(mutex_);
    if (limits_.For(endpoint).unlimited) return std::chrono::nanoseconds(0);
    return buckets_[static_cast<std::size_t>(endpoint)].TimeUntilToken(clock_.Now());
}

void RateLimiter::SetLimits(const RateLimits& limits) {
    std::lock_guard lock(mutex_);
    const auto now = clock_.Now();
    for (EndpointClass endpoint : kEndpointClasses) {
        const RateLimit& limit = limits.For(endpoint);
        common::TokenBucket& bucket = buckets_[static_cast<std::size_t>(endpoint)];
        if (limit.unlimited) continue;
        if (limits_.For(endpoint).unlimited) {
            bucket = MakeBucket(limit, now);
        } else {
            bucket.SetRate(limit.requests_per_second, limit.burst, now);
        }
    }
    limits_ = limits;
}

RateLimits RateLimiter::limits() const {
    std::lock_guard lock(mutex_);
    return limits_;
}

void RateLimiter::CountRefused(EndpointClass endpoint) const {
    if (on_refused_) on_refused_(endpoint);
}

}  // namespace gapkit::edgegap
