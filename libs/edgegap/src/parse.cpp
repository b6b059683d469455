#include "gapkit/edgegap/parse.hpp"

#include <utility>

#include <fmt/core.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tolerant_json.hpp"

namespace gapkit::edgegap::detail {
namespace {

namespace json = boost::json;

std::vector<std::string> ReadStrings(const json::array* array) {
    std::vector<std::string> strings;
    if (array == nullptr) return strings;
    for (const auto& item : *array) {
        if (const auto* text = item.if_string()) strings.emplace_back(text->data(), text->size());
    }
    return strings;
}

std::map<std::string, PortMapping> ReadPorts(const json::object* ports) {
    std::map<std::string, PortMapping> mappings;
    if (ports == nullptr) return mappings;
    for (const auto& [key, value] : *ports) {
        const auto* port = value.if_object();
        if (port == nullptr) continue;
        const Fields fields(*port, "port");
        PortMapping mapping;
        mapping.name = std::string(key.data(), key.size());
        mapping.external = fields.IntOr("external", 0);
        mapping.internal = fields.IntOr("internal", 0);
        mapping.protocol = fields.StringOr("protocol");
        mapping.link = fields.StringOr("link");
        mapping.tls_upgrade = fields.BoolOr("tls_upgrade", false);
        mappings.emplace(mapping.name, std::move(mapping));
    }
    return mappings;
}

std::optional<Location> ReadLocation(const json::object* object) {
    if (object == nullptr) return std::nullopt;
    const Fields fields(*object, "location");
    Location location;
    location.city = fields.StringOr("city");
    location.country = fields.StringOr("country");
    location.continent = fields.StringOr("continent");
    location.administrative_division = fields.StringOr("administrative_division");
    location.timezone = fields.StringOr("timezone");
    location.latitude = fields.Double("latitude").value_or(0.0);
    location.longitude = fields.Double("longitude").value_or(0.0);
    return location;
}

std::optional<int> ReadOptionalInt(const Fields& fields, std::string_view key) {
    const auto value = fields.Int(key);
    if (!value || *value < 0 || *value > 1'000'000'000) return std::nullopt;
    return static_cast<int>(*value);
}

// `/v1/status` says current_status/running; the smaller Deployment object says status/ready.
common::Result<DeploymentStatus> ReadDeployment(const json::object& object, std::string_view what, bool need_status) {
    Fields fields(object, what);
    DeploymentStatus status;
    status.request_id = fields.RequireString("request_id");
    status.current_status = fields.String("current_status").value_or(fields.StringOr("status"));
    if (need_status && status.current_status.empty()) fields.Missing("current_status");
    status.state = ParseDeploymentState(status.current_status);
    status.running = fields.Bool("running").value_or(fields.BoolOr("ready", false));
    status.fqdn = fields.StringOr("fqdn");
    status.app_name = fields.StringOr("app_name");
    status.app_version = fields.StringOr("app_version");
    status.error = fields.BoolOr("error", false);
    status.error_detail = fields.StringOr("error_detail");
    status.public_ip = fields.StringOr("public_ip");
    status.ports = ReadPorts(fields.Object("ports"));
    status.location = ReadLocation(fields.Object("location"));
    status.tags = ReadStrings(fields.Array("tags"));
    status.elapsed_seconds = fields.Int("elapsed_time").value_or(0);
    status.sockets = ReadOptionalInt(fields, "sockets");
    status.sockets_usage = ReadOptionalInt(fields, "sockets_usage");
    status.is_joinable_by_session = fields.Bool("is_joinable_by_session");
    if (auto ok = fields.status(); !ok) return common::Fail(ok.error());
    return status;
}

// The `ip` of each user object; Edgegap sends `session_ips`, older answers only `session_users`.
std::vector<std::string> ReadUserIps(const Fields& fields) {
    const json::array* users = fields.Array("session_ips");
    if (users == nullptr || users->empty()) users = fields.Array("session_users");
    std::vector<std::string> ips;
    if (users == nullptr) return ips;
    for (const auto& user : *users) {
        if (!user.is_object()) continue;
        if (auto ip = Fields(user.as_object(), "session user").String("ip")) ips.push_back(std::move(*ip));
    }
    return ips;
}

common::Result<Session> ReadSession(const json::object& object) {
    Fields fields(object, "session");
    Session session;
    session.session_id = fields.RequireString("session_id");
    session.custom_id = fields.StringOr("custom_id");
    session.status = fields.StringOr("status");
    session.state = ParseSessionState(session.status);
    session.ready = fields.BoolOr("ready", false);
    session.linked = fields.BoolOr("linked", false);
    session.kind = fields.StringOr("kind");
    session.kind_value = ParseSessionKind(session.kind);
    session.user_count = fields.IntOr("user_count", 0);
    session.create_time = fields.StringOr("create_time");
    session.elapsed_seconds = fields.Int("elapsed").value_or(0);
    session.error = fields.StringOr("error");
    session.webhook_url = fields.StringOr("webhook_url");
    session.user_ips = ReadUserIps(fields);
    session.deployment_request_id = fields.StringOr("deployment_request_id");
    if (const auto* deployment = fields.Object("deployment")) {
        auto parsed = ReadDeployment(*deployment, "session deployment", false);
        if (!parsed) return common::Fail(parsed.error());
        if (session.deployment_request_id.empty()) session.deployment_request_id = parsed->request_id;
        session.deployment = std::move(*parsed);
    }
    if (auto ok = fields.status(); !ok) return common::Fail(ok.error());
    return session;
}

// Calls `read` with the fields of each object in `array`; other items are skipped.
template <typename Read>
void ForEachObject(const json::array* array, std::string_view what, Read read) {
    if (array == nullptr) return;
    for (const auto& item : *array) {
        if (const auto* object = item.if_object()) read(Fields(*object, what));
    }
}

std::optional<SessionConfig> ReadSessionConfig(const json::object* object) {
    if (object == nullptr) return std::nullopt;
    const Fields fields(*object, "session_config");
    return SessionConfig{fields.StringOr("kind"), fields.IntOr("sockets", 0), fields.BoolOr("autodeploy", false),
                         fields.IntOr("empty_ttl", 0)};
}

common::Result<AppVersion> ReadAppVersion(const json::object& object) {
    Fields fields(object, "app version");
    AppVersion version;
    version.name = fields.RequireString("name");
    version.is_active = fields.BoolOr("is_active", false);
    version.docker_repository = fields.StringOr("docker_repository");
    version.docker_image = fields.StringOr("docker_image");
    version.docker_tag = fields.StringOr("docker_tag");
    version.private_username = fields.StringOr("private_username");
    version.private_token = fields.StringOr("private_token");
    version.req_cpu = fields.IntOr("req_cpu", 0);
    version.req_memory = fields.IntOr("req_memory", 0);
    version.max_duration_minutes = fields.IntOr("max_duration", 0);
    version.time_to_deploy_seconds = fields.IntOr("time_to_deploy", 0);
    version.command = fields.String("command");
    version.arguments = fields.String("arguments");
    version.session_config = ReadSessionConfig(fields.Object("session_config"));
    ForEachObject(fields.Array("ports"), "app version port", [&](const Fields& port) {
        version.ports.push_back({port.IntOr("port", 0), port.StringOr("protocol"), port.StringOr("name"),
                                 port.BoolOr("to_check", true), port.BoolOr("tls_upgrade", false)});
    });
    // Older specs name the flag `is_secret`, newer ones `is_hidden`.
    ForEachObject(fields.Array("envs"), "env", [&](const Fields& env) {
        version.envs.push_back({env.StringOr("key"), env.StringOr("value"),
                                env.Bool("is_hidden").value_or(env.BoolOr("is_secret", false))});
    });
    if (auto ok = fields.status(); !ok) return common::Fail(ok.error());
    return version;
}

// Parses `text` as one JSON object and hands it to `read`.
template <typename Read>
auto ParseObject(std::string_view text, std::string_view what, Read read) -> decltype(read(json::object())) {
    auto value = ParseJson(text, what);
    if (!value) return common::Fail(value.error());
    auto object = AsObject(*value, what);
    if (!object) return common::Fail(object.error());
    return read(**object);
}

template <typename T, typename ReadItem>
common::Result<Page<T>> ReadPage(const json::object& object, std::string_view what, ReadItem read_item) {
    Fields fields(object, what);
    const auto& data = fields.RequireArray("data");
    if (auto ok = fields.status(); !ok) return common::Fail(ok.error());
    Page<T> page;
    for (const auto& item : data) {
        auto item_object = AsObject(item, fmt::format("an item of {}", what));
        if (!item_object) return common::Fail(item_object.error());
        auto parsed = read_item(**item_object);
        if (!parsed) return common::Fail(parsed.error());
        page.items.push_back(std::move(*parsed));
    }
    page.total_count = fields.Int("total_count").value_or(fields.Int("count").value_or(page.items.size()));
    if (const auto* pagination = fields.Object("pagination")) {
        page.has_next = Fields(*pagination, "pagination").BoolOr("has_next", false);
    }
    return page;
}

json::array ToJsonArray(const std::vector<std::string>& strings) {
    json::array array;
    for (const auto& text : strings) array.emplace_back(text);
    return array;
}

json::array VersionPortsJson(const std::vector<AppVersionPort>& ports) {
    json::array array;
    for (const auto& port : ports) {
        array.push_back(json::object{{"port", port.port},
                                     {"protocol", port.protocol},
                                     {"to_check", port.to_check},
                                     {"tls_upgrade", port.tls_upgrade},
                                     {"name", port.name}});
    }
    return array;
}

// App versions name the hiding flag `is_secret` (Edgegap's AppVersionEnv); deploys say `is_hidden`.
json::array VersionEnvsJson(const std::vector<EnvVar>& envs) {
    json::array array;
    for (const auto& env : envs) {
        array.push_back(json::object{{"key", env.key}, {"value", env.value}, {"is_secret", env.is_hidden}});
    }
    return array;
}

template <typename T>
void PutIfSet(json::object& object, std::string_view key, const std::optional<T>& value) {
    if (value) object[key] = *value;
}

}  // namespace

common::Result<DeploymentStatus> ParseDeploymentStatus(std::string_view json) {
    return ParseObject(json, "deployment status",
                       [](const json::object& object) { return ReadDeployment(object, "deployment status", true); });
}

common::Result<Context> ParseContext(std::string_view json) {
    return ParseObject(json, "context",
                       [](const json::object& object) { return ReadDeployment(object, "context", false); });
}

common::Result<Session> ParseSession(std::string_view json) { return ParseObject(json, "session", ReadSession); }

common::Result<CreatedSession> ParseCreatedSession(std::string_view json) {
    return ParseObject(json, "created session", [](const json::object& object) -> common::Result<CreatedSession> {
        Fields fields(object, "created session");
        CreatedSession created{fields.RequireString("session_id"), fields.StringOr("custom_id"), fields.StringOr("app"),
                               fields.StringOr("version"), fields.StringOr("deployment_request_id")};
        if (auto ok = fields.status(); !ok) return common::Fail(ok.error());
        return created;
    });
}

common::Result<CreatedDeployment> ParseCreatedDeployment(std::string_view json) {
    return ParseObject(json, "created deployment", [](const json::object& object) -> common::Result<CreatedDeployment> {
        Fields fields(object, "created deployment");
        CreatedDeployment created{fields.RequireString("request_id"), fields.StringOr("request_dns"),
                                  fields.StringOr("request_app"), fields.StringOr("request_version"),
                                  fields.IntOr("request_user_count", 0)};
        if (auto ok = fields.status(); !ok) return common::Fail(ok.error());
        return created;
    });
}

common::Result<Page<Session>> ParseSessionPage(std::string_view json) {
    return ParseObject(json, "session list", [](const json::object& object) {
        return ReadPage<Session>(object, "session list", ReadSession);
    });
}

common::Result<Page<DeploymentStatus>> ParseDeploymentPage(std::string_view json) {
    return ParseObject(json, "deployment list", [](const json::object& object) {
        return ReadPage<DeploymentStatus>(object, "deployment list", [](const json::object& item) {
            return ReadDeployment(item, "listed deployment", false);
        });
    });
}

common::Result<AppVersion> ParseAppVersion(std::string_view json) {
    return ParseObject(json, "app version", [](const json::object& object) {
        const auto* wrapped = object.if_contains("version");
        if (wrapped != nullptr && wrapped->is_object()) return ReadAppVersion(wrapped->get_object());
        return ReadAppVersion(object);
    });
}

common::Result<SessionUsers> ParseSessionUsers(std::string_view json) {
    return ParseObject(json, "session users", [](const json::object& object) -> common::Result<SessionUsers> {
        Fields fields(object, "session users");
        const auto& users = fields.RequireArray("session_users");
        if (auto ok = fields.status(); !ok) return common::Fail(ok.error());
        SessionUsers result;
        for (const auto& item : users) {
            auto user_object = AsObject(item, "a session user");
            if (!user_object) return common::Fail(user_object.error());
            Fields user(**user_object, "session user");
            SessionUser parsed{user.RequireString("ip"), user.Double("latitude").value_or(0.0),
                               user.Double("longitude").value_or(0.0)};
            if (auto ok = user.status(); !ok) return common::Fail(ok.error());
            result.users.push_back(std::move(parsed));
        }
        return result;
    });
}

std::string ParseErrorMessage(std::string_view json) {
    boost::system::error_code ec;
    const json::value value = json::parse(json::string_view(json.data(), json.size()), ec);
    if (ec || !value.is_object()) return {};
    return Fields(value.get_object(), "error").StringOr("message");
}

std::string SerializeSessionRequest(const SessionRequest& request) {
    json::object body;
    body["app_name"] = request.app_name;
    PutIfSet(body, "version_name", request.version_name);
    body["ip_list"] = ToJsonArray(request.ip_list);
    PutIfSet(body, "webhook_url", request.webhook_url);
    PutIfSet(body, "deployment_request_id", request.deployment_request_id);
    return json::serialize(body);
}

std::string SerializeIpList(const std::vector<std::string>& ips) {
    return json::serialize(json::object{{"ip_list", ToJsonArray(ips)}});
}

std::string SerializeDeployRequest(const DeployRequest& request) {
    json::object body;
    body["app_name"] = request.app_name;
    PutIfSet(body, "version_name", request.version_name);
    body["ip_list"] = ToJsonArray(request.ip_list);
    if (!request.env_vars.empty()) {
        json::array envs;
        for (const auto& env : request.env_vars) {
            envs.push_back(json::object{{"key", env.key}, {"value", env.value}, {"is_hidden", env.is_hidden}});
        }
        body["env_vars"] = std::move(envs);
    }
    if (!request.tags.empty()) body["tags"] = ToJsonArray(request.tags);
    PutIfSet(body, "webhook_url", request.webhook_url);
    PutIfSet(body, "command", request.command);
    PutIfSet(body, "arguments", request.arguments);
    return json::serialize(body);
}

std::string SerializeAppVersionPatch(const AppVersionPatch& patch) {
    json::object body;
    PutIfSet(body, "arguments", patch.arguments);
    PutIfSet(body, "command", patch.command);
    PutIfSet(body, "is_active", patch.is_active);
    PutIfSet(body, "max_duration", patch.max_duration_minutes);
    PutIfSet(body, "time_to_deploy", patch.time_to_deploy_seconds);
    PutIfSet(body, "docker_repository", patch.docker_repository);
    PutIfSet(body, "docker_image", patch.docker_image);
    PutIfSet(body, "docker_tag", patch.docker_tag);
    PutIfSet(body, "private_username", patch.private_username);
    PutIfSet(body, "private_token", patch.private_token);
    PutIfSet(body, "req_cpu", patch.req_cpu);
    PutIfSet(body, "req_memory", patch.req_memory);
    if (const auto& session = patch.session_config) {
        json::object config;
        PutIfSet(config, "kind", session->kind);
        PutIfSet(config, "sockets", session->sockets);
        PutIfSet(config, "autodeploy", session->autodeploy);
        PutIfSet(config, "empty_ttl", session->empty_ttl_minutes);
        body["session_config"] = std::move(config);
    }
    if (patch.ports) body["ports"] = VersionPortsJson(*patch.ports);
    if (patch.envs) body["envs"] = VersionEnvsJson(*patch.envs);
    return json::serialize(body);
}

std::string SerializeAppVersionSpec(const AppVersionSpec& spec) {
    json::object body{{"name", spec.name},
                      {"is_active", spec.is_active},
                      {"docker_repository", spec.docker_repository},
                      {"docker_image", spec.docker_image},
                      {"docker_tag", spec.docker_tag},
                      {"req_cpu", spec.req_cpu},
                      {"req_memory", spec.req_memory}};
    if (spec.max_duration_minutes > 0) body["max_duration"] = spec.max_duration_minutes;
    if (spec.time_to_deploy_seconds > 0) body["time_to_deploy"] = spec.time_to_deploy_seconds;
    if (!spec.private_username.empty()) body["private_username"] = spec.private_username;
    if (!spec.private_token.empty()) body["private_token"] = spec.private_token;
    PutIfSet(body, "command", spec.command);
    PutIfSet(body, "arguments", spec.arguments);
    if (const auto& session = spec.session_config) {
        body["session_config"] = json::object{{"kind", session->kind},
                                              {"sockets", session->sockets},
                                              {"autodeploy", session->autodeploy},
                                              {"empty_ttl", session->empty_ttl_minutes}};
    }
    body["ports"] = VersionPortsJson(spec.ports);
    body["envs"] = VersionEnvsJson(spec.envs);
    return json::serialize(body);
}

}  // namespace gapkit::edgegap::detail
