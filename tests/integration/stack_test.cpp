// The whole matchmaking path in one process, over real sockets: a WebSocket client -> httpd ->
// NATS (real nats-server, TLS) -> matchmaker -> Edgegap API (edgegap-sim, running a real echo
// server process per deployment) and back.

#include <signal.h>

#include <chrono>
#include <functional>
#include <thread>
#include <variant>

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "bus_gateway.hpp"
#include "config_test_support.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/edgegap_sim/simulator.hpp"
#include "gapkit/netcode/connect_token.hpp"
#include "gapkit/testing/bus_options.hpp"
#include "gapkit/testing/nats_server.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/temp_dir.hpp"
#include "gapkit/testing/wait.hpp"
#include "server.hpp"
#include "service.hpp"

namespace gapkit::integration {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;
using protocol::MatchReply;

constexpr std::uint64_t kProtocolId = 80085;
constexpr const char* kBrowserPayload = R"({"client_ip":"81.128.157.123","game":"echo","version":"1"})";

class StackTest : public ::testing::Test {
  protected:
    void SetUp() override {
        GAPKIT_SKIP_WITHOUT_NATS_SERVER();
        auto nats = testing::NatsServer::Start();
        ASSERT_TRUE(nats) << nats.error().ToString();
        nats_ = std::move(*nats);
        StartSim(100ms);
        StartHttpd();
    }

    // (Re)starts the simulator with `deploy_delay` in each of the two starting states.
    void StartSim(std::chrono::milliseconds deploy_delay) {
        if (sim_) sim_->Stop();
        auto sim_config = edgegap_sim::LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.json");
        ASSERT_TRUE(sim_config) << sim_config.error().ToString();
        sim_config->delays = {deploy_delay, deploy_delay};
        sim_config->tick_interval = 20ms;
        auto sim = edgegap_sim::Simulator::Start(std::move(*sim_config));
        ASSERT_TRUE(sim) << sim.error().ToString();
        sim_ = std::move(*sim);
        auto edgegap = edgegap::BlockingEdgegapClient::Create({.base_url = sim_->base_url(), .api_key = "devkey"});
        ASSERT_TRUE(edgegap) << edgegap.error().ToString();
        edgegap_ = std::move(*edgegap);
    }

    void TearDown() override {
        if (httpd_) httpd_->Stop();
        matchmaker_.reset();
        gateway_.reset();
        httpd_bus_.reset();
        matchmaker_bus_.reset();
    }

    std::unique_ptr<bus::Connection> Connect(const std::string& name) {
        bus::ConnectOptions options = testing::BusOptionsFor(*nats_);
        options.send_asap = true;
        auto connection = bus::Connection::Connect(name, options);
        EXPECT_TRUE(connection) << connection.error().ToString();
        return connection ? std::move(*connection) : nullptr;
    }

    void StartHttpd(int request_timeout_seconds = 25) {
        if (httpd_) httpd_->Stop();
        httpd_bus_ = Connect("gapkit-httpd");
        ASSERT_NE(httpd_bus_, nullptr);
        gateway_ = std::make_unique<httpd::BusGateway>(*httpd_bus_, bus::StreamOptions{30s, 30s});
        httpd::HttpdConfig config;
        config.bind_address = "127.0.0.1";
        config.port = 0;
        config.allow_client_ip_override = true;
        config.request_timeout_seconds = request_timeout_seconds;
        auto server = httpd::HttpServer::Start(config, {*gateway_, metrics_, common::SystemClock::Instance()});
        ASSERT_TRUE(server) << server.error().ToString();
        httpd_ = std::move(*server);
    }

    matchmaker::MatchmakerConfig MatchmakerConfig() const {
        return matchmaker::SimTestConfig(sim_->base_url(), kProtocolId, 9);
    }

    void StartMatchmaker(const common::Clock* clock = nullptr) {
        matchmaker_bus_ = Connect("matchmaker");
        ASSERT_NE(matchmaker_bus_, nullptr);
        auto service = matchmaker::Service::Start(MatchmakerConfig(), {.bus = matchmaker_bus_.get(), .clock = clock});
        ASSERT_TRUE(service) << service.error().ToString();
        matchmaker_ = std::move(*service);
    }

