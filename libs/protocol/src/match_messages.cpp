#include "gapkit/protocol/match_messages.hpp"

#include <limits>

#include <fmt/core.h>
#include <boost/json.hpp>

#include "parse_support.hpp"

namespace gapkit::protocol {
namespace json = boost::json;
using common::Error;
using common::ErrorCode;
using common::MakeError;
using common::Result;

namespace {

Result<std::string> NameField(const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    if (value == nullptr || !value->is_string()) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("'{}' must be a string", key));
    }
    std::string name(value->get_string());
    if (!IsValidName(name)) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("'{}' must be 1 to {} letters, digits, '_' or '-'", key, kMaxNameLength));
    }
    return name;
}

Result<std::optional<std::string>> ClientIpField(const json::object& object) {
    const json::value* value = object.if_contains("client_ip");
    if (value == nullptr || value->is_null()) return std::optional<std::string>();
    if (!value->is_string()) return MakeError(ErrorCode::kInvalidArgument, "'client_ip' must be a string or null");
    std::string ip(value->get_string());
    if (!IsIpAddress(ip)) return MakeError(ErrorCode::kInvalidArgument, "'client_ip' is not an IP address");
    return std::optional<std::string>(std::move(ip));
}

json::value ToJson(const Acknowledged&) { return json::string("Acknowledged"); }
json::value ToJson(const SessionRequestAccepted& r) { return json::object{{"SessionRequestAccepted", r.session_id}}; }
json::value ToJson(const ProgressReport& r) { return json::object{{"ProgressReport", r.text}}; }
json::value ToJson(const MatchError& r) { return json::object{{"Error", json::array{r.code, r.message}}}; }
json::value ToJson(const SessionReady& r) {
    return json::object{
        {"SessionReady",
         json::object{{"token", r.token}, {"ip", r.ip}, {"port", r.port}, {"cert_digest", r.cert_digest}}}};
}

std::optional<std::uint16_t> ReadPort(const json::value* port) {
    if (port == nullptr) return std::nullopt;
    if (port->is_int64() && port->get_int64() >= 1 && port->get_int64() <= 65535) {
        return static_cast<std::uint16_t>(port->get_int64());
    }
    if (port->is_uint64() && port->get_uint64() >= 1 && port->get_uint64() <= 65535) {
        return static_cast<std::uint16_t>(port->get_uint64());
    }
    return std::nullopt;
}

Result<Transport> TransportField(const json::object& object) {
    const json::value* field = object.if_contains("transport");
    if (field == nullptr || field->is_null()) return Transport::kUdp;
    if (field->is_string() && field->get_string() == "udp") return Transport::kUdp;
    if (field->is_string() && field->get_string() == "webtransport") return Transport::kWebTransport;
    return MakeError(ErrorCode::kInvalidArgument, "transport must be \"udp\", \"webtransport\" or null");
}

Error Malformed(std::string_view what) {
    return Error(ErrorCode::kProtocol, fmt::format("malformed matchmaker reply: {}", what));
}

Result<MatchReply> ReadSessionReady(const json::value& body) {
    const json::object* object = body.if_object();
    if (object == nullptr) return common::Fail(Malformed("SessionReady is not an object"));
    const json::value* token = object->if_contains("token");
    const json::value* ip = object->if_contains("ip");
    const json::value* port = object->if_contains("port");
    const json::value* digest = object->if_contains("cert_digest");
    if (token == nullptr || !token->is_string() || ip == nullptr || !ip->is_string()) {
        return common::Fail(Malformed("SessionReady needs string token and ip"));
    }
    const auto port_number = ReadPort(port);
    if (!port_number) return common::Fail(Malformed("SessionReady port must be 1..65535"));
    SessionReady ready{std::string(token->get_string()), std::string(ip->get_string()), *port_number, ""};
    if (digest != nullptr && digest->is_string()) ready.cert_digest = std::string(digest->get_string());
    return MatchReply(std::move(ready));
}

