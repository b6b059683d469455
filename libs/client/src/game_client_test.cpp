// GameClient against real sockets on loopback: a scripted WebSocket matchmaker (script_server_test_support.hpp)
// and a real netcode::Server. The game clock is driven by hand; the short real sleeps only give
// the client's worker thread and the script server's thread time to run.
#include "gapkit/client/game_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "gapkit/common/clock.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/server.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/testing/scoped_env.hpp"
#include "script_server_test_support.hpp"

namespace gapkit::client {
namespace {

using testing::ScriptEnding;
using testing::ScriptServer;

constexpr std::uint64_t kProtocolId = 0x6761706b6974;

std::vector<std::uint8_t> Bytes(std::string_view text) { return {text.begin(), text.end()}; }

// A netcode server on 127.0.0.1 with a fresh key, ticked with the test's clock.
struct GameServer {
    GameServer()
        : key(netcode::GenerateKey()), server([&] {
              netcode::ServerConfig config;
              config.protocol_id = kProtocolId;
              config.private_key = key;
              config.bind_address = netcode::Address::Ipv4(127, 0, 0, 1, 0);
              return config;
          }()) {
        auto started = server.Start();
        EXPECT_TRUE(started) << started.error().ToString();
    }

    std::string TokenBase64(std::uint64_t protocol_id = kProtocolId) const {
        netcode::ConnectTokenParams params;
        params.protocol_id = protocol_id;
        params.private_key = key;
        params.client_id = 4242;
        params.public_server_addresses = {server.bound_address()};
        auto token = netcode::GenerateConnectToken(params, common::SystemClock::Instance().UnixSeconds());
        EXPECT_TRUE(token) << token.error().ToString();
        return netcode::EncodeConnectTokenBase64(*token);
    }

    std::string ReadyReply(std::uint64_t protocol_id = kProtocolId) const {
        return protocol::SerializeMatchReply(
            protocol::SessionReady{TokenBase64(protocol_id), "127.0.0.1", server.bound_address().port, "ab:cd"});
    }

    netcode::Key key;
    netcode::Server server;
};

class GameClientTest : public ::testing::Test {
  protected:
    std::unique_ptr<GameClient> MakeClient(const std::string& url, double matchmaking_timeout_seconds = 30,
                                           bool own_transport = false) {
        GameClientConfig config;
        config.own_transport = own_transport;
        config.matchmaker_url = url;
        config.protocol_id = kProtocolId;
        config.matchmaking_timeout_seconds = matchmaking_timeout_seconds;
        config.matchmaker_connect_timeout_seconds = 2;
        config.connect_timeout_seconds = 5;
        auto client = GameClient::Create(config);
        EXPECT_TRUE(client) << client.error().ToString();
        return client ? std::move(*client) : nullptr;
    }

    // Ticks the client (and `server` if given) every 10 ms of game time until `done` or until
    // `max_game_seconds` passed, collecting events.
    bool RunUntil(GameClient& client, const std::function<bool()>& done, GameServer* server = nullptr,
                  double max_game_seconds = 10) {
        const double end = now_ + max_game_seconds;
        while (now_ < end && !done()) {
            now_ += 0.01;
            if (server) server->server.Update(now_, common::SystemClock::Instance().UnixSeconds());
            client.Update(now_);
            Drain(client);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        Drain(client);  // Events queued by calls made since the last tick.
        return done();
    }

    void Drain(GameClient& client) {
        ClientEvent event;
        while (client.Poll(event)) events_.push_back(event);
    }

    bool RunUntilState(GameClient& client, ClientState state, GameServer* server = nullptr,
                       double max_game_seconds = 10) {
        return RunUntil(
            client, [&] { return client.State() == state; }, server, max_game_seconds);
    }

    std::vector<ClientState> StateChanges() const {
        std::vector<ClientState> states;
        for (const auto& event : events_) {
            if (event.type == ClientEventType::kStateChanged) states.push_back(event.state);
        }
        return states;
    }

    std::vector<std::string> ProgressTexts() const {
        std::vector<std::string> texts;
        for (const auto& event : events_) {
            if (event.type == ClientEventType::kProgress) texts.push_back(event.text);
        }
        return texts;
    }

    const ClientEvent& LastStateChange() const {
        for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
            if (it->type == ClientEventType::kStateChanged) return *it;
        }
        static const ClientEvent kNone;
        return kNone;
    }

