#include "config.hpp"

#include <fmt/core.h>

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

}  // namespace

void AddOptions(CLI::App& app, HttpdConfig& c) {
    auto add = [&app](const char* flag, auto& field, const char* env, const char* help) {
        app.add_option(flag, field, help)->envname(env)->capture_default_str();
    };
    add("--bind", c.bind_address, "GAPKIT_HTTPD_BIND", "Address to listen on");
    add("--port", c.port, "GAPKIT_HTTPD_PORT", "TCP port to listen on (0: any free port)");
    add("--threads", c.threads, "GAPKIT_HTTPD_THREADS", "I/O threads");
    add("--web-root", c.web_root, "GAPKIT_HTTPD_WEB_ROOT", "Folder served at / (default: the built-in page)");
    app.add_option("--cors", c.cors_origins, "Allowed Origin (repeatable); none: any origin")
        ->envname("GAPKIT_HTTPD_CORS")
        ->delimiter(',');
    app.add_option("--trusted-proxy", c.trusted_proxies, "Proxy IP whose X-Forwarded-For is trusted (repeatable)")
        ->envname("GAPKIT_HTTPD_TRUSTED_PROXIES")
        ->delimiter(',');
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
    add("--max-in-flight", c.max_in_flight, "GAPKIT_HTTPD_MAX_IN_FLIGHT", "Matchmaking requests in flight in all");
    add("--max-frame-bytes", c.max_frame_bytes, "GAPKIT_HTTPD_MAX_FRAME_BYTES", "Largest WebSocket message");
    add("--max-body-bytes", c.max_body_bytes, "GAPKIT_HTTPD_MAX_BODY_BYTES", "Largest HTTP request body");
    add("--handshake-timeout", c.handshake_timeout_seconds, "GAPKIT_HTTPD_HANDSHAKE_TIMEOUT",
        "Seconds to send the HTTP request and finish the WebSocket handshake");
    add("--first-message-timeout", c.first_message_timeout_seconds, "GAPKIT_HTTPD_FIRST_MESSAGE_TIMEOUT",
        "Seconds to send the matchmaking request after connecting");
    add("--request-timeout", c.request_timeout_seconds, "GAPKIT_HTTPD_REQUEST_TIMEOUT",
        "Seconds a matchmaking request may take in all");
    add("--idle-timeout", c.idle_timeout_seconds, "GAPKIT_HTTPD_IDLE_TIMEOUT", "Seconds of silence before closing");
    add("--write-timeout", c.write_timeout_seconds, "GAPKIT_HTTPD_WRITE_TIMEOUT",
        "Seconds to deliver one message to a slow client");
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
    if (!webhook_secret.empty() && webhook_secret.size() < 16) {
        return MakeError(ErrorCode::kInvalidArgument, "the webhook secret must be at least 16 characters");
    }
    return common::Ok();
}

}  // namespace gapkit::httpd