Result<MatchReply> ReadError(const json::value& body) {
    const json::array* array = body.if_array();
    if (array == nullptr || array->size() != 2 || !(*array)[0].is_number() || !(*array)[1].is_string()) {
        return common::Fail(Malformed("Error must be [code, message]"));
    }
    const json::value& code = (*array)[0];
    if (!code.is_int64() || code.get_int64() < 0 || code.get_int64() > std::numeric_limits<int>::max()) {
        return common::Fail(Malformed("Error code must be a small non-negative integer"));
    }
    return MatchReply(MatchError{static_cast<int>(code.get_int64()), std::string((*array)[1].get_string())});
}

Result<MatchReply> ReadTagged(const json::object& object) {
    if (object.size() != 1) return common::Fail(Malformed("expected exactly one tag"));
    const auto& [tag, body] = *object.begin();
    if (tag == "SessionRequestAccepted" || tag == "ProgressReport") {
        if (!body.is_string())
            return common::Fail(Malformed(fmt::format("{} must hold a string", std::string_view(tag))));
        std::string text(body.get_string());
        if (tag == "ProgressReport") return MatchReply(ProgressReport{std::move(text)});
        return MatchReply(SessionRequestAccepted{std::move(text)});
    }
    if (tag == "SessionReady") return ReadSessionReady(body);
    if (tag == "Error") return ReadError(body);
    return common::Fail(Malformed(fmt::format("unknown tag '{}'", std::string_view(tag))));
}

}  // namespace

bool IsValidName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    for (char c : name) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

Result<MatchRequest> ParseMatchRequest(std::string_view json_text, std::size_t max_bytes) {
    if (json_text.size() > max_bytes) {
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("request is {} bytes, the limit is {}", json_text.size(), max_bytes));
    }
    auto value = ParseJson(json_text);
    if (!value) return common::Fail(value.error());
    const json::object* object = value->if_object();
    if (object == nullptr) return MakeError(ErrorCode::kInvalidArgument, "request must be a JSON object");
    auto game = NameField(*object, "game");
    if (!game) return common::Fail(game.error());
    auto version = NameField(*object, "version");
    if (!version) return common::Fail(version.error());
    auto client_ip = ClientIpField(*object);
    if (!client_ip) return common::Fail(client_ip.error());
    auto transport = TransportField(*object);
    if (!transport) return common::Fail(transport.error());
    return MatchRequest{std::move(*game), std::move(*version), std::move(*client_ip), *transport};
}

std::string_view TransportName(Transport transport) {
    return transport == Transport::kWebTransport ? "webtransport" : "udp";
}

std::string SerializeMatchRequest(const MatchRequest& request) {
    json::object object{{"game", request.game}, {"version", request.version}, {"client_ip", nullptr}};
    if (request.client_ip) object["client_ip"] = *request.client_ip;
    if (request.transport != Transport::kUdp) object["transport"] = TransportName(request.transport);
    return json::serialize(object);
}

std::string SerializeMatchReply(const MatchReply& reply) {
    return json::serialize(std::visit([](const auto& r) { return ToJson(r); }, reply));
}

Result<MatchReply> ParseMatchReply(std::string_view json_text) {
    auto value = ParseJson(json_text);
    if (!value) return common::Fail(Malformed(value.error().message()));
    if (value->is_string()) {
        if (value->get_string() == "Acknowledged") return MatchReply(Acknowledged{});
        return common::Fail(Malformed("unknown tag"));
    }
    const json::object* object = value->if_object();
    if (object == nullptr) return common::Fail(Malformed("expected a string or an object"));
    return ReadTagged(*object);
}

bool IsFinal(const MatchReply& reply) {
    return std::holds_alternative<SessionReady>(reply) || std::holds_alternative<MatchError>(reply);
}

std::string_view ReplyName(const MatchReply& reply) {
    static constexpr std::string_view kNames[] = {"Acknowledged", "SessionRequestAccepted", "ProgressReport",
                                                  "SessionReady", "Error"};
    return kNames[reply.index()];
}

}  // namespace gapkit::protocol
