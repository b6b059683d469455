#include "kv_replies.hpp"

#include <cctype>
#include <charconv>
#include <cstring>

#include <fmt/core.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "status.hpp"

namespace gapkit::bus {
namespace {

using common::ErrorCode;
using common::Result;

constexpr std::string_view kOperationHeader = "KV-Operation";
constexpr std::string_view kMarkerReasonHeader = "Nats-Marker-Reason";  // Newer servers' TTL markers.
constexpr std::string_view kSequenceHeader = "Nats-Sequence";

std::optional<std::uint64_t> ParseUnsigned(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

common::Error Malformed(std::string_view action, std::string_view what) {
    return common::Error(ErrorCode::kProtocol, fmt::format("{}: malformed JetStream answer ({})", action, what));
}

// A JetStream `error` object, mapped as nats.c's synchronous calls map it: NATS_ERR with the text.
common::Error ApiError(const boost::json::value& error, std::string_view action) {
    const auto* fields = error.if_object();
    const auto* description = fields != nullptr ? fields->if_contains("description") : nullptr;
    const auto* code = fields != nullptr ? fields->if_contains("code") : nullptr;
    return MapNatsStatus(
        NATS_ERR,
        description != nullptr && description->is_string() ? std::string_view(description->get_string())
                                                           : std::string_view("JetStream error"),
        fmt::format("{} (JetStream {})", action, code != nullptr ? boost::json::serialize(*code) : "?"));
}

// The answer as a JSON object. The error_code overload of boost::json::parse (Boost 1.81) reports
// malformed text and nesting past max_depth through `ec`; only an allocation failure can throw,
// and the size bound checked first keeps that to an out-of-memory process.
Result<boost::json::object> ParseObject(std::string_view json, std::string_view action) {
    if (json.size() > kMaxPubAckBytes) {
        return common::Fail(
            Malformed(action, fmt::format("{} bytes, over the {}-byte limit", json.size(), kMaxPubAckBytes)));
    }
    boost::json::parse_options options;
    options.max_depth = kMaxPubAckDepth;
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(boost::json::string_view(json.data(), json.size()), ec, {}, options);
    if (ec) return common::Fail(Malformed(action, ec.message()));
    if (!value.is_object()) return common::Fail(Malformed(action, "not a JSON object"));
    return std::move(value.get_object());
}

// Deletes and purges leave a marker message; for a get they mean "absent", as for nats.c's Get.
bool IsDeleteMarker(std::string_view operation, std::string_view marker_reason) {
    return operation == "DEL" || operation == "PURGE" || marker_reason == "MaxAge" || marker_reason == "Purge" ||
           marker_reason == "Remove";
}

std::string_view Header(natsMsg* msg, std::string_view key) {
    const char* value = nullptr;
    const std::string key_text(key);
    if (natsMsgHeader_Get(msg, key_text.c_str(), &value) != NATS_OK || value == nullptr) return {};
    return value;
}

}  // namespace

bool ValidKey(std::string_view key) {
    if (key.empty() || key.front() == '.' || key.back() == '.') return false;
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        if (c == '.' && key[i - 1] == '.') return false;
        if (!std::isalnum(static_cast<unsigned char>(c)) && std::strchr("._-/\\=", c) == nullptr) return false;
    }
    return true;
}

Result<std::uint64_t> ParsePubAck(std::string_view json, std::string_view action) {
    auto answer = ParseObject(json, action);
    if (!answer) return common::Fail(answer.error());
    if (const auto* error = answer->if_contains("error")) return common::Fail(ApiError(*error, action));
    const auto* stream = answer->if_contains("stream");
    const auto* seq = answer->if_contains("seq");
    if (stream == nullptr || !stream->is_string() || seq == nullptr) {
        return common::Fail(Malformed(action, "no stream or seq"));
    }
    // Boost.JSON keeps integers up to INT64_MAX as int64 and larger ones as uint64.
    if (seq->is_uint64()) return seq->get_uint64();
    if (!seq->is_int64() || seq->get_int64() <= 0)
        return common::Fail(Malformed(action, "seq is not a positive integer"));
    return static_cast<std::uint64_t>(seq->get_int64());
}

Result<std::optional<KeyEntry>> ParseDirectGet(natsMsg* reply, std::string_view key, std::string_view action) {
    if (const std::string_view status = Header(reply, "Status"); !status.empty()) {
        if (status == "404") return std::optional<KeyEntry>();
        return common::Fail(MapNatsStatus(NATS_ERR, fmt::format("{} {}", status, Header(reply, "Description")),
                                          fmt::format("{} (direct get)", action)));
    }
    auto revision = ParseUnsigned(Header(reply, kSequenceHeader));
    if (!revision) return common::Fail(Malformed(action, "direct get answer without Nats-Sequence"));
    if (IsDeleteMarker(Header(reply, kOperationHeader), Header(reply, kMarkerReasonHeader))) {
        return std::optional<KeyEntry>();
    }
    const char* data = natsMsg_GetData(reply);
    const auto length = static_cast<std::size_t>(natsMsg_GetDataLength(reply));
    return std::optional<KeyEntry>(
        KeyEntry{std::string(key), data != nullptr ? std::string(data, length) : std::string(), *revision});
}

}  // namespace gapkit::bus
