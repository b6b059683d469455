// The matchmaker end to end on the bus: a real nats-server (TLS, JetStream) and the in-process
// Edgegap simulator, which runs a real echo server process per deployment (service_test_support.hpp).

#include "service_test_support.hpp"

#include "gapkit/common/files.hpp"
#include "gapkit/edgegap/fake_api.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/temp_dir.hpp"

namespace gapkit::matchmaker {
namespace {

TEST_F(MatchmakerServiceTest, RequestStreamsProgressThenAWorkingToken) {
    ASSERT_NE(StartService(Config()), nullptr);
    auto replies = Request();
    // No Acknowledged: the create answered within 50 ms, so SessionRequestAccepted came first
    // (BusRestartWhileTheSessionIsCreatedStillEndsInAToken waits for the Acknowledged of a slow one).
    ASSERT_GE(replies.size(), 3u);
    EXPECT_TRUE(Holds<protocol::SessionRequestAccepted>(replies[0]));
    EXPECT_TRUE(Holds<protocol::ProgressReport>(replies[1]));
    for (const MatchReply& reply : replies) {
        // The final status is the answer's to say, not one more progress report's.
        const auto* progress = std::get_if<protocol::ProgressReport>(&reply);
        EXPECT_TRUE(progress == nullptr || !progress->text.starts_with("Ready")) << progress->text;
    }
    const auto* ready = std::get_if<protocol::SessionReady>(&replies.back());
    ASSERT_NE(ready, nullptr) << protocol::SerializeMatchReply(replies.back());

    auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, SessionIdOf(replies));
    ASSERT_TRUE(session && session->deployment);
    EXPECT_EQ(ready->ip, session->deployment->public_ip);
    EXPECT_EQ(ready->port, session->deployment->ports.begin()->second.external);
    EXPECT_EQ(ready->cert_digest, "");

    auto bytes = netcode::DecodeConnectTokenBase64(ready->token);
    ASSERT_TRUE(bytes);
    auto token = netcode::ReadConnectToken(*bytes);
    ASSERT_TRUE(token);
    EXPECT_EQ(token->protocol_id, kProtocolId);
    ASSERT_EQ(token->server_addresses.size(), 1u);
    EXPECT_EQ(token->server_addresses[0].ToString(), fmt::format("{}:{}", ready->ip, ready->port));

