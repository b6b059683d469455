// gapkit_bus_benchmark: NATS request/reply round trips on loopback, ours against raw nats.c.
//
// Cases (both against one plain-TCP nats-server started by gapkit::testing on 127.0.0.1, with an
// in-process responder on a second connection and a 64-byte payload):
//   BM_RawRequestReply/<asap>   baseline: natsConnection_Request + a C callback publishing the reply
//   BM_BusRequestReply/<asap>   gapkit::bus: Connection::Request + Subscribe/Respond
// <asap> 0 is nats.c's default write batching (up to ~1 ms per hop), 1 sets "send asap" on both
// connections (natsOptions_SetSendAsap / ConnectOptions::send_asap).
// Counters: round_trips_per_s, p50_us, p99_us; BM_BusRequestReply adds ratio_vs_raw (ours/raw
// round trips per second in the same mode; the baselines run first, as registered).
//
// Run: build-bus/bin/gapkit_bus_benchmark   (needs nats-server; exits 1 without it)

#include <benchmark/benchmark.h>
#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/log.hpp"
#include "gapkit/testing/nats_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kSubject = "gapkit.bench.echo";
const std::string kPayload(64, 'p');

gapkit::testing::NatsServer* g_server = nullptr;
double g_raw_round_trips_per_s[2] = {0, 0};  // Indexed by the asap argument.

// Records each round trip and turns them into the reported counters.
class LatencyRecorder {
  public:
    void Add(Clock::duration took) { samples_.push_back(took); }

    // Returns round trips per second over the measured loop.
    double Report(benchmark::State& state, Clock::duration total) {
        std::sort(samples_.begin(), samples_.end());
        auto micros = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
        const double rate = samples_.empty() ? 0 : samples_.size() / std::chrono::duration<double>(total).count();
        state.counters["round_trips_per_s"] = rate;
        if (!samples_.empty()) {
            state.counters["p50_us"] = micros(samples_[samples_.size() / 2]);
            state.counters["p99_us"] = micros(samples_[std::min(samples_.size() - 1, samples_.size() * 99 / 100)]);
        }
        return rate;
    }

  private:
    std::vector<Clock::duration> samples_;
};

natsConnection* RawConnect(bool send_asap) {
    natsOptions* options = nullptr;
    if (natsOptions_Create(&options) != NATS_OK) return nullptr;
    const std::string url = "nats://" + g_server->HostPort();
    natsConnection* connection = nullptr;
    if (natsOptions_SetURL(options, url.c_str()) != NATS_OK ||
        natsOptions_SetUserInfo(options, "gapkit", "gapkit-test-password") != NATS_OK ||
        natsOptions_SetSendAsap(options, send_asap) != NATS_OK ||
        natsConnection_Connect(&connection, options) != NATS_OK) {
        connection = nullptr;
    }
    natsOptions_Destroy(options);
    return connection;
}

void RawEcho(natsConnection* connection, natsSubscription*, natsMsg* msg, void*) {
    natsConnection_Publish(connection, natsMsg_GetReply(msg), natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
}

void BM_RawRequestReply(benchmark::State& state) {
    const bool send_asap = state.range(0) != 0;
    natsConnection* responder = RawConnect(send_asap);
    natsConnection* requester = RawConnect(send_asap);
    natsSubscription* sub = nullptr;
    if (responder == nullptr || requester == nullptr ||
        natsConnection_Subscribe(&sub, responder, kSubject, RawEcho, nullptr) != NATS_OK ||
        natsConnection_Flush(responder) != NATS_OK) {
        state.SkipWithError("raw nats.c set-up failed");
    }
    LatencyRecorder recorder;
    const auto start = Clock::now();
    for (auto _ : state) {
        const auto sent = Clock::now();
        natsMsg* reply = nullptr;
        if (natsConnection_Request(&reply, requester, kSubject, kPayload.data(), static_cast<int>(kPayload.size()),
                                   5000) != NATS_OK) {
            state.SkipWithError("raw request failed");
            break;
        }
        recorder.Add(Clock::now() - sent);
        natsMsg_Destroy(reply);
    }
    g_raw_round_trips_per_s[send_asap] = recorder.Report(state, Clock::now() - start);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(requester);
    natsConnection_Destroy(responder);
}

std::unique_ptr<gapkit::bus::Connection> BusConnect(const char* name, bool send_asap) {
    gapkit::bus::ConnectOptions options;
    options.host = g_server->HostPort();
    options.user = "gapkit";
    options.password = "gapkit-test-password";
    options.insecure = true;
    options.send_asap = send_asap;
    auto connection = gapkit::bus::Connection::Connect(name, options);
    return connection ? std::move(*connection) : nullptr;
}

void BM_BusRequestReply(benchmark::State& state) {
    const bool send_asap = state.range(0) != 0;
    auto responder = BusConnect("gapkit_bench_responder", send_asap);
    auto requester = BusConnect("gapkit_bench_requester", send_asap);
    if (!responder || !requester) {
        state.SkipWithError("bus connect failed");
        return;
    }
    auto* responder_connection = responder.get();
    auto sub = responder->Subscribe(kSubject, [responder_connection](const gapkit::bus::Message& request) {
        (void)responder_connection->Respond(request, request.data);
    });
    if (!sub || !responder->Flush()) state.SkipWithError("bus subscribe failed");
    LatencyRecorder recorder;
    const auto start = Clock::now();
    for (auto _ : state) {
        const auto sent = Clock::now();
        auto reply = requester->Request(kSubject, kPayload, std::chrono::seconds(5));
        if (!reply) {
            state.SkipWithError(reply.error().ToString().c_str());
            break;
        }
        recorder.Add(Clock::now() - sent);
        benchmark::DoNotOptimize(reply->data.data());
    }
    const double rate = recorder.Report(state, Clock::now() - start);
    const double raw = g_raw_round_trips_per_s[send_asap];
    if (raw > 0) state.counters["ratio_vs_raw"] = rate / raw;
}

BENCHMARK(BM_RawRequestReply)->Arg(0)->Arg(1)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_BusRequestReply)->Arg(0)->Arg(1)->MinTime(2.0)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    gapkit::common::SetLogLevel(gapkit::common::LogLevel::kError);
    auto server = gapkit::testing::NatsServer::Start({.tls = false, .jetstream = false});
    if (!server) {
        std::fprintf(stderr, "cannot start nats-server: %s\n", server.error().ToString().c_str());
        return 1;
    }
    g_server = server->get();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    server->reset();
    (void)gapkit::bus::CloseLibrary();
    return 0;
}
