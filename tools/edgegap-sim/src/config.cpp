// Parsing and validation of the simulator's JSON config file.
#include <fmt/core.h>

#include "command_line.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"
#include "strict_json.hpp"
#include "toml_config.hpp"
#include "version_config.hpp"

namespace gapkit::edgegap_sim {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;
namespace json = boost::json;

constexpr std::int64_t kMaxMinutes = 1440;

// Runs each read in turn and stops at the first failure.
#define GAPKIT_SIM_TRY(expr)                      \
    do {                                          \
        if (Status status_ = (expr); !status_) {  \
            return common::Fail(status_.error()); \
        }                                         \
    } while (false)

Result<const json::array*> OptionalArray(const json::object& object, std::string_view key, std::string_view where) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return nullptr;
    if (!value->is_array())
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}.{}: must be an array", where, key));
    return &value->get_array();
}

Result<const json::object*> ObjectAt(const json::value& value, std::string_view where) {
    if (!value.is_object()) return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: must be an object", where));
    return &value.get_object();
}

Result<SessionKind> ParseSessionKind(std::string_view text, std::string_view where) {
    if (text == "Default") return SessionKind::kDefault;
    if (text == "Seat") return SessionKind::kSeat;
    if (text == "Match") return SessionKind::kMatch;
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}.kind: '{}' is not Default, Seat or Match", where, text));
}

Status ParseSessionConfig(const json::object& object, std::string_view where, SessionConfig& out) {
    std::string kind;
    std::int64_t sockets = out.sockets;
    std::int64_t empty_ttl_minutes = -1;
    std::int64_t empty_ttl_seconds = -1;
    GAPKIT_SIM_TRY(ReadString(object, "kind", where, kind));
    GAPKIT_SIM_TRY(ReadInt(object, "sockets", where, 1, 100000, sockets));
    GAPKIT_SIM_TRY(ReadBool(object, "autodeploy", where, out.autodeploy));
    GAPKIT_SIM_TRY(ReadInt(object, "empty_ttl", where, 0, kMaxMinutes, empty_ttl_minutes));
    GAPKIT_SIM_TRY(ReadInt(object, "empty_ttl_seconds", where, 0, kMaxMinutes * 60, empty_ttl_seconds));
    if (!kind.empty()) {
        auto parsed_kind = ParseSessionKind(kind, where);
        if (!parsed_kind) return common::Fail(parsed_kind.error());
        out.kind = *parsed_kind;
    }
    out.sockets = static_cast<int>(sockets);
    if (empty_ttl_seconds >= 0) out.empty_ttl = std::chrono::seconds(empty_ttl_seconds);
    if (empty_ttl_seconds < 0 && empty_ttl_minutes >= 0) out.empty_ttl = std::chrono::minutes(empty_ttl_minutes);
    return common::Ok();
}

Status ParsePort(const json::value& value, std::string_view where, PortConfig& out) {
    auto object = ObjectAt(value, where);
    if (!object) return common::Fail(object.error());
    std::int64_t port = 0;
    GAPKIT_SIM_TRY(ReadString(**object, "name", where, out.name));
    GAPKIT_SIM_TRY(ReadInt(**object, "port", where, 0, 65535, port));
    GAPKIT_SIM_TRY(ReadString(**object, "protocol", where, out.protocol));
    GAPKIT_SIM_TRY(ReadBool(**object, "tls_upgrade", where, out.tls_upgrade));
    GAPKIT_SIM_TRY(ReadBool(**object, "to_check", where, out.to_check));
    out.port = static_cast<std::uint16_t>(port);
    if (out.name.empty()) out.name = std::to_string(port);
    return common::Ok();
}

Status ParseEnvs(const json::object& object, std::string_view where, VersionConfig& out) {
    auto envs = OptionalArray(object, "envs", where);
    if (!envs) return common::Fail(envs.error());
    if (*envs == nullptr) return common::Ok();
    out.envs.clear();
    out.secret_env_keys.clear();
    for (std::size_t i = 0; i < (*envs)->size(); ++i) {
        const std::string at = fmt::format("{}.envs[{}]", where, i);
        auto env = ObjectAt((**envs)[i], at);
        if (!env) return common::Fail(env.error());
        std::string key, value;
        bool secret = false;
        GAPKIT_SIM_TRY(ReadString(**env, "key", at, key));
        GAPKIT_SIM_TRY(ReadString(**env, "value", at, value));
        GAPKIT_SIM_TRY(ReadBool(**env, "is_secret", at, secret));
        if (secret) out.secret_env_keys.push_back(key);
        out.envs.emplace_back(std::move(key), std::move(value));
    }
    return common::Ok();
}

