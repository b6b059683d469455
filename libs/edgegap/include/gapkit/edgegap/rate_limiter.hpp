#pragma once

/// @file
/// Client-side rate limiting, so a busy matchmaker never trips Edgegap's own limits.
///
/// Edgegap documents "Deployments at 40 requests per second, Context & Status at 10 requests per
/// second" per organization. A token bucket with rate r and burst b lets through at most
/// b + r * T requests in any window of T seconds, so the defaults below (90 % of the documented
/// rate plus a burst of the other 10 %) keep every one-second window at or under the documented
/// limit. Limits the documentation does not give (sessions, apps) use the same conservative split.

#include <array>
#include <chrono>
#include <mutex>

#include "gapkit/common/clock.hpp"
#include "gapkit/common/token_bucket.hpp"

namespace gapkit::edgegap {

/// The kinds of calls Edgegap limits separately.
enum class EndpointClass {
    kDeployments,  ///< deploy, stop, list deployments.
    kStatus,       ///< `/v1/status`.
    kContext,      ///< the in-container context and self-stop URLs.
    kSessions,     ///< create, get, delete, list sessions.
    kApps,         ///< app versions.
};

inline constexpr std::size_t kEndpointClassCount = 5;

/// The limit of one endpoint class.
struct RateLimit {
    double requests_per_second = 9.0;  ///< Sustained rate.
    double burst = 1.0;                ///< Requests allowed at once after a quiet spell (>= 1).
};

/// Limits per endpoint class (part of `ClientConfig`).
struct RateLimits {
    RateLimit deployments{36.0, 4.0};  ///< Default 36/s + 4: Edgegap's 40/s.
    RateLimit status{9.0, 1.0};        ///< Default 9/s + 1: Edgegap's 10/s.
    RateLimit context{9.0, 1.0};       ///< Default 9/s + 1: Edgegap's 10/s.
    RateLimit sessions{36.0, 4.0};     ///< Default 36/s + 4 (undocumented; treated like deployments).
    RateLimit apps{9.0, 1.0};          ///< Default 9/s + 1 (undocumented).

    const RateLimit& For(EndpointClass endpoint) const;
};

/// One `common::TokenBucket` per endpoint class. A caller reserves a slot and waits for it, so
/// concurrent callers are served in the order they asked. Thread-safe.
class RateLimiter {
  public:
    /// `clock` must outlive the limiter.
    RateLimiter(const RateLimits& limits, const common::Clock& clock);

    /// Reserves a slot for one request of class `endpoint`; returns how long to wait before sending.
    std::chrono::nanoseconds Reserve(EndpointClass endpoint);

  private:
    const common::Clock& clock_;
    std::mutex mutex_;
    std::array<common::TokenBucket, kEndpointClassCount> buckets_;  // Guarded by mutex_.
};

}  // namespace gapkit::edgegap
