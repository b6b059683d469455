#pragma once

/// @file
/// How a failed Edgegap call is reported: an `ApiError` value, never an exception.
///
/// Every call of `EdgegapApi` returns `ApiResult<T>`, which is `tl::expected<T, ApiError>`. The
/// error keeps what a caller needs to decide what to do next: a category (retry? give up? the
/// thing is already gone?), the HTTP status when there was one, and Edgegap's own `message`
/// text. `ToError()` turns it into the project-wide `common::Error` for code that does not care
/// about the details.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap {

/// Why an Edgegap call failed.
enum class ApiErrorCategory {
    kAuth,         ///< 401 or 403: the token is missing, wrong, revoked or from another organization.
    kNotFound,     ///< 404: no such app, version, session or deployment.
    kGone,         ///< 410: the deployment or session is already terminated.
    kConflict,     ///< 409: something with that name already exists.
    kRateLimited,  ///< 429: Edgegap's rate limit was hit (after every allowed retry).
    kServerError,  ///< 5xx: Edgegap failed (after every allowed retry).
    kBadRequest,   ///< 400, 422, 424 and other 4xx: Edgegap refused the request as invalid or unservable.
    kTimeout,      ///< No complete answer within `ClientConfig::request_timeout`.
    kNetwork,      ///< Resolve, connect, TLS, or the connection dropped before a complete answer.
    kBadResponse,  ///< An answer that is not what the API promises: malformed JSON, missing fields, odd status.
};

/// Returns the stable lower-case name of `category`, e.g. `"rate_limited"`.
std::string_view ToString(ApiErrorCategory category);

/// A failed Edgegap call. Cheap to move, safe to copy.
struct ApiError {
    ApiErrorCategory category = ApiErrorCategory::kNetwork;
    /// The HTTP status of the final attempt; 0 when no response arrived (timeout, network).
    int http_status = 0;
    /// Edgegap's `message` field when the body had one, otherwise our own description of the cause.
    std::string message;
    /// The `Retry-After` delay the server asked for, when it sent one (delta-seconds form only).
    std::optional<std::chrono::seconds> retry_after;

    /// Returns e.g. `"rate_limited (HTTP 429): Too many requests"`.
    std::string ToString() const;

    /// The same failure as a `common::Error`: auth -> kUnauthenticated, not found and gone ->
    /// kNotFound, conflict -> kAlreadyExists, rate limited -> kResourceExhausted, server error and
    /// network -> kUnavailable, bad request -> kInvalidArgument, timeout -> kTimeout, bad response
    /// -> kProtocol. The message is `ToString()`.
    common::Error ToError() const;

    /// True for categories that a later identical request may not hit (429, 5xx, network).
    bool IsTransient() const;
};

/// The value of a call, or why it failed.
template <typename T>
using ApiResult = tl::expected<T, ApiError>;

/// Builds the error side of an `ApiResult`.
inline tl::unexpected<ApiError> MakeApiError(ApiErrorCategory category, int http_status, std::string message) {
    return tl::unexpected<ApiError>(ApiError{category, http_status, std::move(message), std::nullopt});
}

/// Maps an HTTP status that is not a success to its category (e.g. 429 -> kRateLimited).
ApiErrorCategory CategoryForStatus(int http_status);

}  // namespace gapkit::edgegap
