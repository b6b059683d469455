// A C++ game's server and client against an installed gapkit, in one process: a local-mode server
// (no bus) and a direct-mode client exchange one payload each way over loopback.
//   consumer <first UDP port to try>
// Exits 0 when the server got "ping" and the client got "pong" back.
#include <gapkit/client/game_client.hpp>
#include <gapkit/server/game_server.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

namespace {

constexpr std::uint64_t kProtocolId = 0x5043;
const std::array<std::uint8_t, 4> kPing{'p', 'i', 'n', 'g'};
const std::array<std::uint8_t, 4> kPong{'p', 'o', 'n', 'g'};

// The first free port from `first_port` on (another test may hold one); null when none was.
std::unique_ptr<gapkit::server::GameServer> StartServer(const gapkit::netcode::Key& key, int first_port) {
    std::string error;
    for (int port = first_port; port < first_port + 16 && port <= 65535; ++port) {
        gapkit::server::GameServerConfig config;
        config.protocol_id = kProtocolId;
        config.private_key = key;
        config.local_port = static_cast<std::uint16_t>(port);
        config.use_bus = false;
        auto server = gapkit::server::GameServer::Start(config, 0, nullptr);
        if (server) return std::move(*server);
        error = server.error().ToString();
    }
    std::fprintf(stderr, "consumer: no server: %s\n", error.c_str());
    return nullptr;
}

// Runs both sides until the client holds the server's answer.
bool PlayOneExchange(gapkit::server::GameServer& server, gapkit::client::GameClient& client) {
    double now = 1.0;
    for (int i = 0; i < 1000; ++i, now += 0.01) {
        server.Update(now);
        client.Update(now);
        gapkit::server::ServerEvent server_event;
        while (server.Poll(server_event)) {
            if (server_event.type == gapkit::server::ServerEventType::kPayload &&
                std::equal(server_event.payload.begin(), server_event.payload.end(), kPing.begin(), kPing.end()))
                (void)server.SendPayload(server_event.client_index, kPong);
        }
        gapkit::client::ClientEvent client_event;
        while (client.Poll(client_event)) {
            if (client_event.type == gapkit::client::ClientEventType::kStateChanged &&
                client_event.state == gapkit::client::ClientState::kConnected)
                (void)client.SendPayload(kPing);
            if (client_event.type == gapkit::client::ClientEventType::kPayload &&
                std::equal(client_event.payload.begin(), client_event.payload.end(), kPong.begin(), kPong.end()))
                return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "consumer: no answer; client %s (%s)\n", std::string(ToString(client.State())).c_str(),
                 std::string(ToString(client.failure_reason())).c_str());
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    gapkit::netcode::Key key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0xc0 + i);
    auto server = StartServer(key, argc > 1 ? std::atoi(argv[1]) : 26420);
    if (!server) return 1;
    const std::string address = "127.0.0.1:" + std::to_string(server->bound_port());

    gapkit::client::GameClientConfig config;
    config.protocol_id = kProtocolId;
    auto client = gapkit::client::GameClient::Create(config);
    if (!client) {
        std::fprintf(stderr, "consumer: no client: %s\n", client.error().ToString().c_str());
        return 1;
    }
    if (auto connecting = (*client)->ConnectDirect(address, kProtocolId, key); !connecting) {
        std::fprintf(stderr, "consumer: connect: %s\n", connecting.error().ToString().c_str());
        return 1;
    }
    if (!PlayOneExchange(*server, **client)) return 1;
    std::printf("consumer: ping and pong over %s\n", address.c_str());
    return 0;
}
