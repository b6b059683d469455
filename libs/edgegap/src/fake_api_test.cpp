#include "gapkit/edgegap/fake_api.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "gapkit/edgegap/blocking_client.hpp"

namespace gapkit::edgegap {
namespace {

template <typename T>
common::Result<T> Await(ApiTask<T> task) {
    boost::asio::io_context io;
    return RunToCompletion(io, std::move(task));
}

TEST(FakeEdgegapApi, SessionBecomesReadyAfterConfiguredPolls) {
    auto fake = FakeEdgegapApi::Create();
    FakeEdgegapApi& api = *fake;
    api.SetReadyAfterPolls(2);
    auto created = Await(api.CreateSession(SessionRequest{"spaceships", "1", {"1.2.3.4"}, std::nullopt, std::nullopt}));
    ASSERT_TRUE(created.has_value());
    EXPECT_FALSE(Await(api.GetSession(created->session_id))->ready);
    EXPECT_FALSE(Await(api.GetSession(created->session_id))->ready);
    auto ready = Await(api.GetSession(created->session_id));
    ASSERT_TRUE(ready.has_value());
    EXPECT_TRUE(ready->ready);
    ASSERT_TRUE(ready->deployment.has_value());
    EXPECT_EQ(ready->deployment->public_ip, "127.0.0.1");
    EXPECT_GT(ready->deployment->ports.at("gameport").external, 30000);
}

TEST(FakeEdgegapApi, DeleteTwiceIsAlreadyGone) {
    auto fake = FakeEdgegapApi::Create();
    FakeEdgegapApi& api = *fake;
    auto created = Await(api.CreateSession(SessionRequest{"spaceships", std::nullopt, {}, std::nullopt, std::nullopt}));
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(api.live_session_ids().size(), 1u);
    EXPECT_EQ(Await(api.DeleteSession(created->session_id))->outcome, StopOutcome::kStopped);
    EXPECT_EQ(Await(api.DeleteSession(created->session_id))->outcome, StopOutcome::kAlreadyGone);
    EXPECT_TRUE(api.live_session_ids().empty());
}

std::vector<std::string> IpsOf(const common::Result<SessionUsers>& users) {
    std::vector<std::string> ips;
    if (users) {
        for (const auto& user : users->users) ips.push_back(user.ip);
    }
    return ips;
}

TEST(FakeEdgegapApi, KeepsTheDistinctUsersOfASession) {
    auto fake = FakeEdgegapApi::Create();
    FakeEdgegapApi& api = *fake;
    using Ips = std::vector<std::string>;
    auto created = Await(api.CreateSession(SessionRequest{"spaceships", "1", {"1.1.1.1", "1.1.1.1"}, {}, {}}));
    ASSERT_TRUE(created.has_value());
    const std::string id = created->session_id;
    EXPECT_EQ(IpsOf(Await(api.GetSessionUsers(id))), Ips{"1.1.1.1"});
    EXPECT_EQ(IpsOf(Await(api.AddSessionUsers(id, {"2.2.2.2", "1.1.1.1"}))), (Ips{"1.1.1.1", "2.2.2.2"}));
    EXPECT_EQ(Await(api.GetSession(id))->user_count, 2);
    EXPECT_EQ(IpsOf(Await(api.RemoveSessionUsers(id, {"1.1.1.1"}))), Ips{"2.2.2.2"});
    ASSERT_TRUE(Await(api.DeleteSession(id)));
    EXPECT_EQ(Details(Await(api.GetSessionUsers(id)).error()).category, ErrorCategory::kNotFound);
    EXPECT_EQ(Details(Await(api.AddSessionUsers(id, {"3.3.3.3"})).error()).category, ErrorCategory::kNotFound);
    auto gone = Await(api.RemoveSessionUsers(id, {"2.2.2.2"}));
    ASSERT_TRUE(gone.has_value());
    EXPECT_TRUE(gone->session_gone);
    api.FailNext("RemoveSessionUsers", NewError({ErrorCategory::kServerError, 503, std::nullopt}, "busy"));
    EXPECT_FALSE(Await(api.RemoveSessionUsers(id, {"2.2.2.2"})).has_value());
    EXPECT_EQ(api.calls().back().method, "RemoveSessionUsers");
    EXPECT_EQ(api.calls().back().argument, id);
}

TEST(FakeEdgegapApi, ScriptedFailuresComeFirstAndCallsAreRecorded) {
    auto fake = FakeEdgegapApi::Create();
    FakeEdgegapApi& api = *fake;
    api.FailNext("CreateSession", NewError({ErrorCategory::kRateLimited, 429, std::nullopt}, "slow down"));
    auto first = Await(api.CreateSession(SessionRequest{"spaceships", std::nullopt, {}, std::nullopt, std::nullopt}));
    ASSERT_FALSE(first.has_value());
    EXPECT_EQ(Details(first.error()).category, ErrorCategory::kRateLimited);
    EXPECT_TRUE(Await(api.CreateSession(SessionRequest{"spaceships", std::nullopt, {}, std::nullopt, std::nullopt})));
    const auto calls = api.calls();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].method, "CreateSession");
    EXPECT_EQ(calls[0].argument, "spaceships");
}

