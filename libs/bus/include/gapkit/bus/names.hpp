#pragma once

/// @file
/// Every bus subject, bucket and stream name of the system (docs/bus.md, "Names"), kept identical
/// to the original Rust system, with the settings buckets and streams are created with.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/bus/key_value.hpp"
#include "gapkit/bus/work_queue.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::bus::names {

/// Subject prefix of matchmaking requests; see `MatchmakerRequestSubject`.
inline constexpr std::string_view kMatchmakerRequestPrefix = "matchmaker.request";
/// Queue group the matchmakers join on the request subject, so each request reaches one of them.
inline constexpr std::string_view kMatchmakerQueueGroup = "matchmaker";
/// First token of every subject a game server speaks on: `gameserver.<deployment>.<fact>`, where
/// `<deployment>` is its Edgegap request id (`ARBITRIUM_REQUEST_ID`) or `kLocalDeployment`.
inline constexpr std::string_view kGameServerPrefix = "gameserver";
/// The deployment id a game server in local mode (no `ARBITRIUM_*`) uses on the bus. The
/// matchmaker never issues a session for it, so its joins are refused (docs/protocol/gameserver-facts.md).
inline constexpr std::string_view kLocalDeployment = "local";
/// Reply-subject prefixes of the roles that send requests (`ConnectOptions::inbox_prefix`): their
/// NATS users may subscribe only to `<prefix>.>` (deploy/local/nats.conf.in).
inline constexpr std::string_view kHttpdInboxPrefix = "_INBOX_httpd";
inline constexpr std::string_view kGameServerInboxPrefix = "_INBOX_gameserver";

/// True when a request's `reply` subject is an inbox of the role with `role_prefix`, or NATS's
/// default `_INBOX.` (development set-ups without permissions; the shipped matchmaker user may not
/// publish there). nats-server never checks a request's reply subject, and the responder answers
/// with its own rights: a matchmaker answering `$JS.API.STREAM.DELETE.<bucket>` would delete the
/// bucket. Responders answer only replies that pass this check.
bool IsInboxOf(std::string_view reply, std::string_view role_prefix);

/// The facts a game server states (docs/protocol/gameserver-facts.md). `join`, `left` and
/// `cert_digest` are requests the matchmakers answer (queue group `kMatchmakerQueueGroup`);
/// `context` is a plain publish for operators.
inline constexpr std::string_view kJoinFact = "join";
inline constexpr std::string_view kLeftFact = "left";
inline constexpr std::string_view kCertDigestFact = "cert_digest";
inline constexpr std::string_view kContextFact = "context";
/// A plain publish (nobody answers): every `protocol::kAliveIntervalSeconds` a game server with
/// joined players names them; the matchmakers (queue group `kMatchmakerQueueGroup`) refresh
/// `kConnectionsSeenBucket` for each pair that matches `active_connections`.
inline constexpr std::string_view kAliveFact = "alive";
/// httpd publishes each Edgegap session webhook body (the session JSON, unparsed) here; every
/// matchmaker subscribes (no queue group) and wakes whichever request waits for that session.
inline constexpr std::string_view kSessionWebhooks = "matchmaker.webhooks.session";

