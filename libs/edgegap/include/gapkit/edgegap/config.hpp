#pragma once

/// @file
/// Settings of the Edgegap client, and the in-container endpoints a game server reads from its
/// environment.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/rate_limiter.hpp"
#include "gapkit/edgegap/retry_policy.hpp"

namespace gapkit::edgegap {

/// Settings of `HttpEdgegapClient`. Plain data; copy freely. `api_key` is a secret: gapkit never
/// logs it, never puts it in an error message, and never takes it from argv.
struct ClientConfig {
    /// Where the management API lives: `https://...` for Edgegap, `http://...` for edgegap-sim.
    /// A path is allowed and prefixed to every call. Env `EDGEGAP_BASE_URL`. Default
    /// `https://api.edgegap.com`.
    std::string base_url = "https://api.edgegap.com";
    /// The organization token, with or without its `token ` prefix (both are sent as
    /// `Authorization: token <key>`). Env `EDGEGAP_API_KEY`. Default empty: only the in-container
    /// calls, which carry their own token, work then.
    std::string api_key;
    /// Bound on one HTTP exchange: resolve, connect, TLS, send and the whole answer. Timeouts are
    /// not retried. Env `EDGEGAP_REQUEST_TIMEOUT` (e.g. "10s", "500ms"). Default 10 s.
    std::chrono::milliseconds request_timeout{10000};
    /// Retries of 429, 5xx and network failures (see `RetryPolicy`).
    RetryConfig retry;
    /// Client-side limits per endpoint class (see `RateLimiter`).
    RateLimits rate_limits;
    /// A limiter shared with the caller, who may re-rate it while the client runs (the
    /// matchmaker's share of the organization's budget). Null (default): the client makes its own
    /// from `rate_limits`. When set, `rate_limits` is not used.
    std::shared_ptr<RateLimiter> limiter;
    /// Sent as `User-Agent`. Default "gapkit-edgegap/0.1".
    std::string user_agent = "gapkit-edgegap/0.1";
    /// Idle kept-alive connections kept per host (calls that create something reuse only one
    /// idle for under a second, see http_client.hpp). 0 disables keep-alive. Default 16: a
    /// matchmaker under load has dozens of calls in flight to one host, and each connection not
    /// kept costs a TCP and TLS handshake on the next call.
    std::size_t max_idle_connections_per_host = 16;
    /// An idle connection older than this is closed instead of reused. Default 30 s.
    std::chrono::seconds max_idle_connection_age{30};
    /// Answers larger than this fail as bad responses. Default 4 MiB.
    std::size_t max_response_bytes = 4 * 1024 * 1024;
    /// Seed of the back-off jitter. Unset (default): random per client.
    std::optional<std::uint64_t> jitter_seed;

    /// Defaults, overridden by `EDGEGAP_API_KEY`, `EDGEGAP_BASE_URL` and `EDGEGAP_REQUEST_TIMEOUT`.
    /// A missing `EDGEGAP_API_KEY` is an error (code kInvalidArgument) naming the variable; so is a
    /// value that does not validate.
    static common::Result<ClientConfig> FromEnv();

    /// `FromEnv` with the key given (e.g. read from a file) instead of `EDGEGAP_API_KEY`.
    static common::Result<ClientConfig> FromEnvWithKey(std::string api_key);

    /// Checks every field; the error names the field and the bad value (never the key's value).
    common::Status Validate() const;
};

/// Returns the key without a leading `token ` prefix (any case) or surrounding whitespace.
std::string NormalizeApiKey(std::string_view key);

/// A URL plus the raw token Edgegap injected for it into a deployment's container
/// (`ARBITRIUM_CONTEXT_URL`/`_TOKEN` or `ARBITRIUM_DELETE_URL`/`_TOKEN`). The token is sent as
/// `Authorization: <token>`, without prefix. The token is a secret.
struct ContainerEndpoint {
    std::string url;
    std::string token;

    /// Reads `ARBITRIUM_CONTEXT_URL` and `ARBITRIUM_CONTEXT_TOKEN`; either missing is an error
    /// naming it.
    static common::Result<ContainerEndpoint> ContextFromEnv();
    /// Reads `ARBITRIUM_DELETE_URL` and `ARBITRIUM_DELETE_TOKEN`.
    static common::Result<ContainerEndpoint> SelfStopFromEnv();
};

}  // namespace gapkit::edgegap
