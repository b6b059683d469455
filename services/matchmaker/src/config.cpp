#include "config.hpp"

#include <algorithm>
#include <utility>

#include <fmt/core.h>

#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/common/secrets.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/service/program.hpp"

namespace gapkit::matchmaker {
namespace {

using common::ErrorCode;
using common::MakeError;
using service::AddOption;

// The first secret source that is set wins: its file, then its environment variable.
common::Result<std::string> ReadSecret(std::string_view what, const std::string& file, std::string_view env) {
    if (!file.empty()) {
        auto secret = common::ReadSecretFile(file);
        if (!secret) return common::Fail(secret.error().WithContext(what));
        return *secret;
    }
    return common::GetEnv(env).value_or("");
}

common::Status LoadPrivateKey(MatchmakerConfig& config) {
    std::string text;
    if (!config.private_key_argv.empty()) {
        GAPKIT_LOG_WARN("matchmaker",
                        "--lightyear-private-key puts the key in argv, which other local users can read; "
                        "prefer GAPKIT_PRIVATE_KEY or --private-key-file");
        text = std::exchange(config.private_key_argv, {});
    } else {
        auto secret = ReadSecret("--private-key-file", config.private_key_file, "GAPKIT_PRIVATE_KEY");
        if (!secret) return common::Fail(secret.error());
        text = std::move(*secret);
    }
    if (text.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "no netcode private key: set GAPKIT_PRIVATE_KEY or --private-key-file");
    }
    auto key = netcode::ParsePrivateKey(text);
    common::Wipe(text);
    if (!key) return common::Fail(key.error().WithContext("private key"));
    config.private_key = *key;
    common::Wipe(*key);
    return common::Ok();
}

// The URL Edgegap calls carries the secret, so only its public part may come from argv.
common::Status BuildWebhookUrl(MatchmakerConfig& config) {
    auto secret = ReadSecret("--webhook-secret-file", config.webhook_secret_file, "GAPKIT_MM_WEBHOOK_SECRET");
    if (!secret) return common::Fail(secret.error());
    config.webhook_secret = std::move(*secret);
    if (config.webhook_base_url.empty()) {
        if (config.webhook_secret.empty()) return common::Ok();
        return MakeError(ErrorCode::kInvalidArgument, "a webhook secret is set but no --webhook-base-url");
    }
    if (config.webhook_secret.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "--webhook-base-url needs the webhook secret: set GAPKIT_MM_WEBHOOK_SECRET or "
                         "--webhook-secret-file");
    }
    std::string_view base = config.webhook_base_url;
    while (base.ends_with('/')) base.remove_suffix(1);
    config.webhook_url = fmt::format("{}/{}", base, config.webhook_secret);
    return common::Ok();
}

}  // namespace

int MatchmakerConfig::UnclaimedMaxAgeSeconds() const {
    return std::max(readiness_timeout_seconds, token_expire_seconds) + reap_grace_seconds;
}

