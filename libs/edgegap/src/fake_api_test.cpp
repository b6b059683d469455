#include "gapkit/edgegap/fake_api.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace gapkit::edgegap {
namespace {

template <typename T>
ApiResult<T> Await(ApiTask<T> task) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.run();
    return future.get();
}

TEST(FakeEdgegapApi, SessionBecomesReadyAfterConfiguredPolls) {
    FakeEdgegapApi api;
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
    FakeEdgegapApi api;
    auto created = Await(api.CreateSession(SessionRequest{"spaceships", std::nullopt, {}, std::nullopt, std::nullopt}));
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(api.live_session_ids().size(), 1u);
    EXPECT_EQ(Await(api.DeleteSession(created->session_id))->outcome, StopOutcome::kStopped);
    EXPECT_EQ(Await(api.DeleteSession(created->session_id))->outcome, StopOutcome::kAlreadyGone);
    EXPECT_TRUE(api.live_session_ids().empty());
}

TEST(FakeEdgegapApi, ScriptedFailuresComeFirstAndCallsAreRecorded) {
    FakeEdgegapApi api;
    api.FailNext("CreateSession", ApiError{ApiErrorCategory::kRateLimited, 429, "slow down", std::nullopt});
    auto first = Await(api.CreateSession(SessionRequest{"spaceships", std::nullopt, {}, std::nullopt, std::nullopt}));
    ASSERT_FALSE(first.has_value());
    EXPECT_EQ(first.error().category, ApiErrorCategory::kRateLimited);
    EXPECT_TRUE(Await(api.CreateSession(SessionRequest{"spaceships", std::nullopt, {}, std::nullopt, std::nullopt})));
    const auto calls = api.calls();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].method, "CreateSession");
    EXPECT_EQ(calls[0].argument, "spaceships");
}

TEST(FakeEdgegapApi, PatchesAppVersionArguments) {
    FakeEdgegapApi api;
    AppVersion version;
    version.name = "1";
    api.AddAppVersion("spaceships", version);
    AppVersionPatch patch;
    patch.arguments = "--ca_contents 'x'";
    auto patched = Await(api.PatchAppVersion("spaceships", "1", patch));
    ASSERT_TRUE(patched.has_value());
    EXPECT_EQ(patched->arguments, "--ca_contents 'x'");
    EXPECT_EQ(Await(api.GetAppVersion("spaceships", "2")).error().category, ApiErrorCategory::kNotFound);
}

TEST(FakeEdgegapApi, StopsDeployments) {
    FakeEdgegapApi api;
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
