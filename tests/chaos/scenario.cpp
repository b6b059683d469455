#include "scenario.hpp"

#include <cstdio>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gapkit/common/env.hpp"
#include "gapkit/common/files.hpp"
#include "gapkit/testing/nats_server.hpp"

namespace gapkit::chaos {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double SecondsBetween(SteadyTime from, SteadyTime to) { return std::chrono::duration<double>(to - from).count(); }

// Termination grace of the shipped app version (deploy/local/edgegap-sim.json.in) plus two ticks.
constexpr auto kDeploymentStopSlack = 7s;

}  // namespace

void ChaosScenario::SetUp() {
    GAPKIT_SKIP_WITHOUT_NATS_SERVER();
    form_ = Form::FromEnv();
}

void ChaosScenario::StartStack(int matchmakers, int nats_nodes) {
    auto stack = LocalStack::Start({.bin_dir = GAPKIT_CHAOS_BIN_DIR,
                                    .source_dir = GAPKIT_SOURCE_DIR,
                                    .matchmakers = matchmakers,
                                    .nats_nodes = nats_nodes,
                                    .matchmaker_flags = form_.matchmaker_flags,
                                    .httpd_flags = form_.httpd_flags,
                                    .sim_empty_ttl_seconds = form_.sim_empty_ttl_seconds});
    ASSERT_TRUE(stack) << stack.error().ToString();
    stack_ = std::move(*stack);
    SetFaults("{}");
}

PlayerPlan ChaosScenario::Plan() const {
    PlayerPlan plan;
    plan.url = stack_->MatchmakerUrl();
    plan.timeout = form_.player_timeout;
    return plan;
}

std::future<std::vector<PlayerResult>> ChaosScenario::StartSurge() {
    return std::async(std::launch::async, [plan = Plan(), players = form_.players, spread = form_.surge_spread] {
        return RunSurge(plan, players, spread);
    });
}

void ChaosScenario::SurgeWithFault(const std::string& scenario, std::chrono::milliseconds delay,
                                   const std::function<void()>& fault) {
    auto surge = StartSurge();
    std::this_thread::sleep_for(delay);
    fault();
    if (HasFatalFailure()) return;
    FaultOver();
    Finish(scenario, surge.get());
}

void ChaosScenario::WaitForFaults(const std::vector<std::pair<std::string, int>>& faults) {
    const bool counted = WaitUntil(
        [&] {
            for (const auto& [fault, count] : faults) {
                auto seen = stack_->sim().CountCalls("", fault);
                if (!seen || *seen < count) return false;
            }
            return true;
        },
        form_.player_timeout);
    EXPECT_TRUE(counted) << "the simulator did not count every injected fault";
}

void ChaosScenario::FaultOver() {
    fault_over_ = Clock::now();
    probe_ = std::async(std::launch::async, [plan = Plan()] { return FirstReady(plan); });
}

void ChaosScenario::SetFaults(const std::string& faults_json) {
    // The POSTed object replaces every fault: the baseline latency goes into each.
    std::string faults = fmt::format(R"({{"added_latency_ms":{}{})", form_.edgegap_latency_ms,
                                     faults_json.size() > 2 ? "," + faults_json.substr(1) : "}");
    auto ok = stack_->sim().SetFaults(faults);
    ASSERT_TRUE(ok) << ok.error().ToString();
}

bool ChaosScenario::WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

Row ChaosScenario::Count(const std::string& scenario, const std::vector<PlayerResult>& players) {
    Row row{.scenario = scenario, .form = form_.name, .players = static_cast<int>(players.size())};
    for (const auto& player : players) {
        row.answered += player.answered ? 1 : 0;
        row.ready += player.ready ? 1 : 0;
        row.retried += player.attempts > 1 ? 1 : 0;
    }
    if (auto ready_again = probe_.get()) row.recovery_seconds = SecondsBetween(fault_over_, *ready_again);

    // Every player is gone now (the surge's never connect; bots have exited), so any session the
    // simulator still holds is one nobody holds.
    SimState state;
    const bool clean = WaitUntil(
        [&] {
            auto now = stack_->sim().State();
            if (now) state = *now;
            row.past_ttl = std::max(row.past_ttl, state.deployments_past_empty_ttl);
            return now && state.sessions == 0;
        },
        form_.settle_bound);
    row.leaked = state.sessions;
    if (clean) row.clean_seconds = SecondsBetween(fault_over_, Clock::now());
    // With no session left, every deployment is empty: each must stop within its empty TTL.
    WaitUntil(
        [&] {
            auto now = stack_->sim().State();
            if (now) state = *now;
            return now && state.deployments == 0;
        },
        std::chrono::seconds(form_.sim_empty_ttl_seconds) + kDeploymentStopSlack);
    row.past_ttl = std::max(row.past_ttl, state.deployments);
    return row;
}

