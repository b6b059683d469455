#include "json_views.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/core.h>

#include "world.hpp"

namespace gapkit::edgegap_sim {
namespace json = boost::json;

std::string FormatTimestamp(common::Clock::WallTime time) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec, micros % 1000000);
}

json::object LocationJson(const LocationConfig& l) {
    return {{"city", l.city},           {"country", l.country},
            {"continent", l.continent}, {"administrative_division", l.administrative_division},
            {"timezone", l.timezone},   {"latitude", l.latitude},
            {"longitude", l.longitude}};
}

json::object PortsJson(const Deployment& deployment, bool with_link, const std::string& public_ip) {
    json::object ports;
    for (const auto& port : deployment.ports) {
        json::object entry{
            {"name", port.name}, {"internal", port.port}, {"external", port.port}, {"protocol", port.protocol}};
        if (with_link) {
            entry["tls_upgrade"] = port.tls_upgrade;
            entry["link"] = fmt::format("{}:{}", public_ip, port.port);
        }
        ports[port.name] = std::move(entry);
    }
    return ports;
}

namespace {

json::array Strings(const std::vector<std::string>& values) {
    json::array array;
    for (const auto& value : values) array.emplace_back(value);
    return array;
}

}  // namespace

json::object StatusJson(const Deployment& d, int sockets_used, const common::Clock& clock) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock.Now() - d.created).count();
    json::object status{{"request_id", d.request_id},
                        {"fqdn", d.request_id + ".pr.edgegap.net"},
                        {"app_name", d.app},
                        {"app_version", d.version},
                        {"current_status", ToStatusString(d.state)},
                        {"running", d.state == DeploymentState::kReady},
                        {"whitelisting_active", false},
                        {"start_time", FormatTimestamp(d.start_wall)},
                        {"elapsed_time", elapsed},
                        {"error", d.error},
                        {"public_ip", d.public_ip},
                        {"ports", PortsJson(d, true, d.public_ip)},
                        {"location", LocationJson(d.location)},
                        {"tags", Strings(d.tags)},
                        {"command", d.command},
                        {"arguments", d.arguments},
                        {"max_duration", std::chrono::duration_cast<std::chrono::minutes>(d.max_duration).count()}};
    if (d.last_state) status["last_status"] = ToStatusString(*d.last_state);
    if (d.error) status["error_detail"] = d.error_detail;
    if (d.removal_wall) status["removal_time"] = FormatTimestamp(*d.removal_wall);
    if (d.kind != SessionKind::kDefault) {
        status["sockets"] = d.sockets;
        status["sockets_usage"] = sockets_used;
    }
    return status;
}

json::object DeploymentJson(const Deployment& d, int sockets_used) {
    json::object object{{"request_id", d.request_id},
                        {"public_ip", d.public_ip},
                        {"status", ToStatusString(d.state)},
                        {"ready", d.state == DeploymentState::kReady},
                        {"whitelisting_active", false},
                        {"fqdn", d.request_id + ".pr.edgegap.net"},
                        {"ports", PortsJson(d, true, d.public_ip)},
                        {"location", LocationJson(d.location)},
                        {"tags", Strings(d.tags)},
                        {"sockets", d.sockets},
                        {"sockets_usage", sockets_used},
                        {"is_joinable_by_session", d.kind != SessionKind::kDefault}};
    return object;
}

json::object DeploymentListItemJson(const Deployment& d, int sockets_used) {
    return {{"request_id", d.request_id},
            {"fqdn", d.request_id + ".pr.edgegap.net"},
            {"start_time", FormatTimestamp(d.start_wall)},
            {"ready", d.state == DeploymentState::kReady},
            {"public_ip", d.public_ip},
            {"ports", PortsJson(d, true, d.public_ip)},
            {"tags", Strings(d.tags)},
            {"sockets", d.sockets},
            {"sockets_usage", sockets_used},
            {"is_joinable_by_session", d.kind != SessionKind::kDefault}};
}

json::object DeployResponseJson(const Deployment& d) {
    return {{"request_id", d.request_id},
            {"request_dns", d.request_id + ".pr.edgegap.net"},
            {"request_app", d.app},
            {"request_version", d.version},
            {"request_user_count", static_cast<std::int64_t>(std::max<std::size_t>(1, d.ip_list.size()))},
            {"city", d.location.city},
            {"country", d.location.country},
            {"continent", d.location.continent},
            {"administrative_division", d.location.administrative_division},
            {"tags", Strings(d.tags)},
            {"filters", json::array{}},
            {"container_log_storage", {{"enabled", false}, {"endpoint_storage", ""}}}};
}

