// gapkit_edgegap_sim_benchmark: the simulated world under a surge of seat sessions, without HTTP.
//
// Cases (N = sessions, one player IP each, every session with a webhook as the matchmaker sets);
// the ratio table printed at the end divides each case's CPU time by its baseline's:
//   WebhookBodies/N        baseline: what any simulator does per session in a surge: store N
//                          session records and build each one's webhook body once.
//   SurgeOfSeatSessions/N  N sessions created at once on a version with 4096 sockets per deployment
//                          and autodeploy, the deployments made READY (each session's webhook body
//                          is built) and 5 s of 50 ms ticks. A per-session scan makes it quadratic.
//   TickWithSessions/N     one Tick() of a world holding N linked, READY sessions; /1000 (one
//                          deployment) is the baseline of /10000 (three): ~3x when a tick costs
//                          O(deployments), ~100x when it scans every session.
// Run: build-*/bin/gapkit_edgegap_sim_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <fmt/core.h>

#include <map>
#include <memory>

#include "gapkit/testing/ratio_reporter.hpp"
#include "json_views.hpp"
#include "world.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;

constexpr int kSocketsPerDeployment = 4096;

// Performs nothing: the benchmark measures the world's own bookkeeping.
class NullRuntime final : public Runtime {
  public:
    common::Result<std::uint16_t> AllocatePort(std::string_view) override { return next_port_++; }
    common::Status Launch(const LaunchSpec&) override { return common::Ok(); }
    void Terminate(const std::string&, std::chrono::seconds) override {}
    void Kill(const std::string&) override {}
    std::string ReadLog(const std::string&, std::size_t) override { return {}; }
    void PostWebhook(const std::string&, std::string body) override { benchmark::DoNotOptimize(body); }

  private:
    std::uint16_t next_port_ = 20000;
};

SimulatorConfig SurgeConfig() {
    SimulatorConfig config;
    VersionConfig version;
    version.name = "1";
    version.command = "server";
    version.ports = {{"gameport", 7777, "UDP", false}};
    version.session = {SessionKind::kSeat, kSocketsPerDeployment, true, 0s};
    config.apps = {{"game", {version}}};
    config.delays = {200ms, 300ms};
    return config;
}

std::string PlayerIp(int i) { return fmt::format("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255); }

// A world with its clock and runtime; `Surge` fills it.
struct SurgeWorld {
    SurgeWorld() : faults(Faults{}), world(SurgeConfig(), clock, runtime, faults, "http://127.0.0.1:9") {}

    void CreateSessions(int count) {
        for (int i = 0; i < count; ++i) {
            auto created = world.CreateSession({"game", "1", {PlayerIp(i)}, {}, "http://127.0.0.1:9/hook"});
            if (!created) std::abort();
        }
    }
    void Run(std::chrono::milliseconds duration) {
        for (auto t = 0ms; t < duration; t += 50ms) {
            clock.Advance(50ms);
            world.Tick();
        }
    }

    common::ManualClock clock;
    NullRuntime runtime;
    FaultState faults;
    World world;
};

void WebhookBodies(benchmark::State& state) {
    const int sessions = static_cast<int>(state.range(0));
    common::ManualClock clock;
    Deployment deployment;
    deployment.request_id = "0123456789ab";
    deployment.ports = {{"gameport", 20000, "UDP", false}};
    for (auto _ : state) {
        std::map<std::string, Session> stored;
        for (int i = 0; i < sessions; ++i) {
            Session session;
            session.session_id = fmt::format("{:012x}-S", i);
            session.ips = {PlayerIp(i)};
            session.deployment_id = deployment.request_id;
            session.webhook_url = "http://127.0.0.1:9/hook";
            const Session& kept = stored.emplace(session.session_id, std::move(session)).first->second;
            auto body = boost::json::serialize(SessionGetJson(kept, &deployment, i + 1, clock));
            benchmark::DoNotOptimize(body);
        }
    }
    state.SetItemsProcessed(state.iterations() * sessions);
}
BENCHMARK(WebhookBodies)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void SurgeOfSeatSessions(benchmark::State& state) {
    const int sessions = static_cast<int>(state.range(0));
    for (auto _ : state) {
        auto surge = std::make_unique<SurgeWorld>();
        surge->CreateSessions(sessions);
        surge->Run(5500ms);
        state.PauseTiming();
        surge.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * sessions);
}
BENCHMARK(SurgeOfSeatSessions)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void TickWithSessions(benchmark::State& state) {
    SurgeWorld surge;
    surge.CreateSessions(static_cast<int>(state.range(0)));
    surge.Run(1s);
    for (auto _ : state) surge.world.Tick();
}
BENCHMARK(TickWithSessions)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gapkit::edgegap_sim

int main(int argc, char** argv) {
    return gapkit::testing::RunBenchmarksWithRatios(argc, argv,
                                                    {{"SurgeOfSeatSessions/1000", "WebhookBodies/1000"},
                                                     {"SurgeOfSeatSessions/10000", "WebhookBodies/10000"},
                                                     {"TickWithSessions/10000", "TickWithSessions/1000"}});
}