void AddOptions(CLI::App& app, MatchmakerConfig& c) {
    AddOption(app, "--app-name", c.app_name, "GAPKIT_MM_APP_NAME", "Edgegap app name (the <game> of request subjects)");
    AddOption(app, "--app-version", c.app_version, "GAPKIT_MM_APP_VERSION",
              "Edgegap app version (the <version> of subjects)");
    AddOption(app, "--lightyear-protocol-id", c.protocol_id, "GAPKIT_MM_PROTOCOL_ID",
              "netcode protocol id of the game");
    app.add_option("--lightyear-private-key", c.private_key_argv,
                   "netcode private key (compatibility only: argv is visible to other users; "
                   "prefer GAPKIT_PRIVATE_KEY or --private-key-file)");
    AddOption(app, "--private-key-file", c.private_key_file, "GAPKIT_PRIVATE_KEY_FILE",
              "File holding the netcode private key (or set GAPKIT_PRIVATE_KEY)");
    AddOption(app, "--game-port-name", c.game_port_name, "GAPKIT_MM_GAME_PORT_NAME",
              "Deployment port handed to players (empty: the first)");
    AddOption(app, "--webtransport-port-name", c.webtransport_port_name, "GAPKIT_MM_WEBTRANSPORT_PORT_NAME",
              "Deployment port handed to players who ask for WebTransport (browsers)");
    AddOption(app, "--edgegap-base-url", c.edgegap_base_url, "EDGEGAP_BASE_URL", "Edgegap API base URL");
    AddOption(app, "--edgegap-api-key-file", c.edgegap_api_key_file, "EDGEGAP_API_KEY_FILE",
              "File holding the Edgegap API key (or set EDGEGAP_API_KEY)");
    AddOption(app, "--edgegap-timeout", c.edgegap_timeout_seconds, "GAPKIT_MM_EDGEGAP_TIMEOUT",
              "Seconds for one Edgegap HTTP exchange");
    AddOption(app, "--edgegap-limits", c.edgegap_limits, "GAPKIT_MM_EDGEGAP_LIMITS",
              "The organization's Edgegap limits, shared by all live matchmakers: comma list of "
              "<class>=<per_second>+<burst> or <class>=off (classes deployments, status, context, sessions, "
              "apps; unnamed classes keep the defaults shown)");
    AddOption(app, "--webhook-base-url", c.webhook_base_url, "GAPKIT_MM_WEBHOOK_BASE_URL",
              "Public URL of httpd's webhook route without the secret, e.g. "
              "https://play.example.com/edgegap/webhook (empty: polling only)");
    AddOption(app, "--webhook-secret-file", c.webhook_secret_file, "GAPKIT_MM_WEBHOOK_SECRET_FILE",
              "File holding the webhook path secret (or set GAPKIT_MM_WEBHOOK_SECRET)");
    AddOption(app, "--readiness-timeout", c.readiness_timeout_seconds, "GAPKIT_MM_READINESS_TIMEOUT",
              "Seconds a session may take to become ready");
    AddOption(app, "--poll-initial-ms", c.poll_initial_ms, "GAPKIT_MM_POLL_INITIAL_MS",
              "First readiness poll delay (ms)");
    AddOption(app, "--poll-max-ms", c.poll_max_ms, "GAPKIT_MM_POLL_MAX_MS", "Longest readiness poll delay (ms)");
    AddOption(app, "--token-expire", c.token_expire_seconds, "GAPKIT_MM_TOKEN_EXPIRE",
              "Connect token lifetime (seconds)");
    AddOption(app, "--token-timeout", c.token_timeout_seconds, "GAPKIT_MM_TOKEN_TIMEOUT",
              "netcode timeout in tokens (seconds)");
    AddOption(app, "--max-concurrent-sessions", c.max_concurrent_sessions, "GAPKIT_MM_MAX_CONCURRENT_SESSIONS",
              "Sessions being created at once; beyond it requests get Error 503");
    AddOption(app, "--max-players-per-session", c.max_players_per_session, "GAPKIT_MM_MAX_PLAYERS_PER_SESSION",
              "Most players batched into one seat session when the Edgegap budget is short (1: no batching, "
              "0: the app version's seats per deployment)");
    AddOption(app, "--reaper-interval", c.reaper_interval_seconds, "GAPKIT_MM_REAPER_INTERVAL",
              "Seconds between unclaimed-session checks");
    AddOption(app, "--reap-grace", c.reap_grace_seconds, "GAPKIT_MM_REAP_GRACE",
              "Seconds after token expiry before an unclaimed session is deleted");
    AddOption(app, "--delete-retry", c.delete_retry_seconds, "GAPKIT_MM_DELETE_RETRY",
              "Seconds before a failed delete is first retried (doubles per failure)");
    AddOption(app, "--alive-ttl", c.alive_ttl_seconds, "GAPKIT_MM_ALIVE_TTL",
              "Seconds without a game server's alive after which its player counts as left (0: off)");
    AddOption(app, "--delete-retry-max", c.delete_retry_max_seconds, "GAPKIT_MM_DELETE_RETRY_MAX",
              "Longest delay between retries of a failed delete (it doubles per failure)");
    AddOption(app, "--delete-park-after", c.delete_park_after_seconds, "GAPKIT_MM_DELETE_PARK_AFTER",
              "Seconds of failed retries after which a delete is parked for the reconciler");
    AddOption(app, "--reconcile-interval", c.reconcile_interval_seconds, "GAPKIT_MM_RECONCILE_INTERVAL",
              "Seconds between reconciler passes (0: off)");
    AddOption(app, "--reconcile-grace", c.reconcile_grace_seconds, "GAPKIT_MM_RECONCILE_GRACE",
              "Seconds an unaccounted session (or a record without its session) is left alone");
    app.add_flag("--reconcile-dry-run", c.reconcile_dry_run, "Reconciler only logs and counts what it would do")
        ->envname("GAPKIT_MM_RECONCILE_DRY_RUN")
        ->capture_default_str();
    AddOption(app, "--reconcile-max-lookups", c.reconcile_max_lookups, "GAPKIT_MM_RECONCILE_MAX_LOOKUPS",
              "Edgegap lookups per reconciler pass");
    AddOption(app, "--threads", c.threads, "GAPKIT_MM_THREADS", "I/O threads");
    AddOption(app, "--shutdown-grace", c.shutdown_grace_seconds, "GAPKIT_MM_SHUTDOWN_GRACE",
              "Seconds in-flight requests get to finish on SIGTERM");
    AddOption(app, "--metrics-bind", c.metrics_bind, "GAPKIT_MM_METRICS_BIND", "Interface of the metrics listener");
    AddOption(app, "--metrics-port", c.metrics_port, "GAPKIT_MM_METRICS_PORT",
              "Port of GET /metrics and /healthz (0: off)");
    service::AddLogLevelOption(app, c.log_level);
}

