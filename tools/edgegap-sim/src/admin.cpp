#include "admin.hpp"

#include <algorithm>

#include <fmt/core.h>

#include "api.hpp"
#include "strict_json.hpp"

namespace gapkit::edgegap_sim {
namespace {

namespace json = boost::json;

common::Status ReadFraction(const json::object& object, std::string_view key, double& out) {
    double value = out;
    if (auto read = ReadDouble(object, key, "faults", value); !read) return read;
    if (value < 0.0 || value > 1.0) {
        return common::MakeError(common::ErrorCode::kInvalidArgument, fmt::format("faults.{}: must be in 0..1", key));
    }
    out = value;
    return common::Ok();
}

common::Status ReadCount(const json::object& object, std::string_view key, int& out) {
    std::int64_t value = out;
    if (auto read = ReadInt(object, key, "faults", 0, 1000000, value); !read) return read;
    out = static_cast<int>(value);
    return common::Ok();
}

bool KnownRoute(const std::string& name) {
    static const std::vector<std::string> kNames = ApiRouteNames();
    return name == "*" || std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

common::Status ReadCountdowns(const json::object& object, std::string_view key, RouteCountdowns& out) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || value->is_null()) return common::Ok();
    if (!value->is_object()) {
        return common::MakeError(common::ErrorCode::kInvalidArgument,
                                 fmt::format("faults.{}: must be an object of route name to count", key));
    }
    RouteCountdowns counts;
    for (const auto& [route, count] : value->get_object()) {
        const std::string name(route);
        if (!KnownRoute(name)) {
            return common::MakeError(
                common::ErrorCode::kInvalidArgument,
                fmt::format("faults.{}: '{}' is not \"*\" nor a route such as \"POST /v1/session\"", key, name));
        }
        int parsed = 0;
        if (auto read = ReadCount(value->get_object(), route, parsed); !read) return read;
        counts[name] = parsed;
    }
    out = std::move(counts);
    return common::Ok();
}

json::object CountdownsJson(const RouteCountdowns& counts) {
    json::object object;
    for (const auto& [route, count] : counts) object[route] = count;
    return object;
}

std::string Escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string AppRows(const World& world) {
    std::string rows;
    for (const auto& app : world.apps()) {
        for (const auto& v : app.versions) {
            rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} x {}</td></tr>",
                                Escape(app.name), Escape(v.name), Escape(v.command), v.is_active ? "yes" : "no",
                                ToString(v.session.kind), v.session.sockets);
        }
    }
    return rows;
}

std::string DeploymentRows(const World& world) {
    std::string rows;
    for (const auto& [id, d] : world.deployments()) {
        std::string ports;
        for (const auto& port : d.ports) ports += fmt::format("{} {}/{} ", Escape(port.name), port.port, port.protocol);
        rows += fmt::format("<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>", id,
                            Escape(d.app), Escape(d.version), ToStatusString(d.state), ports, world.SocketsUsed(d),
                            d.sockets, Escape(d.error_detail));
    }
    return rows;
}

std::string SessionRows(const World& world) {
    std::string rows;
    for (const auto& [id, s] : world.sessions()) {
        rows += fmt::format("<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td></tr>", id, Escape(s.app),
                            Escape(s.version), Escape(s.status), s.deployment_id, s.seats);
    }
    return rows;
}

}  // namespace

json::object FaultsJson(const Faults& f) {
    return {{"added_latency_ms", f.added_latency.count()},
            {"server_error_fraction", f.server_error_fraction},
            {"rate_limit_next_requests", f.rate_limit_next_requests},
            {"retry_after_seconds", f.retry_after_seconds},
            {"drop_connection_fraction", f.drop_connection_fraction},
            {"malformed_json_fraction", f.malformed_json_fraction},
            {"fail_next_deployments", f.fail_next_deployments},
            {"crash_next_processes", f.crash_next_processes},
            {"lose_next_answers", CountdownsJson(f.lose_next_answers)},
            {"reset_next_answers", CountdownsJson(f.reset_next_answers)},
            {"stall_next_answers", CountdownsJson(f.stall_next_answers)},
            {"stall_ms", f.stall.count()}};
}

common::Result<Faults> ParseFaults(std::string_view json_text, Faults base) {
    auto object = ParseObject(json_text, "faults");
    if (!object) return common::Fail(object.error());
    std::int64_t latency_ms = base.added_latency.count();
    common::Status read = ReadInt(*object, "added_latency_ms", "faults", 0, 600000, latency_ms);
    if (read) read = ReadFraction(*object, "server_error_fraction", base.server_error_fraction);
    if (read) read = ReadCount(*object, "rate_limit_next_requests", base.rate_limit_next_requests);
    if (read) read = ReadCount(*object, "retry_after_seconds", base.retry_after_seconds);
    if (read) read = ReadFraction(*object, "drop_connection_fraction", base.drop_connection_fraction);
    if (read) read = ReadFraction(*object, "malformed_json_fraction", base.malformed_json_fraction);
    if (read) read = ReadCount(*object, "fail_next_deployments", base.fail_next_deployments);
    if (read) read = ReadCount(*object, "crash_next_processes", base.crash_next_processes);
    if (read) read = ReadCountdowns(*object, "lose_next_answers", base.lose_next_answers);
    if (read) read = ReadCountdowns(*object, "reset_next_answers", base.reset_next_answers);
    if (read) read = ReadCountdowns(*object, "stall_next_answers", base.stall_next_answers);
    std::int64_t stall_ms = base.stall.count();
    if (read) read = ReadInt(*object, "stall_ms", "faults", 0, 600000, stall_ms);
    if (!read) return common::Fail(read.error());
    base.added_latency = std::chrono::milliseconds(latency_ms);
    base.stall = std::chrono::milliseconds(stall_ms);
    return base;
}

std::string RenderStatusPage(const World& world) {
    return fmt::format(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">"
        "<title>edgegap-sim</title><style>body{{font-family:sans-serif}}td,th{{padding:2px 8px;text-align:left}}"
        "</style></head><body><h1>edgegap-sim</h1>"
        "<h2>Apps</h2><table><tr><th>app</th><th>version</th><th>command</th><th>active</th><th>sessions</th></tr>{}"
        "</table><h2>Deployments</h2><table><tr><th>request id</th><th>app</th><th>status</th><th>ports</th>"
        "<th>sockets</th><th>error</th></tr>{}</table><h2>Sessions</h2><table><tr><th>session id</th><th>app</th>"
        "<th>status</th><th>deployment</th><th>seats</th></tr>{}</table></body></html>",
        AppRows(world), DeploymentRows(world), SessionRows(world));
}

}  // namespace gapkit::edgegap_sim
