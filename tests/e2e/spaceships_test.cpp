// The spaceships example end to end on the local stack, as a player sees it: bots find servers
// through httpd -> NATS -> matchmaker -> edgegap-sim, play on a spaceships-server the simulator
// started, and leave; then the matchmaker deletes their sessions and the simulator stops the empty
// deployment. CTest runs this binary under scripts/with-local-stack.sh, which starts the stack and
// exports MATCHMAKER_URL, GAPKIT_SIM_URL and GAPKIT_SIM_API_KEY; GAPKIT_BIN_DIR names the binaries.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "gapkit/common/files.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "gapkit/testing/process.hpp"
#include "gapkit/testing/wait.hpp"

namespace gapkit {
namespace {

using namespace std::chrono_literals;

std::string Env(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? "" : value;
}

class SpaceshipsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (Env("MATCHMAKER_URL").empty() || Env("GAPKIT_SIM_URL").empty()) {
            GTEST_SKIP() << "run through scripts/with-local-stack.sh (ctest -L e2e does)";
        }
        edgegap::ClientConfig config;
        config.base_url = Env("GAPKIT_SIM_URL");
        config.api_key = Env("GAPKIT_SIM_API_KEY");
        auto client = edgegap::BlockingEdgegapClient::Create(config);
        ASSERT_TRUE(client) << client.error().message();
        sim_ = std::move(*client);
        ASSERT_TRUE(testing::WaitFor([&] { return Sessions().total_count == 0 && Deployments() == 0; }))
            << "the simulator is not empty at the start";
    }

    edgegap::Page<edgegap::Session> Sessions() {
        auto page = sim_->Call(&edgegap::EdgegapApi::ListSessions, {});
        EXPECT_TRUE(page) << page.error().message();
        return page ? *page : edgegap::Page<edgegap::Session>{};
    }

    std::int64_t Deployments() {
        auto page = sim_->Call(&edgegap::EdgegapApi::ListDeployments, {});
        EXPECT_TRUE(page) << page.error().message();
        return page ? page->total_count : -1;
    }

    // Bot logs sit beside the stack's, so with-local-stack.sh shows them when the test fails.
    static std::filesystem::path LogFile(const std::string& name) {
        return std::filesystem::path(Env("GAPKIT_STATE_DIR")) / "logs" / ("bot-" + name + ".log");
    }

    // A bot playing `seconds` in the background.
    testing::ChildProcess StartBot(const std::string& name, int seconds) {
        const std::filesystem::path bot = std::filesystem::path(Env("GAPKIT_BIN_DIR")) / "spaceships-bot";
        auto child = testing::ChildProcess::Spawn(
            {bot.string(), "--matchmaker", Env("MATCHMAKER_URL"), "--seconds", std::to_string(seconds)}, LogFile(name));
        EXPECT_TRUE(child) << child.error().message();
        return std::move(*child);
    }

    // Waits for a bot to finish by itself and returns its exit code (-1 if it had to be stopped).
    int Finish(testing::ChildProcess& bot, std::chrono::seconds timeout) {
        if (!testing::WaitFor([&] { return !bot.Running(); }, timeout)) {
            bot.Stop();
            return -1;
        }
        return bot.Stop();
    }

    std::string Log(const std::string& name) {
        auto text = common::ReadFile(LogFile(name));
        return text ? *text : "";
    }

    std::unique_ptr<edgegap::BlockingEdgegapClient> sim_;
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
        << Log("first");
    auto second = StartBot("second", 4);
    ASSERT_TRUE(testing::WaitFor([&] { return Sessions().items.size() == 2; }, 30s)) << Log("second");

    const auto sessions = Sessions();
    ASSERT_EQ(sessions.items.size(), 2u);
    EXPECT_FALSE(sessions.items[0].deployment_request_id.empty());
    EXPECT_EQ(sessions.items[0].deployment_request_id, sessions.items[1].deployment_request_id);
    EXPECT_EQ(Deployments(), 1);

    EXPECT_EQ(Finish(second, 60s), 0) << Log("second");
    EXPECT_EQ(Finish(first, 60s), 0) << Log("first");

    // Each disconnect clears active_connections; the matchmaker's watcher then deletes the session.
    EXPECT_TRUE(testing::WaitFor([&] { return Sessions().total_count == 0; }, 30s));
    // with-local-stack runs the simulator with a short empty time-to-live (SIM_EMPTY_TTL_SECONDS).
    EXPECT_TRUE(testing::WaitFor([&] { return Deployments() == 0; }, 60s));
}

}  // namespace
}  // namespace gapkit
