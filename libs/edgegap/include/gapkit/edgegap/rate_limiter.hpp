#pragma once

/// @file
/// Client-side rate limiting, so a busy matchmaker never trips Edgegap's own limits.
///
/// Edgegap documents "Deployments at 40 requests per second, Context & Status at 10 requests per
/// second" per organization (https://docs.edgegap.com/api/, "Rate Limiting"; the v1 spec says 20/s
/// for status: the lower figure is used). A token bucket with rate r and burst b lets through at
/// most b + r * T requests in any window of T seconds, so the defaults below (90 % of the
/// documented rate plus a burst of the other 10 %) keep every one-second window at or under the
/// documented limit. Limits the documentation does not give (sessions, apps) use the same split:
/// sessions like deployments (a session may start a deployment), apps like status.
///
/// The limits are per organization: several clients of one organization share them with
/// `RateLimits::Share` (the matchmaker divides them by the live matchmakers) and `SetLimits`.

#include <array>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/common/clock.hpp"
#include "gapkit/common/result.hpp"
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

/// Every class, in the order of `EndpointClass`.
inline constexpr std::array<EndpointClass, kEndpointClassCount> kEndpointClasses = {
    EndpointClass::kDeployments, EndpointClass::kStatus, EndpointClass::kContext, EndpointClass::kSessions,
    EndpointClass::kApps};

/// "deployments", "status", "context", "sessions" or "apps" (the names of `ParseRateLimits`).
std::string_view EndpointClassName(EndpointClass endpoint);

/// The class named `name` (as `EndpointClassName` spells it); nothing for any other text.
std::optional<EndpointClass> EndpointClassFromName(std::string_view name);

/// The limit of one endpoint class.
struct RateLimit {
    double requests_per_second = 9.0;  ///< Sustained rate (> 0 unless `unlimited`).
    double burst = 1.0;                ///< Requests allowed at once after a quiet spell (>= 1).
    /// No client-side limit for this class (`<class>=off`): calls go out at once, and only
    /// Edgegap's own 429 answers (with their `Retry-After`) slow them down. Default false.
    bool unlimited = false;
};

/// Limits per endpoint class (part of `ClientConfig`).
struct RateLimits {
    RateLimit deployments{36.0, 4.0};  ///< Default 36/s + 4: Edgegap's 40/s.
    RateLimit status{9.0, 1.0};        ///< Default 9/s + 1: Edgegap's 10/s.
    RateLimit context{9.0, 1.0};       ///< Default 9/s + 1: Edgegap's 10/s.
    RateLimit sessions{36.0, 4.0};     ///< Default 36/s + 4 (undocumented; treated like deployments).
    RateLimit apps{9.0, 1.0};          ///< Default 9/s + 1 (undocumented).

    const RateLimit& For(EndpointClass endpoint) const;
    RateLimit& For(EndpointClass endpoint);

    /// One of `parts` equal shares (`parts` < 1 counts as 1): each limited class's rate and burst
    /// divided by `parts`, but never below `kMinShareRequestsPerSecond` (or the class's own rate
    /// when that is lower) nor a burst of 1. Unlimited classes stay unlimited.
    RateLimits Share(int parts) const;
};

/// The floor of a shared rate. A share below it would make every call of a matchmaker wait
/// seconds for its slot, so a readiness poll or a create could time out while Edgegap has
/// capacity; with more sharers than a class's rate, the floor lets the sharers together exceed
/// it, and Edgegap's 429s (honoured with `Retry-After`) take over.
inline constexpr double kMinShareRequestsPerSecond = 1.0;

/// Reads `text`, a comma list of `<class>=<per_second>+<burst>` or `<class>=off` (spaces around
/// items allowed, empty text allowed), on top of `base`: classes not named keep their limit from
/// `base`. Errors (kInvalidArgument) name the item and the expected form: an unknown class, a
/// class named twice, a rate not > 0, a burst not >= 1, anything else that does not parse.
common::Result<RateLimits> ParseRateLimits(std::string_view text, const RateLimits& base = {});

/// `limits` in the form `ParseRateLimits` reads, every class named, e.g.
/// `deployments=36+4,status=9+1,context=9+1,sessions=off,apps=9+1`.
std::string FormatRateLimits(const RateLimits& limits);

/// One `common::TokenBucket` per endpoint class. A caller reserves a slot and waits for it, so
/// concurrent callers are served in the order they asked. Thread-safe: `Reserve`, `SetLimits` and
/// `limits` may be called from any thread at any time.
class RateLimiter {
  public:
    /// Told of each 429 Edgegap answered, by class, retried or not (on the thread of the call).
    using RefusedHandler = std::function<void(EndpointClass)>;

    /// `clock` must outlive the limiter. REQUIRES: every limited class has rate > 0, burst >= 1
    /// (`ClientConfig::Validate` checks this).
    RateLimiter(const RateLimits& limits, const common::Clock& clock, RefusedHandler on_refused = {});

    /// Reserves a slot for one request of class `endpoint`; returns how long to wait before sending
    /// (zero for an unlimited class).
    std::chrono::nanoseconds Reserve(EndpointClass endpoint);

    /// How long a call of class `endpoint` made now would wait for its slot, without reserving
    /// one (zero for an unlimited class or a free slot). The matchmaker batches players while this
    /// is not zero.
    std::chrono::nanoseconds WaitFor(EndpointClass endpoint) const;

    /// Re-rates every class from now on (same REQUIRES as the constructor). Waits already handed
    /// out stay as they were; tokens saved up are kept up to the new burst; later callers queue at
    /// the new rate. A class turned from unlimited to limited starts with a full bucket.
    void SetLimits(const RateLimits& limits);

    /// The limits in force now.
    RateLimits limits() const;

    /// The HTTP client calls this for each 429 answer to a call of class `endpoint`; it hands it
    /// to the `RefusedHandler` (a budget set too high shows up here first).
    void CountRefused(EndpointClass endpoint) const;

  private:
    const common::Clock& clock_;
    const RefusedHandler on_refused_;
    mutable std::mutex mutex_;
    RateLimits limits_;                                             // Guarded by mutex_.
    std::array<common::TokenBucket, kEndpointClassCount> buckets_;  // Guarded by mutex_.
};

}  // namespace gapkit::edgegap
