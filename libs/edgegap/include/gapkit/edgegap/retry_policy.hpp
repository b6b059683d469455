#pragma once

/// @file
/// When to try an Edgegap call again, and after how long. Pure: no clock, no I/O.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

#include "gapkit/edgegap/error.hpp"

namespace gapkit::edgegap {

/// Whether sending the same request twice is harmless.
enum class Idempotency {
    kIdempotent,     ///< GET, DELETE, PATCH with absolute values.
    kNotIdempotent,  ///< POST that creates a session or a deployment.
};

/// Retry settings (part of `ClientConfig`).
struct RetryConfig {
    /// Attempts per call, the first included. 1 disables retries. Default 4.
    int max_attempts = 4;
    /// Back-off before the first retry; it doubles per retry. Default 200 ms.
    std::chrono::milliseconds backoff_base{200};
    /// Back-off never grows past this. Default 5 s.
    std::chrono::milliseconds backoff_cap{5000};
    /// A `Retry-After` longer than this is not waited for: the call fails as rate limited. Default 30 s.
    std::chrono::seconds max_retry_after{30};
};

/// Decides retries:
/// - 429 is retried for every call (the request was refused, not processed), after `Retry-After`
///   when the server sent one, otherwise after the back-off;
/// - 5xx and network failures are retried only for idempotent calls, since a POST may have
///   created a session or deployment before the answer was lost;
/// - everything else (auth, not found, bad request, timeout, bad response) is final.
/// The back-off is "equal jitter": uniform in [d/2, d] with d = min(cap, base * 2^(retry-1)), so
/// many clients that failed together do not retry together. `Retry-After` gets up to base/2 of
/// extra jitter on top.
///
/// Thread-safe: the random generator is guarded by a mutex.
class RetryPolicy {
  public:
    /// `seed` fixes the jitter sequence (tests pass a constant; the client seeds from
    /// std::random_device).
    RetryPolicy(RetryConfig config, std::uint64_t seed);

    /// After `failed_attempts` attempts (>= 1), the last of which failed as `error` says, returns the
    /// delay before the next attempt, or nothing when the call must give up with that failure.
    std::optional<std::chrono::milliseconds> NextDelay(int failed_attempts, const ErrorDetails& error,
                                                       Idempotency idempotency);

    const RetryConfig& config() const { return config_; }

  private:
    std::chrono::milliseconds Backoff(int failed_attempts);
    std::chrono::milliseconds Uniform(std::chrono::milliseconds low, std::chrono::milliseconds high);

    // Constant after construction.
    const RetryConfig config_;
    // Guarded by mutex_.
    std::mutex mutex_;
    std::mt19937_64 random_;
};

}  // namespace gapkit::edgegap
