#include "api.hpp"

#include <fmt/core.h>
#include <boost/url/parse.hpp>

#include "command_line.hpp"
#include "gapkit/common/env.hpp"
#include "json_views.hpp"
#include "strict_json.hpp"
#include "version_config.hpp"

namespace gapkit::edgegap_sim {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

struct Route {
    http::verb method;
    std::vector<std::string> segments;  // Path split on '/', without the empty first one.
    std::size_t page = 1;
    std::size_t limit = 100;
    std::string authorization;
    const std::string& body;
};

ApiAnswer Answer(unsigned status, json::value body) { return {status, std::move(body)}; }
ApiAnswer Failure(unsigned status, std::string_view message) { return {status, ErrorBody(message)}; }
ApiAnswer Failure(const Refusal& refusal) { return Failure(refusal.http_status, refusal.message); }

// A path template such as "/v1/session/{id}": "{...}" segments match any one segment.
struct RouteSpec {
    http::verb method;
    std::string_view path;
};

bool Matches(http::verb method, const std::vector<std::string>& segments, const RouteSpec& spec) {
    if (method != spec.method) return false;
    std::size_t i = 0;
    std::string_view rest = spec.path.substr(1);
    for (; !rest.empty(); ++i) {
        const std::size_t slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (i >= segments.size() || (part.front() != '{' && part != segments[i])) return false;
    }
    return i == segments.size();
}

bool Matches(const Route& route, const RouteSpec& spec) { return Matches(route.method, route.segments, spec); }

using V = http::verb;
constexpr RouteSpec kDeploy{V::post, "/v1/deploy"};
constexpr RouteSpec kStatus{V::get, "/v1/status/{id}"};
constexpr RouteSpec kStop{V::delete_, "/v1/stop/{id}"};
constexpr RouteSpec kDeployments{V::get, "/v1/deployments"};
constexpr RouteSpec kContainerLogs{V::get, "/v1/deployment/{id}/container-logs"};
constexpr RouteSpec kCreateSession{V::post, "/v1/session"};
constexpr RouteSpec kGetSession{V::get, "/v1/session/{id}"};
constexpr RouteSpec kDeleteSession{V::delete_, "/v1/session/{id}"};
constexpr RouteSpec kSessions{V::get, "/v1/sessions"};
constexpr RouteSpec kGetSessionUsers{V::get, "/v1/session/{id}/users"};
constexpr RouteSpec kPutSessionUsers{V::put, "/v1/session/{id}/users"};
constexpr RouteSpec kDeleteSessionUsers{V::delete_, "/v1/session/{id}/users"};
constexpr RouteSpec kCreateVersion{V::post, "/v1/app/{app}/version"};
constexpr RouteSpec kGetVersion{V::get, "/v1/app/{app}/version/{version}"};
constexpr RouteSpec kPatchVersion{V::patch, "/v1/app/{app}/version/{version}"};
constexpr RouteSpec kContext{V::get, "/v1/context/{id}/{n}"};
constexpr RouteSpec kSelfStop{V::delete_, "/v1/self/stop/{id}/{key}"};
constexpr RouteSpec kAllRoutes[] = {
    kDeploy,        kStatus,        kStop,         kDeployments,     kContainerLogs,   kCreateSession,
    kGetSession,    kDeleteSession, kSessions,     kGetSessionUsers, kPutSessionUsers, kDeleteSessionUsers,
    kCreateVersion, kGetVersion,    kPatchVersion, kContext,         kSelfStop};

std::vector<std::string> Segments(const boost::urls::url_view& url) {
    std::vector<std::string> segments;
    for (auto segment : url.segments()) segments.push_back(segment);
    return segments;
}

bool ApiKeyValid(const World& world, const Route& route) {
    const std::string& key = world.config().api_key;
    return route.authorization == "token " + key || route.authorization == key;
}

OrRefusal<DeployRequest> ParseDeploy(const std::string& body) {
    auto object = ParseObject(body, "request body");
    if (!object) return Refuse(400, object.error().message());
    DeployRequest request;
    common::Status read = ReadString(*object, "app_name", "body", request.app);
    if (read) read = ReadString(*object, "version_name", "body", request.version);
    if (read) read = ReadStrings(*object, "ip_list", "body", request.ip_list);
    if (read) read = ReadStrings(*object, "tags", "body", request.tags);
    if (read) read = ReadString(*object, "webhook_url", "body", request.webhook_url);
    if (const auto* envs = object->if_contains("env_vars"); read && envs != nullptr && envs->is_array()) {
        for (const auto& env : envs->get_array()) {
            if (!env.is_object()) continue;
            std::string key, value;
            if (read) read = ReadString(env.get_object(), "key", "body.env_vars[]", key);
            if (read) read = ReadString(env.get_object(), "value", "body.env_vars[]", value);
            request.env_vars.emplace_back(std::move(key), std::move(value));
        }
    }
    if (!read) return Refuse(400, read.error().message());
    if (request.app.empty()) return Refuse(400, "app_name is required");
    return request;
}

OrRefusal<SessionRequest> ParseSession(const std::string& body) {
    auto object = ParseObject(body, "request body");
    if (!object) return Refuse(400, object.error().message());
    SessionRequest request;
    common::Status read = ReadString(*object, "app_name", "body", request.app);
    if (read) read = ReadString(*object, "version_name", "body", request.version);
    if (read) read = ReadStrings(*object, "ip_list", "body", request.ip_list);
    if (read) read = ReadString(*object, "deployment_request_id", "body", request.deployment_request_id);
    if (read) read = ReadString(*object, "webhook_url", "body", request.webhook_url);
    if (!read) return Refuse(400, read.error().message());
    if (request.app.empty()) return Refuse(400, "app_name is required");
    return request;
}

ApiAnswer StopAnswer(World& world, const std::string& request_id) {
    auto outcome = world.Stop(request_id, "stop requested through the API");
    if (!outcome) return Failure(outcome.error());
    if (*outcome == StopOutcome::kDeferred) {
        return Answer(202, json::object{{"message", request_id + " - Delete request will be processed soon"}});
    }
    const Deployment& d = *world.FindDeployment(request_id);
    return Answer(200, json::object{{"message", fmt::format("Instance {} will be deleted", request_id)},
                                    {"deployment_summary", world.StatusOf(d)}});
}

template <typename Item, typename ToJson>
json::object Page(const Route& route, const std::vector<const Item*>& items, ToJson to_json) {
    json::array data;
    const std::size_t first = (route.page - 1) * route.limit;
    for (std::size_t i = first; i < items.size() && i < first + route.limit; ++i) data.push_back(to_json(*items[i]));
    return {{"data", std::move(data)},
            {"total_count", items.size()},
            {"pagination", PaginationJson(route.page, route.limit, items.size())}};
}

ApiAnswer ListDeployments(World& world, const Route& route) {
    std::vector<const Deployment*> live;
    for (const auto& [id, d] : world.deployments()) {
        if (!d.Terminal()) live.push_back(&d);
    }
    auto page = Page(route, live, [&](const Deployment& d) { return DeploymentListItemJson(d, world.SocketsUsed(d)); });
    page["message"] = json::array{};
    return Answer(200, std::move(page));
}

ApiAnswer ListSessions(World& world, const Route& route) {
    std::vector<const Session*> all;
    for (const auto& [id, s] : world.sessions()) all.push_back(&s);
    return Answer(200, Page(route, all, [](const Session& s) { return SessionContextJson(s); }));
}

ApiAnswer GetSession(World& world, const std::string& id) {
    const Session* session = world.FindSession(id);
    if (session == nullptr) return Failure(404, fmt::format("Session {} not found", id));
    const Deployment* d = world.FindDeployment(session->deployment_id);
    return Answer(200, SessionGetJson(*session, d, d != nullptr ? world.SocketsUsed(*d) : 0, world.clock()));
}

// Edgegap's AppVersionPayload requires these; its minimum for the two requests is 100.
constexpr std::string_view kRequiredVersionFields[] = {"name",       "docker_repository", "docker_image",
                                                       "docker_tag", "req_cpu",           "req_memory"};
constexpr int kMinVersionRequest = 100;

ApiAnswer VersionAnswer(const OrRefusal<const VersionConfig*>& version) {
    if (!version) return Failure(version.error());
    return Answer(200, json::object{{"success", true}, {"version", VersionJson(**version)}});
}

ApiAnswer CreateVersion(World& world, const Route& route) {
    auto object = ParseObject(route.body, "request body");
    if (!object) return Failure(400, object.error().message());
    for (const std::string_view field : kRequiredVersionFields) {
        const auto* value = object->if_contains(field);
        if (value == nullptr || value->is_null()) return Failure(400, fmt::format("{} is required", field));
    }
    VersionConfig version;
    if (auto read = ParseVersion(json::value(*object), "body", version); !read)
        return Failure(400, read.error().message());
    if (version.req_cpu < kMinVersionRequest || version.req_memory_mb < kMinVersionRequest)
        return Failure(400, fmt::format("req_cpu and req_memory must be at least {}", kMinVersionRequest));
    return VersionAnswer(world.CreateVersion(route.segments[2], std::move(version)));
}

ApiAnswer PatchVersion(World& world, const Route& route) {
    auto object = ParseObject(route.body, "request body");
    if (!object) return Failure(400, object.error().message());
    auto found = world.FindVersion(route.segments[2], route.segments[4]);
    if (!found) return Failure(found.error());
    VersionConfig version = **found;
    if (auto read = ParseVersion(json::value(*object), "body", version); !read)
        return Failure(400, read.error().message());
    if (version.name != (*found)->name) return Failure(400, "name: renaming a version is not simulated");
    return VersionAnswer(world.ReplaceVersion(route.segments[2], std::move(version)));
}

ApiAnswer DeployAnswer(World& world, const std::string& body) {
    auto request = ParseDeploy(body);
    if (!request) return Failure(request.error());
    auto deployment = world.Deploy(*request);
    if (!deployment) return Failure(deployment.error());
    return Answer(200, DeployResponseJson(**deployment));
}

ApiAnswer CreateSessionAnswer(World& world, const std::string& body) {
    auto request = ParseSession(body);
    if (!request) return Failure(request.error());
    auto session = world.CreateSession(*request);
    if (!session) return Failure(session.error());
    return Answer(200, SessionRequestJson(**session));
}

ApiAnswer DeleteSessionAnswer(World& world, const std::string& id) {
    auto deleted = world.DeleteSession(id);
    if (!deleted) return Failure(deleted.error());
    return Answer(200, json::object{{"message", fmt::format("Session {} deleted", deleted->session_id)},
                                    {"session_id", deleted->session_id},
                                    {"custom_id", ""}});
}

// The body of PUT and DELETE /v1/session/{id}/users (`PatchSessionModel`): `ip_list` is required.
OrRefusal<std::vector<std::string>> ParseIpList(const std::string& body) {
    auto object = ParseObject(body, "request body");
    if (!object) return Refuse(400, object.error().message());
    std::vector<std::string> ips;
    if (auto read = ReadStrings(*object, "ip_list", "body", ips); !read) return Refuse(400, read.error().message());
    if (ips.empty()) return Refuse(400, "ip_list is required and must not be empty");
    return ips;
}

ApiAnswer UsersAnswer(const OrRefusal<const Session*>& session) {
    if (!session) return Failure(session.error());
    return Answer(200, SessionUserContextJson(**session));
}

ApiAnswer SessionUsersAnswer(World& world, const Route& r) {
    const std::string& id = r.segments[2];
    if (r.method == V::get) {
        const Session* session = world.FindSession(id);
        if (session == nullptr) return Failure(404, fmt::format("Session {} not found", id));
        return UsersAnswer(session);
    }
    auto ips = ParseIpList(r.body);
    if (!ips) return Failure(ips.error());
    return UsersAnswer(r.method == V::put ? world.AddSessionUsers(id, *ips) : world.RemoveSessionUsers(id, *ips));
}

ApiAnswer ContainerLogs(World& world, const std::string& id) {
    constexpr std::size_t kMaxLogBytes = 1 << 20;
    const Deployment* d = world.FindDeployment(id);
    if (d == nullptr) return Failure(400, fmt::format("Deployment {} not found", id));
    json::object answer{{"logs", world.ReadLog(id, kMaxLogBytes)}, {"encoding", "utf-8"}, {"logs_link", ""}};
    if (d->exit && !d->exit->clean && d->error) {
        answer["crash_logs"] = world.ReadLog(id, 64 << 10);
        answer["crash_data"] = {{"exit_code", d->exit->exit_code}, {"message", d->exit->how}, {"restart_count", 0}};
    }
    return Answer(200, std::move(answer));
}

// Routes that take the organization API key.
ApiAnswer HandleOrganizationRoute(World& world, const Route& r) {
    if (Matches(r, kDeploy)) return DeployAnswer(world, r.body);
    if (Matches(r, kStatus)) {
        const Deployment* d = world.FindDeployment(r.segments[2]);
        // Edgegap answers an unknown request_id with 400 (reference A.13, item 5).
        if (d == nullptr) return Failure(400, fmt::format("Deployment {} not found", r.segments[2]));
        return Answer(200, world.StatusOf(*d));
    }
    if (Matches(r, kStop)) return StopAnswer(world, r.segments[2]);
    if (Matches(r, kDeployments)) return ListDeployments(world, r);
    if (Matches(r, kContainerLogs)) return ContainerLogs(world, r.segments[2]);
    if (Matches(r, kCreateSession)) return CreateSessionAnswer(world, r.body);
    if (Matches(r, kGetSession)) return GetSession(world, r.segments[2]);
    if (Matches(r, kDeleteSession)) return DeleteSessionAnswer(world, r.segments[2]);
    if (Matches(r, kSessions)) return ListSessions(world, r);
    if (Matches(r, kGetSessionUsers) || Matches(r, kPutSessionUsers) || Matches(r, kDeleteSessionUsers)) {
        return SessionUsersAnswer(world, r);
    }
    if (Matches(r, kGetVersion)) {
        auto version = world.FindVersion(r.segments[2], r.segments[4]);
        if (!version) return Failure(version.error());
        return Answer(200, VersionJson(**version));
    }
    if (Matches(r, kPatchVersion)) return PatchVersion(world, r);
    if (Matches(r, kCreateVersion)) return CreateVersion(world, r);
    return Failure(404, "Not found");
}

// In-container routes, authorised by the tokens injected into that deployment.
std::optional<ApiAnswer> HandleContainerRoute(World& world, const Route& r) {
    const bool context = Matches(r, kContext);
    const bool self_stop = Matches(r, kSelfStop);
    if (!context && !self_stop) return std::nullopt;
    const Deployment* d = world.FindDeployment(r.segments[context ? 2 : 3]);
    const bool known = d != nullptr && (context ? d->security_number == r.segments[3] : d->stop_key == r.segments[4]);
    if (!known) return Failure(400, "Deployment not found");
    if (r.authorization != (context ? d->context_token : d->delete_token)) return Failure(401, "Invalid token");
    if (context) return Answer(200, DeploymentJson(*d, world.SocketsUsed(*d)));
    return StopAnswer(world, d->request_id);
}

}  // namespace

