#include "gapkit/bus/names.hpp"

#include <cctype>

#include <fmt/core.h>

namespace gapkit::bus::names {
namespace {

using common::ErrorCode;
using common::MakeError;

// A subject token may not be empty and may not hold separators, wildcards or whitespace.
common::Status CheckToken(std::string_view what, std::string_view token) {
    if (token.empty()) return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} is empty", what));
    for (unsigned char c : token) {
        if (c == '.' || c == '*' || c == '>' || c <= ' ' || c == 0x7f) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("{} '{}' holds a character not allowed in a NATS subject", what, token));
        }
    }
    return common::Ok();
}

bool IsPlainIdByte(unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-'; }

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;  // Lower case is never written, so it is refused: one id has one encoding.
}

KeyValueConfig Bucket(std::string_view name, std::string description, std::chrono::milliseconds ttl,
                      std::int32_t max_value_bytes) {
    KeyValueConfig config;
    config.bucket = std::string(name);
    config.description = std::move(description);
    config.ttl = ttl;
    config.max_value_bytes = max_value_bytes;
    return config;
}

}  // namespace

common::Result<std::string> EncodeIdToken(std::string_view id) {
    if (id.empty()) return MakeError(ErrorCode::kInvalidArgument, "an empty id has no key");
    std::string token;
    token.reserve(id.size());
    for (unsigned char c : id) {
        if (IsPlainIdByte(c)) {
            token += static_cast<char>(c);
        } else {
            token += fmt::format("={:02X}", c);
        }
    }
    return token;
}

std::optional<std::string> DecodeIdToken(std::string_view token) {
    if (token.empty()) return std::nullopt;
    std::string id;
    for (std::size_t i = 0; i < token.size(); ++i) {
        const auto c = static_cast<unsigned char>(token[i]);
        if (IsPlainIdByte(c)) {
            id += static_cast<char>(c);
            continue;
        }
        if (c != '=' || i + 2 >= token.size()) return std::nullopt;
        const int high = HexValue(token[i + 1]);
        const int low = HexValue(token[i + 2]);
        const auto byte = static_cast<unsigned char>(high * 16 + low);
        if (high < 0 || low < 0 || IsPlainIdByte(byte)) return std::nullopt;
        id += static_cast<char>(byte);
        i += 2;
    }
    return id;
}

common::Result<std::string> MatchmakerRequestSubject(std::string_view game, std::string_view version) {
    if (auto ok = CheckToken("game name", game); !ok) return common::Fail(ok.error());
    if (auto ok = CheckToken("game version", version); !ok) return common::Fail(ok.error());
    return fmt::format("{}.{}.{}", kMatchmakerRequestPrefix, game, version);
}

common::Result<std::string> DeleteSessionSubject(std::string_view session_id) {
    if (auto ok = CheckToken("session id", session_id); !ok) return common::Fail(ok.error());
    return fmt::format("{}.{}", kDeleteSessionStream, session_id);
}

bool IsInboxOf(std::string_view reply, std::string_view role_prefix) {
    const auto under = [reply](std::string_view prefix) {
        return reply.size() > prefix.size() + 1 && reply.starts_with(prefix) && reply[prefix.size()] == '.';
    };
    return under(role_prefix) || under("_INBOX");
}

common::Result<std::string> GameServerSubject(std::string_view deployment, std::string_view fact) {
    if (auto ok = CheckToken("deployment", deployment); !ok) return common::Fail(ok.error());
    if (auto ok = CheckToken("fact", fact); !ok) return common::Fail(ok.error());
    return fmt::format("{}.{}.{}", kGameServerPrefix, deployment, fact);
}

std::string GameServerWildcardSubject(std::string_view fact) { return fmt::format("{}.*.{}", kGameServerPrefix, fact); }

common::Result<std::string> DeploymentOfGameServerSubject(std::string_view subject, std::string_view fact) {
    const std::string prefix = fmt::format("{}.", kGameServerPrefix);
    const std::string suffix = fmt::format(".{}", fact);
    if (subject.size() <= prefix.size() + suffix.size() || !subject.starts_with(prefix) || !subject.ends_with(suffix)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("subject '{}' is not gameserver.<deployment>.{}", subject, fact));
    }
    const std::string_view deployment = subject.substr(prefix.size(), subject.size() - prefix.size() - suffix.size());
    if (auto ok = CheckToken("deployment", deployment); !ok) return common::Fail(ok.error());
    return std::string(deployment);
}

KeyValueConfig SessionsEg2LyConfig() {
    return Bucket(kSessionsEg2LyBucket, "Edgegap session id -> netcode client id", kSessionMappingTtl, kMaxValueBytes);
}

KeyValueConfig SessionsLy2EgConfig() {
    return Bucket(kSessionsLy2EgBucket, "netcode client id -> Edgegap session id", kSessionMappingTtl, kMaxValueBytes);
}

KeyValueConfig ActiveConnectionsConfig() {
    return Bucket(kActiveConnectionsBucket, "session id -> client id of connected players",
                  std::chrono::milliseconds(0), -1);
}

KeyValueConfig SessionDeploymentsConfig() {
    return Bucket(kSessionDeploymentsBucket, "Edgegap session id -> deployment request id", kSessionMappingTtl,
                  kMaxValueBytes);
}

KeyValueConfig UnclaimedSessionsConfig() {
    return Bucket(kUnclaimedSessionsBucket, "sessions waiting for their player", std::chrono::milliseconds(0),
                  kMaxValueBytes);
}

KeyValueConfig CertDigestsConfig() {
    return Bucket(kCertDigestsBucket, "deployment -> certificate digest", kCertDigestTtl, kMaxValueBytes);
}

KeyValueConfig ParkedDeletionsConfig() {
    return Bucket(kParkedDeletionsBucket, "sessions whose deletion failed for long", std::chrono::milliseconds(0),
                  kMaxValueBytes);
}

KeyValueConfig MatchmakersConfig() {
    return Bucket(kMatchmakersBucket, "live matchmaker instances (presence beats)", kMatchmakerPresenceTtl,
                  kMaxValueBytes);
}

KeyValueConfig ConnectionsSeenConfig(std::chrono::seconds ttl) {
    return Bucket(kConnectionsSeenBucket, "session id -> unix seconds its player was last known connected", ttl,
                  kMaxValueBytes);
}

WorkQueueConfig DeleteSessionQueueConfig() {
    WorkQueueConfig config;
    config.stream = std::string(kDeleteSessionStream);
    config.subjects = {std::string(kDeleteSessionSubjects)};
    config.description = "Edgegap sessions to delete";
    return config;
}

}  // namespace gapkit::bus::names
