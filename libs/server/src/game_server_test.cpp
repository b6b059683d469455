// Behaviour of GameServer against a real nats-server (TLS, a gameserver user with only the rights
// deploy/local/nats.conf.in gives it: its facts' subjects and its own inbox) and a real netcode
// client over loopback. `FakeMatchmaker` plays the matchmaker's part of the facts protocol with
// in-memory maps (services/matchmaker's own tests check the real checks). Time is a manual `now`;
// the short sleeps only let UDP datagrams and bus replies arrive.

#include "gapkit/server/game_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "fake_matchmaker_test_support.hpp"
#include "gapkit/bus/connection.hpp"
#include "gapkit/bus/names.hpp"
#include "gapkit/netcode/client.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/private_key.hpp"
#include "gapkit/protocol/server_facts.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "http_server_test_support.hpp"

namespace gapkit::server {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kProtocolId = 80085;
constexpr std::uint16_t kExternalPort = 40123;  // Never bound: only named in tokens, as behind Edgegap's NAT.

std::uint16_t FreeUdpPort() {
    auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp);
    EXPECT_TRUE(port.has_value());
    return port.value_or(0);
}
std::uint64_t UnixNow() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

class GameServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        ASSERT_NO_FATAL_FAILURE(StartFakeMatchmaker(nats_, matchmaker_, fake_, http_));
        game_port_ = FreeUdpPort();
    }

    testing::EnvOverrides Environment(const std::string& ports_mapping = {}) const {
        return EdgegapEnvironment(*nats_, *http_,
                                  ports_mapping.empty() ? GamePortMapping(game_port_, kExternalPort) : ports_mapping);
    }

    // Local mode without a bus, gapkit's variables unset unless `overrides` sets them.
    static testing::EnvOverrides LocalEnvironment(testing::EnvOverrides overrides) {
        for (const char* name :
             {"ARBITRIUM_REQUEST_ID", "GAPKIT_PRIVATE_KEY", "GAPKIT_PRIVATE_KEY_FILE", "GAPKIT_PROTOCOL_ID"}) {
            overrides.try_emplace(name, std::nullopt);
        }
        return overrides;
    }

    GameServerConfig Config() const {
        GameServerConfig config;
        config.protocol_id = kProtocolId;
        config.private_key = key_;
        return config;
    }

    common::Result<std::unique_ptr<GameServer>> StartServer(const GameServerConfig& config,
                                                            const testing::EnvOverrides& env) {
        testing::ScopedEnv scoped(env);
        const std::string pem = nats_->CaPem();
        const char* argv[] = {"game-server", "--ca_contents", pem.c_str()};
        return GameServer::Start(config, 3, argv);
    }

    // A token for client `client_id`: the client dials the bound port, the private token names
    // `server_address` (the advertised public ip:external port unless a test says otherwise).
    netcode::ConnectTokenBytes Token(std::uint64_t client_id, netcode::Address server_address,
                                     std::uint64_t created = UnixNow(), netcode::Key key = {}) const {
        netcode::ConnectTokenParams params;
        params.protocol_id = kProtocolId;
        params.private_key = key == netcode::Key{} ? key_ : key;
        params.client_id = client_id;
        params.timeout_seconds = 2;
        params.public_server_addresses = {netcode::Address::Ipv4(127, 0, 0, 1, game_port_)};
        params.internal_server_addresses = {server_address};
        params.user_data[0] = 42;
        auto token = netcode::GenerateConnectToken(params, created);
        EXPECT_TRUE(token) << token.error().ToString();
        return *token;
    }

    netcode::Address Advertised() const { return netcode::Address::Ipv4(127, 0, 0, 1, kExternalPort); }

    // Ticks server and client together until `done` holds (up to 10 s of real time).
    bool Pump(GameServer& server, netcode::Client& client, const std::function<bool()>& done) {
        for (int i = 0; i < 1000; ++i) {
            now_ += 0.02;
            client.Update(now_);
            server.Update(now_);
            ServerEvent event;
            while (server.Poll(event)) events_.push_back(event);
            if (done()) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    bool HasEvent(ServerEventType type) const {
        return std::any_of(events_.begin(), events_.end(), [type](const auto& e) { return e.type == type; });
    }

    std::optional<std::string> Active(const std::string& session) { return fake_->Active(session); }

    // Ticks the server alone (retries are scheduled on its ticks) until `done` holds.
    bool Tick(GameServer& server, const std::function<bool()>& done) {
        for (int i = 0; i < 1000 && !done(); ++i) {
            now_ += 0.05;
            server.Update(now_);
            std::this_thread::sleep_for(10ms);
        }
        return done();
    }

    bool WaitFor(const std::function<bool()>& condition) {
        for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(10ms);
        return condition();
    }

    netcode::Key key_ = netcode::GenerateKey();
    std::unique_ptr<testing::NatsServer> nats_;
    std::unique_ptr<TestHttpServer> http_;
    std::unique_ptr<bus::Connection> matchmaker_;
    std::unique_ptr<FakeMatchmaker> fake_;
    std::uint16_t game_port_ = 0;
    double now_ = 100.0;
    std::vector<ServerEvent> events_;
};

TEST_F(GameServerTest, ClientWithSessionJoinsAndLeavingClearsActiveConnection) {
    auto server = StartServer(Config(), Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    EXPECT_EQ((*server)->advertised_address(), Advertised());  // The external port, not the bound one.
    fake_->AddSession(777, "session-1");
    netcode::Client client;
    const auto token = Token(777, Advertised());
    ASSERT_TRUE(client.Connect(token, now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
    const ServerEvent joined = events_.back();
    EXPECT_EQ(joined.client_id, 777u);
    EXPECT_EQ(joined.session_id, "session-1");
    EXPECT_EQ(joined.user_data[0], 42);
    EXPECT_EQ(Active("session-1"), "777");
    EXPECT_EQ((*server)->num_players(), 1);

    const std::vector<std::uint8_t> hello = {1, 2, 3};
    ASSERT_TRUE(client.SendPayload(hello));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPayload); }));
    EXPECT_EQ(events_.back().payload, hello);
    ASSERT_TRUE((*server)->SendPayload(joined.client_index, hello));
    std::vector<std::uint8_t> received;
    ASSERT_TRUE(Pump(**server, client, [&] { return client.Poll(received); }));
    EXPECT_EQ(received, hello);

    client.Disconnect();
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerLeft); }));
    EXPECT_EQ(events_.back().reason, LeaveReason::kClientDisconnected);
    EXPECT_EQ(events_.back().session_id, "session-1");
    EXPECT_TRUE(WaitFor([&] { return !Active("session-1"); }));
    EXPECT_EQ(fake_->LastDeployment(), "abc123def456");  // Every fact names this server's deployment.
}

