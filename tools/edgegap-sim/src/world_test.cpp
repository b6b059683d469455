#include "world.hpp"

#include <map>

#include <gtest/gtest.h>

#include "observe.hpp"
#include "world_test_support.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using testing::TestConfig;
using testing::WorldTest;

TEST_F(WorldTest, DeploymentGoesThroughSeekingAndDeployingToReady) {
    const Deployment& d = Deploy();
    EXPECT_EQ(d.state, DeploymentState::kSeeking);
    EXPECT_EQ(d.request_id.size(), 12u);
    Run(100ms);
    EXPECT_EQ(d.state, DeploymentState::kDeploying);
    ASSERT_EQ(runtime_.launched.size(), 1u);
    Run(200ms);
    EXPECT_EQ(d.state, DeploymentState::kReady);
    EXPECT_EQ(d.last_state, DeploymentState::kDeploying);
}

TEST_F(WorldTest, LaunchGetsArgumentsAndArbitriumEnvironment) {
    const Deployment& d = Deploy();
    Run(100ms);
    ASSERT_EQ(runtime_.launched.size(), 1u);
    const LaunchSpec& spec = runtime_.launched[0];
    EXPECT_EQ(spec.command, "server");
    EXPECT_EQ(spec.args, (std::vector<std::string>{"--mode", "free for all"}));
    EXPECT_EQ(EnvOf(spec, "GREETING"), "hello");
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_REQUEST_ID"), d.request_id);
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_PUBLIC_IP"), "127.0.0.1");
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_PORTS_MAPPING"),
              R"({"ports":{"gameport":{"name":"gameport","internal":40000,"external":40000,"protocol":"UDP"}}})");
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_PORT_GAMEPORT_EXTERNAL"), "40000");
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_CONTEXT_URL"),
              "http://127.0.0.1:9999/v1/context/" + d.request_id + "/" + d.security_number);
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_CONTEXT_TOKEN"), d.context_token);
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_DELETE_URL"),
              "http://127.0.0.1:9999/v1/self/stop/" + d.request_id + "/" + d.stop_key);
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_DELETE_TOKEN"), d.delete_token);
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_DEPLOYMENT_TAGS"), "tag1,tag2");
    EXPECT_NE(EnvOf(spec, "ARBITRIUM_DEPLOYMENT_LOCATION").find("\"city\":\"Montreal\""), std::string::npos);
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_DEPLOYMENT_VCPU_UNITS"), "256");
    EXPECT_EQ(EnvOf(spec, "ARBITRIUM_HOST_ID"), "edgegap-sim-local");
}

TEST_F(WorldTest, StopOfReadyDeploymentTerminatesWithGraceThenIsTerminated) {
    const Deployment& d = Deploy();
    Run(300ms);
    ASSERT_EQ(world_->Stop(d.request_id, "test").value(), StopOutcome::kStopping);
    EXPECT_EQ(d.state, DeploymentState::kTerminating);
    EXPECT_EQ(runtime_.terminated.at(d.request_id), 3s);
    world_->OnProcessExit({d.request_id, "exited with code 0", 0, true});
    EXPECT_EQ(d.state, DeploymentState::kTerminated);
    EXPECT_FALSE(d.error);
    EXPECT_EQ(world_->Stop(d.request_id, "again").error().http_status, 410u);
}

TEST_F(WorldTest, StopWhileStartingIsDeferredUntilReady) {
    const Deployment& d = Deploy();
    EXPECT_EQ(world_->Stop(d.request_id, "test").value(), StopOutcome::kDeferred);
    Run(300ms);
    EXPECT_EQ(d.state, DeploymentState::kTerminating);
}

TEST_F(WorldTest, UnknownDeploymentStopIsNotFound) { EXPECT_EQ(world_->Stop("nope", "t").error().http_status, 404u); }

TEST_F(WorldTest, ProcessCrashIsReportedAsTerminatedWithError) {
    const Deployment& d = Deploy();
    Run(300ms);
    world_->OnProcessExit({d.request_id, "killed by signal 9", 137, false});
    EXPECT_EQ(d.state, DeploymentState::kTerminated);
    EXPECT_TRUE(d.error);
    EXPECT_EQ(d.error_detail, "process killed by signal 9");
}

TEST_F(WorldTest, LaunchFailureIsAnError) {
    runtime_.fail_launch = true;
    const Deployment& d = Deploy();
    Run(100ms);
    EXPECT_EQ(d.state, DeploymentState::kError);
    EXPECT_NE(d.error_detail.find("no such program"), std::string::npos);
}

