#include "gapkit/server/environment.hpp"

#include <algorithm>
#include <exception>
#include <limits>

#include <fmt/core.h>
#include <boost/json.hpp>

#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/common/secrets.hpp"
#include "gapkit/netcode/address.hpp"
#include "gapkit/netcode/private_key.hpp"

namespace gapkit::server {

using common::ErrorCode;
using common::MakeError;
using common::Result;

namespace {

constexpr std::string_view kCaFlag = "--ca_contents";
constexpr std::string_view kPemBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kPrivateKeyVar = "GAPKIT_PRIVATE_KEY";
constexpr std::string_view kPrivateKeyFileVar = "GAPKIT_PRIVATE_KEY_FILE";
constexpr std::string_view kProtocolIdVar = "GAPKIT_PROTOCOL_ID";

common::Error Invalid(std::string_view name, std::string_view problem) {
    return common::Error(ErrorCode::kInvalidArgument, fmt::format("environment variable {}: {}", name, problem));
}

Result<std::string> Required(const EnvLookup& lookup, std::string_view name) {
    auto value = lookup(name);
    if (!value || value->empty()) return common::Fail(Invalid(name, value ? "is empty" : "is not set"));
    return *value;
}

// The error_code overload of boost::json::parse (Boost 1.81) reports malformed input and too-deep
// nesting through `error`; only an allocation failure can throw (std::bad_alloc). The environment
// is read once at start, so even that is reported as this variable's failure, not thrown.
Result<boost::json::value> ParseJson(std::string_view name, const std::string& text) {
    try {
        boost::system::error_code error;
        boost::json::value value = boost::json::parse(text, error);
        if (error) return common::Fail(Invalid(name, "is not valid JSON: " + error.message()));
        return value;
    } catch (const std::exception& e) {
        return common::Fail(Invalid(name, std::string("cannot be parsed: ") + e.what()));
    }
}

Result<int> PortNumber(const boost::json::object& port, std::string_view field, std::string_view where) {
    const boost::json::value* value = port.if_contains(field);
    // Larger values arrive as uint64 and doubles as double: both are out of range here.
    const std::int64_t number = value && value->is_int64() ? value->as_int64() : -1;
    if (number < 1 || number > 65535) {
        return common::Fail(
            Invalid("ARBITRIUM_PORTS_MAPPING", fmt::format("{}.{} is not a port number 1..65535", where, field)));
    }
    return static_cast<int>(number);
}

Result<ArbitriumPort> ParsePort(const std::string& key, const boost::json::value& value) {
    const auto* object = value.if_object();
    if (object == nullptr)
        return common::Fail(Invalid("ARBITRIUM_PORTS_MAPPING", fmt::format("ports.{} is not an object", key)));
    auto internal = PortNumber(*object, "internal", "ports." + key);
    if (!internal) return common::Fail(internal.error());
    auto external = PortNumber(*object, "external", "ports." + key);
    if (!external) return common::Fail(external.error());
    const auto* protocol = object->if_contains("protocol");
    return ArbitriumPort{key, *internal, *external,
                         protocol && protocol->is_string() ? std::string(protocol->as_string()) : std::string()};
}

Result<std::vector<ArbitriumPort>> ParsePorts(const std::string& text) {
    constexpr std::string_view kName = "ARBITRIUM_PORTS_MAPPING";
    auto json = ParseJson(kName, text);
    if (!json) return common::Fail(json.error());
    const auto* root = json->if_object();
    const auto* ports = root ? root->if_contains("ports") : nullptr;
    if (ports == nullptr || !ports->is_object() || ports->as_object().empty()) {
        return common::Fail(Invalid(kName, "needs a non-empty \"ports\" object"));
    }
    std::vector<ArbitriumPort> parsed;
    for (const auto& [key, value] : ports->as_object()) {
        auto port = ParsePort(std::string(key), value);
        if (!port) return common::Fail(port.error());
        parsed.push_back(std::move(*port));
    }
    std::sort(parsed.begin(), parsed.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return parsed;
}

std::string StringField(const boost::json::object& object, std::string_view field) {
    const auto* value = object.if_contains(field);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

common::Status ParseLocation(const EnvLookup& lookup, ArbitriumEnvironment& env) {
    constexpr std::string_view kName = "ARBITRIUM_DEPLOYMENT_LOCATION";
    auto text = lookup(kName);
    if (!text || text->empty()) return common::Ok();
    auto json = ParseJson(kName, *text);
    if (!json) return common::Fail(json.error());
    if (!json->is_object()) return common::Fail(Invalid(kName, "is not a JSON object"));
    env.location_json = *text;
    env.city = StringField(json->as_object(), "city");
    env.country = StringField(json->as_object(), "country");
    return common::Ok();
}

Result<std::string> RequiredUrl(const EnvLookup& lookup, std::string_view name) {
    auto url = Required(lookup, name);
    if (url && !url->starts_with("http://") && !url->starts_with("https://")) {
        return common::Fail(Invalid(name, fmt::format("'{}' is not an http(s) URL", *url)));
    }
    return url;
}

Result<std::string> RequiredIp(const EnvLookup& lookup) {
    constexpr std::string_view kName = "ARBITRIUM_PUBLIC_IP";
    auto ip = Required(lookup, kName);
    if (ip && !netcode::Address::FromIp(*ip, 1)) {
        return common::Fail(Invalid(kName, fmt::format("'{}' is not an IP address", *ip)));
    }
    return ip;
}

std::optional<std::string> NonEmpty(const EnvLookup& lookup, std::string_view name) {
    auto value = lookup(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

// The key's text, from the file when both are set (as the matchmaker and spaceships-server do), so
// a mounted secret beats a variable left over in an image. Nothing when neither is set.
Result<std::optional<std::string>> PrivateKeyText(const EnvLookup& lookup, std::string_view& source) {
    if (auto path = NonEmpty(lookup, kPrivateKeyFileVar)) {
        source = kPrivateKeyFileVar;
        auto text = common::ReadSecretFile(*path);
        if (!text) return common::Fail(Invalid(kPrivateKeyFileVar, text.error().message()));
        return std::optional<std::string>(std::move(*text));
    }
    source = kPrivateKeyVar;
    return NonEmpty(lookup, kPrivateKeyVar);
}

common::Status ApplyPrivateKey(const EnvLookup& lookup, bool on_edgegap, netcode::Key& key) {
    std::string_view source;
    auto text = PrivateKeyText(lookup, source);
    if (!text) return common::Fail(text.error());
    if (!*text) {
        if (!on_edgegap) return common::Ok();
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("no netcode private key on Edgegap: set {} or {} (the matchmaker's key), or "
                                     "GameServerConfig::private_key",
                                     kPrivateKeyVar, kPrivateKeyFileVar));
    }
    auto parsed = netcode::ParsePrivateKey(**text);
    common::Wipe(**text);
    if (!parsed) return common::Fail(Invalid(source, parsed.error().message()));
    key = *parsed;
    common::Wipe(*parsed);
    return common::Ok();
}

common::Status ApplyProtocolId(const EnvLookup& lookup, bool on_edgegap, std::uint64_t& protocol_id) {
    auto text = NonEmpty(lookup, kProtocolIdVar);
    if (!text) {
        if (!on_edgegap) return common::Ok();
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("no netcode protocol id on Edgegap: set {} (the matchmaker's), or "
                                     "GameServerConfig::protocol_id",
                                     kProtocolIdVar));
    }
    auto parsed = common::ParseInt(*text, 1, std::numeric_limits<std::int64_t>::max());
    if (!parsed) return common::Fail(Invalid(kProtocolIdVar, parsed.error().message()));
    protocol_id = static_cast<std::uint64_t>(*parsed);
    return common::Ok();
}

}  // namespace

Result<ArbitriumPort> ArbitriumEnvironment::GamePort(std::string_view name, std::string_view except) const {
    for (const auto& port : ports) {
        const bool udp = port.protocol == "UDP" || port.protocol == "udp";
        if (name.empty() ? udp && port.name != except : port.name == name) return port;
    }
    std::string names;
    for (const auto& port : ports)
        names += fmt::format("{}{} ({})", names.empty() ? "" : ", ", port.name, port.protocol);
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("ARBITRIUM_PORTS_MAPPING has no {} among: {}",
                                 name.empty() ? std::string("UDP port") : fmt::format("port named '{}'", name), names));
}

EnvLookup ProcessEnvironment() {
    return [](std::string_view name) { return common::GetEnv(name); };
}

Result<std::optional<ArbitriumEnvironment>> ParseArbitriumEnvironment(const EnvLookup& lookup) {
    auto request_id = lookup("ARBITRIUM_REQUEST_ID");
    if (!request_id) return std::optional<ArbitriumEnvironment>();
    ArbitriumEnvironment env;
    auto fields = {std::pair{&env.request_id, Required(lookup, "ARBITRIUM_REQUEST_ID")},
                   std::pair{&env.public_ip, RequiredIp(lookup)},
                   std::pair{&env.context_url, RequiredUrl(lookup, "ARBITRIUM_CONTEXT_URL")},
                   std::pair{&env.context_token, Required(lookup, "ARBITRIUM_CONTEXT_TOKEN")},
                   std::pair{&env.delete_url, RequiredUrl(lookup, "ARBITRIUM_DELETE_URL")},
                   std::pair{&env.delete_token, Required(lookup, "ARBITRIUM_DELETE_TOKEN")}};
    for (const auto& [target, value] : fields) {
        if (!value) return common::Fail(value.error());
        *target = *value;
    }
    auto ports = Required(lookup, "ARBITRIUM_PORTS_MAPPING").and_then(ParsePorts);
    if (!ports) return common::Fail(ports.error());
    env.ports = std::move(*ports);
    if (auto location = ParseLocation(lookup, env); !location) return common::Fail(location.error());
    return std::optional<ArbitriumEnvironment>(std::move(env));
}

common::Status ApplyGapkitEnvironment(const EnvLookup& lookup, GameServerConfig& config) {
    const bool on_edgegap = lookup("ARBITRIUM_REQUEST_ID").has_value();
    if (config.private_key == netcode::Key{}) {
        if (auto applied = ApplyPrivateKey(lookup, on_edgegap, config.private_key); !applied) return applied;
    }
    if (config.protocol_id == 0) return ApplyProtocolId(lookup, on_edgegap, config.protocol_id);
    return common::Ok();
}

Result<std::optional<std::string>> ParseCaContentsFlag(int argc, const char* const* argv) {
    std::optional<std::string> pem;
    if (argv == nullptr) return pem;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i] ? argv[i] : "";
        std::optional<std::string_view> value;
        if (arg == kCaFlag) {
            if (i + 1 >= argc || argv[i + 1] == nullptr) {
                return MakeError(ErrorCode::kInvalidArgument, "--ca_contents needs a PEM value");
            }
            value = argv[++i];
        } else if (arg.starts_with(kCaFlag) && arg.size() > kCaFlag.size() && arg[kCaFlag.size()] == '=') {
            value = arg.substr(kCaFlag.size() + 1);
        }
        if (!value) continue;
        if (pem) return MakeError(ErrorCode::kInvalidArgument, "--ca_contents is given more than once");
        if (value->find(kPemBegin) == std::string_view::npos) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("--ca_contents: the value ({} bytes) holds no {} block", value->size(), kPemBegin));
        }
        pem = std::string(*value);
    }
    return pem;
}

}  // namespace gapkit::server
