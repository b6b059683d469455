#include "observe.hpp"

#include <algorithm>

#include "gapkit/common/metrics.hpp"

namespace gapkit::edgegap_sim {
namespace {

namespace json = boost::json;

double Seconds(common::Clock::SteadyTime::duration duration) { return std::chrono::duration<double>(duration).count(); }

LiveDeployment LiveOf(const World& world, const Deployment& d) {
    LiveDeployment live{d.request_id, d.app, d.version, std::string(ToStatusString(d.state))};
    const auto now = world.clock().Now();
    live.age_seconds = Seconds(now - d.created);
    live.sessions = static_cast<int>(d.linked_sessions.size());
    live.sockets_used = world.SocketsUsed(d);
    live.sockets = d.sockets;
    if (d.Running() && d.kind != SessionKind::kDefault && live.sockets_used == 0) {
        live.empty_seconds = Seconds(now - d.empty_since);
        if (d.empty_ttl.count() > 0)
            live.past_empty_ttl_seconds = std::max(0.0, live.empty_seconds - Seconds(d.empty_ttl));
    }
    return live;
}

}  // namespace

SimulatorState Snapshot(const World& world) {
    SimulatorState state;
    for (const auto& [id, s] : world.sessions()) {
        state.sessions.push_back(
            LiveSession{id, s.app, s.version, s.status, s.deployment_id, Seconds(world.clock().Now() - s.created)});
    }
    for (const auto& [id, d] : world.deployments()) {
        if (!d.Terminal()) state.deployments.push_back(LiveOf(world, d));
    }
    return state;
}

json::object CallsJson(const std::vector<CallCount>& calls) {
    json::array items;
    std::uint64_t total = 0;
    for (const auto& call : calls) {
        items.push_back(json::object{{"method", call.method},
                                     {"route", call.route},
                                     {"status", call.status},
                                     {"fault", call.fault},
                                     {"count", call.count}});
        total += call.count;
    }
    return {{"calls", std::move(items)}, {"total", total}};
}

json::object StateJson(const SimulatorState& state) {
    json::array sessions;
    for (const auto& s : state.sessions) {
        sessions.push_back(json::object{{"session_id", s.session_id},
                                        {"app", s.app},
                                        {"version", s.version},
                                        {"status", s.status},
                                        {"deployment_id", s.deployment_id},
                                        {"age_seconds", s.age_seconds}});
    }
    json::array deployments;
    for (const auto& d : state.deployments) {
        deployments.push_back(json::object{{"request_id", d.request_id},
                                           {"app", d.app},
                                           {"version", d.version},
                                           {"status", d.status},
                                           {"age_seconds", d.age_seconds},
                                           {"sessions", d.sessions},
                                           {"sockets_used", d.sockets_used},
                                           {"sockets", d.sockets},
                                           {"empty_seconds", d.empty_seconds},
                                           {"past_empty_ttl_seconds", d.past_empty_ttl_seconds}});
    }
    return {{"sessions", std::move(sessions)}, {"deployments", std::move(deployments)}};
}

std::string MetricsText(const std::vector<CallCount>& calls, const SimulatorState& state) {
    // A registry per scrape: the counters live in CallCounters, the registry only renders them.
    common::MetricsRegistry registry;
    for (const auto& call : calls) {
        registry
            .GetCounter(
                "gapkit_edgegap_sim_calls_total", "Edgegap API calls by method, route, status and fault",
                {{"method", call.method}, {"route", call.route}, {"status", call.status}, {"fault", call.fault}})
            .Increment(call.count);
    }
    registry.GetGauge("gapkit_edgegap_sim_live_sessions", "Sessions the simulated account holds")
        .Set(static_cast<std::int64_t>(state.sessions.size()));
    auto& past_ttl = registry.GetGauge("gapkit_edgegap_sim_deployments_past_empty_ttl",
                                       "READY deployments empty for longer than their empty TTL");
    for (const auto& d : state.deployments) {
        registry
            .GetGauge("gapkit_edgegap_sim_live_deployments", "Deployments not yet terminated, by status",
                      {{"status", d.status}})
            .Add(1);
        if (d.past_empty_ttl_seconds > 0) past_ttl.Add(1);
    }
    return registry.RenderText();
}

}  // namespace gapkit::edgegap_sim
