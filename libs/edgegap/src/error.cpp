#include "gapkit/edgegap/error.hpp"

#include <fmt/core.h>

namespace gapkit::edgegap {

using common::ErrorCode;

namespace {

constexpr ErrorCategory kAllCategories[] = {
    ErrorCategory::kAuth,        ErrorCategory::kNotFound,    ErrorCategory::kGone,       ErrorCategory::kConflict,
    ErrorCategory::kRateLimited, ErrorCategory::kServerError, ErrorCategory::kBadRequest, ErrorCategory::kTimeout,
    ErrorCategory::kNetwork,     ErrorCategory::kBadResponse,
};

}  // namespace

std::string_view ToString(ErrorCategory category) {
    switch (category) {
        case ErrorCategory::kAuth:
            return "auth";
        case ErrorCategory::kNotFound:
            return "not_found";
        case ErrorCategory::kGone:
            return "gone";
        case ErrorCategory::kConflict:
            return "conflict";
        case ErrorCategory::kRateLimited:
            return "rate_limited";
        case ErrorCategory::kServerError:
            return "server_error";
        case ErrorCategory::kBadRequest:
            return "bad_request";
        case ErrorCategory::kTimeout:
            return "timeout";
        case ErrorCategory::kNetwork:
            return "network";
        case ErrorCategory::kBadResponse:
            return "bad_response";
    }
    return "unknown";
}

bool ErrorDetails::IsTransient() const {
    return category == ErrorCategory::kRateLimited || category == ErrorCategory::kServerError ||
           category == ErrorCategory::kNetwork;
}

ErrorCode CodeFor(ErrorCategory category) {
    switch (category) {
        case ErrorCategory::kAuth:
            return ErrorCode::kUnauthenticated;
        case ErrorCategory::kNotFound:
        case ErrorCategory::kGone:
            return ErrorCode::kNotFound;
        case ErrorCategory::kConflict:
            return ErrorCode::kAlreadyExists;
        case ErrorCategory::kRateLimited:
            return ErrorCode::kResourceExhausted;
        case ErrorCategory::kServerError:
        case ErrorCategory::kNetwork:
            return ErrorCode::kUnavailable;
        case ErrorCategory::kBadRequest:
            return ErrorCode::kInvalidArgument;
        case ErrorCategory::kTimeout:
            return ErrorCode::kTimeout;
        case ErrorCategory::kBadResponse:
            return ErrorCode::kProtocol;
    }
    return ErrorCode::kInternal;
}

common::Error NewError(ErrorDetails details, std::string_view text) {
    std::string message = details.http_status == 0
                              ? fmt::format("{}: {}", ToString(details.category), text)
                              : fmt::format("{} (HTTP {}): {}", ToString(details.category), details.http_status, text);
    return common::Error(CodeFor(details.category), std::move(message), details);
}

ErrorDetails Details(const common::Error& error) {
    if (const auto* details = error.detail<ErrorDetails>()) return *details;
    // kNetwork is what an unexpected failure around a call (an exception, a dropped coroutine) was
    // always reported as: transient, so the caller's retry logic treats it like a lost connection.
    for (const ErrorCategory category : kAllCategories) {
        if (CodeFor(category) == error.code()) return ErrorDetails{category, 0, std::nullopt};
    }
    return ErrorDetails{ErrorCategory::kNetwork, 0, std::nullopt};
}

ErrorCategory CategoryForStatus(int http_status) {
    if (http_status == 401 || http_status == 403) return ErrorCategory::kAuth;
    if (http_status == 404) return ErrorCategory::kNotFound;
    if (http_status == 409) return ErrorCategory::kConflict;
    if (http_status == 410) return ErrorCategory::kGone;
    if (http_status == 429) return ErrorCategory::kRateLimited;
    if (http_status >= 500 && http_status <= 599) return ErrorCategory::kServerError;
    if (http_status >= 400 && http_status <= 499) return ErrorCategory::kBadRequest;
    return ErrorCategory::kBadResponse;
}

}  // namespace gapkit::edgegap
