#pragma once

/// @file
/// The frame every fault scenario shares (a GoogleTest fixture): start the local stack in the
/// chosen form, send a surge of players, let the test inject its fault and say when it is over,
/// then count from the simulator: players answered, the first player served again after the fault
/// (recovery), the sessions left once the system had `settle_bound` to clean up (leaked), and
/// deployments that outlived their empty TTL. The row is recorded (form.hpp) and the test fails
/// unless every player was answered and nothing leaked or outlived its TTL. The stack's logs are
/// copied to `<GAPKIT_CHAOS_RESULTS_DIR>/logs/<test name>/` when it fails, or always with
/// `GAPKIT_CHAOS_KEEP_LOGS=1`.
///
/// Threads: the test's main thread drives everything; surges and the recovery probe run on their
/// own threads (std::async) and only touch the stack's URL.

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "form.hpp"
#include "local_stack.hpp"
#include "players.hpp"

namespace gapkit::chaos {

class ChaosScenario : public ::testing::Test {
  protected:
    void SetUp() override;

    /// Starts the stack with `matchmakers` matchmakers on `nats_nodes` nats-servers (a fatal
    /// failure when it cannot: call it in ASSERT_NO_FATAL_FAILURE).
    void StartStack(int matchmakers = 1, int nats_nodes = 1);
    LocalStack& stack() { return *stack_; }
    const Form& form() const { return form_; }
    PlayerPlan Plan() const;

    /// A surge of `form().players` players, running in the background from now.
    std::future<std::vector<PlayerResult>> StartSurge();

    /// A surge of players; `delay` into it, `fault` runs on this thread, and the fault is over when
    /// it returns; then `Finish(scenario, ...)`.
    void SurgeWithFault(const std::string& scenario, std::chrono::milliseconds delay,
                        const std::function<void()>& fault);

    /// Waits (up to the player timeout) until the simulator has counted, for each pair, that many
    /// calls shaped by that fault (`{"lost", 2}`, `{"injected_429", 30}`; docs/edgegap-sim.md).
    void WaitForFaults(const std::vector<std::pair<std::string, int>>& faults);

    /// The fault is over now: starts the recovery probe.
    void FaultOver();

    /// Waits for `players`, the probe and the settling, records the row and checks the goal.
    void Finish(const std::string& scenario, std::vector<PlayerResult> players);

    /// One spaceships-bot process with `bots` bots that each play `seconds` once connected.
    testing::ChildProcess StartBots(int bots, int seconds);
    /// Waits until `bots` bots say they are connected to their game server.
    bool WaitForBotsConnected(int bots);
    /// The bots' outcomes from their report lines (`bot N: ok|FAILED server <address|->`): a bot
    /// that reached a game server was answered (`SessionReady`), whatever happened to it after.
    std::vector<PlayerResult> BotResults(testing::ChildProcess& bots, std::chrono::seconds timeout);

    /// Sets the simulator's faults (fails the test when it refuses them).
    void SetFaults(const std::string& faults_json);

    /// Polls `condition` every 100 ms up to `timeout`.
    static bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

  private:
    Row Count(const std::string& scenario, const std::vector<PlayerResult>& players);

    void KeepLogs() const;

    Form form_;
    std::unique_ptr<LocalStack> stack_;
    SteadyTime fault_over_{};
    std::future<std::optional<SteadyTime>> probe_;
};

}  // namespace gapkit::chaos
