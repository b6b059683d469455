// Behaviour of SessionGate: the connection request checks on their own (local mode, no bus), and
// joins, refusals, leaves and self-stop against a real nats-server with `FakeMatchmaker` and a real
// HTTP server standing in for Edgegap's self-stop URL. Time is a manual `now`; the short sleeps
// only let bus replies arrive.

#include "gapkit/server/session_gate.hpp"

#include <functional>
#include <thread>

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "fake_matchmaker_test_support.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/netcode/connection_request.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace gapkit::server {
namespace {

using namespace std::chrono_literals;
using common::ErrorCode;

constexpr std::uint64_t kProtocolId = 80085;
constexpr std::uint64_t kNow = 1'800'000'000;
constexpr std::uint16_t kInternalPort = 7000;
constexpr std::uint16_t kExternalPort = 40123;

class SessionGateTest : public ::testing::Test {
  protected:
    GameServerConfig Config() const {
        GameServerConfig config;
        config.protocol_id = kProtocolId;
        config.private_key = key_;
        config.max_clients = 2;
        config.local_port = kInternalPort;
        return config;
    }

    // The connection request a client makes from its matchmaker token.
    netcode::ConnectionRequestBytes Request(std::uint64_t client_id, netcode::Address server,
                                            std::uint64_t protocol_id = kProtocolId) const {
        netcode::ConnectTokenParams params;
        params.protocol_id = protocol_id;
        params.private_key = key_;
        params.client_id = client_id;
        params.public_server_addresses = {server};
        auto token = netcode::GenerateConnectToken(params, kNow);
        EXPECT_TRUE(token) << token.error().ToString();
        auto request = netcode::MakeConnectionRequest(*token);
        EXPECT_TRUE(request) << request.error().ToString();
        return *request;
    }

    common::Result<std::unique_ptr<SessionGate>> StartLocal() {
        testing::EnvOverrides env;
        for (const char* name : {"ARBITRIUM_REQUEST_ID", "NATS_HOST", "GAPKIT_PRIVATE_KEY", "GAPKIT_PRIVATE_KEY_FILE",
                                 "GAPKIT_PROTOCOL_ID"}) {
            env[name] = std::nullopt;
        }
        testing::ScopedEnv scoped(env);
        const char* argv[] = {"chat-server"};
        return SessionGate::Start(Config(), 1, argv);
    }

    netcode::Key key_ = netcode::GenerateKey();
    const netcode::Address local_ = netcode::Address::Ipv4(127, 0, 0, 1, kInternalPort);
};

ErrorCode CodeOf(const common::Result<Admission>& admitted) {
    EXPECT_FALSE(admitted);
    return admitted ? ErrorCode::kInternal : admitted.error().code();
}

TEST_F(SessionGateTest, AdmitsAValidRequestWithoutASocket) {
    auto gate = StartLocal();
    ASSERT_TRUE(gate) << gate.error().ToString();
    EXPECT_EQ((*gate)->game_port(), kInternalPort);
    EXPECT_EQ((*gate)->advertised_address(), local_);
    auto admitted = (*gate)->Admit(Request(7, local_), kNow);
    ASSERT_TRUE(admitted) << admitted.error().ToString();
    EXPECT_EQ(admitted->client_id, 7u);
    // Without a bus the player joins at once, with no session.
    (*gate)->Update(0);
    GateEvent event;
    ASSERT_TRUE((*gate)->Poll(event));
    EXPECT_EQ(event.type, GateEventType::kPlayerJoined);
    EXPECT_EQ(event.player_index, admitted->player_index);
    EXPECT_EQ((*gate)->num_players(), 1);
    (*gate)->Release(admitted->player_index, admitted->client_id);
    ASSERT_TRUE((*gate)->Poll(event));
    EXPECT_EQ(event.type, GateEventType::kPlayerLeft);
    EXPECT_EQ((*gate)->num_players(), 0);
}

TEST_F(SessionGateTest, RefusesForgedExpiredForeignMisaddressedAndTruncatedRequests) {
    auto gate = StartLocal();
    ASSERT_TRUE(gate) << gate.error().ToString();
    auto forged = Request(7, local_);
    forged[500] ^= 0x40;
    EXPECT_EQ(CodeOf((*gate)->Admit(forged, kNow)), ErrorCode::kUnauthenticated);
    EXPECT_EQ(CodeOf((*gate)->Admit(Request(7, local_), kNow + 31)), ErrorCode::kProtocol);
    EXPECT_EQ(CodeOf((*gate)->Admit(Request(7, local_, kProtocolId + 1), kNow)), ErrorCode::kProtocol);
    const auto elsewhere = netcode::Address::Ipv4(127, 0, 0, 1, kInternalPort + 1);
    EXPECT_EQ(CodeOf((*gate)->Admit(Request(7, elsewhere), kNow)), ErrorCode::kPermissionDenied);
    const auto request = Request(7, local_);
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{77}, request.size() - 1}) {
        EXPECT_EQ(CodeOf((*gate)->Admit(std::span(request.data(), size), kNow)), ErrorCode::kProtocol) << size;
    }
    EXPECT_EQ((*gate)->num_players(), 0);
}

