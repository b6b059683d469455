#pragma once

/// @file
/// The error vocabulary shared by every gapkit library.
///
/// No exception leaves a gapkit library API. A call that can fail returns `Result<T>`: either the
/// value or an `Error` carrying a canonical `ErrorCode` and a message for humans. `Status` is a
/// `Result<void>`. An error may carry one typed detail for callers that need more than the code
/// (e.g. `edgegap::ErrorDetails`: Edgegap's category, HTTP status and Retry-After), so there is one
/// error type however much a component knows about its failures. The type is `tl::expected`, so it has the API of C++23
/// `std::expected`
/// (`has_value()`, `value()`, `error()`, `and_then`, `map_error`, ...) and will become it when the
/// project moves to C++23.

#include <any>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace gapkit::common {

/// Canonical error codes. Components map their failures onto these; the message says the rest.
enum class ErrorCode {
    kInvalidArgument,     ///< Bad input from a caller, the network, env, CLI or a file.
    kNotFound,            ///< The thing asked for does not exist.
    kAlreadyExists,       ///< Create of something that is already there.
    kPermissionDenied,    ///< Authenticated but not allowed (e.g. NATS permissions violation).
    kUnauthenticated,     ///< Credentials missing or wrong.
    kTimeout,             ///< A deadline passed.
    kUnavailable,         ///< The peer or service cannot be reached right now; retrying may help.
    kResourceExhausted,   ///< A limit or quota was hit (rate limit, capacity, size).
    kFailedPrecondition,  ///< The system is not in a state where the call can work.
    kCancelled,           ///< The operation was cancelled by the caller or by shutdown.
    kProtocol,            ///< The peer sent something that breaks the protocol.
    kTls,                 ///< TLS set-up or certificate verification failed.
    kIo,                  ///< A local I/O failure (file, socket).
    kInternal,            ///< A bug or an unexpected failure of a dependency.
};

/// Returns the stable lower-case name of `code`, e.g. `"timeout"`.
std::string_view ToString(ErrorCode code);

/// A failure: a code for programs, a message for people and, optionally, one typed detail for the
/// callers of the component that made it. Cheap to move, safe to copy.
class Error {
  public:
    Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

    /// An error with a detail. `Detail` is a copyable struct the failing component defines and
    /// documents, with an accessor beside it (e.g. `edgegap::Details(error)`).
    template <typename Detail>
    Error(ErrorCode code, std::string message, Detail detail)
        : code_(code), message_(std::move(message)), detail_(std::move(detail)) {}

    ErrorCode code() const { return code_; }
    const std::string& message() const { return message_; }

    /// The detail of type `Detail`, or null when the error carries none of that type.
    template <typename Detail>
    const Detail* detail() const {
        return std::any_cast<Detail>(&detail_);
    }

    /// Returns `"<code>: <message>"`, the form used in logs and CLI output.
    std::string ToString() const;

    /// Returns a copy whose message is `"<context>: <message>"`, keeping the code and the detail.
    Error WithContext(std::string_view context) const;

  private:
    ErrorCode code_;
    std::string message_;
    std::any detail_;  // Empty, or the one detail the constructor was given.
};

template <typename T>
using Result = tl::expected<T, Error>;

/// A result that carries no value on success.
using Status = Result<void>;

/// Builds the error side of a `Result`: `return MakeError(ErrorCode::kTimeout, "no reply");`
inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
    return tl::unexpected<Error>(Error(code, std::move(message)));
}

/// Wraps an existing error for return: `return Fail(result.error());`
inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

/// A successful `Status`.
inline Status Ok() { return {}; }

/// Validates one configured number: Ok when `low <= value <= high`, otherwise `kInvalidArgument`
/// with "<name> must be <low>..<high> (got <value>)". NaN is never in range. `name` is what the
/// user set (a flag or a field), so the message tells them what to change.
Status CheckRange(std::string_view name, double value, double low, double high);

}  // namespace gapkit::common