common::Status Finish(MatchmakerConfig& config) {
    if (auto ok = LoadPrivateKey(config); !ok) return ok;
    auto api_key = ReadSecret("--edgegap-api-key-file", config.edgegap_api_key_file, "EDGEGAP_API_KEY");
    if (!api_key) return common::Fail(api_key.error());
    config.edgegap_api_key = std::move(*api_key);
    if (auto ok = BuildWebhookUrl(config); !ok) return ok;
    return config.Validate();
}

common::Result<edgegap::RateLimits> MatchmakerConfig::EdgegapRateLimits() const {
    auto limits = edgegap::ParseRateLimits(edgegap_limits);
    if (!limits) return common::Fail(limits.error().WithContext("--edgegap-limits"));
    return limits;
}

common::Status MatchmakerConfig::Validate() const {
    for (auto [field, name] : {std::pair{"app_name", &app_name}, {"app_version", &app_version}}) {
        if (!protocol::IsValidName(*name)) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("{} '{}' must match [A-Za-z0-9_-]{{1,30}}", field, *name));
        }
    }
    if (protocol_id == 0) return MakeError(ErrorCode::kInvalidArgument, "lightyear_protocol_id must be set (non-zero)");
    if (edgegap_api_key.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "no Edgegap API key: set EDGEGAP_API_KEY or --edgegap-api-key-file");
    }
    for (auto [field, value, low, high] : {std::tuple<const char*, std::int64_t, std::int64_t, std::int64_t>{
                                               "edgegap_timeout", edgegap_timeout_seconds, 1, 300},
                                           {"readiness_timeout", readiness_timeout_seconds, 1, 3600},
                                           {"poll_initial_ms", poll_initial_ms, 10, 60000},
                                           {"poll_max_ms", poll_max_ms, poll_initial_ms, 60000},
                                           {"token_expire", token_expire_seconds, 1, 3600},
                                           {"token_timeout", token_timeout_seconds, 1, 3600},
                                           {"max_concurrent_sessions", max_concurrent_sessions, 1, 100000},
                                           {"max_players_per_session", max_players_per_session, 0, 1024},
                                           {"reaper_interval", reaper_interval_seconds, 1, 3600},
                                           {"reap_grace", reap_grace_seconds, 0, 86400},
                                           {"delete_retry", delete_retry_seconds, 1, 3600},
                                           {"alive_ttl", alive_ttl_seconds, 0, 86400},
                                           {"reconcile_interval", reconcile_interval_seconds, 0, 3600},
                                           {"reconcile_grace", reconcile_grace_seconds, edgegap_timeout_seconds, 86400},
                                           {"reconcile_max_lookups", reconcile_max_lookups, 1, 10000},
                                           {"delete_retry_max", delete_retry_max_seconds, delete_retry_seconds, 3600},
                                           {"delete_park_after", delete_park_after_seconds, 1, 7 * 86400},
                                           {"threads", threads, 1, 256},
                                           {"shutdown_grace", shutdown_grace_seconds, 0, 3600}}) {
        if (auto ok = common::CheckRange(field, static_cast<double>(value), static_cast<double>(low),
                                         static_cast<double>(high));
            !ok) {
            return ok;
        }
    }
    if (!webhook_secret.empty() && webhook_secret.size() < 16) {
        return MakeError(ErrorCode::kInvalidArgument, "the webhook secret must be at least 16 characters");
    }
    if (auto limits = EdgegapRateLimits(); !limits) return common::Fail(limits.error());
    if (auto level = common::ParseLogLevel(log_level); !level) return common::Fail(level.error());
    return common::Ok();
}

}  // namespace gapkit::matchmaker
