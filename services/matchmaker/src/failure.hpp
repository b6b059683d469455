#pragma once

// How a request's steps fail: `Failure` is the reply that ends a request, made once where the
// failure is understood and passed up as it is. Shared by request.cpp, readiness.cpp and
// session_batcher.cpp. Threads: plain values.

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::matchmaker {

/// A final failure: the reply's code and message, the outcome label for logs and metrics, and what
/// only the log may see (Edgegap's own text can name accounts, apps and internal hosts).
struct Failure {
    int code = 500;
    std::string message;
    std::string outcome = "internal";
    std::string detail;
};

/// A step of a request: its value, or the reply that ends the request. Not a common::Result: the
/// error side is not a cause for a caller to handle but the answer the player gets.
template <typename T>
using Step = tl::expected<T, Failure>;

/// Logs `error` and returns the player's "internal matchmaker error".
Failure InternalFailure(const common::Error& error);

/// A failed Edgegap call at `endpoint` ("create session"): 429 for a refusal by rate limit, else
/// 502 naming the endpoint and HTTP status; Edgegap's text goes to `detail` only.
Failure FromApiError(std::string_view endpoint, const common::Error& error);

}  // namespace gapkit::matchmaker