TEST_F(SessionGateTest, RefusesATokenUsedBeforeEvenAfterItsPlayerLeft) {
    auto gate = StartLocal();
    ASSERT_TRUE(gate) << gate.error().ToString();
    const auto request = Request(7, local_);
    auto admitted = (*gate)->Admit(request, kNow);
    ASSERT_TRUE(admitted) << admitted.error().ToString();
    EXPECT_EQ(CodeOf((*gate)->Admit(request, kNow + 1)), ErrorCode::kAlreadyExists);
    (*gate)->Release(admitted->player_index, admitted->client_id);
    EXPECT_EQ(CodeOf((*gate)->Admit(request, kNow + 2)), ErrorCode::kAlreadyExists);
}

TEST_F(SessionGateTest, RefusesAdmissionWhenEverySlotIsTaken) {
    auto gate = StartLocal();
    ASSERT_TRUE(gate) << gate.error().ToString();
    ASSERT_TRUE((*gate)->Admit(Request(1, local_), kNow));
    ASSERT_TRUE((*gate)->Admit(Request(2, local_), kNow));
    const auto third = Request(3, local_);
    EXPECT_EQ(CodeOf((*gate)->Admit(third, kNow)), ErrorCode::kResourceExhausted);
    (*gate)->Release(0, 1);
    EXPECT_TRUE((*gate)->Admit(third, kNow)) << "a token turned away while full is not spent";
}

class SessionGateBusTest : public SessionGateTest {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        ASSERT_NO_FATAL_FAILURE(StartFakeMatchmaker(nats_, matchmaker_, fake_, http_));
    }

    common::Result<std::unique_ptr<SessionGate>> StartOnEdgegap(GameServerConfig config) {
        testing::ScopedEnv scoped(EdgegapEnvironment(*nats_, *http_, GamePortMapping(kInternalPort, kExternalPort)));
        const std::string pem = nats_->CaPem();
        const char* argv[] = {"chat-server", "--ca_contents", pem.c_str()};
        return SessionGate::Start(config, 3, argv);
    }

    // Ticks the gate until an event arrives (up to 10 s of real time).
    std::optional<GateEvent> NextEvent(SessionGate& gate) {
        for (int i = 0; i < 1000; ++i) {
            now_ += 0.05;
            gate.Update(now_);
            GateEvent event;
            if (gate.Poll(event)) return event;
            std::this_thread::sleep_for(10ms);
        }
        return std::nullopt;
    }

    bool WaitFor(const std::function<bool()>& condition) {
        for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(10ms);
        return condition();
    }

    const netcode::Address advertised_ = netcode::Address::Ipv4(127, 0, 0, 1, kExternalPort);
    double now_ = 0;
    std::unique_ptr<testing::NatsServer> nats_;
    std::unique_ptr<TestHttpServer> http_;
    std::unique_ptr<bus::Connection> matchmaker_;
    std::unique_ptr<FakeMatchmaker> fake_;
};

