#include "game_loop.hpp"

#include <chrono>
#include <functional>
#include <thread>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "gapkit/client/game_client.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace spaceships::server {
namespace {

using gapkit::client::ClientEvent;
using gapkit::client::ClientEventType;
using gapkit::client::ClientState;

double NowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A local-mode server loop and one GameClient connected to it directly with the dev key, ticked
// together by hand on loopback.
class GameLoopTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp);
        ASSERT_TRUE(port);
        port_ = *port;
        ServerConfig config;
        config.port = port_;
        config.seed = 7;
        auto loop = GameLoop::Start(config, 0, nullptr);
        ASSERT_TRUE(loop) << loop.error().ToString();
        loop_ = std::move(*loop);
        auto client = gapkit::client::GameClient::Create({});
        ASSERT_TRUE(client) << client.error().ToString();
        client_ = std::move(*client);
    }

    void Connect() {
        ASSERT_TRUE(client_->ConnectDirect(fmt::format("127.0.0.1:{}", port_), kDefaultProtocolId,
                                           gapkit::netcode::DevPrivateKey()));
        ASSERT_TRUE(PumpUntil([&] { return latest_ && latest_->FindShip(latest_->your_id) != nullptr; }));
    }

    // Ticks server and client (and sends `input_`) until `done` holds; false after 10 s.
    bool PumpUntil(const std::function<bool()>& done) {
        const double deadline = NowSeconds() + 10.0;
        while (NowSeconds() < deadline) {
            const double now = NowSeconds();
            if (server_running_) loop_->Tick(now);
            client_->Update(now);
            ClientEvent event;
            while (client_->Poll(event)) Receive(event);
            if (client_->State() == ClientState::kConnected) (void)client_->SendPayload(EncodeInput(input_));
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return false;
    }

    void Receive(const ClientEvent& event) {
        if (event.type != ClientEventType::kPayload) return;
        auto snapshot = DecodeSnapshot(event.payload);
        ASSERT_TRUE(snapshot) << snapshot.error().ToString();
        latest_ = std::move(*snapshot);
        ++snapshots_;
    }

    const ShipView& Me() const { return *latest_->FindShip(latest_->your_id); }

    gapkit::testing::ScopedEnv env_{
        {{"NATS_HOST", std::nullopt}, {"ARBITRIUM_REQUEST_ID", std::nullopt}, {"MATCHMAKER_URL", std::nullopt}}};
    std::uint16_t port_ = 0;
    std::unique_ptr<GameLoop> loop_;
    std::unique_ptr<gapkit::client::GameClient> client_;
    std::optional<Snapshot> latest_;
    int snapshots_ = 0;
    bool server_running_ = true;
    PlayerInput input_;
};

TEST_F(GameLoopTest, APlayerJoinsSteersItsShipAndLeaves) {
    Connect();
    EXPECT_EQ(loop_->stats().joins, 1u);
    EXPECT_EQ(loop_->world().ship_count(), 1u);
    const ShipView start = Me();

    input_.thrust = true;
    ASSERT_TRUE(PumpUntil([&] { return Me().thrusting && (Me().x != start.x || Me().y != start.y); }));

    client_->Disconnect();
    ASSERT_TRUE(PumpUntil([&] { return loop_->stats().leaves == 1; }));
    EXPECT_EQ(loop_->world().ship_count(), 0u);
}

TEST_F(GameLoopTest, AMalformedPayloadIsDroppedAndThePlayerKeepsPlaying) {
    Connect();
    for (const std::vector<std::uint8_t>& junk :
         {std::vector<std::uint8_t>{0xff}, {kInputType, 0xf0}, {kSnapshotType, 0, 0, 0, 0, 0, 0, 0}}) {
        ASSERT_TRUE(client_->SendPayload(junk));
    }
    ASSERT_TRUE(PumpUntil([&] { return loop_->stats().bad_payloads == 3; }));

    const int before = snapshots_;
    input_.turn_left = true;
    const float angle = Me().angle_radians;
    ASSERT_TRUE(PumpUntil([&] { return snapshots_ > before + 5 && Me().angle_radians != angle; }));
    EXPECT_EQ(loop_->stats().leaves, 0u);
}

TEST_F(GameLoopTest, StopDisconnectsThePlayers) {
    Connect();
    loop_->Stop();
    loop_->Stop();
    server_running_ = false;
    EXPECT_TRUE(PumpUntil([&] { return client_->State() == ClientState::kDisconnected; }));
}

TEST_F(GameLoopTest, RunTicksUntilAskedToStop) {
    std::atomic<bool> stop{false};
    std::thread runner([&] { loop_->Run([&] { return stop.load(); }); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.store(true);
    runner.join();
    EXPECT_GT(loop_->stats().ticks, 0u);
    EXPECT_EQ(loop_->world().tick(), loop_->stats().ticks);
}

}  // namespace
}  // namespace spaceships::server
