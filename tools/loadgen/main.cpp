// gapkit-loadgen: drives matchmaking load through httpd's WebSocket at several concurrency levels
// and measures the bus request/reply floor in the same run. See docs/benchmarks.md.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bus_floor.hpp"
#include "client_ip_range.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/service/program.hpp"
#include "summary.hpp"
#include "websocket_load.hpp"

namespace {

using namespace gapkit;

struct Options {
    std::string url = "ws://127.0.0.1:3000/matchmaker/ws";
    std::string game = "echo";
    std::string version = "1";
    std::string client_ip;        // Empty: null in the request.
    std::string client_ip_range;  // Empty: `client_ip` for every request.
    std::vector<int> concurrency{1, 8, 32};
    std::size_t requests = 200;
    int duration_seconds = 60;
    int timeout_seconds = 30;
    int think_ms = 0;
    std::size_t warmup_requests = 0;
    bool bus_floor = false;
    std::size_t bus_floor_requests = 5000;
    std::string bus_subject = "gapkit.loadgen.floor";
    bool json = false;
    std::string log_level = "info";
};

void AddOptions(CLI::App& app, Options& o) {
    app.add_option("--url", o.url, "httpd's matchmaking WebSocket (ws:// only)")->capture_default_str();
    app.add_option("--game", o.game, "game (app) name in the request")->capture_default_str();
    app.add_option("--version", o.version, "game version in the request")->capture_default_str();
    auto* client_ip = app.add_option("--client-ip", o.client_ip, "client_ip sent in the request (default null)");
    app.add_option("--client-ip-range", o.client_ip_range,
                   "an IPv4 range (198.18.0.0/15): each request sends the range's next address as client_ip, "
                   "wrapping around at its end (httpd honours client_ip only with --allow-client-ip-override, and "
                   "replaces a private one by --fake-ip when set)")
        ->excludes(client_ip);
    // Each client holds one socket: raise the open-file limit (ulimit -n) for thousands.
    app.add_option("--concurrency", o.concurrency, "comma-separated client counts, one level each")
        ->delimiter(',')
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    app.add_option("--requests", o.requests, "requests per level")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    app.add_option("--duration-seconds", o.duration_seconds, "no request starts later than this into a level")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    app.add_option("--timeout-seconds", o.timeout_seconds, "bound on one request, connect to final reply")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    app.add_option("--think-ms", o.think_ms, "pause of each WebSocket client between its requests")
        ->check(CLI::Range(0, 3600000))
        ->capture_default_str();
    app.add_option("--warmup-requests", o.warmup_requests,
                   "requests sent one at a time before the first level and not measured (a cold deployment "
                   "or connection pool is not what the levels measure)")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    app.add_flag("--bus-floor", o.bus_floor,
                 "after each WebSocket level, plain bus round trips at the same concurrency (NATS_* environment)");
    app.add_option("--bus-floor-requests", o.bus_floor_requests, "round trips per bus floor level")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    app.add_option("--bus-subject", o.bus_subject, "subject of the bus floor's in-process responder")
        ->capture_default_str();
    app.add_flag("--json", o.json, "print the results as JSON instead of a table");
    service::AddLogLevelOption(app, o.log_level);
}

std::string RequestJson(const Options& o, const std::string& client_ip) {
    protocol::MatchRequest request{o.game, o.version, std::nullopt};
    if (!client_ip.empty()) request.client_ip = client_ip;
    return protocol::SerializeMatchRequest(request);
}

// One request after another across the warm-up and every level, so no two players of a run share
// an address until the range wraps.
loadgen::RequestSource MakeRequestSource(const Options& o, std::optional<loadgen::ClientIpRange> range) {
    if (!range) return [request = RequestJson(o, o.client_ip)] { return request; };
    return [&o, range = *range, next = std::uint64_t{0}]() mutable { return RequestJson(o, range.At(next++)); };
}

loadgen::LevelSummary RunLevel(const char* phase, int concurrency, const std::function<loadgen::LevelRun()>& level) {
    GAPKIT_LOG_INFO("loadgen", "{} with {} clients", phase, concurrency);
    loadgen::LevelRun run = level();
    loadgen::LevelSummary summary = loadgen::Summarize(phase, concurrency, run.samples, run.wall);
    GAPKIT_LOG_INFO("loadgen", "{} with {} clients: {} ok of {} in {:.1f} s", phase, concurrency, summary.ok,
                    summary.requests, summary.wall_seconds);
    return summary;
}

// Outside the table: a warm-up that fails is only logged; the levels after it say whether the stack works.
void WarmUp(const loadgen::WebSocketTarget& target, const loadgen::RequestSource& request, const Options& o) {
    if (o.warmup_requests == 0) return;
    const loadgen::LevelPlan plan{1, o.warmup_requests, std::chrono::seconds(o.duration_seconds),
                                  std::chrono::seconds(o.timeout_seconds), std::chrono::milliseconds(0)};
    (void)RunLevel("warm-up", 1, [&] { return loadgen::RunWebSocketLevel(target, request, plan); });
}

int Run(const Options& o) {
    auto target = loadgen::ResolveWebSocketUrl(o.url);
    if (!target) {
        GAPKIT_LOG_ERROR("loadgen", "--url: {}", target.error().ToString());
        return 2;
    }
    std::optional<loadgen::ClientIpRange> range;
    if (!o.client_ip_range.empty()) {
        auto parsed = loadgen::ClientIpRange::Parse(o.client_ip_range);
        if (!parsed) {
            GAPKIT_LOG_ERROR("loadgen", "--client-ip-range: {}", parsed.error().ToString());
            return 2;
        }
        range = *parsed;
    }
    std::unique_ptr<loadgen::BusFloor> floor;
    if (o.bus_floor) {
        auto started = loadgen::BusFloor::Start(o.bus_subject);
        if (!started) {
            GAPKIT_LOG_ERROR("loadgen", "{}", started.error().ToString());
            return 1;
        }
        floor = std::move(*started);
    }
    const std::string request = RequestJson(o, range ? range->At(0) : o.client_ip);  // The bus floor's payload.
    const loadgen::RequestSource next_request = MakeRequestSource(o, range);
    WarmUp(*target, next_request, o);
    std::vector<loadgen::LevelSummary> summaries;
    for (int concurrency : o.concurrency) {
        const loadgen::LevelPlan plan{concurrency, o.requests, std::chrono::seconds(o.duration_seconds),
                                      std::chrono::seconds(o.timeout_seconds), std::chrono::milliseconds(o.think_ms)};
        loadgen::LevelPlan floor_plan = plan;
        floor_plan.requests = o.bus_floor_requests;
        summaries.push_back(RunLevel("websocket", concurrency,
                                     [&] { return loadgen::RunWebSocketLevel(*target, next_request, plan); }));
        if (floor)
            summaries.push_back(RunLevel("bus-floor", concurrency, [&] { return floor->Run(request, floor_plan); }));
    }
    floor.reset();
    (void)bus::CloseLibrary();
    std::fputs((o.json ? loadgen::RenderJson(summaries) + "\n" : loadgen::RenderTable(summaries)).c_str(), stdout);
    // A level without a single success means the stack is broken, not slow: fail the run.
    for (const auto& summary : summaries) {
        if (summary.ok == 0) return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "gapkit-loadgen: matchmaking load through httpd's WebSocket at several concurrency levels,\n"
        "with the plain bus round trip as the floor (--bus-floor, which needs the NATS variables below)",
        "gapkit-loadgen"};
    app.footer(std::string(bus::kEnvironmentHelp));
    Options options;
    AddOptions(app, options);
    if (auto exit = service::ParseCommandLine(app, argc, argv)) return *exit;
    service::ApplyLogLevel(options.log_level);
    return Run(options);
}