    double now_ = 1000;
    std::vector<ClientEvent> events_;
};

TEST_F(GameClientTest, FindsServerConnectsExchangesPayloadsAndDisconnects) {
    GameServer game;
    ScriptServer matchmaker({R"("Acknowledged")", R"({"SessionRequestAccepted":"abc123"})",
                             R"json({"ProgressReport":"Deploying (0.5s)"})json", game.ReadyReply()},
                            ScriptEnding::kClose);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    EXPECT_EQ(client->State(), ClientState::kMatchmaking);
    ASSERT_TRUE(RunUntilState(*client, ClientState::kConnected, &game)) << ToString(client->State());

    EXPECT_EQ(StateChanges(),
              (std::vector<ClientState>{ClientState::kMatchmaking, ClientState::kConnecting, ClientState::kConnected}));
    EXPECT_EQ(ProgressTexts(),
              (std::vector<std::string>{"Looking for a server", "Starting a server session", "Deploying (0.5s)"}));
    EXPECT_EQ(matchmaker.Requests(),
              std::vector<std::string>{R"({"game":"spaceships","version":"1","client_ip":null})"});
    EXPECT_EQ(client->server_address(), game.server.bound_address());
    EXPECT_EQ(client->cert_digest(), "ab:cd");
    EXPECT_EQ(game.server.ClientId(0), 4242u);

    ASSERT_TRUE(client->SendPayload(Bytes("hello server")));
    ASSERT_TRUE(game.server.SendPayload(0, Bytes("hello client")));
    bool got_payload = false;
    ASSERT_TRUE(RunUntil(
        *client,
        [&] {
            for (const auto& event : events_) got_payload |= event.type == ClientEventType::kPayload;
            return got_payload;
        },
        &game));
    EXPECT_EQ(events_.back().payload, Bytes("hello client"));

    client->Disconnect();
    EXPECT_EQ(client->State(), ClientState::kDisconnected);
    game.server.Update(now_ + 0.01, common::SystemClock::Instance().UnixSeconds());
    EXPECT_EQ(game.server.num_connected_clients(), 0);
}

TEST_F(GameClientTest, OwnTransportStopsAtTheTokenAndGivesTheConnectionRequest) {
    GameServer game;
    ScriptServer matchmaker({R"("Acknowledged")", game.ReadyReply()}, ScriptEnding::kClose);
    auto client = MakeClient(matchmaker.Url(), 30, /*own_transport=*/true);
    EXPECT_FALSE(client->connection_request()) << "no token before matchmaking";
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kServerFound, &game)) << ToString(client->State());
    EXPECT_EQ(StateChanges(), (std::vector<ClientState>{ClientState::kMatchmaking, ClientState::kServerFound}));
    EXPECT_EQ(client->server_address(), game.server.bound_address());
    auto request = client->connection_request();
    ASSERT_TRUE(request) << request.error().ToString();
    // What a SessionGate opens: the token's private part, for the server's key and address.
    const netcode::Address own[] = {game.server.bound_address()};
    auto opened = netcode::OpenConnectionRequest(*request, kProtocolId, game.key,
                                                 common::SystemClock::Instance().UnixSeconds(), own);
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(opened->token.client_id, 4242u);
    // Both sides hold the same session keys, for a game that encrypts its own channel.
    auto token = client->connect_token();
    ASSERT_TRUE(token) << token.error().ToString();
    EXPECT_EQ(token->client_to_server_key, opened->token.client_to_server_key);
    EXPECT_EQ(token->server_to_client_key, opened->token.server_to_client_key);
    // netcode was never used: the server saw no one, and the client may search again.
    RunUntil(
        *client, [] { return false; }, &game, 0.3);
    EXPECT_EQ(game.server.num_connected_clients(), 0);
    EXPECT_TRUE(client->FindServer("spaceships", "1"));
}

TEST_F(GameClientTest, MatchmakerErrorFailsWithItsMessage) {
    ScriptServer matchmaker({R"("Acknowledged")", R"({"Error":[503,"no seats anywhere"]})"}, ScriptEnding::kClose);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakerError);
    EXPECT_NE(LastStateChange().text.find("no seats anywhere"), std::string::npos) << LastStateChange().text;
    EXPECT_NE(LastStateChange().text.find("503"), std::string::npos);
}

TEST_F(GameClientTest, UnreachableMatchmakerFails) {
    std::uint16_t closed_port = 0;
    {
        ScriptServer gone({}, ScriptEnding::kClose);
        closed_port = gone.port();
    }
    auto client = MakeClient("ws://127.0.0.1:" + std::to_string(closed_port) + "/matchmaker/ws");
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakerUnreachable);
    EXPECT_EQ(LastStateChange().text, PlayerText(FailureReason::kMatchmakerUnreachable));
}