TEST_F(SessionGateBusTest, JoinsThePlayerTheMatchmakerKnowsAndStatesItsLeaving) {
    auto gate = StartOnEdgegap(Config());
    ASSERT_TRUE(gate) << gate.error().ToString();
    EXPECT_EQ((*gate)->game_port(), kInternalPort);
    EXPECT_EQ((*gate)->advertised_address(), advertised_);
    fake_->AddSession(77, "session-1");
    auto admitted = (*gate)->Admit(Request(77, advertised_));
    ASSERT_TRUE(admitted) << admitted.error().ToString();
    auto joined = NextEvent(**gate);
    ASSERT_TRUE(joined);
    EXPECT_EQ(joined->type, GateEventType::kPlayerJoined);
    EXPECT_EQ(joined->session_id, "session-1");
    EXPECT_EQ(fake_->Active("session-1"), "77");
    (*gate)->Release(admitted->player_index, admitted->client_id);
    auto left = NextEvent(**gate);
    ASSERT_TRUE(left);
    EXPECT_EQ(left->type, GateEventType::kPlayerLeft);
    EXPECT_TRUE(WaitFor([&] {
        (*gate)->Update(now_ += 0.05);
        return !fake_->Active("session-1");
    }));
    EXPECT_EQ(fake_->LastDeployment(), "abc123def456");
}

TEST_F(SessionGateBusTest, ReportsAJoinTheMatchmakerRefusedAndFreesTheSlot) {
    auto gate = StartOnEdgegap(Config());
    ASSERT_TRUE(gate) << gate.error().ToString();
    auto admitted = (*gate)->Admit(Request(78, advertised_));
    ASSERT_TRUE(admitted) << admitted.error().ToString();
    auto refused = NextEvent(**gate);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->type, GateEventType::kPlayerRefused);
    EXPECT_EQ(refused->player_index, admitted->player_index);
    EXPECT_EQ(refused->client_id, 78u);
    EXPECT_EQ((*gate)->num_players(), 0);
    // The slot serves the next client; the refused connection's late release does not touch it.
    fake_->AddSession(80, "session-4");
    auto next = (*gate)->Admit(Request(80, advertised_));
    ASSERT_TRUE(next) << next.error().ToString();
    EXPECT_EQ(next->player_index, admitted->player_index);
    (*gate)->Release(admitted->player_index, admitted->client_id);
    auto joined = NextEvent(**gate);
    ASSERT_TRUE(joined);
    EXPECT_EQ(joined->type, GateEventType::kPlayerJoined);
    EXPECT_EQ(joined->client_id, 80u);
}

TEST_F(SessionGateBusTest, StopsTheDeploymentOnceEmpty) {
    GameServerConfig config = Config();
    config.self_stop_after_empty_seconds = 2;
    auto gate = StartOnEdgegap(config);
    ASSERT_TRUE(gate) << gate.error().ToString();
    fake_->AddSession(79, "session-2");
    auto admitted = (*gate)->Admit(Request(79, advertised_));
    ASSERT_TRUE(admitted);
    ASSERT_EQ(NextEvent(**gate)->type, GateEventType::kPlayerJoined);
    (*gate)->Release(admitted->player_index, admitted->client_id);
    ASSERT_EQ(NextEvent(**gate)->type, GateEventType::kPlayerLeft);
    auto stopping = NextEvent(**gate);
    ASSERT_TRUE(stopping);
    EXPECT_EQ(stopping->type, GateEventType::kSelfStopping);
    EXPECT_TRUE(WaitFor([&] { return http_->LastRequest("DELETE").authorization == "delete-token"; }));
}

}  // namespace
}  // namespace gapkit::server