json::object ErrorBody(std::string_view message) { return {{"message", message}}; }

bool IsApiPath(std::string_view target) { return target.rfind("/v1/", 0) == 0; }

RateCategory Classify(const HttpRequest& request) {
    const std::string_view target = request.target();
    if (request.method() == http::verb::post && (target.rfind("/v1/deploy", 0) == 0 || target == "/v1/session")) {
        return RateCategory::kDeploy;
    }
    if (target.rfind("/v1/status/", 0) == 0) return RateCategory::kStatus;
    if (target.rfind("/v1/context/", 0) == 0) return RateCategory::kContext;
    return RateCategory::kNone;
}

ApiRoute RouteOf(const HttpRequest& request) {
    ApiRoute route{std::string(http::to_string(request.method())), "(unmatched)"};
    auto url = boost::urls::parse_origin_form(request.target());
    if (!url) return route;
    const auto segments = Segments(*url);
    for (const RouteSpec& spec : kAllRoutes) {
        if (Matches(request.method(), segments, spec)) return {route.method, std::string(spec.path)};
    }
    return route;
}

std::vector<std::string> ApiRouteNames() {
    std::vector<std::string> names;
    for (const RouteSpec& spec : kAllRoutes) {
        names.push_back(ApiRoute{std::string(http::to_string(spec.method)), std::string(spec.path)}.Name());
    }
    return names;
}

ApiAnswer HandleApi(World& world, const HttpRequest& request) {
    auto url = boost::urls::parse_origin_form(request.target());
    if (!url) return Failure(400, "malformed request target");
    Route route{request.method(), Segments(*url), 1, 100, std::string(request[http::field::authorization]),
                request.body()};
    for (auto param : url->params()) {
        auto number = common::ParseInt(param.value, 1, 1000000);
        if ((param.key == "page" || param.key == "limit") && !number)
            return Failure(400, param.key + ": " + number.error().message());
        if (param.key == "page") route.page = static_cast<std::size_t>(*number);
        if (param.key == "limit") route.limit = static_cast<std::size_t>(*number);
    }
    if (auto answer = HandleContainerRoute(world, route)) return *answer;
    if (!ApiKeyValid(world, route)) return Failure(401, "Invalid Token");
    return HandleOrganizationRoute(world, route);
}

}  // namespace gapkit::edgegap_sim
