// A browser player as gapkit::server sees it: a netcode client whose packets travel as
// WebTransport datagrams (TestClient, which behaves as Chromium does) to a GameServer in local
// mode with its WebTransport port open. No bus: every client joins without a session check.
// Both sides run on the test thread except the blocking TestClient::Connect.

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/server/game_server.hpp"
#include "gapkit/testing/free_port.hpp"
#include "test_client_test_support.hpp"

namespace gapkit::webtransport {
namespace {

using testing::DatagramLink;
using testing::TestClient;
using testing::TestClientConfig;

constexpr std::uint64_t kProtocolId = 80085;

std::uint16_t FreeUdpPort() {
    auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp);
    EXPECT_TRUE(port.has_value());
    return port.value_or(0);
}

std::uint64_t UnixNow() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

class GameServerOverWebTransport : public ::testing::Test {
  protected:
    void SetUp() override {
        server::GameServerConfig config;
        config.protocol_id = kProtocolId;
        config.local_port = FreeUdpPort();
        config.local_webtransport_port = FreeUdpPort();
        config.use_bus = false;
        auto started = server::GameServer::Start(config, 0, nullptr);
        ASSERT_TRUE(started) << started.error().ToString();
        server_ = std::move(*started);
        ASSERT_EQ(server_->webtransport_port(), config.local_webtransport_port);
    }

    // Connects the test client while the server keeps updating on this thread.
    std::unique_ptr<TestClient> ConnectBrowser() {
        TestClientConfig config;
        config.server_port = server_->webtransport_port();
        config.expected_digest = server_->certificate().sha256_digest;
        auto pending = std::async(std::launch::async, [config] { return TestClient::Connect(config); });
        while (pending.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) server_->Update(Now());
        auto connected = pending.get();
        EXPECT_TRUE(connected) << connected.error().ToString();
        return connected ? std::move(*connected) : nullptr;
    }

    netcode::ConnectTokenBytes Token(std::uint64_t client_id) const {
        netcode::ConnectTokenParams params;
        params.protocol_id = kProtocolId;
        params.private_key = netcode::DevPrivateKey();
        params.client_id = client_id;
        params.expire_seconds = 60;
        params.timeout_seconds = 30;
        params.public_server_addresses = {server_->advertised_address()};
        auto token = netcode::GenerateConnectToken(params, UnixNow());
        EXPECT_TRUE(token);
        return *token;
    }

    // Updates both sides until an event of `type` arrives or `seconds` pass.
    std::optional<server::ServerEvent> Until(server::ServerEventType type, netcode::Client& client, double seconds) {
        const double end = Now() + seconds;
        while (Now() < end) {
            client.Update(Now());
            server_->Update(Now());
            server::ServerEvent event;
            while (server_->Poll(event)) {
                if (event.type == type) return event;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return std::nullopt;
    }

    // Updates the server and `clients` until every client is connected or `seconds` pass.
    bool UntilConnected(std::initializer_list<netcode::Client*> clients, double seconds) {
        auto all_connected = [&] {
            return std::all_of(clients.begin(), clients.end(),
                               [](netcode::Client* c) { return c->state() == netcode::ClientState::kConnected; });
        };
        for (const double end = Now() + seconds; Now() < end && !all_connected();) {
            for (netcode::Client* client : clients) client->Update(Now());
            server_->Update(Now());
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return all_connected();
    }

    std::unique_ptr<server::GameServer> server_;
};

TEST_F(GameServerOverWebTransport, ABrowserPlayerJoinsPlaysAndLeavesWhenItClosesTheSession) {
    auto browser = ConnectBrowser();
    ASSERT_TRUE(browser);
    DatagramLink link(*browser);
    netcode::Client client;
    client.SetLink(&link);
    ASSERT_TRUE(client.Connect(Token(77), Now()));

    auto joined = Until(server::ServerEventType::kPlayerJoined, client, 10);
    ASSERT_TRUE(joined) << "client state: " << netcode::ToString(client.state());
    EXPECT_EQ(joined->client_id, 77u);
    EXPECT_EQ(server_->num_players(), 1);
    ASSERT_TRUE(UntilConnected({&client}, 5));

    const std::vector<std::uint8_t> up{'u', 'p'};
    ASSERT_TRUE(client.SendPayload(up));
    auto payload = Until(server::ServerEventType::kPayload, client, 5);
    ASSERT_TRUE(payload);
    EXPECT_EQ(payload->payload, up);

    const std::vector<std::uint8_t> down(server::kMaxWebTransportPayloadBytes, 0xab);
    ASSERT_TRUE(server_->SendPayload(joined->client_index, down));
    std::vector<std::uint8_t> received;
    for (double end = Now() + 5; Now() < end && !client.Poll(received);) {
        server_->Update(Now());
        client.Update(Now());
    }
    EXPECT_EQ(received, down);

    const std::vector<std::uint8_t> too_big(server::kMaxWebTransportPayloadBytes + 1, 0xcd);
    auto refused = server_->SendPayload(joined->client_index, too_big);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code(), common::ErrorCode::kInvalidArgument);

    // Closing the tab: the slot is freed at once, long before netcode's 30 s timeout.
    ASSERT_TRUE(browser->CloseSession(0, "tab closed"));
    auto left = Until(server::ServerEventType::kPlayerLeft, client, 5);
    ASSERT_TRUE(left);
    EXPECT_EQ(left->reason, server::LeaveReason::kClientDisconnected);
    EXPECT_EQ(server_->num_players(), 0);
}

TEST_F(GameServerOverWebTransport, UdpAndBrowserPlayersShareTheGame) {
    auto browser = ConnectBrowser();
    ASSERT_TRUE(browser);
    DatagramLink link(*browser);
    netcode::Client over_webtransport;
    over_webtransport.SetLink(&link);
    netcode::Client over_udp;
    ASSERT_TRUE(over_webtransport.Connect(Token(1), Now()));
    ASSERT_TRUE(over_udp.Connect(Token(2), Now()));
    ASSERT_TRUE(UntilConnected({&over_webtransport, &over_udp}, 10));
    EXPECT_EQ(server_->num_players(), 2);
}

}  // namespace
}  // namespace gapkit::webtransport
