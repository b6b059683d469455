// gapkit_netcode_benchmark: netcode costs next to libsodium's raw AEAD on the same buffers.
//
// Cases (each "Raw*" case is the baseline of the case after it; the ratio table printed at the end
// divides each case's time by its baseline's):
//   RawXChaChaPrivateToken  -> GenerateConnectToken       (target ratio <= 1.3)
//   RawChaChaEncrypt/N      -> WritePayloadPacket/N       N = 64, 1200 payload bytes
//   RawChaChaDecrypt/N      -> ReadPayloadPacket/N
//   RawChaChaKeepAlives64   -> ServerUpdate64Clients      one tick that sends 64 keep-alives
//                              ServerUpdate64ClientsIdle  a tick with nothing due (poll + scan)
//   RawXChaChaOpenPrivateToken -> OpenConnectionRequest   what SessionGate::Admit checks and opens
//   OpenConnectionRequest   -> SpendWithFullMemory        the replay memory at its 65536 cap, per Admit
// Run: build-*/bin/gapkit_netcode_benchmark [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <sodium.h>
#include "gapkit/testing/ratio_reporter.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include "gapkit/common/log.hpp"
#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/connection_request.hpp"
#include "gapkit/netcode/packet.hpp"
#include "gapkit/netcode/server.hpp"