TEST_F(WorldTest, FailFaultSendsDeploymentToErrorAndItsSessionsToError) {
    faults_.Set(Faults{.fail_next_deployments = 1});
    auto session = world_->CreateSession({"game", "1", {"1.2.3.4"}, {}, {}});
    ASSERT_TRUE(session.has_value());
    Run(300ms);
    const Deployment& d = world_->deployments().begin()->second;
    EXPECT_EQ(d.state, DeploymentState::kError);
    EXPECT_TRUE(d.error);
    EXPECT_EQ((*session)->status, "Error");
    EXPECT_FALSE((*session)->Linked());
    EXPECT_EQ(faults_.Get().fail_next_deployments, 0);
    world_->OnProcessExit({d.request_id, "exited with code 0", 0, true});
    EXPECT_EQ(d.state, DeploymentState::kError);  // Stays in ERROR until stopped...
    ASSERT_TRUE(world_->Stop(d.request_id, "test"));
    EXPECT_EQ(d.state, DeploymentState::kTerminated);  // ...and, with no process left, ends at once.
}

TEST_F(WorldTest, CrashFaultKillsTheProcessRightAfterReady) {
    faults_.Set(Faults{.crash_next_processes = 1});
    const Deployment& d = Deploy();
    Run(300ms);
    EXPECT_EQ(d.state, DeploymentState::kReady);
    EXPECT_EQ(runtime_.killed, std::vector<std::string>{d.request_id});
}

TEST_F(WorldTest, SeatSessionsShareADeploymentUntilItIsFull) {
    auto first = world_->CreateSession({"game", "1", {"1.1.1.1"}, {}, {}});
    auto second = world_->CreateSession({"game", "1", {"2.2.2.2"}, {}, {}});
    auto third = world_->CreateSession({"game", "1", {"3.3.3.3"}, {}, {}});
    ASSERT_TRUE(first && second && third);
    EXPECT_EQ((*first)->deployment_id, (*second)->deployment_id);
    EXPECT_NE((*first)->deployment_id, (*third)->deployment_id);
    EXPECT_EQ(world_->deployments().size(), 2u);
    const Deployment& full = *world_->FindDeployment((*first)->deployment_id);
    EXPECT_EQ(world_->SocketsUsed(full), 2);
    ASSERT_TRUE(world_->DeleteSession((*first)->session_id));
    EXPECT_EQ(world_->SocketsUsed(full), 1);  // The seat is free again...
    auto fourth = world_->CreateSession({"game", "1", {"4.4.4.4"}, {}, {}});
    auto fifth = world_->CreateSession({"game", "1", {"5.5.5.5"}, {}, {}});
    ASSERT_TRUE(fourth && fifth);
    EXPECT_EQ(world_->deployments().size(), 2u);  // ...so no third deployment was needed.
}

TEST_F(WorldTest, SessionWaitsThenBecomesReadyAndNotifiesItsWebhook) {
    auto session = world_->CreateSession({"game", "1", {"1.1.1.1"}, {}, "http://hook/session"});
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ((*session)->status, "Waiting");
    EXPECT_FALSE((*session)->Ready());
    EXPECT_TRUE((*session)->Linked());
    Run(300ms);
    EXPECT_EQ((*session)->status, "Ready");
    ASSERT_EQ(runtime_.webhooks.size(), 1u);
    EXPECT_EQ(runtime_.webhooks[0].first, "http://hook/session");
    EXPECT_NE(runtime_.webhooks[0].second.find("\"status\":\"Ready\""), std::string::npos);
}

TEST_F(WorldTest, MatchSessionTakesOneSocketWhateverItsUserCount) {
    Reset(TestConfig(SessionKind::kMatch, 1));
    auto session = world_->CreateSession({"game", "1", {"1.1.1.1", "2.2.2.2", "3.3.3.3"}, {}, {}});
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ((*session)->seats, 1);
}

TEST_F(WorldTest, NoFreeSocketWithoutAutodeployIsUnprocessable) {
    auto config = TestConfig();
    config.apps[0].versions[0].session.autodeploy = false;
    Reset(config);
    auto session = world_->CreateSession({"game", "1", {"1.1.1.1"}, {}, {}});
    ASSERT_TRUE(session.has_value());
    EXPECT_EQ((*session)->status, "Unprocessable");
    EXPECT_FALSE((*session)->Linked());
    EXPECT_TRUE(world_->deployments().empty());
}

TEST_F(WorldTest, EmptyTimeToLiveStopsADeploymentWithoutSessions) {
    auto config = TestConfig();
    config.apps[0].versions[0].session.empty_ttl = 2s;
    Reset(config);
    auto session = world_->CreateSession({"game", "1", {"1.1.1.1"}, {}, {}});
    Run(5s);
    const Deployment& d = world_->deployments().begin()->second;
    EXPECT_EQ(d.state, DeploymentState::kReady);  // In use: kept.
    ASSERT_TRUE(world_->DeleteSession((*session)->session_id));
    Run(1900ms);
    EXPECT_EQ(d.state, DeploymentState::kReady);
    Run(200ms);
    EXPECT_EQ(d.state, DeploymentState::kTerminating);
}

