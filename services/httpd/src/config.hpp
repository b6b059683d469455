#pragma once

// gapkit-httpd's configuration: one struct, filled from defaults, then GAPKIT_HTTPD_* environment
// variables, then command-line flags, and validated before the server starts.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/protocol/match_messages.hpp"

namespace gapkit::httpd {

/// The folder of the built-in test page: `<prefix>/share/gapkit/httpd/web` beside an installed
/// binary (`<prefix>/bin/gapkit-httpd`), else the source folder the binary was built from
/// (services/httpd/web, for runs from the build tree).
std::string DefaultWebRoot();

struct HttpdConfig {
    // Listening.
    std::string bind_address = "0.0.0.0";  ///< Interface to listen on.
    std::uint16_t port = 3000;             ///< TCP port; 0 picks a free one (tests).
    /// I/O threads, 1..256. Default 1: cheaper than two on a small machine, since httpd also runs
    /// nats.c's threads and two I/O threads contend on Asio's scheduler lock for every handler
    /// (docs/httpd.md, "Threads and cost"). Raise it only when httpd alone keeps a core busy.
    int threads = 1;
    std::string web_root;  ///< Folder served at `/`; empty: `DefaultWebRoot()`.

    // Who may call.
    /// Allowed `Origin`s; "*" allows any origin. Empty is allowed (as any origin) only when bound
    /// to a loopback address: a public httpd must name its origins or say "*" explicitly.
    std::vector<std::string> cors_origins;
    /// Proxies whose forwarding header is believed: IPs or CIDR ranges ("172.30.0.0/16", "fd00::/8").
    std::vector<std::string> trusted_proxies;
    /// The header that carries the proxy chain: "x-forwarded-for" (default) or "forwarded" (RFC 7239).
    std::string forwarded_header = "x-forwarded-for";
    /// IPv6 clients are limited per network of this many bits (default 64: one home or phone).
    int ipv6_limit_prefix_bits = 64;
    bool allow_client_ip_override = false;  ///< Honour the request's `client_ip` (development only).
    std::string fake_ip;                    ///< Used instead of a loopback/private client IP (dev); empty: off.

    // Limits.
    double per_ip_requests_per_minute = 30;  ///< Sustained matchmaking requests per client IP.
    double per_ip_burst = 10;                ///< Requests a quiet IP may make at once.
    /// Concurrent connections per client: WebSocket sessions per resolved client, and for a direct
    /// (unproxied) peer its HTTP connections that have sent a request.
    int per_ip_max_connections = 8;
    int max_connections = 10000;  ///< Concurrent connections in all.
    /// Accepted connections that have not sent a complete request header yet; when full, the
    /// oldest of them is closed to make room. Also capped at half the open-file limit.
    int max_pending_connections = 1024;
    /// Wrong webhook secrets per minute per client (also the burst); then 429 instead of 404.
    double webhook_failures_per_minute = 10;
    int max_in_flight = 256;               ///< Matchmaking requests in flight in all.
    std::size_t max_frame_bytes = 4096;    ///< Largest WebSocket message accepted.
    std::size_t max_body_bytes = 65536;    ///< Largest HTTP request body accepted.
    std::size_t max_header_bytes = 16384;  ///< Largest HTTP request header accepted.

    // Timeouts (seconds).
    int header_timeout_seconds = 5;          ///< To send the first request after connecting.
    int handshake_timeout_seconds = 10;      ///< To finish the WebSocket handshake.
    int first_message_timeout_seconds = 10;  ///< To send the matchmaking request after the handshake.
    int request_timeout_seconds = 120;       ///< Whole matchmaking request, from sending to the final reply.
    int idle_timeout_seconds = 30;           ///< Silence on a connection (keep-alive HTTP, WebSocket pings).
    int write_timeout_seconds = 10;          ///< To deliver one message or HTTP response to a slow client.
    /// Silence from the matchmaker on an open request before the player gets Error 503. The
    /// matchmaker sends a reply at least every protocol::kHeartbeatSeconds; default
    /// kMissedHeartbeatsBeforeGivingUp of them (15).
    int matchmaker_silence_seconds = protocol::kMissedHeartbeatsBeforeGivingUp * protocol::kHeartbeatSeconds;
    /// On SIGTERM (`HttpServer::Stop`): how long open sessions get to tell their players the server
    /// is going away before the rest is cut, 0..3600. Default 5 s.
    int shutdown_grace_seconds = 5;

    std::string log_level = "info";  ///< error, warn, info, debug or trace. Default info.

    // Secrets.
    std::string webhook_secret;       ///< Path secret of `POST /edgegap/webhook/<secret>`; empty: endpoint off.
    std::string webhook_secret_file;  ///< File to read `webhook_secret` from (takes precedence over the env).

    /// Checks every field; the error names the field and the bad value.
    common::Status Validate() const;
};

/// Registers every option on `app`; each has an env variable (GAPKIT_HTTPD_*) that CLI11 reads
/// when the flag is absent, and `--help` shows both with the default. The webhook secret has no
/// flag of its own (argv is visible to other users): `--webhook-secret-file` or the env variable.
void AddOptions(CLI::App& app, HttpdConfig& config);

/// Runs after parsing: loads the webhook secret from the environment or its file, then validates.
common::Status Finish(HttpdConfig& config);

}  // namespace gapkit::httpd