namespace gapkit::netcode {
namespace {

constexpr std::uint64_t kProtocolId = 80085;
const std::array<std::uint8_t, 22> kPacketAd{};  // same length as the real AD

std::vector<std::uint8_t> Buffer(std::size_t bytes) { return std::vector<std::uint8_t>(bytes, 0x5a); }

void RawXChaChaPrivateToken(benchmark::State& state) {
    const Key key = GenerateKey();
    ConnectTokenNonce nonce{};
    std::array<std::uint8_t, 29> ad{};
    auto buffer = Buffer(kPrivateConnectTokenBytes);
    for (auto _ : state) {
        unsigned long long sealed = 0;
        crypto_aead_xchacha20poly1305_ietf_encrypt(buffer.data(), &sealed, buffer.data(), buffer.size() - kMacBytes,
                                                   ad.data(), ad.size(), nullptr, nonce.data(), key.data());
        benchmark::DoNotOptimize(buffer.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void GenerateConnectTokenCase(benchmark::State& state) {
    ConnectTokenParams params;
    params.protocol_id = kProtocolId;
    params.private_key = GenerateKey();
    params.public_server_addresses = {Address::Ipv4(127, 0, 0, 1, 6420)};
    for (auto _ : state) {
        auto token = GenerateConnectToken(params, 1'800'000'000);
        benchmark::DoNotOptimize(token);
    }
    state.SetItemsProcessed(state.iterations());
}

void RawChaChaEncrypt(benchmark::State& state) {
    const Key key = GenerateKey();
    auto buffer = Buffer(static_cast<std::size_t>(state.range(0)) + kMacBytes);
    std::array<std::uint8_t, 12> nonce{};
    for (auto _ : state) {
        unsigned long long sealed = 0;
        crypto_aead_chacha20poly1305_ietf_encrypt(buffer.data(), &sealed, buffer.data(), buffer.size() - kMacBytes,
                                                  kPacketAd.data(), kPacketAd.size(), nullptr, nonce.data(),
                                                  key.data());
        benchmark::DoNotOptimize(buffer.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void WritePayloadPacketCase(benchmark::State& state) {
    const Key key = GenerateKey();
    const auto payload = Buffer(static_cast<std::size_t>(state.range(0)));
    std::array<std::uint8_t, kMaxPacketBytes> out;
    std::uint64_t sequence = 0;
    for (auto _ : state) {
        auto size = WritePacket(PayloadPacket{payload}, sequence++, key, kProtocolId, out);
        benchmark::DoNotOptimize(size);
    }
    state.SetItemsProcessed(state.iterations());
}

void RawChaChaDecrypt(benchmark::State& state) {
    const Key key = GenerateKey();
    auto sealed = Buffer(static_cast<std::size_t>(state.range(0)) + kMacBytes);
    std::array<std::uint8_t, 12> nonce{};
    unsigned long long length = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(sealed.data(), &length, sealed.data(), sealed.size() - kMacBytes,
                                              kPacketAd.data(), kPacketAd.size(), nullptr, nonce.data(), key.data());
    auto work = sealed;
    for (auto _ : state) {
        std::copy(sealed.begin(), sealed.end(), work.begin());
        const int result =
            crypto_aead_chacha20poly1305_ietf_decrypt(work.data(), &length, nullptr, work.data(), work.size(),
                                                      kPacketAd.data(), kPacketAd.size(), nonce.data(), key.data());
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}

void ReadPayloadPacketCase(benchmark::State& state) {
    const Key key = GenerateKey();
    const auto payload = Buffer(static_cast<std::size_t>(state.range(0)));
    std::vector<std::uint8_t> packet(kMaxPacketBytes);
    packet.resize(*WritePacket(PayloadPacket{payload}, 1000, key, kProtocolId, packet));
    auto work = packet;
    const PacketReadContext context{kProtocolId, 0, nullptr, &key, nullptr, kServerAllowedPackets};
    for (auto _ : state) {
        std::copy(packet.begin(), packet.end(), work.begin());
        auto read = ReadPacket(work, context);
        benchmark::DoNotOptimize(read);
    }
    state.SetItemsProcessed(state.iterations());
}

void RawChaChaKeepAlives64(benchmark::State& state) {
    const Key key = GenerateKey();
    auto buffer = Buffer(8 + kMacBytes);
    std::array<std::uint8_t, 12> nonce{};
    for (auto _ : state) {
        for (int i = 0; i < 64; ++i) {
            unsigned long long sealed = 0;
            crypto_aead_chacha20poly1305_ietf_encrypt(buffer.data(), &sealed, buffer.data(), 8, kPacketAd.data(),
                                                      kPacketAd.size(), nullptr, nonce.data(), key.data());
        }
        benchmark::DoNotOptimize(buffer.data());
    }
}

/// A started server with 64 clients connected over loopback; the clients then go quiet.
struct ConnectedServer {
    ConnectedServer() : server(Config()) {
        (void)server.Start();
        for (int i = 0; i < 64; ++i) {
            ConnectTokenParams params;
            params.protocol_id = kProtocolId;
            params.private_key = key;
            params.client_id = static_cast<std::uint64_t>(i) + 1;
            params.timeout_seconds = -1;  // nobody times out while the benchmark runs
            params.public_server_addresses = {server.bound_address()};
            clients.push_back(std::make_unique<Client>());
            (void)clients.back()->Connect(*GenerateConnectToken(params, 1'800'000'000), now);
        }
        for (int tick = 0; tick < 20 && server.num_connected_clients() < 64; ++tick) {
            now += 0.1;
            server.Update(now, 1'800'000'000);
            for (auto& client : clients) client->Update(now);
        }
        ServerEvent event;
        while (server.Poll(event)) {
        }
    }
    ServerConfig Config() {
        ServerConfig config;
        config.protocol_id = kProtocolId;
        config.private_key = key;
        config.bind_address = Address::Ipv4(127, 0, 0, 1, 0);
        config.max_clients = 64;
        return config;
    }
    Key key = GenerateKey();
    double now = 0;
    Server server;
    std::vector<std::unique_ptr<Client>> clients;
};

void ServerUpdateCase(benchmark::State& state, double tick_seconds) {
    common::SetLogLevel(common::LogLevel::kWarn);
    ConnectedServer world;
    if (world.server.num_connected_clients() != 64) state.SkipWithError("64 clients did not connect");
    for (auto _ : state) {
        world.now += tick_seconds;
        world.server.Update(world.now, 1'800'000'000);
    }
    state.counters["clients"] = world.server.num_connected_clients();
}

void ServerUpdate64Clients(benchmark::State& state) { ServerUpdateCase(state, kPacketSendRateSeconds); }
void ServerUpdate64ClientsIdle(benchmark::State& state) { ServerUpdateCase(state, 1e-6); }

constexpr std::uint64_t kBenchNowUnixSeconds = 1'800'000'000;

void RawXChaChaOpenPrivateToken(benchmark::State& state) {
    const Key key = GenerateKey();
    ConnectTokenNonce nonce{};
    std::array<std::uint8_t, 29> ad{};
    auto sealed = Buffer(kPrivateConnectTokenBytes);
    unsigned long long sealed_bytes = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data(), &sealed_bytes, sealed.data(), sealed.size() - kMacBytes,
                                               ad.data(), ad.size(), nullptr, nonce.data(), key.data());
    auto opened = Buffer(kPrivateConnectTokenBytes);
    for (auto _ : state) {
        unsigned long long opened_bytes = 0;
        const int status =
            crypto_aead_xchacha20poly1305_ietf_decrypt(opened.data(), &opened_bytes, nullptr, sealed.data(),
                                                       sealed_bytes, ad.data(), ad.size(), nonce.data(), key.data());
        benchmark::DoNotOptimize(status);
    }
    state.SetItemsProcessed(state.iterations());
}

void OpenConnectionRequestCase(benchmark::State& state) {
    const Address server = Address::Ipv4(127, 0, 0, 1, 6420);
    ConnectTokenParams params;
    params.protocol_id = kProtocolId;
    params.private_key = GenerateKey();
    params.public_server_addresses = {server};
    auto request = MakeConnectionRequest(*GenerateConnectToken(params, kBenchNowUnixSeconds));
    const Address own[] = {server};
    for (auto _ : state) {
        auto opened = OpenConnectionRequest(*request, kProtocolId, params.private_key, kBenchNowUnixSeconds, own);
        benchmark::DoNotOptimize(opened);
    }
    state.SetItemsProcessed(state.iterations());
}

Mac NumberedMac(std::uint64_t number) {
    Mac mac{};
    std::memcpy(mac.data(), &number, sizeof(number));
    return mac;
}

// Steady state of a full memory: one token expires and a new one is spent per call.
void SpendWithFullMemory(benchmark::State& state) {
    constexpr std::uint64_t kEntries = SpentConnectTokens::kDefaultMaxEntries - 1;
    SpentConnectTokens spent;
    std::uint64_t now = kBenchNowUnixSeconds;
    for (std::uint64_t i = 1; i <= kEntries; ++i) (void)spent.Spend(NumberedMac(i), now + i, now);
    std::uint64_t next = kEntries + 1;
    for (auto _ : state) {
        ++now;
        auto status = spent.Spend(NumberedMac(next), now + kEntries, now);
        benchmark::DoNotOptimize(status);
        ++next;
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(RawXChaChaPrivateToken);
BENCHMARK(GenerateConnectTokenCase)->Name("GenerateConnectToken");
BENCHMARK(RawChaChaEncrypt)->Arg(64)->Arg(1200);
BENCHMARK(WritePayloadPacketCase)->Name("WritePayloadPacket")->Arg(64)->Arg(1200);
BENCHMARK(RawChaChaDecrypt)->Arg(64)->Arg(1200);
BENCHMARK(ReadPayloadPacketCase)->Name("ReadPayloadPacket")->Arg(64)->Arg(1200);
BENCHMARK(RawChaChaKeepAlives64);
BENCHMARK(ServerUpdate64Clients);
BENCHMARK(ServerUpdate64ClientsIdle);
BENCHMARK(RawXChaChaOpenPrivateToken);
BENCHMARK(OpenConnectionRequestCase)->Name("OpenConnectionRequest");
BENCHMARK(SpendWithFullMemory);

}  // namespace
}  // namespace gapkit::netcode

int main(int argc, char** argv) {
    if (!gapkit::netcode::Initialize()) return 1;
    return gapkit::testing::RunBenchmarksWithRatios(argc, argv,
                                                    {{"GenerateConnectToken", "RawXChaChaPrivateToken"},
                                                     {"WritePayloadPacket/64", "RawChaChaEncrypt/64"},
                                                     {"WritePayloadPacket/1200", "RawChaChaEncrypt/1200"},
                                                     {"ReadPayloadPacket/64", "RawChaChaDecrypt/64"},
                                                     {"ReadPayloadPacket/1200", "RawChaChaDecrypt/1200"},
                                                     {"ServerUpdate64Clients", "RawChaChaKeepAlives64"},
                                                     {"ServerUpdate64ClientsIdle", "RawChaChaKeepAlives64"},
                                                     {"OpenConnectionRequest", "RawXChaChaOpenPrivateToken"},
                                                     {"SpendWithFullMemory", "OpenConnectionRequest"}});
}
