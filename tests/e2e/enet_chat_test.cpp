// examples/enet-chat end to end on the local stack: a game with its own transport (ENet) that uses
// gapkit only for matchmaking and scale-to-zero. Two chat clients find the same enet-chat-server
// through httpd -> NATS -> matchmaker -> edgegap-sim (the simulator runs it as app `enet-chat`),
// present their connect token over ENet to the server's SessionGate, exchange a line each way; the
// first sees the second leave; then the empty server stops its own deployment (the simulator's own
// empty time-to-live is set far beyond the test). CTest runs this binary under
// scripts/with-local-stack.sh with GAME=enet-chat GAME_SERVER=enet-chat-server.
#include <chrono>
#include <string>
#include <vector>

#include "local_stack_test_support.hpp"

namespace gapkit {
namespace {

using namespace std::chrono_literals;

class EnetChatTest : public LocalStackTest {
  protected:
    testing::ChildProcess StartClient(const std::string& name, const std::vector<std::string>& script) {
        std::vector<std::string> arguments{"--timeout-seconds", "90"};
        arguments.insert(arguments.end(), script.begin(), script.end());
        return Start("enet-chat-client", arguments, "chat-" + name);
    }
};

TEST_F(EnetChatTest, TwoClientsChatOverEnetAndTheEmptyServerStopsItself) {
    // The first waits for a new deployment; the second must land in the same room.
    auto first = StartClient("first", {"--say", "hello from first", "--expect", "hello from second", "--until-left"});
    ASSERT_TRUE(testing::WaitFor([&] { return Sessions().total_count == 1; }, 60s)) << Log("chat-first");
    auto second = StartClient("second", {"--say", "hello from second", "--expect", "hello from first"});

    EXPECT_EQ(Finish(second, 90s), 0) << Log("chat-second");
    EXPECT_EQ(Finish(first, 60s), 0) << Log("chat-first");
    const std::string first_log = Log("chat-first");
    const std::string second_log = Log("chat-second");
    EXPECT_NE(second_log.find(": hello from first"), std::string::npos) << second_log;
    EXPECT_NE(first_log.find(": hello from second"), std::string::npos) << first_log;
    EXPECT_NE(first_log.find("\n- "), std::string::npos) << "the second's leaving was reported\n" << first_log;
    EXPECT_EQ(Deployments(), 1) << "both clients were in one room";

    // Each left clears its session; the empty server then asks for its own stop, long before the
    // simulator's empty time-to-live (SIM_EMPTY_TTL_SECONDS) would.
    EXPECT_TRUE(testing::WaitFor([&] { return Sessions().total_count == 0; }, 30s));
    EXPECT_TRUE(testing::WaitFor([&] { return Deployments() == 0; }, 60s));
}

}  // namespace
}  // namespace gapkit
