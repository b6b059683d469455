#pragma once

/// @file
/// How a failed Edgegap call is reported: a `common::Error` with Edgegap's details attached, never
/// an exception.
///
/// Every call of `EdgegapApi` returns a `common::Result<T>`. Its error has a canonical code (the
/// table at `CodeFor`) and the message `"<category> (HTTP <status>): <text>"`, where the text is
/// Edgegap's own `message` field or our description of the cause. `Details(error)` gives what a
/// caller needs to decide what to do next: the category (retry? give up? the thing is already
/// gone?), the HTTP status when there was one, and the `Retry-After` delay when Edgegap sent one.
///
///     if (!session && edgegap::Details(session.error()).category == ErrorCategory::kNotFound) ...

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::edgegap {

/// Why an Edgegap call failed.
enum class ErrorCategory {
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
std::string_view ToString(ErrorCategory category);

/// What an Edgegap failure adds to its `common::Error`. Cheap to copy.
struct ErrorDetails {
    ErrorCategory category = ErrorCategory::kNetwork;
    /// The HTTP status of the final attempt; 0 when no response arrived (timeout, network).
    int http_status = 0;
    /// The `Retry-After` delay the server asked for, when it sent one (delta-seconds form only).
    std::optional<std::chrono::seconds> retry_after;

    /// True for categories that a later identical request may not hit (429, 5xx, network).
    bool IsTransient() const;
};

/// The canonical code of a category: auth -> kUnauthenticated, not found and gone -> kNotFound,
/// conflict -> kAlreadyExists, rate limited -> kResourceExhausted, server error and network ->
/// kUnavailable, bad request -> kInvalidArgument, timeout -> kTimeout, bad response -> kProtocol.
common::ErrorCode CodeFor(ErrorCategory category);

/// An Edgegap failure: code `CodeFor(details.category)`, message `"<category> (HTTP <status>):
/// <text>"` (without the HTTP part when the status is 0), and `details` attached.
common::Error NewError(ErrorDetails details, std::string_view text);

/// Builds the error side of a result: `return MakeError(ErrorCategory::kBadRequest, 0, "...");`
inline tl::unexpected<common::Error> MakeError(ErrorCategory category, int http_status, std::string_view text) {
    return common::Fail(NewError(ErrorDetails{category, http_status, std::nullopt}, text));
}

/// The Edgegap details of `error`. Every error an `EdgegapApi` call returns has them. An error made
/// elsewhere gets the first category whose `CodeFor` is its code (kNetwork when none is), status 0
/// and no `Retry-After`, so a caller may pass any error without checking where it came from.
ErrorDetails Details(const common::Error& error);

/// Maps an HTTP status that is not a success to its category (e.g. 429 -> kRateLimited).
ErrorCategory CategoryForStatus(int http_status);

}  // namespace gapkit::edgegap