    // The matchmaker can map the client back to its session, and the session to its deployment.
    auto ly2eg = Bucket(bus::names::SessionsLy2EgConfig());
    auto mapped = ly2eg->Get(std::to_string(ClientIdOf(*ready)));
    ASSERT_TRUE(mapped && mapped->has_value());
    EXPECT_EQ((*mapped)->value, SessionIdOf(replies));
    auto deployments = Bucket(bus::names::SessionDeploymentsConfig());
    auto deployment = deployments->Get(SessionIdOf(replies));
    ASSERT_TRUE(deployment && deployment->has_value());
    EXPECT_EQ((*deployment)->value, session->deployment_request_id);
}

TEST_F(MatchmakerServiceTest, ReaperDeletesUnclaimedSessions) {
    common::ManualClock& clock = manual_clock_;
    Service* service = StartService(Config(), &clock);
    ASSERT_NE(service, nullptr);
    auto replies = Request();
    const std::string session_id = SessionIdOf(replies);
    ASSERT_TRUE(Holds<protocol::SessionReady>(replies.back()));

    auto young = service->ReapOnce();
    ASSERT_TRUE(young);
    EXPECT_EQ(*young, 0);  // Not old enough yet.
    clock.Advance(std::chrono::seconds(Config().UnclaimedMaxAgeSeconds() + 1));
    auto reaped = service->ReapOnce();
    ASSERT_TRUE(reaped) << reaped.error().ToString();
    EXPECT_EQ(*reaped, 1);
    EXPECT_TRUE(WaitFor([&] { return SessionGone(session_id); }));
    EXPECT_EQ(*service->ReapOnce(), 0);  // Nothing left to reap; the record went with the claim.
}

TEST_F(MatchmakerServiceTest, ClaimedThenReleasedSessionIsDeleted) {
    common::ManualClock& clock = manual_clock_;
    Service* service = StartService(Config(), &clock);
    ASSERT_NE(service, nullptr);
    auto replies = Request();
    const std::string session_id = SessionIdOf(replies);
    ASSERT_TRUE(Holds<protocol::SessionReady>(replies.back()));
    auto unclaimed = Bucket(bus::names::UnclaimedSessionsConfig());
    auto active = Bucket(bus::names::ActiveConnectionsConfig());

    // A checked join: the liveness record first, then the connection.
    auto seen = Bucket(bus::names::ConnectionsSeenConfig(kDefaultAliveTtl));
    ASSERT_TRUE(seen->Put(session_id, std::to_string(clock.UnixSeconds())));
    ASSERT_TRUE(active->Put(session_id, "12345"));  // The game server saw the player arrive.
    EXPECT_TRUE(WaitFor([&] {
        auto entry = unclaimed->Get(session_id);
        return entry && !entry->has_value();
    }));
    clock.Advance(1h);
    // Its server's alive facts keep the player seen; claimed sessions are not reaped.
    ASSERT_TRUE(seen->Put(session_id, std::to_string(clock.UnixSeconds())));
    EXPECT_EQ(*service->ReapOnce(), 0);
    EXPECT_FALSE(SessionGone(session_id));

    ASSERT_TRUE(active->Delete(session_id));  // The player left.
    EXPECT_TRUE(WaitFor([&] { return SessionGone(session_id); }));
}

TEST_F(MatchmakerServiceTest, ReleasedSessionIsDeletedOnceWhateverTheNumberOfMatchmakers) {
    std::vector<common::MetricsRegistry*> registries;
    for (int i = 0; i < 3; ++i) {
        registries.push_back(&NewRegistry());
        ASSERT_NE(StartService(Config(), nullptr, registries.back()), nullptr);
    }
    auto replies = Request();
    const std::string session_id = SessionIdOf(replies);
    ASSERT_TRUE(Holds<protocol::SessionReady>(replies.back()));
    auto active = Bucket(bus::names::ActiveConnectionsConfig());
    ASSERT_TRUE(active->Put(session_id, "12345"));
    ASSERT_TRUE(active->Delete(session_id));  // Every matchmaker's watcher sees the player leave.
    EXPECT_TRUE(WaitFor([&] { return SessionGone(session_id); }));
    std::this_thread::sleep_for(500ms);  // Room for a duplicate delete to show up, were there one.
    std::uint64_t deletes = 0;
    for (auto* registry : registries) {
        for (const char* result : {"deleted", "gone"}) {
            deletes +=
                registry->GetCounter("gapkit_matchmaker_sessions_deleted_total", "", {{"result", result}}).Value();
        }
    }
    EXPECT_EQ(deletes, 1u);
}

TEST_F(MatchmakerServiceTest, BadRequestsGet400AndCreateNothing) {
    ASSERT_NE(StartService(Config()), nullptr);
    for (const char* body : {"not json", R"({"game":"echo","version":"1","client_ip":null})",
                             R"({"game":"echo","version":"1","client_ip":"not-an-ip"})"}) {
        auto stream = requester_->RequestStream("matchmaker.request.echo.1", body);
        ASSERT_TRUE(stream);
        auto part = stream->Next();
        ASSERT_TRUE(part && part->has_value()) << body;
        auto reply = protocol::ParseMatchReply((*part)->data);
        ASSERT_TRUE(reply);
        const auto* error = std::get_if<protocol::MatchError>(&*reply);
        ASSERT_NE(error, nullptr) << (*part)->data;
        EXPECT_EQ(error->code, 400);
        auto end = stream->Next();
        ASSERT_TRUE(end);
        EXPECT_FALSE(end->has_value());  // The stream ends right after the error.
    }
    EXPECT_EQ(LiveSessions(), 0u);
}

TEST_F(MatchmakerServiceTest, EdgegapServerErrorBecomes502AndLeavesNothing) {
    ASSERT_NE(StartService(Config()), nullptr);
    sim_->SetFaults(edgegap_sim::Faults{.server_error_fraction = 1.0});
    auto replies = Request();
    const auto* error = ErrorOf(replies);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 502);
    // Edgegap's own text stays in the log: the player gets a generic message with the code.
    EXPECT_EQ(error->message.rfind("the game server provider failed (create session, HTTP 5", 0), 0u) << error->message;
    sim_->SetFaults({});
    EXPECT_EQ(LiveSessions(), 0u);
}