void ChaosScenario::Finish(const std::string& scenario, std::vector<PlayerResult> players) {
    ASSERT_TRUE(probe_.valid()) << "the scenario never called FaultOver()";
    const Row row = Count(scenario, players);
    std::map<std::string, int> outcomes;
    for (const auto& player : players) ++outcomes[player.outcome];
    std::printf("[chaos] %s; outcomes: %s\n", Describe(row).c_str(),
                fmt::format("{}", fmt::join(outcomes, ", ")).c_str());
    for (std::size_t i = 0; i < players.size(); ++i) {
        EXPECT_TRUE(players[i].answered) << "player " << i << ": " << players[i].outcome << " after "
                                         << players[i].attempts << " clicks";
    }
    auto recorded = AppendRow(row);
    EXPECT_TRUE(recorded) << recorded.error().ToString();
    EXPECT_EQ(row.answered, row.players);
    EXPECT_EQ(row.leaked, 0) << "sessions left at Edgegap; logs in " << stack_->dir();
    EXPECT_EQ(row.past_ttl, 0) << "deployments outlived their empty TTL; logs in " << stack_->dir();
    EXPECT_GE(row.recovery_seconds, 0) << "no player was served after the fault";
    if (HasFailure() || common::GetEnv("GAPKIT_CHAOS_KEEP_LOGS").value_or("") == "1") KeepLogs();
}

// The stack's folder goes with the test; a failed scenario's logs are copied beside the results.
void ChaosScenario::KeepLogs() const {
    const auto results = common::GetEnv("GAPKIT_CHAOS_RESULTS_DIR").value_or("");
    if (results.empty()) return;
    const auto target =
        std::filesystem::path(results) / "logs" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::error_code ec;
    std::filesystem::remove_all(target, ec);
    std::filesystem::create_directories(target, ec);
    std::filesystem::copy(stack_->dir() / "logs", target, std::filesystem::copy_options::recursive, ec);
    std::printf("[chaos] logs kept in %s\n", target.c_str());
}

testing::ChildProcess ChaosScenario::StartBots(int bots, int seconds) {
    auto child = testing::ChildProcess::Spawn(
        {stack_->Program("spaceships-bot").string(), "--matchmaker", stack_->MatchmakerUrl(), "--bots",
         std::to_string(bots), "--seconds", std::to_string(seconds), "--timeout-seconds",
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(form_.player_timeout).count())},
        stack_->dir() / "logs/bots.log");
    EXPECT_TRUE(child) << child.error().ToString();
    return std::move(*child);
}

bool ChaosScenario::WaitForBotsConnected(int bots) {
    return WaitUntil(
        [&] {
            auto log = common::ReadFile(stack_->dir() / "logs/bots.log");
            int connected = 0;
            for (std::size_t at = 0; log && (at = log->find(": connected", at)) != std::string::npos; ++at) ++connected;
            return connected >= bots;
        },
        form_.player_timeout);
}

std::vector<PlayerResult> ChaosScenario::BotResults(testing::ChildProcess& bots, std::chrono::seconds timeout) {
    if (!WaitUntil([&] { return !bots.Running(); }, timeout)) bots.Stop();
    std::vector<PlayerResult> results;
    auto log = common::ReadFile(stack_->dir() / "logs/bots.log");
    std::istringstream lines(log ? *log : "");
    static const std::regex kReport(R"(^bot \d+: (ok|FAILED) server (\S+),)");
    std::smatch match;
    for (std::string line; std::getline(lines, line);) {
        if (!std::regex_search(line, match, kReport)) continue;
        PlayerResult bot;
        bot.ready = bot.answered = match[2] != "-";
        bot.outcome = match[1];
        bot.attempts = 1;
        results.push_back(bot);
    }
    return results;
}

}  // namespace gapkit::chaos
