// gapkit_matchmaker_benchmark: the matchmaker's own costs next to the bare operations under them.
//
// Cases (each "Raw*" case is the baseline of the case after it; the ratio table printed at the end
// divides each case's time by its baseline's):
//   RawGenerateToken   -> MintToken        netcode token + base64, vs. address parsing, client id too
//   RawStreamedReply   -> FullRequest      a whole request through the Service (FakeEdgegapApi, so
//                                          Edgegap costs nothing) vs. a bare bus responder streaming
//                                          the same four replies; both against a local nats-server
//                                          (TLS, send_asap), wall-clock time.
// Run: build-*/bin/gapkit_matchmaker_benchmark [--benchmark_filter=...]

#include <benchmark/benchmark.h>
#include <fmt/core.h>

#include <iostream>
#include <map>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/fake_api.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "service.hpp"
#include "token.hpp"

namespace gapkit::matchmaker {
namespace {

constexpr std::uint64_t kProtocolId = 80085;
const std::string kRequest = protocol::SerializeMatchRequest({"bench", "1", "203.0.113.9"});

void RawGenerateToken(benchmark::State& state) {
    netcode::ConnectTokenParams params;
    params.protocol_id = kProtocolId;
    params.client_id = 42;
    params.public_server_addresses = {netcode::Address::Ipv4(203, 0, 113, 7, 31000)};
    for (auto _ : state) {
        auto token = netcode::GenerateConnectToken(params, 1767225600);
        benchmark::DoNotOptimize(netcode::EncodeConnectTokenBase64(*token));
    }
}

void MintTokenCase(benchmark::State& state) {
    TokenSettings settings;
    settings.protocol_id = kProtocolId;
    const GameEndpoint endpoint{"203.0.113.7", 31000};
    for (auto _ : state) benchmark::DoNotOptimize(MintToken(settings, endpoint, NewClientId(), 1767225600));
}

// A nats-server, a requester and a responder connection shared by the bus cases.
struct BusWorld {
    std::unique_ptr<testing::NatsServer> server;
    std::unique_ptr<bus::Connection> requester;
    std::unique_ptr<bus::Connection> responder;

    static BusWorld& Get() {
        static BusWorld world = Make();
        return world;
    }
    static BusWorld Make() {
        BusWorld world;
        auto server = testing::NatsServer::Start();
        if (!server) return world;
        world.server = std::move(*server);
        world.requester = Connect(*world.server, "bench-requester");
        world.responder = Connect(*world.server, "bench-responder");
        return world;
    }
    static std::unique_ptr<bus::Connection> Connect(const testing::NatsServer& server, const char* name) {
        bus::ConnectOptions options;
        options.host = server.HostPort();
        options.user = "gapkit";
        options.password = "gapkit-test-password";
        options.ca_pem = "";
        options.ca_file = server.CaFile().string();
        options.send_asap = true;
        auto connection = bus::Connection::Connect(name, options);
        return connection ? std::move(*connection) : nullptr;
    }
    bool Ready() const { return requester && responder; }
};

// Sends one request on `subject` and reads the stream to its end; false on any failure.
bool RoundTrip(bus::Connection& requester, const std::string& subject) {
    auto stream = requester.RequestStream(subject, kRequest);
    if (!stream) return false;
    for (;;) {
        auto part = stream->Next();
        if (!part) return false;
        if (!part->has_value()) return true;
    }
}

void RawStreamedReply(benchmark::State& state) {
    BusWorld& world = BusWorld::Get();
    if (!world.Ready()) return state.SkipWithError("no nats-server");
    const std::string ready =
        protocol::SerializeMatchReply(protocol::SessionReady{std::string(2732, 'A'), "1.2.3.4", 1});
    bus::Connection& responder = *world.responder;
    auto subscription = responder.Subscribe("bench.raw", [&](const bus::Message& request) {
        for (const char* reply :
             {R"("Acknowledged")", R"({"SessionRequestAccepted":"x-S"})", R"({"ProgressReport":"Ready"})"}) {
            (void)responder.Respond(request, reply);
        }
        (void)responder.Respond(request, ready);
        (void)responder.EndStream(request);
    });
    (void)responder.Flush();
    for (auto _ : state) {
        if (!RoundTrip(*world.requester, "bench.raw")) return state.SkipWithError("round trip failed");
    }
}

void FullRequest(benchmark::State& state) {
    BusWorld& world = BusWorld::Get();
    if (!world.Ready()) return state.SkipWithError("no nats-server");
    auto api = edgegap::FakeEdgegapApi::Create();
    MatchmakerConfig config;
    config.app_name = "bench";
    config.app_version = "1";
    config.protocol_id = kProtocolId;
    config.edgegap_api_key = "unused";
    config.metrics_port = 0;
    config.reaper_interval_seconds = 3600;
    ServiceDeps deps;
    deps.bus = world.responder.get();
    deps.api = api.get();
    auto service = Service::Start(config, deps);
    if (!service) return state.SkipWithError(service.error().ToString().c_str());
    for (auto _ : state) {
        if (!RoundTrip(*world.requester, "matchmaker.request.bench.1")) return state.SkipWithError("request failed");
    }
}

BENCHMARK(RawGenerateToken);
BENCHMARK(MintTokenCase)->Name("MintToken");
BENCHMARK(RawStreamedReply)->UseRealTime();
BENCHMARK(FullRequest)->UseRealTime();

/// Prints, after the normal output, each case's time divided by its baseline's.
class RatioReporter : public benchmark::ConsoleReporter {
  public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            times_[run.benchmark_name()] =
                run.run_name.time_type.empty() ? run.GetAdjustedCPUTime() : run.GetAdjustedRealTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        const std::pair<const char*, const char*> pairs[] = {{"MintToken", "RawGenerateToken"},
                                                             {"FullRequest/real_time", "RawStreamedReply/real_time"}};
        std::cout << "\nratio to baseline (CPU time, or wall time for real_time cases)\n";
        for (const auto& [subject, baseline] : pairs) {
            if (times_.count(subject) == 0 || times_.count(baseline) == 0) continue;
            std::cout << fmt::format("  {:<24} {:>7.2f}x  {}\n", subject, times_[subject] / times_[baseline], baseline);
        }
    }

  private:
    std::map<std::string, double> times_;
};

}  // namespace
}  // namespace gapkit::matchmaker

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    gapkit::common::SetLogLevel(gapkit::common::LogLevel::kWarn);  // One log line per request otherwise.
    gapkit::matchmaker::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