TEST(FakeEdgegapApi, PatchesAppVersionArguments) {
    auto fake = FakeEdgegapApi::Create();
    FakeEdgegapApi& api = *fake;
    AppVersion version;
    version.name = "1";
    api.AddAppVersion("spaceships", version);
    AppVersionPatch patch;
    patch.arguments = "--ca_contents 'x'";
    auto patched = Await(api.PatchAppVersion("spaceships", "1", patch));
    ASSERT_TRUE(patched.has_value());
    EXPECT_EQ(patched->arguments, "--ca_contents 'x'");
    EXPECT_EQ(Details(Await(api.GetAppVersion("spaceships", "2")).error()).category, ErrorCategory::kNotFound);
}

TEST(FakeEdgegapApi, CreatesAppVersionsOnceAndPatchesEveryField) {
    auto fake = FakeEdgegapApi::Create();
    FakeEdgegapApi& api = *fake;
    AppVersionSpec spec;
    spec.name = "2";
    spec.docker_tag = "v1";
    ASSERT_TRUE(Await(api.CreateAppVersion("spaceships", spec)).has_value());
    auto again = Await(api.CreateAppVersion("spaceships", spec));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(Details(again.error()).category, ErrorCategory::kConflict);
    AppVersionPatch patch;
    patch.docker_tag = "v2";
    patch.session_config = SessionConfigPatch{std::nullopt, std::nullopt, std::nullopt, 3};
    auto patched = Await(api.PatchAppVersion("spaceships", "2", patch));
    ASSERT_TRUE(patched.has_value());
    EXPECT_EQ(patched->docker_tag, "v2");
    ASSERT_TRUE(patched->session_config.has_value());
    EXPECT_EQ(patched->session_config->empty_ttl_minutes, 3);
}

TEST(DiffVersions, PatchesOnlyWhatDiffersAndApplyingItGivesTheTarget) {
    AppVersion before;
    before.name = "1";
    before.docker_tag = "v1";
    before.arguments = "--a 1";
    before.envs = {{"MAP", "forest", false}};
    before.session_config = SessionConfig{"Seat", 6, true, 10};
    AppVersion after = before;
    after.docker_tag = "v2";
    after.envs.push_back({"API_KEY", "k", true});
    after.session_config->empty_ttl_minutes = 5;
    const AppVersionPatch patch = DiffVersions(before, after);
    EXPECT_EQ(patch.docker_tag, "v2");
    EXPECT_FALSE(patch.arguments.has_value());
    EXPECT_FALSE(patch.ports.has_value());
    ASSERT_TRUE(patch.session_config.has_value());
    EXPECT_EQ(patch.session_config->empty_ttl_minutes, 5);
    EXPECT_FALSE(patch.session_config->sockets.has_value());
    ApplyPatch(patch, before);
    EXPECT_EQ(before, after);
    EXPECT_TRUE(DiffVersions(after, after).Empty());
}

TEST(DiffVersions, SendsARegistryTokenOnlyWhenOneIsWantedAndNeverClearsIt) {
    AppVersion before;
    before.private_username = "robot";
    before.private_token = "********";  // what a GET may answer
    AppVersion after = before;
    EXPECT_TRUE(DiffVersions(before, after).Empty());
    after.private_token.clear();  // a copied version: the token is not known
    EXPECT_TRUE(DiffVersions(before, after).Empty());
    after.private_username = "robot2";
    after.private_token = "new-token";
    const AppVersionPatch patch = DiffVersions(before, after);
    EXPECT_EQ(patch.private_username, "robot2");
    EXPECT_EQ(patch.private_token, "new-token");
    ApplyPatch(patch, before);
    EXPECT_EQ(before, after);
}

TEST(FakeEdgegapApi, StopsDeployments) {
    auto fake = FakeEdgegapApi::Create();
    FakeEdgegapApi& api = *fake;
    auto created = Await(api.Deploy(DeployRequest{"spaceships", "1", {"1.2.3.4"}}));
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(Await(api.GetDeploymentStatus(created->request_id))->state, DeploymentState::kReady);
    EXPECT_EQ(Await(api.ListDeployments({}))->items.size(), 1u);
    EXPECT_EQ(Await(api.StopDeployment(created->request_id))->outcome, StopOutcome::kStopped);
    EXPECT_EQ(Await(api.StopDeployment(created->request_id))->outcome, StopOutcome::kAlreadyGone);
    EXPECT_TRUE(Await(api.ListDeployments({}))->items.empty());
}

}  // namespace
}  // namespace gapkit::edgegap
