#include "bot.hpp"

#include <chrono>
#include <sstream>
#include <thread>

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "game_loop.hpp"
#include "gapkit/testing/free_port.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/scoped_env.hpp"

namespace spaceships::bot {
namespace {

using ::testing::HasSubstr;

double NowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Bots against an in-process local-mode spaceships server, all ticked on this thread.
class BotTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kUdp);
        ASSERT_TRUE(port);
        server::ServerConfig config;
        config.port = *port;
        auto loop = server::GameLoop::Start(config, 0, nullptr);
        ASSERT_TRUE(loop) << loop.error().ToString();
        loop_ = std::move(*loop);
        options_.direct = fmt::format("127.0.0.1:{}", *port);
        options_.seconds = 1;
    }

    // Runs `count` bots and the server until every bot has finished (or 20 s pass).
    std::vector<BotReport> Play(int count) {
        std::vector<std::unique_ptr<Bot>> bots;
        for (int number = 1; number <= count; ++number) {
            auto bot = Bot::Create(number, options_, out_);
            EXPECT_TRUE(bot) << bot.error().ToString();
            bots.push_back(std::move(*bot));
            bots.back()->Start(NowSeconds());
        }
        const double start = NowSeconds();
        bool all_done = false;
        while (!all_done && NowSeconds() < start + 20) {
            if (server_running_ && NowSeconds() - start > stop_server_after_seconds_) {
                loop_->Stop();
                server_running_ = false;
            }
            if (server_running_) loop_->Tick(NowSeconds());
            all_done = true;
            for (auto& bot : bots) all_done = bot->Update(NowSeconds()) && all_done;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        // A few more ticks so the server reads the bots' disconnect packets.
        for (int i = 0; i < 20 && server_running_ && loop_->stats().leaves < static_cast<std::uint64_t>(count); ++i) {
            loop_->Tick(NowSeconds());
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        std::vector<BotReport> reports;
        for (auto& bot : bots) reports.push_back(bot->report());
        return reports;
    }

    gapkit::testing::ScopedEnv env_{{{"NATS_HOST", std::nullopt},
                                     {"ARBITRIUM_REQUEST_ID", std::nullopt},
                                     {"MATCHMAKER_URL", std::nullopt},
                                     {"GAPKIT_PRIVATE_KEY", std::nullopt}}};
    std::unique_ptr<server::GameLoop> loop_;
    BotOptions options_;
    std::ostringstream out_;
    double stop_server_after_seconds_ = 1e9;
    bool server_running_ = true;
};

TEST_F(BotTest, ABotPlaysDirectlyAndLeaves) {
    const auto reports = Play(1);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_TRUE(reports[0].succeeded) << reports[0].failure << "\n" << out_.str();
    EXPECT_EQ(reports[0].server_address, options_.direct);
    EXPECT_GT(reports[0].snapshots, 10u);
    EXPECT_GE(reports[0].seconds_played, 1.0);
    EXPECT_EQ(loop_->stats().joins, 1u);
    EXPECT_EQ(loop_->stats().leaves, 1u);
    EXPECT_THAT(out_.str(), HasSubstr("bot 1: connected"));
}

TEST_F(BotTest, ThreeBotsShareTheServer) {
    const auto reports = Play(3);
    for (const BotReport& report : reports) EXPECT_TRUE(report.succeeded) << report.failure << "\n" << out_.str();
    EXPECT_EQ(loop_->stats().joins, 3u);
    EXPECT_EQ(loop_->stats().leaves, 3u);
}

TEST_F(BotTest, ALostServerIsAFailure) {
    options_.seconds = 30;
    stop_server_after_seconds_ = 1;  // mid-game: the server disconnects everyone
    const auto reports = Play(1);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_FALSE(reports[0].succeeded);
    EXPECT_GT(reports[0].snapshots, 0u);
    EXPECT_THAT(reports[0].failure, HasSubstr("server"));
}

// The binary itself: exit codes and messages.
gapkit::testing::ProcessResult RunBot(std::vector<std::string> args) {
    args.insert(args.begin(), SPACESHIPS_BOT_PATH);
    auto result = gapkit::testing::RunProcess(args, {{"MATCHMAKER_URL", std::nullopt}}, std::chrono::seconds(30));
    EXPECT_TRUE(result) << result.error().ToString();
    return result ? *result : gapkit::testing::ProcessResult{};
}

TEST(BotProgramTest, NoMatchmakerListeningFailsQuickly) {
    auto port = gapkit::testing::FreeLoopbackPort(gapkit::testing::PortKind::kTcp);
    ASSERT_TRUE(port);
    const auto result =
        RunBot({"--matchmaker", fmt::format("ws://127.0.0.1:{}/matchmaker/ws", *port), "--seconds", "1"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_FALSE(result.timed_out);
    EXPECT_THAT(result.stderr_text, HasSubstr("Cannot reach the matchmaker"));
    EXPECT_THAT(result.stdout_text, HasSubstr("bot 1: FAILED"));
}

TEST(BotProgramTest, BadUsageExitsTwo) {
    EXPECT_EQ(RunBot({"--bots", "65"}).exit_code, 2);
    EXPECT_THAT(RunBot({"--bots", "0"}).stderr_text, HasSubstr("--bots must be 1..64 (got 0)"));
    EXPECT_EQ(RunBot({"--seconds", "soon"}).exit_code, 2);
    EXPECT_EQ(RunBot({"--no-such-flag"}).exit_code, 2);
    EXPECT_EQ(RunBot({"--help"}).exit_code, 0);
}

}  // namespace
}  // namespace spaceships::bot