Status ParseVersionScalars(const json::object& object, std::string_view where, VersionConfig& out) {
    std::int64_t max_duration_minutes = -1;
    std::int64_t max_duration_seconds = -1;
    std::int64_t grace_seconds = out.termination_grace_period.count();
    std::int64_t req_cpu = out.req_cpu;
    std::int64_t req_memory = out.req_memory_mb;
    GAPKIT_SIM_TRY(ReadString(object, "name", where, out.name));
    GAPKIT_SIM_TRY(ReadBool(object, "is_active", where, out.is_active));
    GAPKIT_SIM_TRY(ReadString(object, "command", where, out.command));
    GAPKIT_SIM_TRY(ReadString(object, "arguments", where, out.arguments));
    GAPKIT_SIM_TRY(ReadString(object, "docker_repository", where, out.docker_repository));
    GAPKIT_SIM_TRY(ReadString(object, "docker_image", where, out.docker_image));
    GAPKIT_SIM_TRY(ReadString(object, "docker_tag", where, out.docker_tag));
    GAPKIT_SIM_TRY(ReadString(object, "private_username", where, out.private_username));
    GAPKIT_SIM_TRY(ReadString(object, "private_token", where, out.private_token));
    GAPKIT_SIM_TRY(ReadInt(object, "max_duration", where, 1, kMaxMinutes, max_duration_minutes));
    GAPKIT_SIM_TRY(ReadInt(object, "max_duration_seconds", where, 1, kMaxMinutes * 60, max_duration_seconds));
    GAPKIT_SIM_TRY(ReadInt(object, "termination_grace_period_seconds", where, 0, 3600, grace_seconds));
    GAPKIT_SIM_TRY(ReadInt(object, "req_cpu", where, 1, 1 << 20, req_cpu));
    GAPKIT_SIM_TRY(ReadInt(object, "req_memory", where, 1, 1 << 20, req_memory));
    if (max_duration_seconds > 0) out.max_duration = std::chrono::seconds(max_duration_seconds);
    if (max_duration_seconds < 0 && max_duration_minutes > 0)
        out.max_duration = std::chrono::minutes(max_duration_minutes);
    out.termination_grace_period = std::chrono::seconds(grace_seconds);
    out.req_cpu = static_cast<int>(req_cpu);
    out.req_memory_mb = static_cast<int>(req_memory);
    return common::Ok();
}

}  // namespace

Status ParseVersion(const json::value& value, std::string_view where, VersionConfig& out) {
    auto object = ObjectAt(value, where);
    if (!object) return common::Fail(object.error());
    GAPKIT_SIM_TRY(ParseVersionScalars(**object, where, out));
    GAPKIT_SIM_TRY(ParseEnvs(**object, where, out));
    if (const auto* session = (*object)->if_contains("session_config"); session != nullptr && !session->is_null()) {
        const std::string at = fmt::format("{}.session_config", where);
        auto session_object = ObjectAt(*session, at);
        if (!session_object) return common::Fail(session_object.error());
        GAPKIT_SIM_TRY(ParseSessionConfig(**session_object, at, out.session));
    }
    auto ports = OptionalArray(**object, "ports", where);
    if (!ports) return common::Fail(ports.error());
    if (*ports != nullptr) out.ports.clear();
    for (std::size_t i = 0; *ports != nullptr && i < (*ports)->size(); ++i) {
        GAPKIT_SIM_TRY(ParsePort((**ports)[i], fmt::format("{}.ports[{}]", where, i), out.ports.emplace_back()));
    }
    return common::Ok();
}

namespace {

Status ParseApp(const json::value& value, std::string_view where, AppConfig& out) {
    auto object = ObjectAt(value, where);
    if (!object) return common::Fail(object.error());
    GAPKIT_SIM_TRY(ReadString(**object, "name", where, out.name));
    auto versions = OptionalArray(**object, "versions", where);
    if (!versions) return common::Fail(versions.error());
    for (std::size_t i = 0; *versions != nullptr && i < (*versions)->size(); ++i) {
        GAPKIT_SIM_TRY(
            ParseVersion((**versions)[i], fmt::format("{}.versions[{}]", where, i), out.versions.emplace_back()));
    }
    return common::Ok();
}

Status ParseLocation(const json::object& root, LocationConfig& out) {
    const auto* value = root.if_contains("location");
    if (value == nullptr) return common::Ok();
    auto object = ObjectAt(*value, "location");
    if (!object) return common::Fail(object.error());
    GAPKIT_SIM_TRY(ReadString(**object, "city", "location", out.city));
    GAPKIT_SIM_TRY(ReadString(**object, "country", "location", out.country));
    GAPKIT_SIM_TRY(ReadString(**object, "continent", "location", out.continent));
    GAPKIT_SIM_TRY(ReadString(**object, "administrative_division", "location", out.administrative_division));
    GAPKIT_SIM_TRY(ReadString(**object, "timezone", "location", out.timezone));
    GAPKIT_SIM_TRY(ReadDouble(**object, "latitude", "location", out.latitude));
    return ReadDouble(**object, "longitude", "location", out.longitude);
}

Status ParseTimings(const json::object& root, SimulatorConfig& out) {
    std::int64_t seeking = out.delays.seeking.count();
    std::int64_t deploying = out.delays.deploying.count();
    std::int64_t deploy = out.rate_limits.deploy_per_second;
    std::int64_t status = out.rate_limits.status_per_second;
    std::int64_t context = out.rate_limits.context_per_second;
    std::int64_t env_bytes = static_cast<std::int64_t>(out.max_env_value_bytes);
    if (const auto* delays = root.if_contains("status_delays_ms"); delays != nullptr && delays->is_object()) {
        GAPKIT_SIM_TRY(ReadInt(delays->get_object(), "seeking", "status_delays_ms", 0, 600000, seeking));
        GAPKIT_SIM_TRY(ReadInt(delays->get_object(), "deploying", "status_delays_ms", 0, 600000, deploying));
    }
    if (const auto* limits = root.if_contains("rate_limits"); limits != nullptr && limits->is_object()) {
        GAPKIT_SIM_TRY(ReadInt(limits->get_object(), "deploy_per_second", "rate_limits", 0, 1000000, deploy));
        GAPKIT_SIM_TRY(ReadInt(limits->get_object(), "status_per_second", "rate_limits", 0, 1000000, status));
        GAPKIT_SIM_TRY(ReadInt(limits->get_object(), "context_per_second", "rate_limits", 0, 1000000, context));
    }
    GAPKIT_SIM_TRY(ReadInt(root, "max_env_value_bytes", "config", 1, 1 << 20, env_bytes));
    GAPKIT_SIM_TRY(ReadString(root, "public_ip", "config", out.public_ip));
    out.delays = {std::chrono::milliseconds(seeking), std::chrono::milliseconds(deploying)};
    out.rate_limits = {static_cast<int>(deploy), static_cast<int>(status), static_cast<int>(context)};
    out.max_env_value_bytes = static_cast<std::size_t>(env_bytes);
    return common::Ok();
}

Status CheckName(std::string_view name, std::string_view what) {
    if (name.empty() || name.size() > 64) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: name must be 1..64 characters", what));
    }
    return common::Ok();
}

}  // namespace

