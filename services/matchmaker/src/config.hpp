#pragma once

/// @file
/// gapkit-matchmaker's configuration: one struct, filled from defaults, then environment
/// variables, then command-line flags (CLI11 reads each flag's variable when the flag is absent),
/// then secrets from the environment or files, and validated before the service starts.
///
/// Secrets (the netcode private key, the Edgegap API key, the webhook secret) never come from argv
/// except through the `--lightyear-private-key` compatibility flag, which logs a warning; they are
/// never logged.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/rate_limiter.hpp"
#include "gapkit/netcode/common.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::matchmaker {

struct MatchmakerConfig {
    // What to serve. Env GAPKIT_MM_APP_NAME / GAPKIT_MM_APP_VERSION / GAPKIT_MM_PROTOCOL_ID.
    std::string app_name;           ///< Edgegap app name, also the `<game>` of the request subject. Required.
    std::string app_version;        ///< Edgegap version name, also the `<version>` of the subject. Required.
    std::uint64_t protocol_id = 0;  ///< netcode protocol id shared with the game's servers. Required (non-zero).
    netcode::Key private_key{};     ///< netcode private key. Secret: env GAPKIT_PRIVATE_KEY or a file.
    std::string private_key_argv;   ///< `--lightyear-private-key` (compatibility; argv is visible, so warned).
    std::string private_key_file;   ///< File holding the key (hex, base64 or 32 comma-separated bytes).
    std::string game_port_name;     ///< Deployment port to hand out; empty: the first one. Default "".
    /// Deployment port handed to players who ask for `"transport":"webtransport"` (browsers); the
    /// token still names the game port, the netcode server's own address. Default "webtransport".
    std::string webtransport_port_name = "webtransport";

    // Edgegap.
    std::string edgegap_base_url = "https://api.edgegap.com";  ///< Env EDGEGAP_BASE_URL.
    std::string edgegap_api_key;       ///< Secret: env EDGEGAP_API_KEY or `--edgegap-api-key-file`.
    std::string edgegap_api_key_file;  ///< File holding the API key.
    int edgegap_timeout_seconds = 10;  ///< Bound on one Edgegap HTTP exchange. Default 10 s.
    /// The organization's client-side Edgegap limits, shared by every live matchmaker (each takes
    /// 1/N, edgegap_budget.hpp): a comma list of `<class>=<per_second>+<burst>` or `<class>=off`
    /// for the classes deployments, status, context, sessions, apps; classes not named keep their
    /// defaults. Env GAPKIT_MM_EDGEGAP_LIMITS. Default every class at its `edgegap::RateLimits`
    /// default: deployments=36+4,status=9+1,context=9+1,sessions=36+4,apps=9+1 (requests per
    /// second + burst; docs/matchmaker.md "Edgegap budget" gives the sources).
    std::string edgegap_limits = edgegap::FormatRateLimits(edgegap::RateLimits{});
    /// Public URL of httpd's webhook route without its secret, e.g.
    /// `https://play.example.com/edgegap/webhook`; empty: no webhook, readiness by polling only.
    /// Default "".
    std::string webhook_base_url;
    /// The webhook's path secret (the same as httpd's), at least 16 characters. Secret: env
    /// GAPKIT_MM_WEBHOOK_SECRET or `--webhook-secret-file`, never argv. Required with a base URL.
    std::string webhook_secret;
    std::string webhook_secret_file;  ///< File holding `webhook_secret`.
    /// What is sent to Edgegap with each session: `<webhook_base_url>/<webhook_secret>`, made by
    /// `Finish`; empty without a base URL. Holds the secret: never logged.
    std::string webhook_url;

    // Lifecycle bounds.
    int readiness_timeout_seconds = 60;  ///< POST answer to a ready session; then Error 408. Default 60 s.
    int poll_initial_ms = 200;           ///< First readiness poll delay; doubles per poll. Default 200 ms.
    int poll_max_ms = 2000;              ///< Longest delay between readiness polls. Default 2000 ms.
    int token_expire_seconds = 30;       ///< Connect token lifetime. Default 30 s.
    /// netcode connection timeout inside the token, 1..3600. Default 15 s. (netcode's -1, "never
    /// time out", is refused: a slot that never times out never frees its paid session.)
    int token_timeout_seconds = 15;
    /// Players this matchmaker gets a session for or waits with at once, 1..100000; beyond: Error
    /// 503 at once. Each waiting player holds about 12 KB here (docs/benchmarks.md, "Surges"), and
    /// batching keeps their Edgegap calls within the budget, so the bound is on memory. Default
    /// 1024 (a 20 s deployment at the default budget of 36 creates/s has ~720 players waiting).
    int max_concurrent_sessions = 1024;
    /// Most players one Edgegap seat session takes when waiting players are batched because the
    /// sessions budget is short (session_batcher.hpp), 0..1024. 1 turns batching off; 0 takes the
    /// app version's seats per deployment (`session_config.sockets` of a Seat version, read once
    /// at start; batching stays off when it cannot be read). Env GAPKIT_MM_MAX_PLAYERS_PER_SESSION.
    /// Default 0.
    int max_players_per_session = 0;

