#include "config.hpp"

#include <filesystem>

#include <fmt/core.h>

#include <boost/asio/ip/address.hpp>

#include "client_address.hpp"
#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"

namespace gapkit::httpd {
namespace {

using common::ErrorCode;
using common::MakeError;
using service::AddOption;

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

std::string DefaultWebRoot() {
    std::error_code ec;
    const std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const std::filesystem::path installed = binary.parent_path().parent_path() / "share/gapkit/httpd/web";
        if (std::filesystem::is_regular_file(installed / "index.html", ec)) return installed.string();
    }
    return GAPKIT_HTTPD_WEB_ROOT;
}

void AddOptions(CLI::App& app, HttpdConfig& c) {
    AddOption(app, "--bind", c.bind_address, "GAPKIT_HTTPD_BIND", "Address to listen on");
    AddOption(app, "--port", c.port, "GAPKIT_HTTPD_PORT", "TCP port to listen on (0: any free port)");
    AddOption(app, "--threads", c.threads, "GAPKIT_HTTPD_THREADS", "I/O threads");
    AddOption(app, "--web-root", c.web_root, "GAPKIT_HTTPD_WEB_ROOT",
              "Folder served at / (empty: the test page installed with the binary)");
    app.add_option("--cors", c.cors_origins,
                   "Allowed Origin (repeatable); '*': any origin. Required unless bound to loopback")
        ->envname("GAPKIT_HTTPD_CORS")
        ->delimiter(',');
    app.add_option("--trusted-proxy", c.trusted_proxies,
                   "Proxy IP or CIDR whose forwarding header is believed (repeatable)")
        ->envname("GAPKIT_HTTPD_TRUSTED_PROXIES")
        ->delimiter(',');
    AddOption(app, "--forwarded-header", c.forwarded_header, "GAPKIT_HTTPD_FORWARDED_HEADER",
              "Header the trusted proxies set: x-forwarded-for or forwarded (RFC 7239)");
    AddOption(app, "--ipv6-limit-prefix", c.ipv6_limit_prefix_bits, "GAPKIT_HTTPD_IPV6_LIMIT_PREFIX",
              "IPv6 clients are limited per network of this many bits");
    app.add_flag("--allow-client-ip-override", c.allow_client_ip_override,
                 "Honour client_ip in requests (development only)")
        ->envname("GAPKIT_HTTPD_ALLOW_CLIENT_IP_OVERRIDE");
    AddOption(app, "--fake-ip", c.fake_ip, "GAPKIT_HTTPD_FAKE_IP",
              "Client IP to use when the real one is loopback/private (dev)");
    AddOption(app, "--per-ip-requests-per-minute", c.per_ip_requests_per_minute, "GAPKIT_HTTPD_PER_IP_RPM",
              "Matchmaking requests per minute per client IP");
    AddOption(app, "--per-ip-burst", c.per_ip_burst, "GAPKIT_HTTPD_PER_IP_BURST",
              "Requests a quiet client IP may make at once");
    AddOption(app, "--per-ip-max-connections", c.per_ip_max_connections, "GAPKIT_HTTPD_PER_IP_MAX_CONNECTIONS",
              "Concurrent connections per client IP");
    AddOption(app, "--max-connections", c.max_connections, "GAPKIT_HTTPD_MAX_CONNECTIONS",
              "Concurrent connections in all");
    AddOption(app, "--max-pending-connections", c.max_pending_connections, "GAPKIT_HTTPD_MAX_PENDING_CONNECTIONS",
              "Connections that have not sent a request yet (oldest closed when full)");
    AddOption(app, "--webhook-failures-per-minute", c.webhook_failures_per_minute,
              "GAPKIT_HTTPD_WEBHOOK_FAILURES_PER_MINUTE", "Wrong webhook secrets per minute per client before 429");
    AddOption(app, "--max-in-flight", c.max_in_flight, "GAPKIT_HTTPD_MAX_IN_FLIGHT",
              "Matchmaking requests in flight in all");
    AddOption(app, "--max-frame-bytes", c.max_frame_bytes, "GAPKIT_HTTPD_MAX_FRAME_BYTES", "Largest WebSocket message");
    AddOption(app, "--max-body-bytes", c.max_body_bytes, "GAPKIT_HTTPD_MAX_BODY_BYTES", "Largest HTTP request body");
    AddOption(app, "--max-header-bytes", c.max_header_bytes, "GAPKIT_HTTPD_MAX_HEADER_BYTES",
              "Largest HTTP request header");
    AddOption(app, "--header-timeout", c.header_timeout_seconds, "GAPKIT_HTTPD_HEADER_TIMEOUT",
              "Seconds to send the first request after connecting");
    AddOption(app, "--handshake-timeout", c.handshake_timeout_seconds, "GAPKIT_HTTPD_HANDSHAKE_TIMEOUT",
              "Seconds to finish the WebSocket handshake");
    AddOption(app, "--first-message-timeout", c.first_message_timeout_seconds, "GAPKIT_HTTPD_FIRST_MESSAGE_TIMEOUT",
              "Seconds to send the matchmaking request after connecting");
    AddOption(app, "--request-timeout", c.request_timeout_seconds, "GAPKIT_HTTPD_REQUEST_TIMEOUT",
              "Seconds a matchmaking request may take in all");
    AddOption(app, "--idle-timeout", c.idle_timeout_seconds, "GAPKIT_HTTPD_IDLE_TIMEOUT",
              "Seconds of silence before closing");
    AddOption(app, "--write-timeout", c.write_timeout_seconds, "GAPKIT_HTTPD_WRITE_TIMEOUT",
              "Seconds to deliver one message to a slow client");
    AddOption(app, "--matchmaker-silence-timeout", c.matchmaker_silence_seconds,
              "GAPKIT_HTTPD_MATCHMAKER_SILENCE_TIMEOUT",
              "Seconds without a reply from the matchmaker before the player gets Error 503");
    app.add_option("--webhook-secret-file", c.webhook_secret_file,
                   "File holding the path secret of POST /edgegap/webhook/<secret> "
                   "(or set GAPKIT_HTTPD_WEBHOOK_SECRET; unset: webhook endpoint off)")
        ->envname("GAPKIT_HTTPD_WEBHOOK_SECRET_FILE");
    AddOption(app, "--shutdown-grace", c.shutdown_grace_seconds, "GAPKIT_HTTPD_SHUTDOWN_GRACE",
              "Seconds open sessions get on SIGTERM to tell their players before the rest is cut");
    service::AddLogLevelOption(app, c.log_level);
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
          {"per_ip_max_connections", per_ip_max_connections},
          {"max_connections", max_connections},
          {"max_pending_connections", max_pending_connections},
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
    // Both are token-bucket bursts, and a bucket that cannot hold one whole token never lets a
    // request through on a quiet start (common::TokenBucket requires burst >= 1).
    if (auto ok = common::CheckRange("per_ip_burst", per_ip_burst, 1, 1e9); !ok) return ok;
    if (auto ok = common::CheckRange("webhook_failures_per_minute", webhook_failures_per_minute, 1, 1e9); !ok)
        return ok;
    if (auto policy = ClientAddressPolicy::FromConfig(*this); !policy) return common::Fail(policy.error());
    if (auto cors = CheckCors(bind_address, cors_origins); !cors) return cors;
    if (!webhook_secret.empty() && webhook_secret.size() < 16) {
        return MakeError(ErrorCode::kInvalidArgument, "the webhook secret must be at least 16 characters");
    }
    if (auto ok = common::CheckRange("shutdown_grace", shutdown_grace_seconds, 0, 3600); !ok) return ok;
    if (auto level = common::ParseLogLevel(log_level); !level) return common::Fail(level.error());
    return common::Ok();
}

}  // namespace gapkit::httpd