Status ValidateVersion(std::string_view app_name, const VersionConfig& version) {
    const std::string what = fmt::format("app '{}' version '{}'", app_name, version.name);
    GAPKIT_SIM_TRY(CheckName(version.name, what));
    if (version.command.empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": command is empty");
    for (const auto& port : version.ports) {
        if (port.name.empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": a port has no name");
    }
    if (version.session.sockets < 1) return MakeError(ErrorCode::kInvalidArgument, what + ": sockets must be >= 1");
    if (auto split = SplitArguments(version.arguments); !split) {
        return MakeError(ErrorCode::kInvalidArgument, what + ": arguments: " + split.error().message());
    }
    return common::Ok();
}

Status SimulatorConfig::Validate() const {
    if (api_key.empty()) return MakeError(ErrorCode::kInvalidArgument, "api_key: must not be empty");
    if (public_ip.empty()) return MakeError(ErrorCode::kInvalidArgument, "public_ip: must not be empty");
    if (max_body_bytes < 1024) return MakeError(ErrorCode::kInvalidArgument, "max_body_bytes: must be >= 1024");
    if (tick_interval <= std::chrono::milliseconds(0)) {
        return MakeError(ErrorCode::kInvalidArgument, "tick_interval: must be positive");
    }
    for (const auto& app : apps) {
        GAPKIT_SIM_TRY(CheckName(app.name, fmt::format("app '{}'", app.name)));
        if (app.versions.empty()) {
            return MakeError(ErrorCode::kInvalidArgument, fmt::format("app '{}': has no versions", app.name));
        }
        for (const auto& version : app.versions) GAPKIT_SIM_TRY(ValidateVersion(app.name, version));
    }
    return common::Ok();
}

common::Result<SimulatorConfig> ParseSimulatorConfig(std::string_view json_text) {
    auto root = ParseObject(json_text, "config");
    if (!root) return common::Fail(root.error());
    SimulatorConfig config;
    GAPKIT_SIM_TRY(ParseTimings(*root, config));
    GAPKIT_SIM_TRY(ParseLocation(*root, config.location));
    auto apps = OptionalArray(*root, "apps", "config");
    if (!apps) return common::Fail(apps.error());
    for (std::size_t i = 0; *apps != nullptr && i < (*apps)->size(); ++i) {
        GAPKIT_SIM_TRY(ParseApp((**apps)[i], fmt::format("apps[{}]", i), config.apps.emplace_back()));
    }
    GAPKIT_SIM_TRY(config.Validate());
    return config;
}

common::Result<SimulatorConfig> LoadSimulatorConfig(const std::filesystem::path& config_file) {
    auto text = common::ReadFile(config_file);
    if (!text) return common::Fail(text.error());
    if (config_file.extension() == ".toml") {
        text = TomlToJson(*text);
        if (!text) return common::Fail(text.error().WithContext(config_file.string()));
    }
    auto config = ParseSimulatorConfig(*text);
    if (!config) return common::Fail(config.error().WithContext(config_file.string()));
    // A command written as a relative path is relative to the config file, not to the cwd.
    for (auto& app : config->apps) {
        for (auto& version : app.versions) {
            if (version.command.find('/') != std::string::npos && version.command.front() != '/') {
                version.command = (config_file.parent_path() / version.command).lexically_normal().string();
            }
        }
    }
    return config;
}

}  // namespace gapkit::edgegap_sim
