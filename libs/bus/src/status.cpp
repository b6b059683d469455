#include "status.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/core.h>

namespace gapkit::bus {
namespace {

using common::ErrorCode;

bool Contains(std::string_view text, std::string_view needle) {
    auto lower = [](unsigned char c) { return std::tolower(c); };
    return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                       [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

struct Mapped {
    ErrorCode code;
    std::string cause;
};

Mapped MapTls(natsStatus status, std::string_view text) {
    if (Contains(text, "verify") || Contains(text, "certificate") || Contains(text, "issuer")) {
        return {ErrorCode::kTls,
                "TLS certificate verification failed (is NATS_CA the CA that signed the server "
                "certificate?)"};
    }
    if (status == NATS_SECURE_CONNECTION_REQUIRED) {
        return {ErrorCode::kTls, "the server requires TLS but NATS_INSECURE is set"};
    }
    if (status == NATS_SECURE_CONNECTION_WANTED) {
        return {ErrorCode::kTls,
                "TLS is on but the server does not offer it (set NATS_INSECURE for a plain "
                "loopback server)"};
    }
    return {ErrorCode::kTls, "TLS handshake failed"};
}

Mapped MapAuth(std::string_view text) {
    if (Contains(text, "permission")) return {ErrorCode::kPermissionDenied, "permissions violation"};
    return {ErrorCode::kUnauthenticated, "authorization violation (check NATS_USER and NATS_PASSWORD)"};
}

Mapped Map(natsStatus status, std::string_view text) {
    switch (status) {
        case NATS_SSL_ERROR:
        case NATS_SECURE_CONNECTION_WANTED:
        case NATS_SECURE_CONNECTION_REQUIRED:
            return MapTls(status, text);
        case NATS_CONNECTION_AUTH_FAILED:
        case NATS_NOT_PERMITTED:
            return MapAuth(text);
        case NATS_TIMEOUT:
            return {ErrorCode::kTimeout, "timed out"};
        case NATS_NO_RESPONDERS:
            return {ErrorCode::kUnavailable, "no responders"};
        case NATS_NO_SERVER:
            return {ErrorCode::kUnavailable, "no server reachable"};
        case NATS_NOT_FOUND:
            return {ErrorCode::kNotFound, "not found"};
        case NATS_CONNECTION_CLOSED:
        case NATS_CONNECTION_DISCONNECTED:
        case NATS_NOT_YET_CONNECTED:
        case NATS_STALE_CONNECTION:
        case NATS_IO_ERROR:
            return {ErrorCode::kUnavailable, "connection unavailable"};
        case NATS_INVALID_ARG:
        case NATS_INVALID_SUBJECT:
        case NATS_INVALID_QUEUE_NAME:
        case NATS_INVALID_TIMEOUT:
        case NATS_ADDRESS_MISSING:
            return {ErrorCode::kInvalidArgument, "invalid argument"};
        case NATS_MAX_PAYLOAD:
        case NATS_SLOW_CONSUMER:
        case NATS_NO_MEMORY:
            return {ErrorCode::kResourceExhausted, "limit exceeded"};
        case NATS_PROTOCOL_ERROR:
            return {ErrorCode::kProtocol, "protocol error"};
        case NATS_ILLEGAL_STATE:
        case NATS_DRAINING:
        case NATS_INVALID_SUBSCRIPTION:
            return {ErrorCode::kFailedPrecondition, "not possible in this state"};
        default:
            return {ErrorCode::kInternal, "NATS error"};
    }
}

}  // namespace

common::Error MapNatsStatus(natsStatus status, std::string_view last_error, std::string_view action) {
    // An authorization failure can surface as a generic error whose text carries the server's -ERR.
    if (status == NATS_ERR && Contains(last_error, "authorization violation")) status = NATS_CONNECTION_AUTH_FAILED;
    const Mapped mapped = Map(status, last_error);
    std::string message = fmt::format("{}: {}", action, mapped.cause);
    const std::string_view status_text = natsStatus_GetText(status);
    if (!last_error.empty() && last_error != status_text) {
        message += fmt::format(" ({})", last_error);
    } else {
        message += fmt::format(" ({})", status_text);
    }
    return common::Error(mapped.code, std::move(message));
}

common::Error NatsError(natsStatus status, std::string_view action) {
    // The text is thread-local and may belong to an older failure; use it only when it matches.
    natsStatus last_status = NATS_OK;
    const char* text = nats_GetLastError(&last_status);
    return MapNatsStatus(status, text != nullptr && last_status == status ? text : "", action);
}

common::Status CheckNats(natsStatus status, std::string_view action) {
    if (status == NATS_OK) return common::Ok();
    return common::Fail(NatsError(status, action));
}

}  // namespace gapkit::bus