TEST_F(GameClientTest, MatchmakerRefusingTheUpgradeIsBusyNotUnreachable) {
    ScriptServer matchmaker({}, ScriptEnding::kBusy);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakerBusy);
    EXPECT_EQ(LastStateChange().text, PlayerText(FailureReason::kMatchmakerBusy));
}

TEST_F(GameClientTest, UnresolvableHostFails) {
    auto client = MakeClient("ws://no-such-host.invalid/matchmaker/ws");
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed, nullptr, 25));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakerUnreachable);
}

TEST_F(GameClientTest, TlsToAPlainServerFails) {
    ScriptServer matchmaker({}, ScriptEnding::kHang);
    auto client = MakeClient("wss://127.0.0.1:" + std::to_string(matchmaker.port()) + "/matchmaker/ws");
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed, nullptr, 25));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakerUnreachable);
}

TEST_F(GameClientTest, CloseBeforeFinalReplyFails) {
    ScriptServer matchmaker({R"("Acknowledged")"}, ScriptEnding::kClose);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakerClosed);
    EXPECT_EQ(ProgressTexts(), std::vector<std::string>{"Looking for a server"});
}

TEST_F(GameClientTest, DroppedConnectionFails) {
    ScriptServer matchmaker({R"("Acknowledged")"}, ScriptEnding::kDrop);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakerClosed);
}

TEST_F(GameClientTest, MalformedReplyFails) {
    ScriptServer matchmaker({R"({"SessionReady":{"token":"short"}})"}, ScriptEnding::kHang);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMalformedReply);
}

TEST_F(GameClientTest, TokenForAnotherProtocolFails) {
    GameServer game;
    ScriptServer matchmaker({game.ReadyReply(kProtocolId + 1)}, ScriptEnding::kClose);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed, &game));
    EXPECT_EQ(client->failure_reason(), FailureReason::kInvalidConnectToken);
}

TEST_F(GameClientTest, SilentMatchmakerTimesOut) {
    ScriptServer matchmaker({R"("Acknowledged")"}, ScriptEnding::kHang);
    auto client = MakeClient(matchmaker.Url(), /*matchmaking_timeout_seconds=*/3);
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed, nullptr, 5));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMatchmakingTimedOut);
    // The worker abandoned the socket, so the server sees the client leave.
    EXPECT_TRUE(RunUntil(*client, [&] { return matchmaker.FinishedConnections() == 1; }));
}

TEST_F(GameClientTest, CancelDuringMatchmakingReturnsToIdleAndCanRetry) {
    ScriptServer matchmaker({R"("Acknowledged")"}, ScriptEnding::kHang);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    EXPECT_FALSE(client->FindServer("spaceships", "1"));  // Busy: Cancel first.
    ASSERT_TRUE(RunUntil(*client, [&] { return !ProgressTexts().empty(); }));
    client->Cancel();
    EXPECT_EQ(client->State(), ClientState::kIdle);
    EXPECT_TRUE(RunUntil(*client, [&] { return matchmaker.FinishedConnections() == 1; }));
    ASSERT_TRUE(client->FindServer("spaceships", "2"));
    EXPECT_TRUE(RunUntil(*client, [&] { return matchmaker.Requests().size() == 2; }));
    EXPECT_EQ(StateChanges(),
              (std::vector<ClientState>{ClientState::kMatchmaking, ClientState::kIdle, ClientState::kMatchmaking}));
}

TEST_F(GameClientTest, ServerThatDoesNotAnswerFailsConnecting) {
    GameServer game;
    ScriptServer matchmaker({game.ReadyReply()}, ScriptEnding::kClose);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    // The game server is never ticked, so the handshake cannot complete.
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed, nullptr, 20));
    EXPECT_EQ(client->failure_reason(), FailureReason::kConnectionTimedOut);
}

