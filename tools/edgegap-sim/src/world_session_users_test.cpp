// A session's users (`/v1/session/{id}/users` in World): one socket per user of a Seat session,
// distinct IPs, refusals, and the per-deployment index that keeps socket counts without scans.
#include <gtest/gtest.h>

#include "world.hpp"
#include "world_test_support.hpp"

namespace gapkit::edgegap_sim {
namespace {

using namespace std::chrono_literals;
using testing::TestConfig;
using testing::WorldTest;

using Ips = std::vector<std::string>;

class SessionUsersTest : public WorldTest {
  protected:
    SessionUsersTest() : WorldTest(TestConfig(SessionKind::kSeat, 4)) {}

    const Session& Create(Ips ips) {
        auto session = world_->CreateSession({"game", "1", std::move(ips), {}, {}});
        EXPECT_TRUE(session.has_value()) << session.error().message;
        return **session;
    }
    const Deployment& DeploymentOf(const Session& session) { return *world_->FindDeployment(session.deployment_id); }
};

TEST_F(SessionUsersTest, DuplicateIpsInACreateCountOnce) {
    const Session& session = Create({"1.1.1.1", "2.2.2.2", "1.1.1.1"});
    EXPECT_EQ(session.ips, (Ips{"1.1.1.1", "2.2.2.2"}));
    EXPECT_EQ(session.seats, 2);
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(session)), 2);
}

TEST_F(SessionUsersTest, AddTakesASocketPerNewUserAndIgnoresUsersItHas) {
    const Session& session = Create({"1.1.1.1"});
    auto added = world_->AddSessionUsers(session.session_id, {"2.2.2.2", "3.3.3.3", "1.1.1.1", "2.2.2.2"});
    ASSERT_TRUE(added.has_value()) << added.error().message;
    EXPECT_EQ((*added)->ips, (Ips{"1.1.1.1", "2.2.2.2", "3.3.3.3"}));
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(session)), 3);
    ASSERT_TRUE(world_->AddSessionUsers(session.session_id, {"3.3.3.3"}));  // Already a user: no change.
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(session)), 3);
}

TEST_F(SessionUsersTest, AddRefusesMoreUsersThanFreeSocketsAndChangesNothing) {
    const Session& session = Create({"1.1.1.1", "2.2.2.2"});
    Create({"3.3.3.3"});  // Same deployment: 1 socket left.
    auto refused = world_->AddSessionUsers(session.session_id, {"4.4.4.4", "5.5.5.5"});
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().http_status, 422u);
    EXPECT_EQ(session.ips.size(), 2u);
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(session)), 3);
    EXPECT_TRUE(world_->AddSessionUsers(session.session_id, {"4.4.4.4"}));
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(session)), 4);
}

TEST_F(SessionUsersTest, AddRefusesTextThatIsNotAnIpAndUnknownSessions) {
    const Session& session = Create({"1.1.1.1"});
    EXPECT_EQ(world_->AddSessionUsers(session.session_id, {"2.2.2.2", "player-7"}).error().http_status, 422u);
    EXPECT_EQ(session.ips.size(), 1u);
    EXPECT_TRUE(world_->AddSessionUsers(session.session_id, {"2001:db8::7"}));
    EXPECT_EQ(world_->AddSessionUsers("nope-S", {"2.2.2.2"}).error().http_status, 404u);
    EXPECT_EQ(world_->RemoveSessionUsers("nope-S", {"2.2.2.2"}).error().http_status, 404u);
}

TEST_F(SessionUsersTest, AddRefusesASessionWhoseDeploymentEnded) {
    faults_.Set(Faults{.fail_next_deployments = 1});
    const Session& session = Create({"1.1.1.1"});
    Run(400ms);
    ASSERT_EQ(session.status, "Error");
    EXPECT_EQ(world_->AddSessionUsers(session.session_id, {"2.2.2.2"}).error().http_status, 422u);
}

TEST_F(SessionUsersTest, RemoveFreesSocketsIgnoresStrangersAndKeepsTheEmptySession) {
    const Session& session = Create({"1.1.1.1", "2.2.2.2", "3.3.3.3"});
    const std::string id = session.session_id;
    auto removed = world_->RemoveSessionUsers(id, {"2.2.2.2", "9.9.9.9"});
    ASSERT_TRUE(removed.has_value());
    EXPECT_EQ((*removed)->ips, (Ips{"1.1.1.1", "3.3.3.3"}));
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(session)), 2);
    ASSERT_TRUE(world_->RemoveSessionUsers(id, {"1.1.1.1", "3.3.3.3"}));
    EXPECT_TRUE(session.ips.empty());
    // A session without users stays, holding one socket, until it is deleted.
    ASSERT_NE(world_->FindSession(id), nullptr);
    const Deployment& deployment = DeploymentOf(session);
    EXPECT_EQ(world_->SocketsUsed(deployment), 1);
    ASSERT_TRUE(world_->DeleteSession(id));
    EXPECT_EQ(world_->SocketsUsed(deployment), 0);
}

TEST_F(SessionUsersTest, MatchSessionUsersTakeNoSockets) {
    Reset(TestConfig(SessionKind::kMatch, 1));
    const Session& session = Create({"1.1.1.1"});
    ASSERT_TRUE(world_->AddSessionUsers(session.session_id, {"2.2.2.2", "3.3.3.3"}));
    EXPECT_EQ(session.ips.size(), 3u);
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(session)), 1);
}

TEST_F(SessionUsersTest, ACreateWithMoreIpsThanAnyDeploymentHasFreeAutodeploys) {
    const Session& first = Create({"1.1.1.1", "2.2.2.2", "3.3.3.3"});
    const Session& second = Create({"4.4.4.4", "5.5.5.5"});
    EXPECT_NE(first.deployment_id, second.deployment_id);
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(first)), 3);
    EXPECT_EQ(world_->SocketsUsed(DeploymentOf(second)), 2);
    EXPECT_EQ(world_->CreateSession({"game", "1", {"1.0.0.1", "1.0.0.2", "1.0.0.3", "1.0.0.4", "1.0.0.5"}, {}, {}})
                  .error()
                  .http_status,
              400u);  // More users than a deployment has sockets.
}

TEST_F(SessionUsersTest, TheDeploymentIndexFollowsLinksUnlinksAndEndings) {
    const Session& kept = Create({"1.1.1.1", "2.2.2.2"});
    const Session& deleted = Create({"3.3.3.3"});
    const std::string deployment_id = kept.deployment_id;
    ASSERT_TRUE(world_->DeleteSession(deleted.session_id));
    const Deployment& deployment = *world_->FindDeployment(deployment_id);
    EXPECT_EQ(deployment.linked_sessions, std::set<std::string>{kept.session_id});
    EXPECT_EQ(world_->StatusOf(deployment).at("sessions").as_array().size(), 1u);
    Run(400ms);
    ASSERT_TRUE(world_->Stop(deployment_id, "test"));
    EXPECT_TRUE(deployment.linked_sessions.empty());
    EXPECT_EQ(world_->SocketsUsed(deployment), 0);
    EXPECT_EQ(kept.status, "Error");
    EXPECT_FALSE(kept.Linked());
}

}  // namespace
}  // namespace gapkit::edgegap_sim
