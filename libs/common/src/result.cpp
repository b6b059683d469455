#include "gapkit/common/result.hpp"

#include <fmt/core.h>

namespace gapkit::common {

std::string_view ToString(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid argument";
        case ErrorCode::kNotFound:
            return "not found";
        case ErrorCode::kAlreadyExists:
            return "already exists";
        case ErrorCode::kPermissionDenied:
            return "permission denied";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kTimeout:
            return "timeout";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kResourceExhausted:
            return "resource exhausted";
        case ErrorCode::kFailedPrecondition:
            return "failed precondition";
        case ErrorCode::kCancelled:
            return "cancelled";
        case ErrorCode::kProtocol:
            return "protocol error";
        case ErrorCode::kTls:
            return "tls error";
        case ErrorCode::kIo:
            return "i/o error";
        case ErrorCode::kInternal:
            return "internal error";
    }
    return "unknown error";
}

std::string Error::ToString() const {
    std::string text(common::ToString(code_));
    text += ": ";
    text += message_;
    return text;
}

Error Error::WithContext(std::string_view context) const {
    std::string message(context);
    message += ": ";
    message += message_;
    Error copy = *this;
    copy.message_ = std::move(message);
    return copy;
}

Status CheckRange(std::string_view name, double value, double low, double high) {
    if (value >= low && value <= high) return Ok();
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} must be {}..{} (got {})", name, low, high, value));
}

}  // namespace gapkit::common
