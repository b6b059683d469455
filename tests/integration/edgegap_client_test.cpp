// The Edgegap client against edgegap-sim over real HTTP on loopback: every call of the API, with
// the answers a caller relies on.

#include "edgegap_sim_fixture.hpp"

namespace gapkit::edgegap::integration {
namespace {

TEST_F(EdgegapClientTest, SessionLifecycle) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    SessionRequest request{kApp, kVersion, {"1.2.3.4"}, std::nullopt, std::nullopt};
    auto created = client->Call(&EdgegapApi::CreateSession, request);
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    EXPECT_FALSE(created->session_id.empty());

    const auto deadline = std::chrono::steady_clock::now() + kReadyDeadline;
    common::Result<Session> session = client->Call(&EdgegapApi::GetSession, created->session_id);
    while (session && !session->ready && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
        session = client->Call(&EdgegapApi::GetSession, created->session_id);
    }
    ASSERT_TRUE(session.has_value()) << session.error().ToString();
    ASSERT_TRUE(session->ready);
    EXPECT_EQ(session->state, SessionState::kReady);
    EXPECT_EQ(session->kind_value, SessionKind::kSeat);
    ASSERT_TRUE(session->deployment.has_value());
    EXPECT_EQ(session->deployment->public_ip, "127.0.0.1");
    ASSERT_EQ(session->deployment->ports.count("gameport"), 1u);
    EXPECT_GT(session->deployment->ports.at("gameport").external, 0);

    auto second = client->Call(&EdgegapApi::CreateSession, request);
    ASSERT_TRUE(second.has_value()) << second.error().ToString();
    auto listed = client->Call(&EdgegapApi::ListSessions, {1, 1});
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->total_count, 2);
    EXPECT_TRUE(listed->has_next);
    auto last_page = client->Call(&EdgegapApi::ListSessions, {2, 1});
    ASSERT_TRUE(last_page.has_value()) << last_page.error().ToString();
    ASSERT_EQ(last_page->items.size(), 1u);
    EXPECT_FALSE(last_page->has_next);
    EXPECT_NE(last_page->items[0].session_id, listed->items[0].session_id);

    auto deleted = client->Call(&EdgegapApi::DeleteSession, created->session_id);
    ASSERT_TRUE(deleted.has_value()) << deleted.error().ToString();
    EXPECT_EQ(deleted->outcome, StopOutcome::kStopped);
    auto deleted_again = client->Call(&EdgegapApi::DeleteSession, created->session_id);
    ASSERT_TRUE(deleted_again.has_value()) << deleted_again.error().ToString();
    EXPECT_EQ(deleted_again->outcome, StopOutcome::kAlreadyGone);

    auto gone = client->Call(&EdgegapApi::GetSession, created->session_id);
    ASSERT_FALSE(gone.has_value());
    EXPECT_EQ(Details(gone.error()).category, ErrorCategory::kNotFound);
    EXPECT_EQ(Details(gone.error()).http_status, 404);
}

TEST_F(EdgegapClientTest, DeploymentLifecycle) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    const DeploymentStatus ready = DeployReady(*client);
    ASSERT_EQ(ready.state, DeploymentState::kReady);
    EXPECT_TRUE(ready.running);
    EXPECT_EQ(ready.public_ip, "127.0.0.1");
    EXPECT_EQ(ready.ports.count("gameport"), 1u);
    ASSERT_TRUE(ready.location.has_value());
    EXPECT_FALSE(ready.location->city.empty());

    auto listed = client->Call(&EdgegapApi::ListDeployments, {});
    ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->items[0].request_id, ready.request_id);

    auto stopped = client->Call(&EdgegapApi::StopDeployment, ready.request_id);
    ASSERT_TRUE(stopped.has_value()) << stopped.error().ToString();
    EXPECT_EQ(stopped->outcome, StopOutcome::kStopped);
    WaitForState(*client, ready.request_id, DeploymentState::kTerminated);
    auto stopped_again = client->Call(&EdgegapApi::StopDeployment, ready.request_id);
    ASSERT_TRUE(stopped_again.has_value()) << stopped_again.error().ToString();
    EXPECT_EQ(stopped_again->outcome, StopOutcome::kAlreadyGone);
}

TEST_F(EdgegapClientTest, StopWhileStartingIsDeferred) {
    RestartWithSlowStarts();
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    auto created = client->Call(&EdgegapApi::Deploy, DeployRequest{kApp, kVersion, {"1.2.3.4"}});
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    auto starting = client->Call(&EdgegapApi::GetDeploymentStatus, created->request_id);
    ASSERT_TRUE(starting.has_value()) << starting.error().ToString();
    EXPECT_NE(starting->state, DeploymentState::kReady);
    EXPECT_FALSE(starting->running);
    auto stopped = client->Call(&EdgegapApi::StopDeployment, created->request_id);
    ASSERT_TRUE(stopped.has_value()) << stopped.error().ToString();
    EXPECT_EQ(stopped->outcome, StopOutcome::kDeferred);
    EXPECT_EQ(stopped->http_status, 202);
    WaitForState(*client, created->request_id, DeploymentState::kTerminated);
}

