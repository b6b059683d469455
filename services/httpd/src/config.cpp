#include "config.hpp"

#include <fmt/core.h>

#include <boost/asio/ip/address.hpp>

#include "client_address.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"

namespace gapkit::httpd {
namespace {

using common::ErrorCode;
using common::MakeError;

common::Status Positive(std::string_view field, double value) {
    if (value > 0) return common::Ok();
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} must be greater than 0 (got {})", field, value));
}

// An empty list means "any origin" and is easy to ship by accident, so on a reachable address it
// must be said explicitly with '*'.
common::Status CheckCors(const std::string& bind_address, const std::vector<std::string>& cors_origins) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(bind_address, ec);
    if (!cors_origins.empty() || (!ec && address.is_loopback())) return common::Ok();
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("refusing to listen on {} without an Origin allow-list: set --cors "
                                 "(GAPKIT_HTTPD_CORS) to your game's origins, or --cors '*' to allow any origin",
                                 bind_address));
}

}  // namespace

void AddOptions(CLI::App& app, HttpdConfig& c) {
    auto add = [&app](const char* flag, auto& field, const char* env, const char* help) {
        app.add_option(flag, field, help)->envname(env)->capture_default_str();
    };
    add("--bind", c.bind_address, "GAPKIT_HTTPD_BIND", "Address to listen on");
    add("--port", c.port, "GAPKIT_HTTPD_PORT", "TCP port to listen on (0: any free port)");
    add("--threads", c.threads, "GAPKIT_HTTPD_THREADS", "I/O threads");
    add("--web-root", c.web_root, "GAPKIT_HTTPD_WEB_ROOT", "Folder served at / (default: the built-in page)");
    app.add_option("--cors", c.cors_origins,
                   "Allowed Origin (repeatable); '*': any origin. Required unless bound to loopback")
        ->envname("GAPKIT_HTTPD_CORS")
        ->delimiter(',');
    app.add_option("--trusted-proxy", c.trusted_proxies,
                   "Proxy IP or CIDR whose forwarding header is believed (repeatable)")
        ->envname("GAPKIT_HTTPD_TRUSTED_PROXIES")
        ->delimiter(',');
    add("--forwarded-header", c.forwarded_header, "GAPKIT_HTTPD_FORWARDED_HEADER",
        "Header the trusted proxies set: x-forwarded-for or forwarded (RFC 7239)");
    add("--ipv6-limit-prefix", c.ipv6_limit_prefix_bits, "GAPKIT_HTTPD_IPV6_LIMIT_PREFIX",
        "IPv6 clients are limited per network of this many bits");
    app.add_flag("--allow-client-ip-override", c.allow_client_ip_override,
                 "Honour client_ip in requests (development only)")
        ->envname("GAPKIT_HTTPD_ALLOW_CLIENT_IP_OVERRIDE");
    add("--fake-ip", c.fake_ip, "GAPKIT_HTTPD_FAKE_IP", "Client IP to use when the real one is loopback/private (dev)");
    add("--per-ip-requests-per-minute", c.per_ip_requests_per_minute, "GAPKIT_HTTPD_PER_IP_RPM",
        "Matchmaking requests per minute per client IP");
    add("--per-ip-burst", c.per_ip_burst, "GAPKIT_HTTPD_PER_IP_BURST", "Requests a quiet client IP may make at once");
    add("--per-ip-max-connections", c.per_ip_max_connections, "GAPKIT_HTTPD_PER_IP_MAX_CONNECTIONS",
        "Concurrent connections per client IP");
    add("--max-connections", c.max_connections, "GAPKIT_HTTPD_MAX_CONNECTIONS", "Concurrent connections in all");
    add("--max-pending-connections", c.max_pending_connections, "GAPKIT_HTTPD_MAX_PENDING_CONNECTIONS",
        "Connections that have not sent a request yet (oldest closed when full)");
    add("--webhook-failures-per-minute", c.webhook_failures_per_minute, "GAPKIT_HTTPD_WEBHOOK_FAILURES_PER_MINUTE",
        "Wrong webhook secrets per minute per client before 429");
    add("--max-in-flight", c.max_in_flight, "GAPKIT_HTTPD_MAX_IN_FLIGHT", "Matchmaking requests in flight in all");
    add("--max-frame-bytes", c.max_frame_bytes, "GAPKIT_HTTPD_MAX_FRAME_BYTES", "Largest WebSocket message");
    add("--max-body-bytes", c.max_body_bytes, "GAPKIT_HTTPD_MAX_BODY_BYTES", "Largest HTTP request body");
    add("--max-header-bytes", c.max_header_bytes, "GAPKIT_HTTPD_MAX_HEADER_BYTES", "Largest HTTP request header");
    add("--header-timeout", c.header_timeout_seconds, "GAPKIT_HTTPD_HEADER_TIMEOUT",
        "Seconds to send the first request after connecting");
    add("--handshake-timeout", c.handshake_timeout_seconds, "GAPKIT_HTTPD_HANDSHAKE_TIMEOUT",
        "Seconds to finish the WebSocket handshake");
    add("--first-message-timeout", c.first_message_timeout_seconds, "GAPKIT_HTTPD_FIRST_MESSAGE_TIMEOUT",
        "Seconds to send the matchmaking request after connecting");
    add("--request-timeout", c.request_timeout_seconds, "GAPKIT_HTTPD_REQUEST_TIMEOUT",
        "Seconds a matchmaking request may take in all");
    add("--idle-timeout", c.idle_timeout_seconds, "GAPKIT_HTTPD_IDLE_TIMEOUT", "Seconds of silence before closing");
    add("--write-timeout", c.write_timeout_seconds, "GAPKIT_HTTPD_WRITE_TIMEOUT",
        "Seconds to deliver one message to a slow client");
    add("--matchmaker-silence-timeout", c.matchmaker_silence_seconds, "GAPKIT_HTTPD_MATCHMAKER_SILENCE_TIMEOUT",
        "Seconds without a reply from the matchmaker before the player gets Error 503");
    app.add_option("--webhook-secret-file", c.webhook_secret_file,
                   "File holding the path secret of POST /edgegap/webhook/<secret> "
                   "(or set GAPKIT_HTTPD_WEBHOOK_SECRET; unset: webhook endpoint off)")
        ->envname("GAPKIT_HTTPD_WEBHOOK_SECRET_FILE");
}

