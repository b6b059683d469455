// The Edgegap calls of one player's whole lifecycle (request, SessionReady, join, play, leave,
// session deleted) through the real local stack, counted by the simulator itself (`/admin/calls`):
// for a cold deployment (the player's request starts it) and for a deployment with free seats,
// with the matchmaker on webhooks and polling. docs/benchmarks.md "Calls per player" is this
// test's output:
//   ctest --test-dir build -R CallsPerPlayer --output-on-failure -V
// A change that costs a player one more call fails it.

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <thread>

#include "operate_test_support.hpp"

namespace gapkit::operate {
namespace {

using namespace std::chrono_literals;
using Calls = std::map<std::string, std::int64_t>;

constexpr int kFreeSeatPlayers = 3;  // Spaceships has 6 seats; each player leaves before the next.
constexpr const char* kCreate = "POST /v1/session";
constexpr const char* kRead = "GET /v1/session/{id}";
constexpr const char* kDelete = "DELETE /v1/session/{id}";
constexpr const char* kStatus = "GET /v1/status/{id}";
constexpr const char* kContext = "GET /v1/context/{id}/{n}";

std::int64_t Total(const Calls& calls) {
    std::int64_t total = 0;
    for (const auto& [route, count] : calls) total += count;
    return total;
}

std::int64_t Of(const Calls& calls, const char* route) {
    auto found = calls.find(route);
    return found == calls.end() ? 0 : found->second;
}

class CallsPerPlayer : public ::testing::TestWithParam<bool> {
  protected:
    void SetUp() override {
        chaos::StackOptions options;
        options.webhooks = GetParam();
        // The reconciler's listing is a cost per period, not per player: counted separately.
        options.matchmaker_flags = {"--reconcile-interval", "0"};
        options.sim_empty_ttl_seconds = 300;  // The free-seat players find the cold player's server.
        auto stack = StartStack(options);
        ASSERT_TRUE(stack) << stack.error().ToString();
        stack_ = std::move(*stack);
    }

    Calls Counted() {
        auto calls = stack_->sim().CallsByRoute();
        EXPECT_TRUE(calls) << calls.error().ToString();
        return calls ? *calls : Calls{};
    }

    // One player from "Play" to its session's deletion; the calls the simulator counted meanwhile.
    Calls OnePlayer() {
        const Calls before = Counted();
        const std::int64_t deletes_before = Of(before, kDelete);
        auto bot = testing::RunProcess({Program("spaceships-bot"), "--matchmaker", stack_->MatchmakerUrl(), "--bots",
                                        "1", "--seconds", "1", "--quiet"},
                                       {}, 60s);
        EXPECT_TRUE(bot && bot->exit_code == 0) << (bot ? bot->stdout_text + bot->stderr_text : bot.error().ToString());
        // Deleted once the game server said the player left; then nothing more may come.
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (Of(Counted(), kDelete) == deletes_before && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(100ms);
        }
        std::this_thread::sleep_for(1s);
        Calls during;
        for (const auto& [route, count] : Counted()) {
            if (count > Of(before, route.c_str())) during[route] = count - Of(before, route.c_str());
        }
        EXPECT_EQ(Of(during, kDelete), 1) << "the session was not deleted";
        return during;
    }

    void Print(const char* cell, const Calls& calls, int players) {
        std::printf("calls per player, %s, %s:", GetParam() ? "webhooks" : "polling", cell);
        for (const auto& [route, count] : calls) std::printf("  %s %.2f", route.c_str(), double(count) / players);
        std::printf("  total %.2f\n", double(Total(calls)) / players);
    }

    std::unique_ptr<chaos::LocalStack> stack_;
};

TEST_P(CallsPerPlayer, ColdDeploymentThenFreeSeats) {
    const Calls cold = OnePlayer();
    Print("cold deployment", cold, 1);
    Calls warm;
    for (int i = 0; i < kFreeSeatPlayers; ++i) {
        for (const auto& [route, count] : OnePlayer()) warm[route] += count;
    }
    Print("free seats", warm, kFreeSeatPlayers);

    // Per player: one create and one delete, whatever the case.
    EXPECT_EQ(Of(cold, kCreate), 1);
    EXPECT_EQ(Of(warm, kCreate), kFreeSeatPlayers);
    EXPECT_EQ(Of(warm, kDelete), kFreeSeatPlayers);
    // Per deployment, paid by the cold player: the game server reads its context once, and the
    // matchmaker checks the server's certificate claim against the deployment's status once.
    EXPECT_EQ(Of(cold, kContext), 1);
    EXPECT_EQ(Of(cold, kStatus), 1);
    EXPECT_EQ(Of(warm, kContext) + Of(warm, kStatus), 0);
    if (GetParam()) {
        // The webhook says when the session is ready and where: no session read at all.
        EXPECT_EQ(Of(cold, kRead), 0);
        EXPECT_EQ(Of(warm, kRead), 0);
        EXPECT_EQ(Total(warm), 2 * kFreeSeatPlayers);
    } else {
        // One read finds a free seat ready; a cold deployment takes a few polls (back-off from 200 ms).
        EXPECT_EQ(Of(warm, kRead), kFreeSeatPlayers);
        EXPECT_GE(Of(cold, kRead), 1);
        EXPECT_LE(Of(cold, kRead), 6);
        EXPECT_EQ(Total(warm), 3 * kFreeSeatPlayers);
    }
}

INSTANTIATE_TEST_SUITE_P(Matchmaker, CallsPerPlayer, ::testing::Bool(), [](const ::testing::TestParamInfo<bool>& info) {
    return info.param ? "Webhooks" : "Polling";
});

}  // namespace
}  // namespace gapkit::operate