TEST_F(GameClientTest, OversizedReplyIsMalformed) {
    const std::string huge = protocol::SerializeMatchReply(protocol::ProgressReport{std::string(70'000, 'x')});
    ScriptServer matchmaker({huge}, ScriptEnding::kHang);
    auto client = MakeClient(matchmaker.Url());
    ASSERT_TRUE(client->FindServer("spaceships", "1"));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed));
    EXPECT_EQ(client->failure_reason(), FailureReason::kMalformedReply);
}

TEST_F(GameClientTest, CancelWhileConnectingReturnsToIdle) {
    GameServer game;
    auto client = MakeClient("ws://127.0.0.1:1/unused");
    ASSERT_TRUE(client->ConnectDirect(game.server.bound_address().ToString(), kProtocolId, game.key));
    client->Update(now_);  // The handshake starts, but the server is not ticked.
    client->Cancel();
    EXPECT_EQ(client->State(), ClientState::kIdle);
    EXPECT_TRUE(RunUntilState(*client, ClientState::kIdle, &game, 1));
    EXPECT_EQ(game.server.num_connected_clients(), 0);
    // At rest again: a new attempt is allowed and succeeds.
    ASSERT_TRUE(client->ConnectDirect(game.server.bound_address().ToString(), kProtocolId, game.key));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kConnected, &game));
}

TEST_F(GameClientTest, ConnectDirectWithDevKey) {
    GameServer game;
    auto client = MakeClient("ws://127.0.0.1:1/unused");
    ASSERT_TRUE(client->ConnectDirect(game.server.bound_address().ToString(), kProtocolId, game.key));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kConnected, &game));
    EXPECT_EQ(StateChanges(), (std::vector<ClientState>{ClientState::kConnecting, ClientState::kConnected}));
    EXPECT_EQ(game.server.num_connected_clients(), 1);
}

TEST_F(GameClientTest, ConnectDirectWithWrongKeyIsDenied) {
    GameServer game;
    auto client = MakeClient("ws://127.0.0.1:1/unused");
    ASSERT_TRUE(client->ConnectDirect(game.server.bound_address().ToString(), kProtocolId, netcode::GenerateKey()));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kFailed, &game, 20));
    // A server ignores requests it cannot decrypt, so the player sees a timeout.
    EXPECT_EQ(client->failure_reason(), FailureReason::kConnectionTimedOut);
}

TEST_F(GameClientTest, ServerShutdownDisconnects) {
    GameServer game;
    auto client = MakeClient("ws://127.0.0.1:1/unused");
    ASSERT_TRUE(client->ConnectDirect(game.server.bound_address().ToString(), kProtocolId, game.key));
    ASSERT_TRUE(RunUntilState(*client, ClientState::kConnected, &game));
    game.server.Stop();
    ASSERT_TRUE(RunUntilState(*client, ClientState::kDisconnected));
    EXPECT_EQ(LastStateChange().reason, FailureReason::kNone);
}

TEST_F(GameClientTest, RefusesBadCalls) {
    auto client = MakeClient("ws://127.0.0.1:1/unused");
    EXPECT_FALSE(client->FindServer("space ships", "1"));
    EXPECT_FALSE(client->FindServer("spaceships", ""));
    EXPECT_FALSE(client->ConnectDirect("not an address", kProtocolId, netcode::GenerateKey()));
    EXPECT_FALSE(client->SendPayload(Bytes("x")));
    EXPECT_EQ(client->State(), ClientState::kIdle);
    ClientEvent event;
    EXPECT_FALSE(client->Poll(event));
}

TEST(GameClientConfig, MatchmakerUrlEnvOverridesConfig) {
    gapkit::testing::ScopedEnv env(
        gapkit::testing::EnvOverrides{{kMatchmakerUrlEnv, "wss://mm.example.com/matchmaker/ws"}});
    auto client = GameClient::Create({});
    ASSERT_TRUE(client) << client.error().ToString();
    EXPECT_EQ((*client)->matchmaker_url(), "wss://mm.example.com/matchmaker/ws");
}

TEST(GameClientConfig, BadMatchmakerUrlEnvIsNamed) {
    gapkit::testing::ScopedEnv env(gapkit::testing::EnvOverrides{{kMatchmakerUrlEnv, "http://mm.example.com"}});
    auto client = GameClient::Create({});
    ASSERT_FALSE(client);
    EXPECT_NE(client.error().message().find("MATCHMAKER_URL"), std::string::npos) << client.error().ToString();
}

TEST(GameClientConfig, EmptyEnvKeepsConfig) {
    gapkit::testing::ScopedEnv env(gapkit::testing::EnvOverrides{{kMatchmakerUrlEnv, ""}});
    EXPECT_EQ(ApplyEnvOverrides({}).matchmaker_url, "ws://127.0.0.1:3000/matchmaker/ws");
}

}  // namespace
}  // namespace gapkit::client
