#pragma once

/// @file
/// `HttpEdgegapClient`: `EdgegapApi` over real HTTP(S).
///
/// Why Boost.Beast + Asio + OpenSSL rather than libcurl: the services (httpd, matchmaker) already
/// run on Asio with C++20 coroutines, so a call here is just another `co_await` on the caller's
/// executor: no second event loop, no extra thread, no extra dependency. TLS uses OpenSSL 3 via
/// `asio::ssl`: the peer is verified against the system's trusted roots, with SNI and host-name
/// verification. `http://` base URLs work too (edgegap-sim).
///
/// Each call, in order:
/// 1. waits for a slot from the client-side rate limiter of its endpoint class (`RateLimits`);
/// 2. sends one request, bounded by `request_timeout`, on a kept-alive connection to the same
///    host when one is idle, else on a new one. Idempotent calls take any idle connection (one
///    that turns out closed is replaced by a fresh connection at once); calls that create something
///    (`CreateSession`, `Deploy`, `CreateAppVersion`) only one idle for under a second, and when
///    that one drops after the request went out the call fails as kNetwork and is never resent
///    (the server may have acted on it: the same as an answer lost on a fresh connection);
/// 3. maps the answer: 2xx is parsed (tolerantly, see parse.hpp), anything else becomes a
///    `common::Error` with Edgegap's `message` and details (error.hpp);
/// 4. retries 429 (after `Retry-After` when sent), and 5xx and network failures of idempotent
///    calls, with jittered back-off (`RetryPolicy`), up to `retry.max_attempts` attempts; every
///    retry waits for a rate-limiter slot again.
/// Deletes and stops report 404 and 410 as `StopOutcome::kAlreadyGone`, not as failures.
///
/// Threads: the client is thread-safe. Calls may run concurrently, from coroutines on any thread
/// of the executor's execution context. The client must outlive every call in flight.
/// Secrets: the API key and container tokens go only into the Authorization header; they are
/// never logged and never part of an error.
///
/// The calls are the ones `EdgegapApi` declares (api.hpp); this header adds only how to make a
/// client and what it can tell about itself.

#include <cstdint>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "gapkit/common/clock.hpp"
#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/api.hpp"
#include "gapkit/edgegap/config.hpp"

namespace gapkit::edgegap {

class HttpEdgegapClient : public EdgegapApi {
  public:
    /// Validates `config` and sets up TLS. `clock` drives the rate limiter; it must outlive the
    /// client. Errors: an invalid config (kInvalidArgument), TLS set-up failure (kTls).
    static common::Result<std::unique_ptr<HttpEdgegapClient>> Create(
        boost::asio::any_io_executor executor, ClientConfig config,
        const common::Clock& clock = common::SystemClock::Instance());

    /// The executor calls run on.
    virtual const boost::asio::any_io_executor& executor() const = 0;

    /// How many connections the client has opened so far (kept-alive ones are counted once).
    virtual std::uint64_t connections_opened() const = 0;
};

}  // namespace gapkit::edgegap
