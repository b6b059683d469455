// The spaceships example end to end on the local stack, as a player sees it: bots find servers
// through httpd -> NATS -> matchmaker -> edgegap-sim, play on a spaceships-server the simulator
// started, and leave; then the matchmaker deletes their sessions and the simulator stops the empty
// deployment. CTest runs this binary under scripts/with-local-stack.sh, which starts the stack and
// exports MATCHMAKER_URL, GAPKIT_SIM_URL and GAPKIT_SIM_API_KEY; GAPKIT_BIN_DIR names the binaries.
#include <chrono>
#include <string>

#include "local_stack_test_support.hpp"

namespace gapkit {
namespace {

using namespace std::chrono_literals;

class SpaceshipsTest : public LocalStackTest {
  protected:
    // A bot playing `seconds` in the background.
    testing::ChildProcess StartBot(const std::string& name, int seconds) {
        return Start("spaceships-bot", {"--matchmaker", Env("MATCHMAKER_URL"), "--seconds", std::to_string(seconds)},
                     "bot-" + name);
    }
};

TEST_F(SpaceshipsTest, TwoBotsShareOneDeploymentWhichStopsOnceEmpty) {
    auto first = StartBot("first", 12);
    // The first player waits for a new deployment; the second must land on the same one.
    ASSERT_TRUE(testing::WaitFor(
        [&] {
            auto sessions = Sessions();
            return sessions.items.size() == 1 && sessions.items[0].ready;
        },
        60s))
        << Log("bot-first");
    auto second = StartBot("second", 4);
    ASSERT_TRUE(testing::WaitFor([&] { return Sessions().items.size() == 2; }, 30s)) << Log("bot-second");

    const auto sessions = Sessions();
    ASSERT_EQ(sessions.items.size(), 2u);
    EXPECT_FALSE(sessions.items[0].deployment_request_id.empty());
    EXPECT_EQ(sessions.items[0].deployment_request_id, sessions.items[1].deployment_request_id);
    EXPECT_EQ(Deployments(), 1);

    EXPECT_EQ(Finish(second, 60s), 0) << Log("bot-second");
    EXPECT_EQ(Finish(first, 60s), 0) << Log("bot-first");

    // Each disconnect clears active_connections; the matchmaker's watcher then deletes the session.
    EXPECT_TRUE(testing::WaitFor([&] { return Sessions().total_count == 0; }, 30s));
    // with-local-stack runs the simulator with a short empty time-to-live (SIM_EMPTY_TTL_SECONDS).
    EXPECT_TRUE(testing::WaitFor([&] { return Deployments() == 0; }, 60s));
}

}  // namespace
}  // namespace gapkit
