#pragma once

// One HTTP/1.1 exchange over TCP or TLS with a deadline, on a kept-alive connection when one is
// idle and the request allows it: no retries (but one for a stale connection of a request that is
// safe to resend), no status interpretation.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>

#include "connection_pool.hpp"
#include "gapkit/edgegap/error.hpp"

namespace gapkit::edgegap::detail {

// The parts of an absolute http(s) URL a request needs.
struct Target {
    bool tls = false;
    std::string host;            // Without brackets for IPv6.
    std::string port;            // Numeric text; the scheme's default when the URL has none.
    std::string path_and_query;  // Starts with '/'.
};

// Parses an absolute `http://` or `https://` URL; anything else is kInvalidArgument naming the URL
// (a plain error: the config check reports it as is, a call as ErrorCategory::kBadRequest).
common::Result<Target> ParseTarget(std::string_view url);

struct HttpRequest {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    Target target;
    std::string authorization;  // Sent verbatim as the Authorization header when not empty. Secret.
    std::string user_agent;
    std::string body;  // JSON; sent with Content-Type application/json when not empty.
};

struct HttpResponse {
    int status = 0;
    std::string body;
    std::optional<std::chrono::seconds> retry_after;  // Only the delta-seconds form.
    bool keep_alive = false;                          // The connection may carry another request.
};

// Which idle connection from the pool a request may go on.
enum class Reuse {
    kNever,  // Always a fresh connection.
    // Safe to send twice: the newest idle connection the pool still keeps; if it turns out closed
    // (a network failure), the request goes once more on a fresh connection.
    kResendable,
    // Not safe to send twice (a POST that creates something): only a connection idle for less than
    // kMaxIdleForNoResend, and a network failure on it is a lost answer, never sent again.
    kNoResend,
};

// How long a connection may have been idle to carry a request that must not be sent twice: far
// under the usual keep-alive timeouts (5 s in Apache and Node.js, 75 s in nginx), so the server
// does not close it while the request is on its way.
inline constexpr std::chrono::milliseconds kMaxIdleForNoResend{1000};

// Sends `request` and reads the whole answer, all before `timeout` runs out (kTimeout after), on
// an idle connection from `pool` when `reuse` allows one that the server has not closed, else on a
// fresh one. A connection whose answer allows keep-alive goes back to `pool`. Connection failures
// and drops are kNetwork (on a kNoResend connection the message says the answer was lost after
// sending); an unparseable or oversized answer is kBadResponse.
boost::asio::awaitable<common::Result<HttpResponse>> Exchange(boost::asio::ssl::context& tls, ConnectionPool& pool,
                                                              HttpRequest request, Reuse reuse,
                                                              std::chrono::milliseconds timeout,
                                                              std::size_t max_response_bytes);

// Reads a `Retry-After` header in delta-seconds form (an HTTP date is ignored).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value);

}  // namespace gapkit::edgegap::detail