TEST_F(MatchmakerServiceTest, SlowEdgegapCallStillSendsAHeartbeat) {
    MatchmakerConfig config = Config();
    config.edgegap_timeout_seconds = 20;
    config.readiness_timeout_seconds = 30;  // Counted from the request, so past the stall.
    ASSERT_NE(StartService(std::move(config)), nullptr);
    const auto stall = std::chrono::seconds(2 * protocol::kHeartbeatSeconds + 1);
    sim_->SetFaults(edgegap_sim::Faults{.added_latency = stall});
    std::vector<std::chrono::steady_clock::time_point> arrivals;
    auto replies = Request("127.0.0.1", [&](const MatchReply& reply) {
        arrivals.push_back(std::chrono::steady_clock::now());
        if (Holds<protocol::SessionRequestAccepted>(reply)) sim_->SetFaults({});
    });
    ASSERT_FALSE(replies.empty());
    EXPECT_TRUE(Holds<protocol::SessionReady>(replies.back()));
    // The create call was silent for two periods: two heartbeats came in between.
    ASSERT_GE(replies.size(), 4u);
    EXPECT_TRUE(Holds<protocol::ProgressReport>(replies[1]));
    EXPECT_TRUE(Holds<protocol::ProgressReport>(replies[2]));
    const auto limit = std::chrono::seconds(protocol::kHeartbeatSeconds) + 1500ms;
    for (std::size_t i = 1; i < arrivals.size(); ++i) EXPECT_LT(arrivals[i] - arrivals[i - 1], limit) << i;
}

TEST_F(MatchmakerServiceTest, EdgegapRateLimitBecomes429) {
    ASSERT_NE(StartService(Config()), nullptr);
    // A Retry-After longer than the client will wait makes it give up at once.
    sim_->SetFaults(edgegap_sim::Faults{.rate_limit_next_requests = 100, .retry_after_seconds = 120});
    auto replies = Request();
    const auto* error = ErrorOf(replies);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 429);
    sim_->SetFaults({});
    EXPECT_EQ(LiveSessions(), 0u);
}

TEST_F(MatchmakerServiceTest, EdgegapTimeoutWhileWaitingFailsAndDeletesTheSession) {
    ASSERT_NE(StartService(Config()), nullptr);
    auto replies = Request("127.0.0.1", [&](const MatchReply& reply) {
        // Once the session exists, every call outlasts the client's 2 s timeout.
        if (Holds<protocol::SessionRequestAccepted>(reply)) sim_->SetFaults({.added_latency = 3s});
    });
    const auto* error = ErrorOf(replies);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 502);
    sim_->SetFaults({});  // The delete worker's retry now gets through.
    EXPECT_TRUE(WaitFor([&] { return SessionGone(SessionIdOf(replies)); }));
}

TEST_F(MatchmakerServiceTest, DeploymentErrorFailsAndDeletesTheSession) {
    ASSERT_NE(StartService(Config()), nullptr);
    sim_->SetFaults(edgegap_sim::Faults{.fail_next_deployments = 1});
    auto replies = Request();
    const auto* error = ErrorOf(replies);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 502);
    // Edgegap's own text stays in the log: the player gets a generic message with the code.
    EXPECT_EQ(error->message, "the game server could not be started, try again");
    EXPECT_TRUE(WaitFor([&] { return SessionGone(SessionIdOf(replies)); }));
}

TEST_F(MatchmakerServiceTest, ReadinessTimeoutIs408AndDeletesTheSession) {
    sim_.reset();
    auto sim_config = edgegap_sim::LoadSimulatorConfig(GAPKIT_SIM_EXAMPLES_DIR "/echo.json");
    ASSERT_TRUE(sim_config);
    sim_config->delays = {30s, 100ms};  // The deployment stays in SEEKING.
    auto sim = edgegap_sim::Simulator::Start(std::move(*sim_config));
    ASSERT_TRUE(sim);
    sim_ = std::move(*sim);
    edgegap::ClientConfig client;
    client.base_url = sim_->base_url();
    client.api_key = "devkey";
    edgegap_ = std::move(*edgegap::BlockingEdgegapClient::Create(client));

    MatchmakerConfig config = Config();
    config.readiness_timeout_seconds = 1;
    ASSERT_NE(StartService(config), nullptr);
    auto replies = Request();
    const auto* error = ErrorOf(replies);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 408);
    EXPECT_EQ(error->message, "session still not ready, timed out.");
    EXPECT_TRUE(WaitFor([&] { return SessionGone(SessionIdOf(replies)); }));
}

