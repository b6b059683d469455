#include "players.hpp"

#include <thread>

#include "gapkit/protocol/match_messages.hpp"
#include "summary.hpp"
#include "websocket_load.hpp"

namespace gapkit::chaos {
namespace {

using Clock = std::chrono::steady_clock;

// The loadgen outcomes a game client answers with "try again": the matchmaker was not reached or
// hung up before a final reply.
bool ClickAgain(const std::string& outcome) {
    return outcome == "connect" || outcome == "handshake" || outcome == "write" || outcome == "closed early";
}

}  // namespace

PlayerResult Play(const PlayerPlan& plan) {
    PlayerResult result;
    const auto deadline = Clock::now() + plan.timeout;
    auto target = loadgen::ResolveWebSocketUrl(plan.url);
    if (!target) {
        result.outcome = "bad url";
        return result;
    }
    const std::string request =
        protocol::SerializeMatchRequest(protocol::MatchRequest{plan.game, plan.version, std::nullopt});
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) break;
        ++result.attempts;
        loadgen::LevelRun run = loadgen::RunWebSocketLevel(*target, request, {1, 1, left, left, {}});
        result.outcome = run.samples.empty() ? "none" : run.samples.front().outcome;
        if (result.outcome == loadgen::kOutcomeOk || result.outcome.rfind("error ", 0) == 0) {
            result.answered = Clock::now() <= deadline;
            result.ready = result.answered && result.outcome == loadgen::kOutcomeOk;
            result.answered_at = Clock::now();
            return result;
        }
        if (!ClickAgain(result.outcome)) break;
        std::this_thread::sleep_for(
            std::min(plan.retry_pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())));
    }
    if (result.outcome.empty()) result.outcome = "timeout";
    return result;
}

std::vector<PlayerResult> RunSurge(const PlayerPlan& plan, int players, std::chrono::milliseconds spread) {
    std::vector<PlayerResult> results(static_cast<std::size_t>(players));
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int i = 0; i < players; ++i) {
        threads.emplace_back([&, i] {
            std::this_thread::sleep_until(start + spread * i / std::max(players, 1));
            results[static_cast<std::size_t>(i)] = Play(plan);
        });
    }
    for (auto& thread : threads) thread.join();
    return results;
}

std::optional<SteadyTime> FirstReady(const PlayerPlan& plan) {
    const auto deadline = Clock::now() + plan.timeout;
    while (Clock::now() < deadline) {
        PlayerPlan left = plan;
        left.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        PlayerResult player = Play(left);
        if (player.ready) return player.answered_at;
        std::this_thread::sleep_for(plan.retry_pause);
    }
    return std::nullopt;
}

}  // namespace gapkit::chaos
