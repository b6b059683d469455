#include "app.hpp"

#include <gtest/gtest.h>

namespace spaceships::client {
namespace {

using gapkit::client::ClientEvent;
using gapkit::client::ClientEventType;
using gapkit::client::ClientState;
using gapkit::client::FailureReason;

ClientEvent StateChanged(ClientState state, std::string text = "", FailureReason reason = FailureReason::kNone) {
    ClientEvent event;
    event.type = ClientEventType::kStateChanged;
    event.state = state;
    event.reason = reason;
    event.text = std::move(text);
    return event;
}

ClientEvent Progress(std::string text) {
    ClientEvent event;
    event.type = ClientEventType::kProgress;
    event.state = ClientState::kMatchmaking;
    event.text = std::move(text);
    return event;
}

ClientEvent Payload(std::vector<std::uint8_t> bytes) {
    ClientEvent event;
    event.type = ClientEventType::kPayload;
    event.state = ClientState::kConnected;
    event.payload = std::move(bytes);
    return event;
}

std::vector<std::uint8_t> SnapshotBytes(std::uint32_t tick) {
    Snapshot snapshot;
    snapshot.tick = tick;
    snapshot.your_id = 2;
    ShipView ship;
    ship.id = 2;
    ship.x = 50;
    ship.y = 60;
    snapshot.ships.push_back(ship);
    return EncodeSnapshot(snapshot);
}

TEST(SpaceshipsClientAppTest, TitleToMatchmakingToPlayingAndBackWithTheReason) {
    App app;
    EXPECT_EQ(app.screen(), Screen::kTitle);
    EXPECT_EQ(app.PressPlay(), Command::kStart);
    EXPECT_EQ(app.screen(), Screen::kMatchmaking);
    app.OnClientEvent(StateChanged(ClientState::kMatchmaking, "Asking the matchmaker"), 1);
    app.OnClientEvent(Progress("Deploying a server near you"), 2);
    EXPECT_EQ(app.message(), "Deploying a server near you");
    app.OnClientEvent(StateChanged(ClientState::kConnecting, "Connecting to 1.2.3.4:7000"), 3);
    EXPECT_EQ(app.message(), "Connecting to 1.2.3.4:7000");
    EXPECT_FALSE(app.ever_connected());

    app.OnClientEvent(StateChanged(ClientState::kConnected, "Connected"), 4);
    EXPECT_EQ(app.screen(), Screen::kPlaying);
    EXPECT_EQ(app.connected_since_seconds(), 4);
    EXPECT_TRUE(app.ever_connected());

    app.OnClientEvent(
        StateChanged(ClientState::kDisconnected, "The server went silent.", FailureReason::kConnectionLost), 9);
    EXPECT_EQ(app.screen(), Screen::kTitle);
    EXPECT_EQ(app.message(), "The server went silent.");
    EXPECT_FALSE(app.connected_since_seconds());
}

TEST(SpaceshipsClientAppTest, FailureWithoutTextShowsThePlayerTextOfTheReason) {
    App app;
    app.PressPlay();
    app.OnClientEvent(StateChanged(ClientState::kFailed, "", FailureReason::kMatchmakerUnreachable), 1);
    EXPECT_EQ(app.screen(), Screen::kTitle);
    EXPECT_EQ(app.message(), gapkit::client::PlayerText(FailureReason::kMatchmakerUnreachable));
}

TEST(SpaceshipsClientAppTest, EscapeQuitsCancelsOrLeavesByScreen) {
    App app;
    EXPECT_EQ(app.PressEscape(), Command::kQuit);
    app.PressPlay();
    EXPECT_EQ(app.PressPlay(), Command::kNone);
    EXPECT_EQ(app.PressEscape(), Command::kCancel);
    app.OnClientEvent(StateChanged(ClientState::kIdle), 1);
    EXPECT_EQ(app.screen(), Screen::kTitle);
    EXPECT_EQ(app.message(), "Matchmaking cancelled.");

    app.PressPlay();
    app.OnClientEvent(StateChanged(ClientState::kConnected), 2);
    EXPECT_EQ(app.PressEscape(), Command::kDisconnect);
    EXPECT_EQ(app.screen(), Screen::kPlaying);  // until the client says it disconnected
}

TEST(SpaceshipsClientAppTest, AStartRefusedAtOnceReturnsToTheTitle) {
    App app;
    app.PressPlay();
    app.StartFailed("bad game name");
    EXPECT_EQ(app.screen(), Screen::kTitle);
    EXPECT_EQ(app.message(), "bad game name");
}

TEST(SpaceshipsClientAppTest, LateEventsOfAnAbandonedAttemptDoNotLeaveTheTitle) {
    App app;
    app.OnClientEvent(StateChanged(ClientState::kConnecting, "Connecting"), 1);
    app.OnClientEvent(Progress("Deploying"), 1);
    EXPECT_EQ(app.screen(), Screen::kTitle);
    EXPECT_EQ(app.message(), "");
}

TEST(SpaceshipsClientAppTest, SnapshotsAreBufferedWhilePlayingAndGarbageIsCounted) {
    App app;
    app.PressPlay();
    app.OnClientEvent(Payload(SnapshotBytes(1)), 1);  // not playing yet: dropped
    EXPECT_TRUE(app.snapshots().empty());
    app.OnClientEvent(StateChanged(ClientState::kConnected), 2);
    app.OnClientEvent(Payload(SnapshotBytes(7)), 2.5);
    app.OnClientEvent(Payload({0xff, 0x00, 0x13}), 2.6);
    EXPECT_EQ(app.bad_payloads(), 1u);
    Frame frame;
    ASSERT_TRUE(app.snapshots().Sample(2.5, frame));
    EXPECT_EQ(frame.your_id, 2);
    ASSERT_EQ(frame.ships.size(), 1u);
    EXPECT_FLOAT_EQ(frame.ships[0].x, 50);
}

TEST(SpaceshipsClientAppTest, ANewGameStartsWithAnEmptyBuffer) {
    App app;
    app.PressPlay();
    app.OnClientEvent(StateChanged(ClientState::kConnected), 1);
    app.OnClientEvent(Payload(SnapshotBytes(3)), 1);
    app.OnClientEvent(StateChanged(ClientState::kDisconnected, "You left the game."), 2);
    app.PressPlay();
    app.OnClientEvent(StateChanged(ClientState::kConnected), 3);
    EXPECT_TRUE(app.snapshots().empty());
}

}  // namespace
}  // namespace spaceships::client