TEST_F(MatchmakerServiceTest, ConcurrencyCapAnswers503AtOnce) {
    MatchmakerConfig config = Config();
    config.max_concurrent_sessions = 1;
    ASSERT_NE(StartService(config), nullptr);
    sim_->SetFaults({.added_latency = 1500ms});  // Keeps the first request inside CreateSession.
    std::thread first([&] { Request(); });
    std::this_thread::sleep_for(300ms);
    auto replies = Request("127.0.0.2");
    ASSERT_EQ(replies.size(), 1u);  // Not even Acknowledged: refused before any work.
    const auto* error = ErrorOf(replies);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 503);
    first.join();
}

TEST_F(MatchmakerServiceTest, TwoMatchmakersShareRequestsAndTheSurvivorCleansUp) {
    common::ManualClock& clock = manual_clock_;
    common::MetricsRegistry& registry_a = NewRegistry();
    common::MetricsRegistry& registry_b = NewRegistry();
    ASSERT_NE(StartService(Config(), &clock, &registry_a), nullptr);
    Service* b = StartService(Config(), &clock, &registry_b);
    ASSERT_NE(b, nullptr);
    constexpr int kRequests = 12;
    std::vector<std::thread> players;
    std::vector<std::vector<MatchReply>> results(kRequests);
    for (int i = 0; i < kRequests; ++i) {
        players.emplace_back([&, i] { results[i] = Request(fmt::format("127.0.0.{}", i + 1)); });
    }
    for (auto& player : players) player.join();
    for (const auto& replies : results) ASSERT_TRUE(Holds<protocol::SessionReady>(replies.back()));
    auto ready = [](common::MetricsRegistry& registry) {
        return registry.GetCounter("gapkit_matchmaker_requests_total", "", {{"outcome", "ready"}}).Value();
    };
    EXPECT_GT(ready(registry_a), 0u);
    EXPECT_GT(ready(registry_b), 0u);
    EXPECT_EQ(ready(registry_a) + ready(registry_b), static_cast<std::uint64_t>(kRequests));

    services_.front().reset();  // Matchmaker A goes away; its sessions stay recorded.
    clock.Advance(1h);
    auto reaped = b->ReapOnce();
    ASSERT_TRUE(reaped) << reaped.error().ToString();
    EXPECT_EQ(*reaped, kRequests);
    EXPECT_TRUE(WaitFor([&] { return LiveSessions() == 0; }));
}

TEST_F(MatchmakerServiceTest, WebhookWakesTheWaitingRequest) {
    MatchmakerConfig config = Config();
    config.poll_initial_ms = 8000;  // Without the webhook the second poll comes after 8 s.
    config.poll_max_ms = 8000;
    ASSERT_NE(StartService(config), nullptr);
    auto started = std::chrono::steady_clock::now();
    auto replies = Request("127.0.0.1", [&](const MatchReply& reply) {
        if (auto* accepted = std::get_if<protocol::SessionRequestAccepted>(&reply)) {
            std::this_thread::sleep_for(1s);  // The simulated deployment is ready by now.
            const std::string body =
                fmt::format(R"({{"session_id":"{}","status":"Ready","ready":true}})", accepted->session_id);
            ASSERT_TRUE(requester_->Publish(bus::names::kSessionWebhooks, body));
        }
    });
    ASSERT_TRUE(Holds<protocol::SessionReady>(replies.back()));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 6s);
}

TEST_F(MatchmakerServiceTest, ShutdownFailsWaitingRequestsAndQueuesTheirDeletion) {
    MatchmakerConfig config = Config();
    config.poll_initial_ms = 5000;
    config.poll_max_ms = 5000;
    Service* service = StartService(config);
    ASSERT_NE(service, nullptr);
    std::vector<MatchReply> replies;
    std::thread player([&] { replies = Request(); });
    ASSERT_TRUE(WaitFor([&] { return service->in_flight() == 1 && LiveSessions() == 1; }));
    std::this_thread::sleep_for(200ms);  // Past the first poll: the request sleeps now.
    service->Shutdown(100ms);
    player.join();
    const auto* error = ErrorOf(replies);
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->code, 503);
    ASSERT_NE(StartService(Config()), nullptr);  // A peer's delete worker takes the queued delete.
    EXPECT_TRUE(WaitFor([&] { return SessionGone(SessionIdOf(replies)); }));
}