    // Opens /matchmaker/ws, sends `payload` and returns every reply until the server closes.
    std::vector<MatchReply> Play(const std::string& payload,
                                 const std::function<void(const MatchReply&)>& on_reply = {}) {
        asio::io_context io;
        websocket::stream<beast::tcp_stream> ws(io);
        beast::get_lowest_layer(ws).connect(
            asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), httpd_->port()));
        ws.handshake("localhost", "/matchmaker/ws");
        ws.write(asio::buffer(payload));
        std::vector<MatchReply> replies;
        for (;;) {
            beast::flat_buffer buffer;
            boost::system::error_code ec;
            ws.read(buffer, ec);
            if (ec) break;
            auto reply = protocol::ParseMatchReply(beast::buffers_to_string(buffer.data()));
            EXPECT_TRUE(reply) << beast::buffers_to_string(buffer.data());
            if (!reply) continue;
            if (on_reply) on_reply(*reply);
            replies.push_back(std::move(*reply));
        }
        EXPECT_EQ(ws.reason().code, websocket::close_code::normal);
        return replies;
    }

    std::size_t LiveSessions() {
        auto page = edgegap_->Call(&edgegap::EdgegapApi::ListSessions, {1, 100});
        EXPECT_TRUE(page) << page.error().ToString();
        return page ? page->items.size() : 999;
    }

    std::unique_ptr<testing::NatsServer> nats_;
    std::unique_ptr<edgegap_sim::Simulator> sim_;
    std::unique_ptr<edgegap::BlockingEdgegapClient> edgegap_;
    std::unique_ptr<bus::Connection> httpd_bus_;
    std::unique_ptr<bus::Connection> matchmaker_bus_;
    std::unique_ptr<httpd::BusGateway> gateway_;
    common::MetricsRegistry metrics_;
    std::unique_ptr<httpd::HttpServer> httpd_;
    std::unique_ptr<matchmaker::Service> matchmaker_;
};

TEST_F(StackTest, BrowserPayloadEndsWithAWorkingToken) {
    StartMatchmaker();
    auto replies = Play(kBrowserPayload);
    // The create answers at once, so no Acknowledged comes first (it is sent after 50 ms of silence).
    ASSERT_GE(replies.size(), 3u);
    ASSERT_TRUE(std::holds_alternative<protocol::SessionRequestAccepted>(replies[0]));
    EXPECT_TRUE(std::holds_alternative<protocol::ProgressReport>(replies[1]));
    const auto* ready = std::get_if<protocol::SessionReady>(&replies.back());
    ASSERT_NE(ready, nullptr) << protocol::SerializeMatchReply(replies.back());

    // The token names the deployment the simulator really started for this session.
    const auto& session_id = std::get<protocol::SessionRequestAccepted>(replies[0]).session_id;
    auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, session_id);
    ASSERT_TRUE(session && session->deployment);
    EXPECT_EQ(ready->ip, session->deployment->public_ip);
    EXPECT_EQ(ready->port, session->deployment->ports.begin()->second.external);

    auto bytes = netcode::DecodeConnectTokenBase64(ready->token);
    ASSERT_TRUE(bytes);
    auto token = netcode::ReadConnectToken(*bytes);
    ASSERT_TRUE(token);
    ASSERT_EQ(token->server_addresses.size(), 1u);
    EXPECT_EQ(token->server_addresses[0].ToString(), fmt::format("{}:{}", ready->ip, ready->port));
    netcode::Key key;
    key.fill(9);
    auto sealed = token->private_token;
    ASSERT_TRUE(netcode::DecryptPrivateConnectToken(sealed, kProtocolId, token->expire_timestamp, token->nonce, key));
    EXPECT_TRUE(netcode::ReadPrivateConnectToken(sealed));
}

TEST_F(StackTest, NoMatchmakerIsAQuickError) {
    auto replies = Play(kBrowserPayload);
    ASSERT_EQ(replies.size(), 1u);
    const auto* error = std::get_if<protocol::MatchError>(&replies[0]);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 503);
    EXPECT_EQ(error->message, "no matchmaker is running for echo 1, try again later");
}

