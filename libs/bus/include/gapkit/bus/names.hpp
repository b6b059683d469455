#pragma once

/// @file
/// Every bus subject, bucket and stream name of the system (docs/bus.md, "Names"), kept identical
/// to the original Rust system, with the settings buckets and streams are created with.

#include <chrono>
#include <cstdint>
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
/// Game servers publish their Edgegap context JSON here at start.
inline constexpr std::string_view kGameServerContexts = "gameserver.contexts";
/// httpd publishes each Edgegap session webhook body (the session JSON, unparsed) here; every
/// matchmaker subscribes (no queue group) and wakes whichever request waits for that session.
inline constexpr std::string_view kSessionWebhooks = "matchmaker.webhooks.session";

/// KV: Edgegap session id -> netcode client id (TTL 30 s).
inline constexpr std::string_view kSessionsEg2LyBucket = "sessions_eg2ly";
/// KV: netcode client id -> Edgegap session id (TTL 30 s).
inline constexpr std::string_view kSessionsLy2EgBucket = "sessions_ly2eg";
/// KV: session id -> client id, written by the game server while the player is connected.
inline constexpr std::string_view kActiveConnectionsBucket = "active_connections";
/// KV: session id -> creation time, while the matchmaker waits for the player.
inline constexpr std::string_view kUnclaimedSessionsBucket = "unclaimed_sessions";
/// KV: server public ip -> certificate digest (TTL 14 days).
inline constexpr std::string_view kCertDigestsBucket = "cert_digests";

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

/// Bucket settings as the original system creates them.
KeyValueConfig SessionsEg2LyConfig();
KeyValueConfig SessionsLy2EgConfig();
KeyValueConfig ActiveConnectionsConfig();
KeyValueConfig UnclaimedSessionsConfig();
KeyValueConfig CertDigestsConfig();

/// The delete-session work queue's settings.
WorkQueueConfig DeleteSessionQueueConfig();

}  // namespace gapkit::bus::names
