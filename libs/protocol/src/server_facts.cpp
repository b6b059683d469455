#include "gapkit/protocol/server_facts.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/core.h>
#include <boost/json.hpp>

#include "parse_support.hpp"

namespace gapkit::protocol {
namespace json = boost::json;
using common::ErrorCode;
using common::MakeError;
using common::Result;

namespace {

constexpr std::size_t kMaxReasonLength = 200;
constexpr std::size_t kDigestBytes = 32;
constexpr std::array<std::pair<FactReply::Outcome, std::string_view>, 3> kOutcomes = {
    {{FactReply::Outcome::kAccepted, "accepted"},
     {FactReply::Outcome::kRefused, "refused"},
     {FactReply::Outcome::kFailed, "failed"}}};

common::Error Invalid(std::string_view what) {
    return common::Error(ErrorCode::kInvalidArgument, fmt::format("malformed fact: {}", what));
}

Result<json::object> ParseObject(std::string_view text) {
    if (text.size() > kMaxFactBytes) return common::Fail(Invalid(fmt::format("over {} bytes", kMaxFactBytes)));
    auto value = ParseJson(text);
    if (!value) return common::Fail(value.error());
    if (!value->is_object()) return common::Fail(Invalid("not a JSON object"));
    return std::move(value->as_object());
}

Result<std::string> StringField(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (value == nullptr || !value->is_string())
        return common::Fail(Invalid(fmt::format("'{}' must be a string", key)));
    return std::string(value->get_string());
}

// Client ids are random 64-bit numbers: JSON integers that may exceed int64 (Boost.JSON keeps them
// as uint64), never 0 and never fractional.
Result<std::uint64_t> ClientIdField(const json::object& object) {
    const json::value* value = object.if_contains("client_id");
    std::uint64_t id = 0;
    if (value != nullptr && value->is_uint64()) id = value->get_uint64();
    if (value != nullptr && value->is_int64() && value->get_int64() > 0)
        id = static_cast<std::uint64_t>(value->get_int64());
    if (id == 0) return common::Fail(Invalid("'client_id' must be a positive 64-bit integer"));
    return id;
}

Result<std::string> SessionIdField(const json::object& object) {
    auto session = StringField(object, "session_id");
    if (!session) return session;
    if (!IsValidSessionId(*session)) {
        return common::Fail(Invalid(fmt::format(
            "'session_id' must be 1 to {} letters, digits, '_' or '-', then optionally '/' and an IP of at most {}",
            kMaxSessionIdLength, kMaxSeatIpLength)));
    }
    return session;
}

// Cut on a UTF-8 character boundary, so the reply stays valid JSON text.
std::string Shortened(const std::string& text) {
    if (text.size() <= kMaxReasonLength) return text;
    std::size_t end = kMaxReasonLength;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

bool IsValidSessionId(std::string_view session_id) {
    const auto slash = session_id.find('/');
    const std::string_view session = session_id.substr(0, slash);
    const bool session_ok = !session.empty() && session.size() <= kMaxSessionIdLength &&
                            std::all_of(session.begin(), session.end(),
                                        [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-'; });
    if (!session_ok || slash == std::string_view::npos) return session_ok;
    // A shared session's seat: only the characters of an IP address, so the id stays one opaque token.
    const std::string_view ip = session_id.substr(slash + 1);
    return !ip.empty() && ip.size() <= kMaxSeatIpLength && std::all_of(ip.begin(), ip.end(), [](unsigned char c) {
        return std::isxdigit(c) != 0 || c == '.' || c == ':';
    });
}

bool IsValidCertDigest(std::string_view digest) {
    if (digest.size() != kDigestBytes * 3 - 1) return false;
    for (std::size_t i = 0; i < digest.size(); ++i) {
        const bool separator = i % 3 == 2;
        if (separator ? digest[i] != ':' : !IsLowerHex(digest[i])) return false;
    }
    return true;
}

std::string_view ToString(FactReply::Outcome outcome) {
    for (const auto& [value, name] : kOutcomes) {
        if (value == outcome) return name;
    }
    return "failed";
}

std::string SerializeJoinFact(const JoinFact& fact) {
    return json::serialize(json::object{{"client_id", fact.client_id}});
}

Result<JoinFact> ParseJoinFact(std::string_view text) {
    auto object = ParseObject(text);
    if (!object) return common::Fail(object.error());
    auto client_id = ClientIdField(*object);
    if (!client_id) return common::Fail(client_id.error());
    return JoinFact{*client_id};
}

std::string SerializeLeftFact(const LeftFact& fact) {
    return json::serialize(json::object{{"session_id", fact.session_id}, {"client_id", fact.client_id}});
}

Result<LeftFact> ParseLeftFact(std::string_view text) {
    auto object = ParseObject(text);
    if (!object) return common::Fail(object.error());
    auto session = SessionIdField(*object);
    if (!session) return common::Fail(session.error());
    auto client_id = ClientIdField(*object);
    if (!client_id) return common::Fail(client_id.error());
    return LeftFact{std::move(*session), *client_id};
}

std::string SerializeAliveFact(const AliveFact& fact) {
    json::array sessions;
    for (const AliveEntry& entry : fact.sessions) {
        sessions.push_back(json::object{{"session_id", entry.session_id}, {"client_id", entry.client_id}});
    }
    return json::serialize(json::object{{"sessions", std::move(sessions)}});
}

Result<AliveFact> ParseAliveFact(std::string_view text) {
    auto object = ParseObject(text);
    if (!object) return common::Fail(object.error());
    const json::value* sessions = object->if_contains("sessions");
    if (sessions == nullptr || !sessions->is_array() || sessions->get_array().empty() ||
        sessions->get_array().size() > kMaxAliveEntries) {
        return common::Fail(Invalid(fmt::format("'sessions' must be an array of 1 to {} pairs", kMaxAliveEntries)));
    }
    AliveFact fact;
    for (const json::value& item : sessions->get_array()) {
        if (!item.is_object()) return common::Fail(Invalid("each of 'sessions' must be an object"));
        auto session = SessionIdField(item.get_object());
        if (!session) return common::Fail(session.error());
        auto client_id = ClientIdField(item.get_object());
        if (!client_id) return common::Fail(client_id.error());
        fact.sessions.push_back({std::move(*session), *client_id});
    }
    return fact;
}

std::vector<AliveFact> ChunkAliveEntries(const std::vector<AliveEntry>& entries) {
    std::vector<AliveFact> facts;
    for (std::size_t i = 0; i < entries.size(); i += kMaxAliveEntries) {
        const auto end = entries.begin() + static_cast<std::ptrdiff_t>(std::min(entries.size(), i + kMaxAliveEntries));
        facts.push_back(AliveFact{{entries.begin() + static_cast<std::ptrdiff_t>(i), end}});
    }
    return facts;
}

std::string SerializeCertDigestFact(const CertDigestFact& fact) {
    return json::serialize(json::object{{"public_ip", fact.public_ip}, {"digest", fact.digest}});
}

Result<CertDigestFact> ParseCertDigestFact(std::string_view text) {
    auto object = ParseObject(text);
    if (!object) return common::Fail(object.error());
    auto ip = StringField(*object, "public_ip");
    if (!ip) return common::Fail(ip.error());
    if (!IsIpAddress(*ip)) return common::Fail(Invalid("'public_ip' is not an IP address"));
    auto digest = StringField(*object, "digest");
    if (!digest) return common::Fail(digest.error());
    if (!IsValidCertDigest(*digest))
        return common::Fail(Invalid("'digest' must be 32 lower-case hex pairs joined by ':'"));
    return CertDigestFact{std::move(*ip), std::move(*digest)};
}

std::string SerializeFactReply(const FactReply& reply) {
    json::object object{{"outcome", ToString(reply.outcome)}};
    if (!reply.session_id.empty()) object["session_id"] = reply.session_id;
    if (!reply.reason.empty()) object["reason"] = Shortened(reply.reason);
    return json::serialize(object);
}

Result<FactReply> ParseFactReply(std::string_view text) {
    auto object = ParseObject(text);
    if (!object) return common::Fail(object.error());
    auto outcome_name = StringField(*object, "outcome");
    if (!outcome_name) return common::Fail(outcome_name.error());
    const auto* known = std::find_if(kOutcomes.begin(), kOutcomes.end(),
                                     [&](const auto& entry) { return entry.second == *outcome_name; });
    if (known == kOutcomes.end()) return common::Fail(Invalid("'outcome' must be accepted, refused or failed"));
    FactReply reply{known->first, {}, {}};
    if (object->contains("session_id")) {
        auto session = SessionIdField(*object);
        if (!session) return common::Fail(session.error());
        reply.session_id = std::move(*session);
    }
    if (object->contains("reason")) {
        auto reason = StringField(*object, "reason");
        if (!reason) return common::Fail(reason.error());
        reply.reason = std::move(*reason);
    }
    return reply;
}

}  // namespace gapkit::protocol