/// KV: Edgegap session id -> netcode client id (TTL 30 s).
inline constexpr std::string_view kSessionsEg2LyBucket = "sessions_eg2ly";
/// KV: netcode client id -> Edgegap session id (TTL 30 s).
inline constexpr std::string_view kSessionsLy2EgBucket = "sessions_ly2eg";
/// KV: session id -> client id, written by the matchmaker while the player is connected (on the
/// game server's checked `join`, deleted on its checked `left`).
inline constexpr std::string_view kActiveConnectionsBucket = "active_connections";
/// KV: session id (`EncodeIdToken`) -> unix seconds the player was last known connected: written
/// with `active_connections` on a checked `join` and refreshed by each matching `alive`. Its TTL
/// (`ConnectionsSeenConfig`, 3 alive intervals) makes a player whose server stopped stating it
/// count as gone: the reaper deletes the `active_connections` entry of a session without a record.
inline constexpr std::string_view kConnectionsSeenBucket = "connections_seen";
/// KV: session id -> creation time, while the matchmaker waits for the player.
inline constexpr std::string_view kUnclaimedSessionsBucket = "unclaimed_sessions";
/// KV: session id -> the Edgegap deployment (request id) its token was issued for (TTL 30 s, like
/// the client id mappings written with it). Checked when a game server claims a join.
inline constexpr std::string_view kSessionDeploymentsBucket = "session_deployments";
/// KV: session id (`EncodeIdToken`) -> why and since when its deletion failed for long. The delete
/// worker parks a session here instead of dropping it; the reconciler retries parked sessions and
/// `/metrics` counts them. No TTL: a parked session stays until it is deleted or gone.
inline constexpr std::string_view kParkedDeletionsBucket = "parked_deletions";
/// KV: deployment (Edgegap request id, `EncodeIdToken`) -> its game server's certificate digest
/// (TTL 14 days), written by the matchmaker on a game server's checked `cert_digest`.
inline constexpr std::string_view kCertDigestsBucket = "cert_digests";
/// KV: matchmaker instance id (`EncodeIdToken`) -> its presence (JSON: id, app, version, host, pid,
/// started_unix), put by each running matchmaker every `kMatchmakerBeatInterval` and deleted on
/// its clean stop. The TTL (`kMatchmakerPresenceTtl`, 3 beats) drops a matchmaker that died, so the
/// live keys are the live matchmakers (`gapctl status`; the shared Edgegap budget of issue 16).
inline constexpr std::string_view kMatchmakersBucket = "matchmakers";
inline constexpr std::chrono::seconds kMatchmakerBeatInterval{5};
inline constexpr std::chrono::seconds kMatchmakerPresenceTtl{15};

/// Work-queue stream of sessions to delete through the Edgegap API.
inline constexpr std::string_view kDeleteSessionStream = "edgegap_delete_session_q";
/// The stream's subjects: `edgegap_delete_session_q.<session id>`.
inline constexpr std::string_view kDeleteSessionSubjects = "edgegap_delete_session_q.*";

inline constexpr std::chrono::seconds kSessionMappingTtl{30};
inline constexpr std::chrono::hours kCertDigestTtl{14 * 24};
inline constexpr std::int32_t kMaxValueBytes = 1024;

/// `matchmaker.request.<game>.<version>`. `kInvalidArgument` when either part is empty or holds a
/// character NATS does not allow in a subject token (whitespace, '.', '*', '>').
common::Result<std::string> MatchmakerRequestSubject(std::string_view game, std::string_view version);

/// `edgegap_delete_session_q.<session id>`, with the same checks.
common::Result<std::string> DeleteSessionSubject(std::string_view session_id);

/// `gameserver.<deployment>.<fact>`, with the same checks on `deployment` and `fact`.
common::Result<std::string> GameServerSubject(std::string_view deployment, std::string_view fact);

/// `gameserver.*.<fact>`: what the matchmakers subscribe to for one kind of fact.
std::string GameServerWildcardSubject(std::string_view fact);

/// The deployment token of `gameserver.<deployment>.<fact>`; `kInvalidArgument` when `subject`
/// has another shape, another fact, or a bad deployment token. Outside data: the subject is
/// chosen by whoever publishes, so it proves nothing about the sender.
common::Result<std::string> DeploymentOfGameServerSubject(std::string_view subject, std::string_view fact);

/// One KV key or subject token for an outside id (an Edgegap session id, an IP address): letters,
/// digits, '_' and '-' stay as they are, so ordinary Edgegap ids keep their plain form; every other
/// byte ('.', ':', ' ', '=' ...) becomes `=XX` (two upper-case hex digits), which NATS allows in
/// keys and subject tokens. `kInvalidArgument` for an empty id. Pure; any thread.
common::Result<std::string> EncodeIdToken(std::string_view id);

/// The id `EncodeIdToken` made `token` from; nothing when `token` is not such an encoding (a
/// claim key with its `.deleting` suffix, a bad escape, a byte that is never left plain).
std::optional<std::string> DecodeIdToken(std::string_view token);

/// Bucket settings as the original system creates them.
KeyValueConfig SessionsEg2LyConfig();
KeyValueConfig SessionsLy2EgConfig();
KeyValueConfig ActiveConnectionsConfig();
KeyValueConfig SessionDeploymentsConfig();
KeyValueConfig UnclaimedSessionsConfig();
KeyValueConfig CertDigestsConfig();
KeyValueConfig ParkedDeletionsConfig();
KeyValueConfig MatchmakersConfig();
/// `ttl` is fixed when the bucket is created (the first matchmaker's wins).
KeyValueConfig ConnectionsSeenConfig(std::chrono::seconds ttl);

/// The delete-session work queue's settings.
WorkQueueConfig DeleteSessionQueueConfig();

}  // namespace gapkit::bus::names