TEST_F(WorldTest, SnapshotAgesSessionsAndMeasuresTimeEmptyAndPastTheTtl) {
    auto config = TestConfig();
    config.apps[0].versions[0].session.empty_ttl = 10s;
    Reset(config);
    auto session = world_->CreateSession({"game", "1", {"1.1.1.1"}, {}, {}});
    ASSERT_TRUE(session.has_value());
    const std::string session_id = (*session)->session_id;
    Run(1s);
    auto state = Snapshot(*world_);
    ASSERT_EQ(state.sessions.size(), 1u);
    ASSERT_EQ(state.deployments.size(), 1u);
    EXPECT_EQ(state.sessions[0].deployment_id, state.deployments[0].request_id);
    EXPECT_NEAR(state.sessions[0].age_seconds, 1.0, 0.06);
    EXPECT_EQ(state.deployments[0].status, "Status.READY");
    EXPECT_EQ(state.deployments[0].sessions, 1);
    EXPECT_EQ(state.deployments[0].empty_seconds, 0.0);
    ASSERT_TRUE(world_->DeleteSession(session_id));
    Run(2s);
    state = Snapshot(*world_);
    EXPECT_TRUE(state.sessions.empty());
    EXPECT_NEAR(state.deployments[0].empty_seconds, 2.0, 0.06);
    EXPECT_EQ(state.deployments[0].past_empty_ttl_seconds, 0.0);
    clock_.Advance(10s);  // No tick: as if the simulator kept the deployment past its TTL.
    EXPECT_NEAR(Snapshot(*world_).deployments[0].past_empty_ttl_seconds, 2.0, 0.06);
    world_->Tick();
    EXPECT_EQ(Snapshot(*world_).deployments[0].status, "Status.TERMINATING");
}

TEST_F(WorldTest, MaxDurationStopsTheDeployment) {
    auto config = TestConfig();
    config.apps[0].versions[0].max_duration = 10s;
    Reset(config);
    const Deployment& d = Deploy();
    Run(9900ms);
    EXPECT_EQ(d.state, DeploymentState::kReady);
    Run(200ms);
    EXPECT_EQ(d.state, DeploymentState::kTerminating);
}

TEST_F(WorldTest, PatchedArgumentsApplyToLaterDeployments) {
    VersionConfig version = **world_->FindVersion("game", "1");
    version.arguments = "--ca_contents 'x y'";
    ASSERT_TRUE(world_->ReplaceVersion("game", version));
    Deploy();
    Run(100ms);
    ASSERT_EQ(runtime_.launched.size(), 1u);
    EXPECT_EQ(runtime_.launched[0].args, (std::vector<std::string>{"--ca_contents", "x y"}));
}

TEST_F(WorldTest, RefusesUnknownAppsInactiveVersionsAndLongEnvValues) {
    EXPECT_EQ(world_->Deploy({"nope", "1", {}, {}, {}, {}}).error().http_status, 404u);
    EXPECT_EQ(world_->Deploy({"game", "9", {}, {}, {}, {}}).error().http_status, 404u);
    EXPECT_EQ(world_->Deploy({"game", "1", {}, {}, {{"BIG", std::string(5000, 'x')}}, {}}).error().http_status, 400u);
    auto config = TestConfig(SessionKind::kDefault);
    config.apps[0].versions[0].is_active = false;
    Reset(config);
    EXPECT_EQ(world_->Deploy({"game", "1", {}, {}, {}, {}}).error().http_status, 400u);
    EXPECT_EQ(world_->CreateSession({"game", "1", {}, {}, {}}).error().http_status, 400u);
}

TEST_F(WorldTest, CreatedVersionRunsTheConfiguredCommandOnly) {
    const std::string configured = (*world_->FindVersion("game", "1"))->command;
    VersionConfig version;
    version.name = "2";
    version.docker_tag = "v2";
    auto created = world_->CreateVersion("game", version);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_EQ((*created)->command, configured);
    EXPECT_EQ(world_->CreateVersion("game", version).error().http_status, 409u);
    EXPECT_EQ(world_->CreateVersion("nope", version).error().http_status, 404u);
    version.name = "3";
    version.command = "/bin/sh";
    EXPECT_EQ(world_->CreateVersion("game", version).error().http_status, 400u);
    auto deployment = world_->Deploy({"game", "", {}, {}, {}, {}});
    ASSERT_TRUE(deployment.has_value());
    EXPECT_EQ((*deployment)->version, "2");
    EXPECT_EQ((*deployment)->command, configured);
}

TEST_F(WorldTest, EmptyVersionNameMeansTheLastVersion) {
    auto deployment = world_->Deploy({"game", "", {}, {}, {}, {}});
    ASSERT_TRUE(deployment.has_value());
    EXPECT_EQ((*deployment)->version, "1");
}

}  // namespace
}  // namespace gapkit::edgegap_sim