    // Cleanup.
    int reaper_interval_seconds = 5;  ///< How often unclaimed sessions are checked. Default 5 s.
    int reap_grace_seconds = 30;   ///< Reap this long after the token expired (or readiness timed out). Default 30 s.
    int delete_retry_seconds = 5;  ///< Delay before a failed session delete is tried again. Default 5 s.
    /// Life of a `connections_seen` record, 0..86400 s: a player whose game server stopped sending
    /// `alive` (every 10 s) for this long counts as left and its session is deleted by the next
    /// reaper pass. 0 turns this off (game servers built before `alive`). Fixed when the bucket is
    /// created (the first matchmaker's value wins). Default 30 s (3 alive intervals).
    int alive_ttl_seconds = 3 * protocol::kAliveIntervalSeconds;

    // Reconciler (reconciler.hpp).
    /// Seconds between reconciler passes, 0..3600; 0 turns the reconciler off. Default 60 s.
    int reconcile_interval_seconds = 60;
    /// Age (Edgegap's `elapsed`) a session gapkit does not account for must reach before it is
    /// deleted, and how long a bus record must stay without its Edgegap session before it is
    /// removed; at least `edgegap_timeout_seconds`. Default 120 s (reconciler.hpp says why).
    int reconcile_grace_seconds = 120;
    /// Only log and count what the reconciler would do. Default false.
    bool reconcile_dry_run = false;
    /// Edgegap lookups (`GET /v1/session`, `GET /v1/status`, parked `DELETE`) per pass, 1..10000;
    /// the rest wait for later passes. Default 50.
    int reconcile_max_lookups = 50;
    /// The retry delay doubles per failed delivery up to this. Default 300 s.
    int delete_retry_max_seconds = 300;
    /// A delete failing this long (summed retry delays) is parked in `parked_deletions` for the
    /// reconciler and its queue item acked. Default 1800 s.
    int delete_park_after_seconds = 1800;

    // Service.
    /// I/O threads, 1..256. Default 1: nothing on them blocks (Edgegap calls and a request's KV
    /// reads and writes are asynchronous), and one thread spares the scheduler-lock contention and
    /// context switches of two (measured ~10 % less CPU per match on 2 cores). Raise it on a big
    /// machine when one core is not enough (about 1,500 matches/s per core).
    int threads = 1;
    int shutdown_grace_seconds = 10;       ///< On SIGTERM, in-flight requests get this long to finish. Default 10 s.
    std::string metrics_bind = "0.0.0.0";  ///< Interface of the metrics listener. Default 0.0.0.0.
    std::uint16_t metrics_port = 9100;     ///< `GET /metrics` and `/healthz`; 0: off. Default 9100.
    std::string log_level = "info";        ///< error, warn, info, debug or trace. Default info.

    /// Seconds an `unclaimed_sessions` record may age before the reaper deletes its session: the
    /// longer of the readiness timeout and the token lifetime, plus `reap_grace_seconds`.
    int UnclaimedMaxAgeSeconds() const;

    /// `edgegap_limits` read on top of the defaults (the organization's whole budget).
    common::Result<edgegap::RateLimits> EdgegapRateLimits() const;

    /// Checks every field; the error names the field and the bad value (never a secret's value).
    common::Status Validate() const;
};

/// Registers every option on `app` with its environment variable and default (shown by --help).
void AddOptions(CLI::App& app, MatchmakerConfig& config);

/// Runs after parsing: reads secrets (the private key from `--lightyear-private-key` with a warning,
/// else `--private-key-file`, else GAPKIT_PRIVATE_KEY; the API key from its file, else
/// EDGEGAP_API_KEY; the webhook secret from its file, else GAPKIT_MM_WEBHOOK_SECRET), parses the
/// private key (its text is wiped), builds `webhook_url` and validates.
common::Status Finish(MatchmakerConfig& config);

}  // namespace gapkit::matchmaker
