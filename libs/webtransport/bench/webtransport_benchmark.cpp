// gapkit_webtransport_benchmark: a netcode payload's round trip to a GameServer and back, over
// WebTransport (what a browser player uses) against plain UDP (a native player), on the same
// server in the same run (issue 14: goal within 1.5x).
//
// One thread plays both sides, so nothing waits on a scheduler: the client sends, the server's
// Update receives and echoes, the client's Update receives. Loopback delivers a datagram before
// sendto returns, so the wall time per iteration is the round trip's own cost; `server_cpu_us` is
// the thread CPU time spent inside the server's calls per round trip.
//   UdpRoundTrip/N           -> baseline
//   WebTransportRoundTrip/N     N = payload bytes (64, 1000)
// Run: build-*/bin/gapkit_webtransport_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "gapkit/common/log.hpp"
#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/server/game_server.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/ratio_reporter.hpp"
#include "test_client_test_support.hpp"

namespace gapkit::webtransport {
namespace {

constexpr std::uint64_t kProtocolId = 80085;
constexpr double kConnectSeconds = 10;
constexpr int kMaxSpinsPerRoundTrip = 100000;

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double ThreadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::uint64_t UnixNow() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// A GameServer in local mode without a bus that echoes every payload, and one connected client.
class EchoWorld {
  public:
    explicit EchoWorld(bool over_webtransport) {
        common::SetLogLevel(common::LogLevel::kWarn);
        server::GameServerConfig config;
        config.protocol_id = kProtocolId;
        config.local_port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp).value_or(0);
        config.local_webtransport_port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp).value_or(0);
        config.use_bus = false;
        auto started = server::GameServer::Start(config, 0, nullptr);
        if (!started) return;
        server_ = std::move(*started);
        if (over_webtransport && !ConnectBrowser()) return;
        if (!client_.Connect(Token(), Now())) return;
        for (const double end = Now() + kConnectSeconds;
             Now() < end && client_.state() != netcode::ClientState::kConnected;) {
            ServerTick();
            client_.Update(Now());
        }
    }

    bool ready() const { return server_ && client_.state() == netcode::ClientState::kConnected; }

    // One payload to the server and back; false when it did not come back.
    bool RoundTrip(const std::vector<std::uint8_t>& payload) {
        if (!client_.SendPayload(payload)) return false;
        std::vector<std::uint8_t> echoed;
        for (int spin = 0; spin < kMaxSpinsPerRoundTrip; ++spin) {
            ServerTick();
            client_.Update(Now());
            if (client_.Poll(echoed)) return echoed.size() == payload.size();
        }
        return false;
    }

    double server_cpu_seconds() const { return server_cpu_seconds_; }

  private:
    bool ConnectBrowser() {
        testing::TestClientConfig config;
        config.server_port = server_->webtransport_port();
        auto pending = std::async(std::launch::async, [config] { return testing::TestClient::Connect(config); });
        while (pending.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) ServerTick();
        auto connected = pending.get();
        if (!connected) return false;
        browser_ = std::move(*connected);
        link_.emplace(*browser_);
        client_.SetLink(&*link_);
        return true;
    }

    netcode::ConnectTokenBytes Token() const {
        netcode::ConnectTokenParams params;
        params.protocol_id = kProtocolId;
        params.private_key = netcode::DevPrivateKey();
        params.client_id = 1;
        params.expire_seconds = 3600;
        params.timeout_seconds = 30;
        params.public_server_addresses = {server_->advertised_address()};
        return netcode::GenerateConnectToken(params, UnixNow()).value();
    }

    void ServerTick() {
        const double cpu_start = ThreadCpuSeconds();
        server_->Update(Now());
        server::ServerEvent event;
        while (server_->Poll(event)) {
            if (event.type == server::ServerEventType::kPayload)
                (void)server_->SendPayload(event.client_index, event.payload);
        }
        server_cpu_seconds_ += ThreadCpuSeconds() - cpu_start;
    }

    std::unique_ptr<server::GameServer> server_;
    std::unique_ptr<testing::TestClient> browser_;
    std::optional<testing::DatagramLink> link_;
    netcode::Client client_;
    double server_cpu_seconds_ = 0;
};

void RoundTrips(benchmark::State& state, bool over_webtransport) {
    EchoWorld world(over_webtransport);
    if (!world.ready()) {
        state.SkipWithError("the client did not connect");
        return;
    }
    const std::vector<std::uint8_t> payload(static_cast<std::size_t>(state.range(0)), 0x5a);
    const double cpu_before = world.server_cpu_seconds();
    for (auto _ : state) {
        if (!world.RoundTrip(payload)) {
            state.SkipWithError("a payload did not come back");
            return;
        }
    }
    state.counters["server_cpu_us"] =
        benchmark::Counter((world.server_cpu_seconds() - cpu_before) * 1e6 / static_cast<double>(state.iterations()));
    state.SetItemsProcessed(state.iterations());
}

void UdpRoundTrip(benchmark::State& state) { RoundTrips(state, false); }
void WebTransportRoundTrip(benchmark::State& state) { RoundTrips(state, true); }

BENCHMARK(UdpRoundTrip)->Arg(64)->Arg(1000)->UseRealTime();
BENCHMARK(WebTransportRoundTrip)->Arg(64)->Arg(1000)->UseRealTime();

}  // namespace
}  // namespace gapkit::webtransport

int main(int argc, char** argv) {
    return gapkit::testing::RunBenchmarksWithRatios(
        argc, argv,
        {{"WebTransportRoundTrip/64/real_time", "UdpRoundTrip/64/real_time"},
         {"WebTransportRoundTrip/1000/real_time", "UdpRoundTrip/1000/real_time"}});
}
