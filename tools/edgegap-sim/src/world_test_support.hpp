#pragma once

// WorldTest: a World over a manual clock and a runtime that records every side effect, for the
// World tests (world_test.cpp, world_session_users_test.cpp).

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "gapkit/common/clock.hpp"
#include "world.hpp"

namespace gapkit::edgegap_sim::testing {

using namespace std::chrono_literals;

// Records every side effect instead of performing it.
class FakeRuntime final : public Runtime {
  public:
    common::Result<std::uint16_t> AllocatePort(std::string_view) override { return next_port++; }
    common::Status Launch(const LaunchSpec& spec) override {
        launched.push_back(spec);
        if (fail_launch) return common::MakeError(common::ErrorCode::kIo, "no such program");
        return common::Ok();
    }
    void Terminate(const std::string& id, std::chrono::seconds grace) override { terminated[id] = grace; }
    void Kill(const std::string& id) override { killed.push_back(id); }
    std::string ReadLog(const std::string&, std::size_t) override { return "log"; }
    void PostWebhook(const std::string& url, std::string body) override { webhooks.emplace_back(url, body); }

    std::uint16_t next_port = 40000;
    bool fail_launch = false;
    std::vector<LaunchSpec> launched;
    std::map<std::string, std::chrono::seconds> terminated;
    std::vector<std::string> killed;
    std::vector<std::pair<std::string, std::string>> webhooks;
};

inline SimulatorConfig TestConfig(SessionKind kind = SessionKind::kSeat, int sockets = 2) {
    SimulatorConfig config;
    VersionConfig version;
    version.name = "1";
    version.command = "server";
    version.arguments = "--mode 'free for all'";
    version.ports = {{"gameport", 7777, "UDP", false}};
    version.envs = {{"GREETING", "hello"}};
    version.session = {kind, sockets, true, 0s};
    version.termination_grace_period = 3s;
    config.apps = {{"game", {version}}};
    config.delays = {100ms, 200ms};
    return config;
}

class WorldTest : public ::testing::Test {
  protected:
    explicit WorldTest(SimulatorConfig config = TestConfig()) : faults_(Faults{}) { Reset(std::move(config)); }

    void Reset(SimulatorConfig config) {
        world_ = std::make_unique<World>(config, clock_, runtime_, faults_, "http://127.0.0.1:9999");
    }
    // Moves time in small steps, ticking the world at each, as the simulator's timer does.
    void Run(std::chrono::milliseconds duration) {
        for (auto t = 0ms; t < duration; t += 50ms) {
            clock_.Advance(50ms);
            world_->Tick();
        }
    }
    const Deployment& Deploy() {
        auto deployment = world_->Deploy({"game", "1", {"1.2.3.4"}, {"tag1", "tag2"}, {}, {}});
        EXPECT_TRUE(deployment.has_value());
        return **deployment;
    }
    std::string EnvOf(const LaunchSpec& spec, const std::string& key) {
        for (const auto& [k, v] : spec.env) {
            if (k == key) return v;
        }
        return "<unset>";
    }

    common::ManualClock clock_;
    FakeRuntime runtime_;
    FaultState faults_;
    std::unique_ptr<World> world_;
};

}  // namespace gapkit::edgegap_sim::testing