namespace {

json::array SessionUsers(const Session& session) {
    json::array users;
    for (const auto& ip : session.ips) users.push_back(json::object{{"ip", ip}, {"latitude", 0.0}, {"longitude", 0.0}});
    return users;
}

}  // namespace

json::object SessionGetJson(const Session& s, const Deployment* deployment, int sockets_used,
                            const common::Clock& clock) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock.Now() - s.created).count();
    json::object object = SessionContextJson(s);
    object["app_version"] = s.version_id;
    object["create_time"] = FormatTimestamp(s.create_wall);
    object["elapsed"] = elapsed;
    object["session_users"] = SessionUsers(s);
    object["session_ips"] = SessionUsers(s);
    if (!s.error.empty()) object["error"] = s.error;
    if (deployment != nullptr) object["deployment"] = DeploymentJson(*deployment, sockets_used);
    return object;
}

json::object SessionUserContextJson(const Session& s) { return {{"session_users", SessionUsers(s)}}; }

json::object SessionRequestJson(const Session& s) {
    return {{"session_id", s.session_id},
            {"custom_id", ""},
            {"app", s.app},
            {"version", s.version},
            {"deployment_request_id", s.deployment_id},
            {"selectors", json::array{}},
            {"webhook_url", s.webhook_url}};
}

json::object DeploymentSessionJson(const Session& s) {
    return {{"session_id", s.session_id}, {"status", s.status},
            {"ready", s.Ready()},         {"linked", s.Linked()},
            {"kind", ToString(s.kind)},   {"user_count", static_cast<std::int64_t>(s.ips.size())}};
}

json::object SessionContextJson(const Session& s) {
    json::object object = DeploymentSessionJson(s);
    object["custom_id"] = "";
    object["deployment_request_id"] = s.deployment_id;
    object["webhook_url"] = s.webhook_url;
    return object;
}

json::object VersionJson(const VersionConfig& v) {
    json::array ports;
    for (const auto& port : v.ports) {
        ports.push_back(json::object{{"port", port.port},
                                     {"protocol", port.protocol},
                                     {"to_check", port.to_check},
                                     {"tls_upgrade", port.tls_upgrade},
                                     {"name", port.name}});
    }
    json::array envs;
    for (const auto& [key, value] : v.envs) {
        const bool secret =
            std::find(v.secret_env_keys.begin(), v.secret_env_keys.end(), key) != v.secret_env_keys.end();
        envs.push_back(json::object{{"key", key}, {"value", value}, {"is_secret", secret}});
    }
    json::object session{{"kind", ToString(v.session.kind)},
                         {"sockets", v.session.sockets},
                         {"autodeploy", v.session.autodeploy},
                         {"empty_ttl", std::chrono::duration_cast<std::chrono::minutes>(v.session.empty_ttl).count()}};
    return {{"name", v.name},
            {"is_active", v.is_active},
            {"docker_repository", v.docker_repository.empty() ? "local" : v.docker_repository},
            {"docker_image", v.docker_image.empty() ? v.command : v.docker_image},
            {"docker_tag", v.docker_tag.empty() ? v.name : v.docker_tag},
            {"private_username", v.private_username},
            {"private_token", v.private_token},
            {"req_cpu", v.req_cpu},
            {"req_memory", v.req_memory_mb},
            {"max_duration", std::chrono::duration_cast<std::chrono::minutes>(v.max_duration).count()},
            {"termination_grace_period_seconds", v.termination_grace_period.count()},
            {"session_config", std::move(session)},
            {"ports", std::move(ports)},
            {"envs", std::move(envs)},
            {"command", v.command},
            {"arguments", v.arguments}};
}

json::object PaginationJson(std::size_t page, std::size_t limit, std::size_t total) {
    const std::size_t pages = total == 0 ? 1 : (total + limit - 1) / limit;
    const bool has_next = page < pages;
    const bool has_previous = page > 1;
    return {{"number", page},
            {"next_page_number", has_next ? json::value(page + 1) : json::value(nullptr)},
            {"previous_page_number", has_previous ? json::value(page - 1) : json::value(nullptr)},
            {"paginator", {{"num_pages", pages}}},
            {"has_next", has_next},
            {"has_previous", has_previous}};
}

}  // namespace gapkit::edgegap_sim