TEST_F(GameServerTest, StoppingTheServerClearsItsPlayersActiveConnections) {
    auto server = StartServer(Config(), Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    fake_->AddSession(778, "session-2");
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(778, Advertised()), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
    EXPECT_EQ(Active("session-2"), "778");
    (*server)->Stop();  // Waits for the worker, so the delete is done when it returns.
    ServerEvent left;
    ASSERT_TRUE((*server)->Poll(left));
    EXPECT_EQ(left.type, ServerEventType::kPlayerLeft);
    EXPECT_EQ(left.reason, LeaveReason::kServerStopped);
    EXPECT_FALSE(Active("session-2"));
}

TEST_F(GameServerTest, ClientWhoseSessionWasNeverCreatedIsDisconnected) {
    auto server = StartServer(Config(), Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(555, Advertised()), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return client.state() == netcode::ClientState::kDisconnected; }));
    EXPECT_TRUE(events_.empty());
    EXPECT_EQ((*server)->num_players(), 0);
    EXPECT_EQ(fake_->Count(bus::names::kJoinFact), 1);
}

TEST_F(GameServerTest, WithoutRequireSessionAnUnknownClientJoinsWithoutSession) {
    GameServerConfig config = Config();
    config.require_session = false;
    auto server = StartServer(config, Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(556, Advertised()), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
    EXPECT_EQ(events_.back().session_id, "");
}

TEST_F(GameServerTest, ForgedExpiredAndOtherServerTokensAreRefused) {
    auto server = StartServer(Config(), Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    fake_->AddSession(900, "session-9");
    const std::vector<std::pair<std::string, netcode::ConnectTokenBytes>> tokens = {
        {"forged", Token(900, Advertised(), UnixNow(), netcode::GenerateKey())},
        {"expired", Token(900, Advertised(), UnixNow() - 120)},
        {"other server", Token(900, netcode::Address::Ipv4(10, 9, 8, 7, kExternalPort))},
    };
    for (const auto& [name, token] : tokens) {
        netcode::Client client;
        auto connected = client.Connect(token, now_);
        if (!connected) continue;  // The client itself may refuse an expired token.
        ASSERT_TRUE(Pump(**server, client, [&] { return static_cast<int>(client.state()) <= 0; })) << name;
        EXPECT_NE(client.state(), netcode::ClientState::kConnected) << name;
        EXPECT_TRUE(events_.empty()) << name;
    }
    EXPECT_FALSE(Active("session-9"));
}

TEST_F(GameServerTest, PublishesDigestAndContext) {
    auto contexts = matchmaker_->SubscribeSync("gameserver.abc123def456.context");
    ASSERT_TRUE(contexts);
    auto server = StartServer(Config(), Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    EXPECT_TRUE(WaitFor([&] { return fake_->Digest("127.0.0.1") == (*server)->certificate().sha256_digest; }));
    auto message = contexts->NextMessage(10s);
    ASSERT_TRUE(message && message->has_value());
    EXPECT_NE((*message)->data.find(R"("request_id":"abc123def456")"), std::string::npos) << (*message)->data;
    EXPECT_EQ(http_->LastRequest("GET").authorization, "context-token");
}

TEST_F(GameServerTest, StatesItsJoinedPlayersAliveEachIntervalAndNothingWhileEmpty) {
    auto alive = matchmaker_->SubscribeSync("gameserver.abc123def456.alive");
    ASSERT_TRUE(alive);
    auto next_alive = [&](std::chrono::milliseconds wait) -> std::optional<std::string> {
        auto message = alive->NextMessage(wait);
        if (!message || !message->has_value()) return std::nullopt;
        return (*message)->data;
    };
    GameServerConfig config = Config();
    config.alive_interval_seconds = 1;
    auto server = StartServer(config, Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    const double empty_until = now_ + 3;
    ASSERT_TRUE(Tick(**server, [&] { return now_ >= empty_until; }));
    EXPECT_EQ(next_alive(300ms), std::nullopt);

    fake_->AddSession(777, "session-1");
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(777, Advertised()), now_));
    std::optional<std::string> stated;
    ASSERT_TRUE(Pump(**server, client, [&] { return (stated = next_alive(1ms)).has_value(); }));
    auto fact = protocol::ParseAliveFact(*stated);
    ASSERT_TRUE(fact) << *stated;
    ASSERT_EQ(fact->sessions.size(), 1u);
    EXPECT_EQ(fact->sessions[0].session_id, "session-1");
    EXPECT_EQ(fact->sessions[0].client_id, 777u);

    client.Disconnect();
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerLeft); }));
    while (next_alive(200ms)) {
    }
    const double left_until = now_ + 3;
    ASSERT_TRUE(Tick(**server, [&] { return now_ >= left_until; }));
    EXPECT_EQ(next_alive(300ms), std::nullopt);
}