TEST_F(MatchmakerServiceTest, ProgramServesRequestsAndStopsCleanlyOnSigterm) {
    const std::string key_hex(64, 'a');
    auto dir = testing::TempDir::Create("gapkit-mm-test");
    ASSERT_TRUE(dir);
    testing::EnvOverrides env = nats_->ClientEnv();
    env["GAPKIT_PRIVATE_KEY"] = key_hex;
    env["EDGEGAP_API_KEY"] = "devkey";
    env["EDGEGAP_BASE_URL"] = sim_->base_url();
    const auto program = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "gapkit-matchmaker";
    const auto log = dir->path() / "matchmaker.log";
    auto child = testing::ChildProcess::Spawn({program.string(), "--app-name", "echo", "--app-version", "1",
                                               "--lightyear-protocol-id", "99", "--metrics-port", "0"},
                                              log, env);
    ASSERT_TRUE(child) << child.error().ToString();
    ASSERT_TRUE(WaitFor([&] {
        auto text = common::ReadFile(log);
        return text && text->find("serving matchmaker.request.echo.1") != std::string::npos;
    }));
    auto replies = Request();
    ASSERT_FALSE(replies.empty());
    EXPECT_TRUE(Holds<protocol::SessionReady>(replies.back())) << protocol::SerializeMatchReply(replies.back());
    EXPECT_EQ(child->Stop(10s), 0);
    auto text = common::ReadFile(log);
    ASSERT_TRUE(text);
    EXPECT_NE(text->find("outcome=ready"), std::string::npos) << *text;
    EXPECT_EQ(text->find(key_hex), std::string::npos);  // The key never reaches the log.
    EXPECT_EQ(text->find("devkey"), std::string::npos);
}

TEST_F(MatchmakerServiceTest, ReadySessionWithoutItsDeploymentIsFoundThroughThePostsRequestId) {
    auto fake = edgegap::FakeEdgegapApi::Create();
    fake->SetSessionsOmitTheirDeployment(true);
    ASSERT_NE(StartService(Config(), nullptr, nullptr, fake.get()), nullptr);
    auto replies = Request();
    const auto* ready = std::get_if<protocol::SessionReady>(&replies.back());
    ASSERT_NE(ready, nullptr) << protocol::SerializeMatchReply(replies.back());
    const std::string session_id = SessionIdOf(replies);
    const std::string request_id = session_id.substr(0, session_id.size() - 2);
    bool polled_status = false;
    for (const auto& call : fake->calls()) {
        polled_status |= call.method == "GetDeploymentStatus" && call.argument == request_id;
    }
    EXPECT_TRUE(polled_status);
    EXPECT_EQ(ready->ip, "127.0.0.1");
}

// nats-server dies after the request arrived and comes back while Edgegap is still creating the
// session: the matchmaker's bus writes fail for a while, are retried, and the player gets a token.
TEST_F(MatchmakerServiceTest, BusRestartWhileTheSessionIsCreatedStillEndsInAToken) {
    MatchmakerConfig config = Config();
    config.edgegap_timeout_seconds = 20;
    config.readiness_timeout_seconds = 60;
    ASSERT_NE(StartService(std::move(config)), nullptr);
    // Each Edgegap answer takes 4 s: the create's answer comes after the restart below, and the
    // readiness read's well after both clients reconnected (see below).
    sim_->SetFaults(edgegap_sim::Faults{.added_latency = 4s});
    std::atomic<bool> stopped{false};
    std::vector<MatchReply> replies;
    std::thread player([&] {
        // The create takes 4 s, so the matchmaker acknowledges the request after 50 ms.
        replies = Request("127.0.0.1", [&](const MatchReply& reply) {
            if (!Holds<protocol::Acknowledged>(reply)) return;
            nats_->Stop();
            stopped = true;
        });
    });
    ASSERT_TRUE(WaitFor([&] { return stopped.load(); }));
    // Past the create call's answer, so its record fails first. The slow Edgegap answers stay: the
    // replies that follow must not race the requester's own reconnect (core NATS drops a reply
    // published before the inbox is subscribed again; httpd would answer that player 503).
    std::this_thread::sleep_for(3s);
    // From this thread: a server started by a thread that ends is stopped with it (PDEATHSIG).
    EXPECT_TRUE(nats_->Restart());
    player.join();
    ASSERT_FALSE(replies.empty());
    EXPECT_TRUE(Holds<protocol::SessionReady>(replies.back())) << protocol::SerializeMatchReply(replies.back());
}

// A browser asks for WebTransport: SessionReady names the deployment's WebTransport port, while
// the token keeps naming the game port (the netcode server's own address, which it checks).
class WebTransportRequestTest : public MatchmakerServiceTest {
  protected:
    static constexpr std::string_view kDigest = "ab:cd:ef";

