#pragma once

/// @file
/// The facts a game server states on the bus and the matchmaker's answers
/// (docs/protocol/gameserver-facts.md). Subjects: `gameserver.<deployment>.<fact>` (bus/names.hpp).
///
/// - `join`: `{"client_id":<u64>}`
/// - `left`: `{"session_id":"<id>","client_id":<u64>}`
/// - `cert_digest`: `{"public_ip":"<ip>","digest":"ab:cd:..."}`
/// - `alive`: `{"sessions":[{"session_id":"<id>","client_id":<u64>},...]}` (1 to `kMaxAliveEntries`
///   pairs; a plain publish, nobody answers)
/// - the reply to each: `{"outcome":"accepted"}` (a join's adds `"session_id":"<id>"`),
///   `{"outcome":"refused","reason":"..."}` or `{"outcome":"failed","reason":"..."}`
///
/// Every parser takes outside data (any game server may send anything): it checks the size, the
/// types and every value, ignores unknown fields, and returns `kInvalidArgument` naming the field.
/// Threads: any (pure functions).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gapkit/common/result.hpp"

namespace gapkit::protocol {

/// Longest fact or fact reply (bytes).
inline constexpr std::size_t kMaxFactBytes = 1024;
/// Longest Edgegap session id accepted in a fact (characters).
inline constexpr std::size_t kMaxSessionIdLength = 64;
/// Longest player IP in a shared session's seat id (characters): the longest IPv6 text, an
/// IPv4-mapped one ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255").
inline constexpr std::size_t kMaxSeatIpLength = 45;

/// Seconds between two `alive` facts of a game server that has joined players. The matchmaker
/// counts a player as gone when no `alive` (nor its `join`) named it for 3 intervals.
inline constexpr int kAliveIntervalSeconds = 10;
/// Most {session, client} pairs in one `alive` fact: 6 pairs of the longest seat ids (161 bytes
/// each) stay under `kMaxFactBytes`. A server with more players sends several facts per interval.
inline constexpr std::size_t kMaxAliveEntries = 6;

/// True for a seat id (the matchmaker's services/matchmaker/src/seat.hpp): an Edgegap session id
/// `^[A-Za-z0-9_-]{1,64}$`, alone (a session of one player) or followed by '/' and the player's IP
/// in a shared session (1 to `kMaxSeatIpLength` hex digits, '.' and ':'). The game server treats
/// it as opaque; the matchmaker encodes it (`EncodeIdToken`) before using it as a KV key.
bool IsValidSessionId(std::string_view session_id);

/// True for a SHA-256 digest written as 32 lower-case hex pairs joined by ':' (what
/// `gapkit::server` publishes and browsers' `serverCertificateHashes` take).
bool IsValidCertDigest(std::string_view digest);

/// "This client id connected to me": the matchmaker answers with the client's session.
struct JoinFact {
    std::uint64_t client_id = 0;  ///< From the client's connect token; never 0.
};

/// "The player of this session left me".
struct LeftFact {
    std::string session_id;       ///< See `IsValidSessionId`.
    std::uint64_t client_id = 0;  ///< The client id that joined the session; never 0.
};

/// "My certificate, at my public ip, has this digest".
struct CertDigestFact {
    std::string public_ip;  ///< IPv4 or IPv6 text.
    std::string digest;     ///< See `IsValidCertDigest`.
};

/// One player an `alive` fact names.
struct AliveEntry {
    std::string session_id;       ///< See `IsValidSessionId`.
    std::uint64_t client_id = 0;  ///< The client id that joined the session; never 0.
};

/// "These players are still connected to me" (1 to `kMaxAliveEntries` of them).
struct AliveFact {
    std::vector<AliveEntry> sessions;
};

/// The matchmaker's answer to a fact.
struct FactReply {
    enum class Outcome {
        kAccepted,  ///< Checked and written.
        kRefused,   ///< Checked and false (or malformed): sending it again changes nothing.
        kFailed,    ///< Not checked (a bus, KV or Edgegap failure): try again later.
    };
    Outcome outcome = Outcome::kFailed;
    std::string session_id;  ///< Accepted joins only: the client's session.
    std::string reason;      ///< Refused or failed: why, for logs.
};

/// "accepted", "refused" or "failed".
std::string_view ToString(FactReply::Outcome outcome);

std::string SerializeJoinFact(const JoinFact& fact);
common::Result<JoinFact> ParseJoinFact(std::string_view json);

std::string SerializeLeftFact(const LeftFact& fact);
common::Result<LeftFact> ParseLeftFact(std::string_view json);

std::string SerializeCertDigestFact(const CertDigestFact& fact);
common::Result<CertDigestFact> ParseCertDigestFact(std::string_view json);

/// Writes whatever `fact` holds; callers keep to `kMaxAliveEntries` (see `ChunkAliveEntries`).
std::string SerializeAliveFact(const AliveFact& fact);
/// Refuses an empty list, more than `kMaxAliveEntries` pairs and any invalid pair.
common::Result<AliveFact> ParseAliveFact(std::string_view json);
/// `entries` cut into facts of at most `kMaxAliveEntries` pairs each (none for an empty list).
std::vector<AliveFact> ChunkAliveEntries(const std::vector<AliveEntry>& entries);

/// `reason` is cut to 200 characters; `session_id` is written only when not empty.
std::string SerializeFactReply(const FactReply& reply);
/// An accepted reply's `session_id`, when present, must be a valid session id.
common::Result<FactReply> ParseFactReply(std::string_view json);

}  // namespace gapkit::protocol