TEST_F(GameServerTest, DigestIsRetriedUntilAMatchmakerAnswers) {
    fake_->Unsubscribe();  // The matchmaker starts after the server: "no responders" at first.
    auto server = StartServer(Config(), Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    int ticks = 0;
    Tick(**server, [&] { return ++ticks > 100; });
    EXPECT_FALSE(fake_->Digest("127.0.0.1"));
    fake_->Subscribe();
    fake_->FailNext(1);  // Then it answers once that it could not check.
    EXPECT_TRUE(Tick(**server, [&] { return fake_->Digest("127.0.0.1").has_value(); }));
    EXPECT_EQ(fake_->Count(bus::names::kCertDigestFact), 2);
}

TEST_F(GameServerTest, LeftIsRetriedWhenTheMatchmakerCouldNotCheckIt) {
    auto server = StartServer(Config(), Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    fake_->AddSession(779, "session-3");
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(779, Advertised()), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
    ASSERT_TRUE(WaitFor([&] { return fake_->Digest("127.0.0.1").has_value(); }));
    fake_->FailNext(2);
    (*server)->Disconnect(events_.back().client_index);
    EXPECT_TRUE(Tick(**server, [&] { return !Active("session-3"); }));
    EXPECT_EQ(fake_->Count(bus::names::kLeftFact), 3);
}

TEST_F(GameServerTest, LocalModeWithABusStatesFactsAsDeploymentLocal) {
    GameServerConfig config = Config();
    config.local_port = game_port_;
    config.require_session = false;
    testing::EnvOverrides env = nats_->ClientEnv();
    env["ARBITRIUM_REQUEST_ID"] = std::nullopt;
    auto server = StartServer(config, env);
    ASSERT_TRUE(server) << server.error().ToString();
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(560, netcode::Address::Ipv4(127, 0, 0, 1, game_port_)), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
    EXPECT_EQ(events_.back().session_id, "");  // Refused, and let in only because require_session is off.
    EXPECT_EQ(fake_->LastDeployment(), "local");
    EXPECT_EQ(fake_->Count(bus::names::kCertDigestFact), 0);  // Nothing to check a digest against.
}

TEST_F(GameServerTest, SelfStopsAfterBeingEmptyForTheConfiguredTime) {
    GameServerConfig config = Config();
    config.self_stop_after_empty_seconds = 5;
    auto server = StartServer(config, Environment());
    ASSERT_TRUE(server) << server.error().ToString();
    (*server)->Update(now_);
    (*server)->Update(now_ + 4.9);
    ServerEvent event;
    EXPECT_FALSE((*server)->Poll(event));
    (*server)->Update(now_ + 5.0);
    ASSERT_TRUE((*server)->Poll(event));
    EXPECT_EQ(event.type, ServerEventType::kSelfStopping);
    EXPECT_TRUE(WaitFor([&] { return http_->LastRequest("DELETE").authorization == "delete-token"; }));
    EXPECT_EQ(http_->LastRequest("DELETE").target, "/v1/self/stop/abc123def456/99");
}

TEST_F(GameServerTest, LocalModeUsesTheDevKeyWithoutBus) {
    GameServerConfig config;
    config.protocol_id = kProtocolId;
    config.local_port = game_port_;
    config.use_bus = false;
    auto server = StartServer(config, LocalEnvironment({}));
    ASSERT_TRUE(server) << server.error().ToString();
    EXPECT_FALSE((*server)->on_edgegap());
    EXPECT_EQ((*server)->advertised_address(), netcode::Address::Ipv4(127, 0, 0, 1, game_port_));
    netcode::Client client;
    ASSERT_TRUE(client.Connect(
        Token(1, netcode::Address::Ipv4(127, 0, 0, 1, game_port_), UnixNow(), netcode::DevPrivateKey()), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
    EXPECT_EQ(events_.back().session_id, "");
}

TEST_F(GameServerTest, ReadsKeyAndProtocolIdFromTheEnvironmentWhenConfigLeavesThemUnset) {
    GameServerConfig config;
    config.local_port = game_port_;
    config.use_bus = false;
    auto server = StartServer(config, LocalEnvironment({{"GAPKIT_PRIVATE_KEY", netcode::KeyToHex(key_)},
                                                        {"GAPKIT_PROTOCOL_ID", std::to_string(kProtocolId)}}));
    ASSERT_TRUE(server) << server.error().ToString();
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(1, netcode::Address::Ipv4(127, 0, 0, 1, game_port_)), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
}

TEST_F(GameServerTest, ConfigOverridesTheEnvironment) {
    GameServerConfig config = Config();
    config.local_port = game_port_;
    config.use_bus = false;
    auto server =
        StartServer(config, LocalEnvironment({{"GAPKIT_PRIVATE_KEY", netcode::KeyToHex(netcode::DevPrivateKey())},
                                              {"GAPKIT_PROTOCOL_ID", "1"}}));
    ASSERT_TRUE(server) << server.error().ToString();
    netcode::Client client;
    ASSERT_TRUE(client.Connect(Token(2, netcode::Address::Ipv4(127, 0, 0, 1, game_port_)), now_));
    ASSERT_TRUE(Pump(**server, client, [&] { return HasEvent(ServerEventType::kPlayerJoined); }));
}

TEST_F(GameServerTest, StartFailsClearlyOnBadEnvironmentOrConfig) {
    auto bad_ports = StartServer(Config(), Environment(R"({"ports": "7777"})"));
    ASSERT_FALSE(bad_ports);
    EXPECT_NE(bad_ports.error().message().find("ARBITRIUM_PORTS_MAPPING"), std::string::npos);
    auto zero_key = StartServer(GameServerConfig{}, Environment());
    ASSERT_FALSE(zero_key);
    EXPECT_NE(zero_key.error().message().find("GAPKIT_PRIVATE_KEY"), std::string::npos);
    testing::EnvOverrides bad_id = Environment();
    bad_id["GAPKIT_PROTOCOL_ID"] = "eighty";
    GameServerConfig no_id = Config();
    no_id.protocol_id = 0;
    auto bad_id_server = StartServer(no_id, bad_id);
    ASSERT_FALSE(bad_id_server);
    EXPECT_NE(bad_id_server.error().message().find("environment variable GAPKIT_PROTOCOL_ID"), std::string::npos);
    GameServerConfig too_many = Config();
    too_many.max_clients = 300;
    EXPECT_FALSE(StartServer(too_many, Environment()));
}

}  // namespace
}  // namespace gapkit::server