TEST_F(StackTest, EdgegapFailureReachesThePlayerAndLeavesNoSession) {
    StartMatchmaker();
    sim_->SetFaults({.server_error_fraction = 1.0});
    auto replies = Play(kBrowserPayload);
    ASSERT_FALSE(replies.empty());
    const auto* error = std::get_if<protocol::MatchError>(&replies.back());
    ASSERT_NE(error, nullptr) << protocol::SerializeMatchReply(replies.back());
    EXPECT_GE(error->code, 500);
    sim_->SetFaults({});
    EXPECT_TRUE(testing::WaitFor([this] { return LiveSessions() == 0; }));
}

// A matchmaker process dies (SIGKILL) after creating the session: the player gets an error when
// the request times out, and another matchmaker's reaper deletes the session nobody will use.
TEST_F(StackTest, KilledMatchmakerLosesNoSession) {
    StartSim(1500ms);
    StartHttpd(4);
    auto dir = testing::TempDir::Create("gapkit-stack-test");
    ASSERT_TRUE(dir) << dir.error().ToString();
    auto env = nats_->ClientEnv();
    env["EDGEGAP_API_KEY"] = "devkey";
    env["GAPKIT_PRIVATE_KEY"] = std::string(64, '9');
    auto doomed = testing::ChildProcess::Spawn(
        {GAPKIT_MATCHMAKER_BIN, "--app-name", "echo", "--app-version", "1", "--lightyear-protocol-id", "80085",
         "--edgegap-base-url", sim_->base_url(), "--metrics-port", "0", "--poll-initial-ms", "50"},
        dir->path() / "matchmaker.log", env);
    ASSERT_TRUE(doomed) << doomed.error().ToString();
    ASSERT_TRUE(testing::WaitFor([&] {
        auto log = common::ReadFile(dir->path() / "matchmaker.log");
        return log && log->find("serving matchmaker.request.echo.1") != std::string::npos;
    }));

    auto replies = Play(kBrowserPayload, [&](const MatchReply& reply) {
        if (std::holds_alternative<protocol::SessionRequestAccepted>(reply)) ::kill(doomed->pid(), SIGKILL);
    });
    ASSERT_FALSE(replies.empty());
    const auto* error = std::get_if<protocol::MatchError>(&replies.back());
    ASSERT_NE(error, nullptr) << protocol::SerializeMatchReply(replies.back());
    EXPECT_EQ(error->code, 408);
    EXPECT_EQ(LiveSessions(), 1u) << "the dead matchmaker's session is still there";

    common::ManualClock clock(common::SystemClock::Instance().WallNow());
    StartMatchmaker(&clock);
    clock.Advance(std::chrono::seconds(MatchmakerConfig().UnclaimedMaxAgeSeconds() + 1));
    auto reaped = matchmaker_->ReapOnce();
    ASSERT_TRUE(reaped) << reaped.error().ToString();
    EXPECT_EQ(*reaped, 1);
    EXPECT_TRUE(testing::WaitFor([this] { return LiveSessions() == 0; }));
}

// NATS restarts while a request waits for its server: the player still gets a final answer.
TEST_F(StackTest, NatsRestartDuringARequestStillEndsTheRequest) {
    StartSim(1000ms);
    StartHttpd(15);
    StartMatchmaker();
    auto replies = Play(kBrowserPayload, [&](const MatchReply& reply) {
        if (std::holds_alternative<protocol::SessionRequestAccepted>(reply)) {
            ASSERT_TRUE(nats_->Restart());
        }
    });
    ASSERT_FALSE(replies.empty());
    EXPECT_TRUE(protocol::IsFinal(replies.back())) << protocol::SerializeMatchReply(replies.back());
    // The bus recovers: the next player is served normally.
    auto again = Play(kBrowserPayload);
    ASSERT_FALSE(again.empty());
    EXPECT_TRUE(std::holds_alternative<protocol::SessionReady>(again.back()))
        << protocol::SerializeMatchReply(again.back());
}

}  // namespace
}  // namespace gapkit::integration