TEST_F(EdgegapClientTest, FailedDeploymentReportsErrorState) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    sim::Faults faults;
    faults.fail_next_deployments = 1;
    sim_->SetFaults(faults);
    auto created = client->Call(&EdgegapApi::Deploy, DeployRequest{kApp, kVersion, {"1.2.3.4"}});
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    // ERROR is brief: the simulator then stops the process, and the deployment stays flagged.
    const DeploymentStatus failed =
        WaitUntil(*client, created->request_id, "error", [](const DeploymentStatus& status) {
            return status.state == DeploymentState::kError || status.state == DeploymentState::kTerminated;
        });
    EXPECT_TRUE(failed.error);
    EXPECT_FALSE(failed.error_detail.empty());
    EXPECT_FALSE(failed.running);
}

TEST_F(EdgegapClientTest, ContextAndSelfStopFromInjectedEnvironment) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    const DeploymentStatus ready = DeployReady(*client);
    ASSERT_EQ(ready.state, DeploymentState::kReady);
    auto env = DeploymentEnv(ready.request_id);
    ASSERT_FALSE(env["ARBITRIUM_CONTEXT_URL"].empty());
    ASSERT_FALSE(env["ARBITRIUM_DELETE_URL"].empty());

    // The in-container calls carry only their own raw token, not the organization key.
    auto container_client = Client([&] {
        ClientConfig config = Config();
        config.api_key.clear();
        return config;
    }());
    ASSERT_NE(container_client, nullptr);
    const ContainerEndpoint context{env["ARBITRIUM_CONTEXT_URL"], env["ARBITRIUM_CONTEXT_TOKEN"]};
    auto own = container_client->Call(&EdgegapApi::GetContext, context);
    ASSERT_TRUE(own.has_value()) << own.error().ToString();
    EXPECT_EQ(own->request_id, ready.request_id);
    EXPECT_EQ(own->public_ip, "127.0.0.1");
    EXPECT_EQ(own->ports.at("gameport").external, ready.ports.at("gameport").external);

    auto forged = container_client->Call(&EdgegapApi::GetContext, {context.url, context.token + "\r\nX-Forged: 1"});
    ASSERT_FALSE(forged.has_value());
    EXPECT_EQ(Details(forged.error()).category, ErrorCategory::kBadRequest);
    EXPECT_EQ(forged.error().message().find(context.token), std::string::npos);

    auto wrong_token = container_client->Call(&EdgegapApi::GetContext, {context.url, "not-the-token"});
    ASSERT_FALSE(wrong_token.has_value());
    EXPECT_EQ(Details(wrong_token.error()).category, ErrorCategory::kAuth);

    auto stopped =
        container_client->Call(&EdgegapApi::SelfStop, {env["ARBITRIUM_DELETE_URL"], env["ARBITRIUM_DELETE_TOKEN"]});
    ASSERT_TRUE(stopped.has_value()) << stopped.error().ToString();
    EXPECT_NE(stopped->outcome, StopOutcome::kAlreadyGone);
    WaitForState(*client, ready.request_id, DeploymentState::kTerminated);
}

TEST_F(EdgegapClientTest, AppVersionGetAndPatchArguments) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    auto version = client->Call(&EdgegapApi::GetAppVersion, kApp, kVersion);
    ASSERT_TRUE(version.has_value()) << version.error().ToString();
    EXPECT_EQ(version->name, kVersion);
    ASSERT_TRUE(version->arguments.has_value());
    EXPECT_NE(version->arguments->find("env >"), std::string::npos);

    AppVersionPatch patch;
    patch.arguments = "-c 'exec sleep 30' --ca_contents '-----BEGIN CERTIFICATE-----'";
    auto patched = client->Call(&EdgegapApi::PatchAppVersion, kApp, kVersion, patch);
    ASSERT_TRUE(patched.has_value()) << patched.error().ToString();
    EXPECT_EQ(patched->arguments, patch.arguments);
    EXPECT_EQ(client->Call(&EdgegapApi::GetAppVersion, kApp, kVersion)->arguments, patch.arguments);

    auto missing = client->Call(&EdgegapApi::GetAppVersion, kApp, "no-such-version");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(Details(missing.error()).category, ErrorCategory::kNotFound);
    EXPECT_FALSE(missing.error().message().ends_with(": "));  // Edgegap said why.
}

TEST_F(EdgegapClientTest, AppVersionCreateFromAnotherThenPatchWhatDiffers) {
    auto client = Client(Config());
    ASSERT_NE(client, nullptr);
    auto base = client->Call(&EdgegapApi::GetAppVersion, kApp, kVersion);
    ASSERT_TRUE(base.has_value()) << base.error().ToString();
    AppVersionSpec spec = *base;
    spec.name = "2";
    spec.docker_repository = "registry.edgegap.com";
    spec.docker_tag = "v2";
    spec.envs.push_back({"API_TOKEN", "t", true});
    auto created = client->Call(&EdgegapApi::CreateAppVersion, kApp, spec);
    ASSERT_TRUE(created.has_value()) << created.error().ToString();
    EXPECT_EQ(*created, spec);
    auto again = client->Call(&EdgegapApi::CreateAppVersion, kApp, spec);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(Details(again.error()).category, ErrorCategory::kConflict);

    AppVersion wanted = *created;
    wanted.docker_tag = "v3";
    wanted.session_config = SessionConfig{"Seat", 2, true, 5};
    auto patched = client->Call(&EdgegapApi::PatchAppVersion, kApp, "2", DiffVersions(*created, wanted));
    ASSERT_TRUE(patched.has_value()) << patched.error().ToString();
    EXPECT_EQ(*patched, wanted);
}

}  // namespace
}  // namespace gapkit::edgegap::integration
