#include "gapkit/edgegap/error.hpp"

#include <fmt/core.h>

namespace gapkit::edgegap {

using common::ErrorCode;

std::string_view ToString(ApiErrorCategory category) {
    switch (category) {
        case ApiErrorCategory::kAuth:
            return "auth";
        case ApiErrorCategory::kNotFound:
            return "not_found";
        case ApiErrorCategory::kGone:
            return "gone";
        case ApiErrorCategory::kConflict:
            return "conflict";
        case ApiErrorCategory::kRateLimited:
            return "rate_limited";
        case ApiErrorCategory::kServerError:
            return "server_error";
        case ApiErrorCategory::kBadRequest:
            return "bad_request";
        case ApiErrorCategory::kTimeout:
            return "timeout";
        case ApiErrorCategory::kNetwork:
            return "network";
        case ApiErrorCategory::kBadResponse:
            return "bad_response";
    }
    return "unknown";
}

std::string ApiError::ToString() const {
    if (http_status == 0) return fmt::format("{}: {}", edgegap::ToString(category), message);
    return fmt::format("{} (HTTP {}): {}", edgegap::ToString(category), http_status, message);
}

common::Error ApiError::ToError() const {
    ErrorCode code = ErrorCode::kInternal;
    switch (category) {
        case ApiErrorCategory::kAuth:
            code = ErrorCode::kUnauthenticated;
            break;
        case ApiErrorCategory::kNotFound:
        case ApiErrorCategory::kGone:
            code = ErrorCode::kNotFound;
            break;
        case ApiErrorCategory::kConflict:
            code = ErrorCode::kAlreadyExists;
            break;
        case ApiErrorCategory::kRateLimited:
            code = ErrorCode::kResourceExhausted;
            break;
        case ApiErrorCategory::kServerError:
        case ApiErrorCategory::kNetwork:
            code = ErrorCode::kUnavailable;
            break;
        case ApiErrorCategory::kBadRequest:
            code = ErrorCode::kInvalidArgument;
            break;
        case ApiErrorCategory::kTimeout:
            code = ErrorCode::kTimeout;
            break;
        case ApiErrorCategory::kBadResponse:
            code = ErrorCode::kProtocol;
            break;
    }
    return common::Error(code, "edgegap: " + ToString());
}

bool ApiError::IsTransient() const {
    return category == ApiErrorCategory::kRateLimited || category == ApiErrorCategory::kServerError ||
           category == ApiErrorCategory::kNetwork;
}

ApiErrorCategory CategoryForStatus(int http_status) {
    if (http_status == 401 || http_status == 403) return ApiErrorCategory::kAuth;
    if (http_status == 404) return ApiErrorCategory::kNotFound;
    if (http_status == 409) return ApiErrorCategory::kConflict;
    if (http_status == 410) return ApiErrorCategory::kGone;
    if (http_status == 429) return ApiErrorCategory::kRateLimited;
    if (http_status >= 500 && http_status <= 599) return ApiErrorCategory::kServerError;
    if (http_status >= 400 && http_status <= 499) return ApiErrorCategory::kBadRequest;
    return ApiErrorCategory::kBadResponse;
}

}  // namespace gapkit::edgegap