common::Status Finish(HttpdConfig& config) {
    if (!config.webhook_secret_file.empty()) {
        auto secret = common::ReadSecretFile(config.webhook_secret_file);
        if (!secret) return common::Fail(secret.error().WithContext("--webhook-secret-file"));
        config.webhook_secret = *secret;
    } else if (auto secret = common::GetEnv("GAPKIT_HTTPD_WEBHOOK_SECRET")) {
        config.webhook_secret = *secret;
    }
    return config.Validate();
}

common::Status HttpdConfig::Validate() const {
    if (threads < 1 || threads > 256) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("threads must be 1..256 (got {})", threads));
    }
    for (auto [field, value] :
         {std::pair<const char*, double>{"per_ip_requests_per_minute", per_ip_requests_per_minute},
          {"per_ip_burst", per_ip_burst},
          {"per_ip_max_connections", per_ip_max_connections},
          {"max_connections", max_connections},
          {"max_pending_connections", max_pending_connections},
          {"webhook_failures_per_minute", webhook_failures_per_minute},
          {"max_header_bytes", static_cast<double>(max_header_bytes)},
          {"header_timeout", header_timeout_seconds},
          {"matchmaker_silence_timeout", matchmaker_silence_seconds},
          {"max_in_flight", max_in_flight},
          {"max_frame_bytes", static_cast<double>(max_frame_bytes)},
          {"max_body_bytes", static_cast<double>(max_body_bytes)},
          {"handshake_timeout", handshake_timeout_seconds},
          {"first_message_timeout", first_message_timeout_seconds},
          {"request_timeout", request_timeout_seconds},
          {"idle_timeout", idle_timeout_seconds},
          {"write_timeout", write_timeout_seconds}}) {
        if (auto ok = Positive(field, value); !ok) return ok;
    }
    if (auto policy = ClientAddressPolicy::FromConfig(*this); !policy) return common::Fail(policy.error());
    if (auto cors = CheckCors(bind_address, cors_origins); !cors) return cors;
    if (!webhook_secret.empty() && webhook_secret.size() < 16) {
        return MakeError(ErrorCode::kInvalidArgument, "the webhook secret must be at least 16 characters");
    }
    return common::Ok();
}

}  // namespace gapkit::httpd