    void AdjustSimulator(edgegap_sim::SimulatorConfig& config) override {
        config.apps[0].versions[0].ports.push_back({.name = "webtransport", .port = 7778, .protocol = "UDP"});
    }

    // A browser's request, with the game server stating its certificate digest (as the matchmaker
    // records it after its checks) once Edgegap has placed the session, unless `state_digest` is off.
    std::vector<MatchReply> BrowserRequest(bool state_digest) {
        std::thread server;
        auto replies = Request(
            "127.0.0.1",
            [&](const MatchReply& reply) {
                const auto* accepted = std::get_if<protocol::SessionRequestAccepted>(&reply);
                if (accepted == nullptr || !state_digest) return;
                server = std::thread([this, session_id = accepted->session_id] {
                    std::string deployment;
                    WaitFor([&] {
                        auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, session_id);
                        if (session) deployment = session->deployment_request_id;
                        return !deployment.empty();
                    });
                    EXPECT_TRUE(Bucket(bus::names::CertDigestsConfig())->Put(deployment, kDigest));
                });
            },
            protocol::Transport::kWebTransport);
        if (server.joinable()) server.join();
        return replies;
    }
};

TEST_F(WebTransportRequestTest, SessionReadyNamesTheWebTransportPortAndTheTokenTheGamePort) {
    MatchmakerConfig config = Config();
    config.game_port_name = "gameport";
    ASSERT_NE(StartService(std::move(config)), nullptr);
    auto replies = BrowserRequest(true);
    ASSERT_FALSE(replies.empty());
    const auto* ready = std::get_if<protocol::SessionReady>(&replies.back());
    ASSERT_NE(ready, nullptr) << protocol::SerializeMatchReply(replies.back());
    EXPECT_EQ(ready->cert_digest, kDigest) << "a browser's SessionReady waits for the server's digest";
    auto session = edgegap_->Call(&edgegap::EdgegapApi::GetSession, SessionIdOf(replies));
    ASSERT_TRUE(session && session->deployment);
    const auto& ports = session->deployment->ports;
    ASSERT_TRUE(ports.contains("webtransport") && ports.contains("gameport"));
    EXPECT_EQ(ready->port, ports.at("webtransport").external);
    auto token = netcode::ReadConnectToken(*netcode::DecodeConnectTokenBase64(ready->token));
    ASSERT_TRUE(token && token->server_addresses.size() == 1u);
    EXPECT_EQ(token->server_addresses[0].ToString(), fmt::format("{}:{}", ready->ip, ports.at("gameport").external));

    auto udp = Request("127.0.0.2");
    const auto* udp_ready = std::get_if<protocol::SessionReady>(&udp.back());
    ASSERT_NE(udp_ready, nullptr);
    EXPECT_EQ(udp_ready->port, ports.at("gameport").external);
}

TEST_F(WebTransportRequestTest, ABrowserWhoseServerStatesNoDigestGets503AndTheSessionIsDeleted) {
    ASSERT_NE(StartService(Config()), nullptr);
    auto replies = BrowserRequest(false);
    ASSERT_FALSE(replies.empty());
    const auto* error = std::get_if<protocol::MatchError>(&replies.back());
    ASSERT_NE(error, nullptr) << protocol::SerializeMatchReply(replies.back());
    EXPECT_EQ(error->code, 503);
    EXPECT_NE(error->message.find("not ready for browsers"), std::string::npos) << error->message;
    EXPECT_TRUE(WaitFor([&] { return SessionGone(SessionIdOf(replies)); }));
}

TEST_F(MatchmakerServiceTest, WebTransportWithoutItsPortIsRefusedAndTheSessionDeleted) {
    ASSERT_NE(StartService(Config()), nullptr);
    auto replies = Request("127.0.0.1", {}, protocol::Transport::kWebTransport);
    ASSERT_FALSE(replies.empty());
    const auto* error = std::get_if<protocol::MatchError>(&replies.back());
    ASSERT_NE(error, nullptr) << protocol::SerializeMatchReply(replies.back());
    EXPECT_EQ(error->code, 400);
    EXPECT_NE(error->message.find("WebTransport"), std::string::npos) << error->message;
    EXPECT_TRUE(WaitFor([&] { return SessionGone(SessionIdOf(replies)); }));
}

}  // namespace
}  // namespace gapkit::matchmaker
